/**
 * File-system access for all three runtimes through node:fs, which Node, Bun and Deno share;
 * runtime/index.ts exports it as the `fs` namespace. Maps ENOENT/EEXIST once (_fs_shared.ts).
 * Reading, bounded (fs_read.ts); writing, atomic or exclusive (fs_write.ts); temp names
 * (temp_name.ts); tails and streamed files (fs_append.ts).
 */
import type * as NodePath from "node:path";
import type * as NodeUrl from "node:url";
import { builtin } from "./builtin.ts";

// Required, not imported: see fs_read.ts.
const nodePath = builtin<typeof NodePath>("node:path");

export { isNotFound, isAlreadyExists } from "./_fs_shared.ts";
export * from "./fs_read.ts";
export * from "./fs_write.ts";
export * from "./temp_name.ts";
export * from "./fs_append.ts";

export const path = {
  join: nodePath.join,
  resolve: nodePath.resolve,
  dirname: nodePath.dirname,
  basename: nodePath.basename,
  relative: nodePath.relative,
  isAbsolute: nodePath.isAbsolute,
  sep: nodePath.sep,
};

// node:url loads on first use: ~0.5 ms of every Bun start-up, for the few commands that take a file: URL.
const nodeUrl = (): typeof NodeUrl => builtin<typeof NodeUrl>("node:url");
export const fromFileUrl: typeof NodeUrl.fileURLToPath = (u) => nodeUrl().fileURLToPath(u);
export const toFileUrl: typeof NodeUrl.pathToFileURL = (p) => nodeUrl().pathToFileURL(p);
