/** A registry in a local folder (or a git clone of one). */
import { fs } from "../runtime/index.ts";
import type { RegistrySource, SourceKind } from "./source.ts";
import { limitForFile } from "../read_limits.ts";

export function fileSource(root: string, location = root, kind: SourceKind = "file"): RegistrySource {
  const abs = (rel: string) => fs.path.join(root, ...rel.split("/"));
  return {
    kind,
    location,
    root,
    readBytes: (rel) => fs.readFileIfExists(abs(rel), limitForFile(rel)),
    readText: (rel) => fs.readTextIfExists(abs(rel), limitForFile(rel)),
    async readStream(rel) {
      if ((await fs.stat(abs(rel))) === null) return null;
      return fs.readChunksInto(abs(rel), new Uint8Array(1 << 16), limitForFile(rel));
    },
    async listDir(rel) {
      const entries = await fs.readDirIfExists(abs(rel));
      // Dotfiles (.gitkeep, temp files of an interrupted write) are never registry content.
      return entries.filter((e) => !e.name.startsWith(".")).map((e) => e.name);
    },
  };
}
