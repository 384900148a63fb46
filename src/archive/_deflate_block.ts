/**
 * One block of a `.aam` archive's deflate stream (RFC 1951), pigz-style: the stream is the blocks'
 * outputs concatenated, so blocks can be compressed in any order, on any thread, with the same
 * bytes. A pure function of its arguments, used by gzip_encoder.ts and by the worker
 * (deflate_worker.ts); it imports this folder's _deflate_* / _lz77 / _huffman modules only, so a
 * worker loads little.
 *
 * AAM's own encoder, not fflate's (format 2 of the bitstream, docs/formats.md): greedy matching
 * (_lz77.ts), deflate blocks of at most SYMBOLS_PER_BLOCK symbols, each written with its own
 * Huffman codes, the fixed codes or stored, whichever is smallest. fflate's level 6 inserted every
 * byte into its hash chains and was ~4x slower than gzip on repetitive text.
 */
import { MAX_DISTANCE, Lz77 } from "./_lz77.ts";
import { BitWriter, writeBlock } from "./_deflate_writer.ts";

/** Deflate's window: a block sees this much of the input before it. */
export const DEFLATE_WINDOW_BYTES = MAX_DISTANCE;
/** Symbols per deflate block: zlib's count at its default memory level. */
const SYMBOLS_PER_BLOCK = 16 * 1024;

/** A block of the uncompressed stream, at a fixed offset, and the window before it. */
export interface DeflateJob {
  block: Uint8Array;
  /** The DEFLATE_WINDOW_BYTES of input before `block`; empty for the first block. */
  window: Uint8Array;
  /** The last block: ends the stream (BFINAL). Others end byte-aligned, without BFINAL. */
  final: boolean;
  /** A spent output buffer to write into, if big enough (deflate_parallel.ts reuses them). */
  scratch?: ArrayBuffer;
}

/** A worker's answer: the output, and the job's buffer handed back for the next job (GzipFramer.recycle). */
export interface DeflateReply {
  out: Uint8Array;
  input: ArrayBuffer;
}

// One set per thread: a job is deflated synchronously, so two never share them.
const lz77 = new Lz77();
const syms = new Uint32Array(SYMBOLS_PER_BLOCK + 1);
let joined = new Uint8Array(0);

/** Compresses one block; the output depends on `job`'s bytes only. */
export function deflateBlock(job: DeflateJob): Uint8Array {
  const start = job.window.length;
  const total = start + job.block.length;
  let data: Uint8Array;
  if (job.window.buffer === job.block.buffer && job.window.byteOffset + start === job.block.byteOffset) {
    data = new Uint8Array(job.block.buffer, job.window.byteOffset, total); // adjacent already (GzipFramer's jobs)
  } else {
    if (joined.length < total) joined = new Uint8Array(total);
    data = joined.subarray(0, total);
    data.set(job.window);
    data.set(job.block, start);
  }
  // Stored blocks bound the output: 5 bytes per 64 KiB, one per 16 Ki symbols of bit padding.
  const out = new BitWriter(job.block.length + 5 * Math.ceil(job.block.length / 65535) + 64, job.scratch);
  lz77.begin(data, start);
  let pos = start;
  do {
    const next = lz77.parse(data, pos, syms);
    writeBlock(out, syms, lz77.count, data.subarray(pos, next), job.final && next === total);
    pos = next;
  } while (pos < total);
  if (!job.final) {
    // End byte-aligned with an empty stored block (zlib's Z_SYNC_FLUSH: 3 zero bits, pad, 00 00 FF FF),
    // so the next block's output can follow.
    out.bits(0, 3);
    out.align();
    out.bytes(Uint8Array.of(0, 0, 0xff, 0xff));
  }
  return out.finish();
}
