/** What every command gets: output, home, working folder, clock and the merged configuration. */
import type { Output } from "./output.ts";
import type { LoadedConfig } from "../config/load.ts";

export interface Context {
  out: Output;
  home: string;
  cwd: string;
  now: () => Date;
  config(): Promise<LoadedConfig>;
}

export function makeContext(out: Output, home: string, cwd: string, now: () => Date = () => new Date()): Context {
  let cached: Promise<LoadedConfig> | undefined;
  return {
    out,
    home,
    cwd,
    now,
    config() {
      // Imported on first use: the YAML parser and config schema stay out of start-up.
      cached ??= import("../config/load.ts").then(async (m) => {
        const loaded = await m.loadConfig({ home, cwd });
        // Once per command, on stderr: which project settings were left out, and how to trust the file.
        if (loaded.ignored.length > 0) {
          const { ignoredProjectWarning } = await import("../config/project_policy.ts");
          out.warn(ignoredProjectWarning(loaded.projectFile, loaded.ignored));
        }
        return loaded;
      });
      return cached;
    },
  };
}
