/**
 * File-system access for all three runtimes through node:fs, which Node, Bun and Deno share;
 * runtime/index.ts exports it as the `fs` namespace. Maps ENOENT/EEXIST once (_fs_shared.ts).
 * Reading, bounded (fs_read.ts); writing, atomic or exclusive (fs_write.ts); temp names
 * (temp_name.ts); tails and streamed files (fs_append.ts).
 */
import * as nodePath from "node:path";

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

export { fileURLToPath as fromFileUrl, pathToFileURL as toFileUrl } from "node:url";
