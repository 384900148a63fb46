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
      cached ??= import("../config/load.ts").then((m) => m.loadConfig({ home, cwd }));
      return cached;
    },
  };
}
