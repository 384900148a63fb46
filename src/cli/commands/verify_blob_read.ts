/**
 * The file `aam verify-blob` checks, read once (issue 15: verify streams; cosign users expect
 * verify-blob of a large file to stream): hashed through one reused buffer as it passes, and kept
 * whole only when the bundle's signer needs the bytes (sigstore/artifact_need.ts: RSA, Ed25519, a
 * message digest other than SHA-256). The file is opened, and its first chunk read, before the
 * bundle is: a missing, irregular or oversized file is refused first, as when it was read whole.
 */
import { createSha256, fs } from "../../runtime/index.ts";
import { BLOB_LIMIT } from "../../read_limits.ts";
import { ByteSink } from "../../encoding/byte_sink.ts";
import { fromHex } from "../../encoding/hex.ts";

/** The reused read buffer: hashing costs the same per byte from 64 KiB up (verify/archive_source.ts). */
const READ_BUFFER_BYTES = 64 * 1024;

export interface ReadBlob {
  /** `sha256:<hex>` of every byte read. */
  checksum: string;
  sha256: Uint8Array;
  /** The whole file, when it was asked to be kept. */
  bytes?: Uint8Array;
}

export interface OpenedBlob {
  /** Reads the rest of the file (once), hashing as it passes; keeps the bytes if `keepBytes`. */
  read(keepBytes: boolean): Promise<ReadBlob>;
  /** Closes the file if it was not read to its end. */
  close(): Promise<void>;
}

/**
 * Opens `file` and reads its first chunk, or answers null when there is no such file.
 * @throws {AamError} UsageError for a folder, device or pipe, or a file past BLOB_LIMIT
 */
export async function openBlob(file: string): Promise<OpenedBlob | null> {
  const chunks = fs.readChunksInto(file, new Uint8Array(READ_BUFFER_BYTES), BLOB_LIMIT)[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array>;
  try {
    first = await chunks.next();
  } catch (e) {
    if (fs.isNotFound(e)) return null;
    throw e;
  }
  let read = false;
  return {
    async read(keepBytes) {
      if (read) throw new Error("verify-blob reads its file once");
      read = true;
      const h = createSha256();
      const size = keepBytes ? ((await fs.stat(file))?.size ?? 0) : 0;
      const keep = keepBytes ? new ByteSink(size + 1) : null;
      // Each chunk is a view of the one buffer, valid until the next is asked for.
      for (let r = first; !r.done; r = await chunks.next()) {
        h.update(r.value);
        keep?.push(r.value);
      }
      const hex = h.digestHex();
      return { checksum: `sha256:${hex}`, sha256: fromHex(hex), ...(keep ? { bytes: keep.view() } : {}) };
    },
    async close() {
      await chunks.return?.(undefined);
    },
  };
}
