/**
 * The archive the pipeline verifies (SPEC §3, §6): whole bytes, or a source that streams chunks
 * from a file. Streaming keeps memory flat in the archive size: a 50 MiB package is hashed and
 * read through one reused 64 KiB buffer and never held whole.
 */
import { fs } from "../runtime/index.ts";
import { ARCHIVE_LIMIT, notRegularFileError, tooLargeError } from "../read_limits.ts";
import { ByteSink } from "../encoding/byte_sink.ts";

/**
 * An archive read on demand; `chunks()` may be called more than once and starts over each time.
 * A chunk may be a view of a buffer the next read overwrites: consumers copy what they keep.
 */
export interface ArchiveSource {
  /** Archive bytes, when known (a hint: the stream decides). */
  readonly size?: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export type ArchiveInput = Uint8Array | ArchiveSource;

/** Files up to this size are read in one call; larger ones stream. */
const WHOLE_READ_BYTES = 1 << 20;
/**
 * The reused read buffer of a streamed file. 64 KiB: hashing and inflating cost the same per byte
 * from 64 KiB up, and a small buffer stays in cache.
 */
const STREAM_BUFFER_BYTES = 64 * 1024;

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
  // One buffer of the size the source announced, grown only if the file grew: the archive is held
  // once, not once in pieces and again joined. Chunks are copied in (the next read may reuse them).
  const out = new ByteSink(a.size ?? 0);
  for await (const c of a.chunks()) out.push(c);
  return out.view();
}

/**
 * A file-backed source. Small files are read in one call (a small archive is then inflated whole,
 * natively: gunzip_chunks.ts); larger ones stream through one reused buffer, so memory stays that
 * of a small archive whatever the file's size.
 */
export function fileArchive(path: string, size?: number): ArchiveSource {
  return {
    size,
    async *chunks() {
      if (size !== undefined && size <= WHOLE_READ_BYTES) {
        const bytes = await fs.readFile(path, ARCHIVE_LIMIT);
        if (bytes.length <= WHOLE_READ_BYTES) {
          yield bytes;
          return;
        }
        // The file grew since it was sized: stream it after all.
      }
      yield* fs.readChunksInto(path, new Uint8Array(STREAM_BUFFER_BYTES), ARCHIVE_LIMIT);
    },
  };
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
