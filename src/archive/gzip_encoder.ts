/**
 * gzip compression for `.aam` archives (SPEC §3, RFC 1952), in TypeScript alone: CompressionStream
 * and node:zlib differ across runtimes, and the same folder must pack to the same bytes on Node,
 * Bun and Deno alike.
 *
 * Header mtime 0, no file name, XFL 0, OS byte 3 (_gzip_member.ts). The input is cut into 256 KiB
 * blocks at fixed offsets and each is deflated on its own with the 32 KiB before it as dictionary,
 * pigz-style, by AAM's own deflate (_deflate_block.ts): the bytes depend on the input alone, not on
 * how files were read nor on which thread compressed a block, so deflate_parallel.ts can spread
 * blocks over worker threads and still give GzipEncoder's bytes.
 */
import { deflateBlock, DEFLATE_WINDOW_BYTES, type DeflateJob } from "./_deflate_block.ts";
import { crc32 } from "./_crc32.ts";
import { gzipHeader, gzipTrailer } from "./_gzip_member.ts";
import { nativeCrc32 } from "../runtime/zlib.ts";
import { concatBytes } from "../encoding/bytes.ts";

export { GZIP_OS_BYTE } from "./_gzip_member.ts";
/**
 * Blocks the input is cut into: twice pigz's, since hashing each block's 32 KiB window cost an
 * eighth of the deflate time at 128 KiB; still a hundred blocks in the benchmark's 20 MiB to share.
 */
export const GZIP_BLOCK_BYTES = 256 * 1024;

/** A job's buffer: the window, then the block. */
const JOB_BYTES = DEFLATE_WINDOW_BYTES + GZIP_BLOCK_BYTES;
/** Buffers kept for reuse: as many as jobs can be in flight (deflate_parallel.ts queues 4 a worker, at most 4 workers). */
const MAX_FREE = 20;

/**
 * Cuts the uncompressed stream into deflate jobs of GZIP_BLOCK_BYTES at fixed offsets, and keeps
 * the CRC-32 and length for the trailer. A full block is held until more input comes, so only an
 * empty input makes an empty last block. Shared by GzipEncoder and ParallelGzipEncoder.
 */
export class GzipFramer {
  readonly #onJob: (job: DeflateJob) => void;
  readonly #crc32 = nativeCrc32() ?? crc32; // zlib's is ~40x faster; both give the same numbers
  /** The job being filled: the window (the input's last DEFLATE_WINDOW_BYTES so far), then the block. */
  #buf = new Uint8Array(GZIP_BLOCK_BYTES);
  #start = 0; // where the block starts in #buf: the window's length
  #fill = 0;
  #crc = 0;
  #length = 0;
  #ended = false;
  /** Job buffers handed back once deflated: reused, so a big package does not leave one a job to the GC. */
  readonly #free: ArrayBuffer[] = [];

  /** `onJob` owns the job's arrays (it may transfer them to a worker) until it passes them to recycle(). */
  constructor(onJob: (job: DeflateJob) => void) {
    this.#onJob = onJob;
  }

  /** The gzip header, a fresh copy: output starts with it. */
  static header(): Uint8Array {
    return gzipHeader();
  }

  /** Adds bytes; `data` may be reused by the caller once this returns. */
  write(data: Uint8Array): void {
    if (this.#ended) throw new TypeError("gzip write() after end()");
    this.#crc = this.#crc32(data, this.#crc);
    this.#length += data.length;
    for (let off = 0; off < data.length; ) {
      if (this.#fill === GZIP_BLOCK_BYTES) this.#emit(false);
      const n = Math.min(GZIP_BLOCK_BYTES - this.#fill, data.length - off);
      this.#buf.set(data.subarray(off, off + n), this.#start + this.#fill);
      this.#fill += n;
      off += n;
    }
  }

  /** Takes back a job's buffer, deflated and no longer used, for a later job. */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === JOB_BYTES && this.#free.length < MAX_FREE) this.#free.push(buffer);
  }

  /** Emits the last job; answers the gzip trailer (CRC-32, length mod 2^32, little-endian). */
  end(): Uint8Array {
    if (this.#ended) throw new TypeError("gzip end() called twice");
    this.#ended = true;
    this.#emit(true);
    return gzipTrailer(this.#crc, this.#length);
  }

  #emit(final: boolean): void {
    // Window and block are views of one buffer: one transfer to a worker, no copy there. The next
    // window is copied out first (the job's buffer may be handed over).
    const buf = this.#buf;
    const end = this.#start + this.#fill;
    const job = { window: buf.subarray(0, this.#start), block: buf.subarray(this.#start, end), final };
    if (!final) {
      const reused = this.#free.pop();
      this.#buf = reused ? new Uint8Array(reused) : new Uint8Array(JOB_BYTES);
      this.#buf.set(buf.subarray(end - DEFLATE_WINDOW_BYTES, end));
      this.#start = DEFLATE_WINDOW_BYTES;
      this.#fill = 0;
    }
    this.#onJob(job);
  }
}

/**
 * Streaming gzip compressor with deterministic output, compressing on the calling thread. The
 * same bytes as ParallelGzipEncoder (deflate_parallel.ts), which is faster on large inputs.
 * @example Compress two pieces
 * ```ts
 * const out: Uint8Array[] = [];
 * const gz = new GzipEncoder((c) => out.push(c));
 * gz.write(a); gz.write(b); gz.end();
 * ```
 */
export class GzipEncoder {
  readonly #onChunk: (chunk: Uint8Array) => void;
  readonly #framer: GzipFramer;
  #ended = false;

  constructor(onChunk: (chunk: Uint8Array) => void) {
    this.#onChunk = onChunk;
    let first = true;
    this.#framer = new GzipFramer((job) => {
      if (first) {
        first = false;
        onChunk(GzipFramer.header());
      }
      onChunk(deflateBlock(job));
    });
  }

  /** Adds bytes; `data` may be reused by the caller once this returns. */
  write(data: Uint8Array): void {
    this.#framer.write(data);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onChunk(this.#framer.end());
  }
}

/** Compresses bytes in one call; the same output GzipEncoder gives for the same bytes. */
export function gzipBytes(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const gz = new GzipEncoder((c) => parts.push(c));
  gz.write(data);
  gz.end();
  return concatBytes(parts);
}
