/**
 * What runtime/fs_*.ts share: node:fs/promises loaded on first use, and ENOENT/EEXIST mapped once.
 */
import type * as FsPromises from "node:fs/promises";
import { builtin } from "./builtin.ts";

// Loaded on first use: reads do not need it, and on Bun it costs ~2 ms of start-up.
let fspModule: typeof FsPromises | undefined;
export const fsp = (): typeof FsPromises => (fspModule ??= builtin<typeof FsPromises>("node:fs/promises"));

function errCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined;
}
export function isNotFound(e: unknown): boolean {
  return errCode(e) === "ENOENT" || errCode(e) === "ENOTDIR";
}
export function isAlreadyExists(e: unknown): boolean {
  return errCode(e) === "EEXIST";
}
