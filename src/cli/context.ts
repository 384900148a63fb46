/** What every command gets: output, home, working folder, clock and the merged configuration. */
import type { Output } from "./output.ts";
import { loadConfig, type LoadedConfig } from "../config/load.ts";

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
      cached ??= loadConfig({ home, cwd });
      return cached;
    },
  };
}
