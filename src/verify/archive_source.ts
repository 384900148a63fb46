/**
 * The archive the pipeline verifies (SPEC §3, §6): whole bytes, or a source that streams chunks
 * from a file. Streaming keeps memory flat in the archive size: a 50 MiB package is hashed and
 * read in 1 MiB pieces and never held whole.
 */
import { fs } from "../runtime/index.ts";
import { ARCHIVE_LIMIT, notRegularFileError, tooLargeError } from "../read_limits.ts";
import { concatBytes } from "../encoding/bytes.ts";

/** An archive read on demand; `chunks()` may be called more than once and starts over each time. */
export interface ArchiveSource {
  /** Archive bytes, when known (a hint: the stream decides). */
  readonly size?: number;
  /** `readAhead`: keep one read in flight while the consumer works (for fast consumers: hashing). */
  chunks(opts?: ChunkOptions): AsyncIterable<Uint8Array>;
}

export interface ChunkOptions {
  readAhead?: boolean;
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
export function chunksOf(a: ArchiveInput, opts?: ChunkOptions): AsyncIterable<Uint8Array> {
  return isArchiveBytes(a) ? once(a) : a.chunks(opts);
}

/**
 * The whole archive in memory: only for verifiers that need the bytes themselves (OpenPGP,
 * Sigstore sign the archive, not its hash).
 */
export async function bytesOf(a: ArchiveInput): Promise<Uint8Array> {
  if (isArchiveBytes(a)) return a;
  const parts: Uint8Array[] = [];
  for await (const c of a.chunks()) parts.push(c);
  return parts.length === 1 ? parts[0] : concatBytes(parts);
}

/**
 * A file-backed source. Small files are read in one call (no 1 MiB buffer for a 10 KiB archive);
 * larger ones stream.
 */
export function fileArchive(path: string, size?: number): ArchiveSource {
  return {
    size,
    async *chunks(opts?: ChunkOptions) {
      if (size !== undefined && size <= CHUNK_BYTES) {
        const bytes = await fs.readFile(path, ARCHIVE_LIMIT);
        if (bytes.length <= CHUNK_BYTES) {
          yield bytes;
          return;
        }
        // The file grew since it was sized: stream it after all.
      }
      // Read-ahead pays where the consumer is fast (hashing: ~15% off `verify --file`); behind a slow
      // one (extraction) it only made the runtime hold more garbage (+25 MiB peak RSS on install).
      const chunks = fs.readChunks(path, CHUNK_BYTES, ARCHIVE_LIMIT);
      yield* opts?.readAhead ? readAhead(chunks) : chunks;
    },
  };
}

/**
 * Asks for the next chunk before handing out the current one, so the file read (on the runtime's
 * I/O threads) overlaps the hashing and inflating of the previous chunk. One chunk more in memory.
 */
async function* readAhead(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<Uint8Array>> | undefined = it.next();
  try {
    for (;;) {
      const r: IteratorResult<Uint8Array> = await pending;
      pending = undefined;
      if (r.done) return;
      pending = it.next();
      yield r.value;
    }
  } finally {
    // Stopped early: let the read in flight settle, then close the file.
    if (pending) await pending.catch(() => undefined);
    await it.return?.(undefined);
  }
}

/**
 * A file as an archive, or null when there is no such file. Reads stop past ARCHIVE_LIMIT.
 * @throws {AamError} UnsafeArchive for a file over 50 MiB; UsageError for a folder, device or pipe
 */
export async function openFileArchive(path: string): Promise<ArchiveInput | null> {
  const st = await fs.stat(path);
  if (!st) return null;
  // stat does not follow links: a link (rare) is read whole, so a dangling one answers null as before.
  if (st.isSymlink) return await fs.readFileIfExists(path, ARCHIVE_LIMIT);
  if (!st.isFile) throw notRegularFileError(path, st.isDirectory);
  if (st.size > ARCHIVE_LIMIT.maxBytes) throw tooLargeError(ARCHIVE_LIMIT, path);
  return fileArchive(path, st.size);
}
