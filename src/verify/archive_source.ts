/**
 * The archive the pipeline verifies (SPEC §3, §6): whole bytes, or a source that streams chunks
 * from a file. Streaming keeps memory flat in the archive size: a 50 MiB package is hashed and
 * read in 1 MiB pieces and never held whole.
 */
import { fs } from "../runtime/index.ts";

/** An archive read on demand; `chunks()` may be called more than once and starts over each time. */
export interface ArchiveSource {
  /** Archive bytes, when known (a hint: the stream decides). */
  readonly size?: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export type ArchiveInput = Uint8Array | ArchiveSource;

/** Files up to this size are read in one call; larger ones in chunks of this size. */
const CHUNK_BYTES = 1 << 20;

export function isArchiveBytes(a: ArchiveInput): a is Uint8Array {
  return a instanceof Uint8Array;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** The archive as a stream of chunks, whatever form it came in. */
export function chunksOf(a: ArchiveInput): AsyncIterable<Uint8Array> {
  return isArchiveBytes(a) ? once(a) : a.chunks();
}

/**
 * The whole archive in memory: only for verifiers that need the bytes themselves (OpenPGP,
 * Sigstore sign the archive, not its hash).
 */
export async function bytesOf(a: ArchiveInput): Promise<Uint8Array> {
  if (isArchiveBytes(a)) return a;
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of a.chunks()) {
    parts.push(c);
    n += c.length;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * A file-backed source. Small files are read in one call (no 1 MiB buffer for a 10 KiB archive);
 * larger ones stream.
 */
export function fileArchive(path: string, size?: number): ArchiveSource {
  return {
    size,
    async *chunks() {
      if (size !== undefined && size <= CHUNK_BYTES) {
        const bytes = await fs.readFile(path);
        if (bytes.length <= CHUNK_BYTES) {
          yield bytes;
          return;
        }
        // The file grew since it was sized: stream it after all.
      }
      yield* fs.readChunks(path, CHUNK_BYTES);
    },
  };
}

/** A file as an archive, or null when there is no such file. */
export async function openFileArchive(path: string): Promise<ArchiveInput | null> {
  const st = await fs.stat(path);
  if (!st) return null;
  // stat does not follow links: a link (rare) is read whole, so a dangling one answers null as before.
  if (st.isSymlink) return await fs.readFileIfExists(path);
  return fileArchive(path, st.size);
}
