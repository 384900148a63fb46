/**
 * One block of a `.aam` archive's deflate stream (RFC 1951), pigz-style: the stream is the blocks'
 * outputs concatenated, so blocks can be compressed in any order, on any thread, with the same
 * bytes. A pure function of its arguments, used by gzip_encoder.ts and by the worker (deflate_worker.ts);
 * it imports fflate only, so a worker loads little.
 */
import { Deflate, type DeflateOptions } from "fflate";
import { concatBytes } from "../encoding/bytes.ts";

export const GZIP_LEVEL = 6;
/** Deflate's window: a block sees this much of the input before it, as fflate's `dictionary`. */
export const DEFLATE_WINDOW_BYTES = 32 * 1024;

/**
 * fflate's hash table size, 2^(12 + this) entries: 512 KiB, what fflate's one-shot deflate picks
 * for a 128 KiB input. Its streaming default (2 MiB, for inputs of any length) made blocks on two
 * threads at once ~15% slower (cache and allocation), for 10 bytes less on the 20 MiB benchmark.
 */
const DEFLATE_MEM_LEVEL = 6;

/** A block of the uncompressed stream, at a fixed offset, and the window before it. */
export interface DeflateJob {
  block: Uint8Array;
  /** The DEFLATE_WINDOW_BYTES of input before `block`; empty for the first block. */
  window: Uint8Array;
  /** The last block: ends the stream (BFINAL). Others end byte-aligned, without BFINAL. */
  final: boolean;
}

/**
 * fflate's private Deflate state: `s.r` packs the pending partial output byte and its bit count
 * (byte << 3 | bits). fflate's public API offers no working sync flush (see deflateBlock), so this
 * is read, with fflate pinned to an exact version (package.json) and fflate_pin_test.ts failing on
 * any other; deflate_parallel_test.ts checks the marker for every pending-bit count.
 */
interface DeflateInternals {
  s: { r?: number; h?: Uint16Array; p?: Uint16Array };
}

/**
 * fflate's hash tables (`s.h`: 2^(12 + mem) heads, `s.p`: 32 K chain links), allocated zeroed for
 * every block unless its state already holds them. Handing it these, zeroed again, gives the same
 * bytes and ~0.6 MiB less garbage per block: V8 lets dead typed arrays pile up before collecting
 * them, which was ~15 MiB of `aam pkg pack`'s peak memory. A block is deflated synchronously, so one
 * pair per thread is never shared by two blocks at once.
 */
const reusedHeads = new Uint16Array(1 << (12 + DEFLATE_MEM_LEVEL));
const reusedLinks = new Uint16Array(32768);

/**
 * Compresses one block. The block is pushed to fflate whole: fflate's own block boundaries follow
 * its push sizes, and a whole block is the same piece whatever the file reads were.
 */
export function deflateBlock(job: DeflateJob): Uint8Array {
  const parts: Uint8Array[] = [];
  const opts: DeflateOptions = { level: GZIP_LEVEL, mem: DEFLATE_MEM_LEVEL, dictionary: job.window.length ? job.window : undefined };
  const d = new Deflate(opts, (c) => {
    parts.push(c);
  });
  const state = (d as unknown as DeflateInternals).s;
  reusedHeads.fill(0);
  reusedLinks.fill(0);
  state.h = reusedHeads;
  state.p = reusedLinks;
  d.push(job.block, job.final);
  if (!job.final) {
    // End byte-aligned with an empty stored block (zlib's Z_SYNC_FLUSH: 3 zero bits, pad, 00 00 FF FF),
    // so the next block's output can follow. fflate 0.8.3's flush(true) means to, but passes its
    // packed state (byte << 3 | bit count) where a bit position belongs, and corrupts the stream
    // when the pending byte is not 0 or 6 bits are pending. So: flush(false) emits all but that
    // partial byte, read from `s.r`, and the marker is written here.
    d.flush(false);
    // fflate private state (see DeflateInternals): the bits flush(false) left pending.
    const r = (d as unknown as DeflateInternals).s.r;
    if (typeof r !== "number") throw new Error("fflate's Deflate state changed: cannot end a block");
    const bits = r & 7;
    const byte = (r >> 3) & ((1 << bits) - 1);
    parts.push(bits > 5 ? Uint8Array.of(byte, 0, 0, 0, 0xff, 0xff) : Uint8Array.of(byte, 0, 0, 0xff, 0xff));
  }
  return parts.length === 1 ? parts[0] : concatBytes(parts);
}
