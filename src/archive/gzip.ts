/**
 * gzip for `.aam` archives (SPEC §3, RFC 1952), on fflate alone: CompressionStream and node:zlib
 * differ across runtimes, and the same folder must pack to the same bytes on Node, Bun and Deno alike.
 *
 * Compression: level 6, header mtime 0, no file name, XFL 0, OS byte 3 ("Unix", what gzip(1) and
 * fflate write; tar's mode bits are Unix anyway), written here, not by fflate. The input is cut into
 * 128 KiB blocks at fixed offsets and each is deflated on its own with the 32 KiB before it as
 * dictionary, pigz-style (_deflate_block.ts): the bytes depend on the input alone, not on how files
 * were read nor on which thread compressed a block, so deflate_parallel.ts can spread blocks over
 * worker threads and still give GzipEncoder's bytes.
 *
 * Decompression is for untrusted input: input is inflated in small slices and output counted, so a
 * gzip bomb stops at the limit after inflating at most one slice past it; the CRC-32 and length in
 * the trailer are checked; truncation, corruption, extra members and trailing data are refused.
 * A whole small archive may first be inflated by node:zlib in one capped call (gunzipWholeNative,
 * ~5x faster); anything it does not fully accept goes through the fflate decoder, which decides.
 */
import { Inflate } from "fflate";
import { deflateBlock, DEFLATE_WINDOW_BYTES, type DeflateJob } from "./_deflate_block.ts";
import { AamError } from "../errors.ts";
import { crc32 } from "./_crc32.ts";
import { inflateRawCapped, nativeCrc32 } from "../runtime/zlib.ts";
import { unsafeArchive } from "./_unsafe.ts";
import { concatBytes } from "../encoding/bytes.ts";

export { GZIP_LEVEL } from "./_deflate_block.ts";
export const GZIP_OS_BYTE = 3;
/** Blocks the input is cut into (pigz's size): big enough that the window and sync marker cost ~0. */
export const GZIP_BLOCK_BYTES = 128 * 1024;
/**
 * Compressed bytes inflated per step. Deflate expands at most ~1032:1, so one step yields at most
 * ~16 MiB; larger slices are faster on normal archives, smaller ones bound a bomb more tightly.
 */
export const INFLATE_SLICE_BYTES = 16 * 1024;
/** A gzip header with a longer file name or comment is refused. */
export const MAX_GZIP_HEADER_BYTES = 64 * 1024;

/** gzip's header (RFC 1952 §2.3): deflate, no flags, MTIME 0, XFL 0, OS. */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, GZIP_OS_BYTE);

/**
 * Cuts the uncompressed stream into deflate jobs of GZIP_BLOCK_BYTES at fixed offsets, and keeps
 * the CRC-32 and length for the trailer. A full block is held until more input comes, so only an
 * empty input makes an empty last block. Shared by GzipEncoder and ParallelGzipEncoder.
 */
export class GzipFramer {
  readonly #onJob: (job: DeflateJob) => void;
  readonly #crc32 = nativeCrc32() ?? crc32; // zlib's is ~40x faster; both give the same numbers
  #block = new Uint8Array(GZIP_BLOCK_BYTES);
  #fill = 0;
  #window = new Uint8Array(0);
  #crc = 0;
  #length = 0;
  #ended = false;

  /** `onJob` owns the job's arrays (it may transfer them to a worker). */
  constructor(onJob: (job: DeflateJob) => void) {
    this.#onJob = onJob;
  }

  /** The gzip header, a fresh copy: output starts with it. */
  static header(): Uint8Array {
    return GZIP_HEADER.slice();
  }

  /** Adds bytes; `data` may be reused by the caller once this returns. */
  write(data: Uint8Array): void {
    if (this.#ended) throw new TypeError("gzip write() after end()");
    this.#crc = this.#crc32(data, this.#crc);
    this.#length += data.length;
    for (let off = 0; off < data.length; ) {
      if (this.#fill === GZIP_BLOCK_BYTES) this.#emit(false);
      const n = Math.min(GZIP_BLOCK_BYTES - this.#fill, data.length - off);
      this.#block.set(data.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
    }
  }

  /** Emits the last job; answers the gzip trailer (CRC-32, length mod 2^32, little-endian). */
  end(): Uint8Array {
    if (this.#ended) throw new TypeError("gzip end() called twice");
    this.#ended = true;
    this.#emit(true);
    const t = new Uint8Array(8);
    const view = new DataView(t.buffer);
    view.setUint32(0, this.#crc, true);
    view.setUint32(4, this.#length % 2 ** 32, true);
    return t;
  }

  #emit(final: boolean): void {
    const block = final ? this.#block.slice(0, this.#fill) : this.#block;
    const window = this.#window;
    if (!final) {
      this.#window = block.slice(GZIP_BLOCK_BYTES - DEFLATE_WINDOW_BYTES);
      this.#block = new Uint8Array(GZIP_BLOCK_BYTES);
      this.#fill = 0;
    }
    this.#onJob({ block, window, final });
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

// ---------------------------------------------------------------- decompression

export interface GunzipLimits {
  /** Compressed bytes accepted. */
  maxInputBytes: number;
  /** Decompressed bytes accepted; past this the stream is refused as a gzip bomb. */
  maxOutputBytes: number;
}

/**
 * node:zlib takes 2-8 ms to load (the most on Bun): more than fflate needs for a small archive, and
 * `aam verify` of one small package must start fast. So zlib is used once a process has read
 * NATIVE_AFTER_ARCHIVES archives (gunzipChunks calls, the one at hand included; `verify` may read
 * one twice) or NATIVE_AFTER_BYTES of gzip: at once for a big archive, from the third one in a
 * `registry verify` of small ones (cold fflate and JS CRC-32 cost ~1 ms per archive there).
 */
export const NATIVE_AFTER_ARCHIVES = 3;
export const NATIVE_AFTER_BYTES = 64 * 1024;
let archivesSeen = 0;
let gzipBytesSeen = 0;

function nativePays(nextBytes: number): boolean {
  return archivesSeen >= NATIVE_AFTER_ARCHIVES || gzipBytesSeen + nextBytes >= NATIVE_AFTER_BYTES;
}

/** zlib's CRC-32 once it pays (see NATIVE_AFTER_BYTES); both give the same numbers. */
function crc32For(): (data: Uint8Array, crc: number) => number {
  return (nativePays(0) && nativeCrc32()) || crc32;
}

/**
 * Whole gzip input up to this size may be inflated natively in one call. Larger input streams: it
 * would be read in several chunks anyway (verify/archive_source.ts reads files in 1 MiB pieces).
 */
export const NATIVE_MAX_INPUT_BYTES = 1 << 20;
/**
 * Output cap of the native path. Past it zlib stops and the streaming decoder starts over, so a
 * gzip bomb costs at most this much memory and inflate work before the usual path takes over (which
 * may itself hold one slice's output, up to ~16 MiB).
 */
export const NATIVE_MAX_OUTPUT_BYTES = 8 << 20;

/** Reads fflate's Inflate state (fflate is pinned; gzip_test.ts fails if these fields move). */
interface InflateInternals {
  s?: { f?: number; l?: unknown; p?: number };
  p?: Uint8Array;
}

function inflateDone(inf: Inflate): boolean {
  const s = (inf as unknown as InflateInternals).s;
  return !!s && !!s.f && !s.l;
}

/** Input bytes fflate holds beyond the end of the deflate stream. */
function bytesAfterEnd(inf: Inflate): number {
  const { s, p } = inf as unknown as InflateInternals;
  if (!s || !p) return 0;
  return Math.max(0, p.length - (((s.p ?? 0) + 7) >> 3));
}

/** Parses a gzip member header; answers its length, or null when more bytes are needed. */
function gzipHeaderLength(b: Uint8Array): number | null {
  if (b.length >= 1 && b[0] !== 0x1f) throw notGzip();
  if (b.length >= 2 && b[1] !== 0x8b) throw notGzip();
  if (b.length >= 3 && b[2] !== 8) throw corrupt("unknown compression method");
  if (b.length < 10) return null;
  const flags = b[3];
  if (flags & 0xe0) throw corrupt("reserved header flags set");
  let pos = 10;
  if (flags & 4) {
    if (b.length < pos + 2) return null;
    pos += 2 + (b[pos] | (b[pos + 1] << 8));
    if (b.length < pos) return null;
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    const nul = b.indexOf(0, pos);
    if (nul === -1) return null;
    pos = nul + 1;
  }
  if (flags & 2) pos += 2; // header CRC16: not checked, the trailer CRC covers the data
  return b.length < pos ? null : pos;
}

function notGzip() {
  return unsafeArchive("Cannot read archive: it is not gzip-compressed", {
    hint: "an .aam file is a gzip-compressed tar made by `aam pkg pack`; this file is something else",
  });
}

function corrupt(why: string, cause?: unknown) {
  return unsafeArchive(`Cannot read archive: the gzip data is corrupt (${why})`, { cause });
}

function truncated() {
  return unsafeArchive("Cannot read archive: the gzip data is truncated", {
    hint: "the file was cut short (an interrupted download or copy); fetch it again",
  });
}

/**
 * Push-based gzip decoder for untrusted input. Synchronous and pure; `onData` receives the output
 * as it is produced. Throws UnsafeArchive (from push or end) on any problem.
 */
export class GunzipDecoder {
  readonly #limits: GunzipLimits;
  readonly #onData: (chunk: Uint8Array) => void;
  #inflate: Inflate;
  #header: Uint8Array | null = new Uint8Array(0); // null once the header is parsed
  #tail: Uint8Array = new Uint8Array(0); // the last ≤ 8 bytes seen: the trailer, once input ends
  #inBytes = 0;
  #outBytes = 0;
  #crc = 0;
  #ended = false;
  #callbackError: unknown = undefined;

  constructor(limits: GunzipLimits, onData: (chunk: Uint8Array) => void) {
    this.#limits = limits;
    this.#onData = onData;
    this.#inflate = new Inflate((chunk) => {
      try {
        this.#take(chunk);
      } catch (e) {
        this.#callbackError = e;
        throw e;
      }
    });
  }

  #take(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#outBytes += chunk.length;
    if (this.#outBytes > this.#limits.maxOutputBytes) {
      throw unsafeArchive(
        `Cannot read archive: it unpacks to more than ${this.#limits.maxOutputBytes} bytes (a gzip bomb or an oversized package)`,
        { hint: "an .aam package unpacks to at most 256 MiB; this one was refused before it was unpacked" },
      );
    }
    this.#crc = crc32For()(chunk, this.#crc);
    this.#onData(chunk);
  }

  /** Compressed bytes read so far. */
  get inputBytes(): number {
    return this.#inBytes;
  }

  /** Decompressed bytes produced so far. */
  get outputBytes(): number {
    return this.#outBytes;
  }

  /** Feeds compressed bytes; the caller must not change `chunk` afterwards (views of it are kept). */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new TypeError("GunzipDecoder.push() after end()");
    this.#inBytes += chunk.length;
    gzipBytesSeen += chunk.length;
    if (this.#inBytes > this.#limits.maxInputBytes) {
      throw unsafeArchive(`Cannot read archive: it is larger than ${this.#limits.maxInputBytes} bytes`, {
        hint: "an .aam archive is at most 50 MiB",
      });
    }
    if (this.#header !== null) {
      const h = concat2(this.#header, chunk);
      const len = gzipHeaderLength(h);
      if (len === null) {
        if (h.length > MAX_GZIP_HEADER_BYTES) throw corrupt("header too long");
        this.#header = h;
        return;
      }
      this.#header = null;
      chunk = h.subarray(len);
    }
    // Hold back the last 8 bytes: they are the trailer if the input ends here.
    const total = this.#tail.length + chunk.length;
    if (total <= 8) {
      this.#tail = concat2(this.#tail, chunk);
      return;
    }
    const bodyLen = total - 8;
    const fromTail = Math.min(this.#tail.length, bodyLen);
    if (fromTail > 0) this.#inflateBody(this.#tail.subarray(0, fromTail));
    const fromChunk = bodyLen - fromTail;
    this.#inflateBody(chunk.subarray(0, fromChunk));
    this.#tail = concat2(this.#tail.subarray(fromTail), chunk.subarray(fromChunk));
  }

  #inflateBody(body: Uint8Array): void {
    for (let off = 0; off < body.length; off += INFLATE_SLICE_BYTES) {
      // Anything after the end of the deflate stream (other than the trailer) is refused at once,
      // so trailing data is never buffered up.
      if (inflateDone(this.#inflate)) throw trailingData();
      this.#push(body.subarray(off, off + INFLATE_SLICE_BYTES), false);
    }
  }

  #push(slice: Uint8Array, final: boolean): void {
    try {
      this.#inflate.push(slice, final);
    } catch (e) {
      // Errors from our own callback (the limit, the consumer) pass through unchanged. Anything
      // fflate throws is about malformed input: make it UnsafeArchive, never a raw exception.
      if (e === this.#callbackError || e instanceof AamError) throw e;
      if ((e as { code?: unknown } | null)?.code === 0) throw truncated();
      throw corrupt(e instanceof Error ? e.message : String(e), e);
    }
  }

  /** Ends the input: checks the deflate stream is complete and the trailer matches. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#header !== null) throw this.#inBytes === 0 ? notGzip() : truncated();
    if (this.#tail.length < 8) throw truncated();
    this.#push(new Uint8Array(0), true);
    if (!inflateDone(this.#inflate)) throw truncated();
    if (bytesAfterEnd(this.#inflate) > 0) throw trailingData();
    const t = this.#tail;
    const crc = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
    const isize = (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0;
    if (crc !== this.#crc || isize !== this.#outBytes % 2 ** 32) {
      throw corrupt("the CRC-32 or length in the gzip trailer does not match the data");
    }
  }
}

function trailingData() {
  return unsafeArchive("Cannot read archive: data follows the end of the gzip stream", {
    hint: "an .aam archive is a single gzip member; this file was altered or concatenated",
  });
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Decompresses a stream of gzip chunks, yielding output as it comes. Memory stays bounded by the
 * input chunk size and INFLATE_SLICE_BYTES, never by the archive or its unpacked size.
 *
 * Input that arrives as one small chunk (an archive read whole: registry verify reads 1,000 of
 * them) first tries gunzipWholeNative; the streaming decoder runs whenever that declines.
 * @throws {AamError} UnsafeArchive when the input is not gzip, is corrupt or truncated, or breaks a limit
 */
export async function* gunzipChunks(input: AsyncIterable<Uint8Array>, limits: GunzipLimits): AsyncGenerator<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  let exhausted = false; // `it` ended or threw: nothing to close
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    try {
      const r = await it.next();
      exhausted = r.done === true;
      return r;
    } catch (e) {
      exhausted = true;
      throw e;
    }
  };
  archivesSeen++;
  try {
    const first = await next();
    const head = first.done ? [] : [first.value];
    if (head.length === 1 && head[0].length <= NATIVE_MAX_INPUT_BYTES) {
      const second = await next();
      if (!second.done) head.push(second.value);
      else if (nativePays(head[0].length)) {
        const out = gunzipWholeNative(head[0], limits);
        if (out !== null) {
          gzipBytesSeen += head[0].length; // (when it declines, the streaming decoder counts them)
          if (out.length > 0) yield out;
          return;
        }
      }
    }
    yield* gunzipStream(head, exhausted ? null : next, limits);
  } finally {
    // Stopped early (an error, or the consumer left): close the input, as `for await` would.
    if (!exhausted) await it.return?.();
  }
}

/**
 * Decompresses a whole, small gzip member with native zlib (runtime/zlib.ts), ~5x faster than
 * fflate and with far less garbage. It answers only an unqualified success: one member whose
 * deflate stream ends exactly at the 8-byte trailer, whose CRC-32 and length match, within the
 * limits and NATIVE_MAX_OUTPUT_BYTES. Anything else answers null and the caller runs the streaming
 * decoder over the same bytes, so every refusal (not gzip, corrupt, truncated, trailing data, too
 * large) keeps its exact error, and fflate stays the judge of what is malformed. Where both accept
 * a stream, both inflate it to the same bytes (deflate decoding is fully specified).
 */
export function gunzipWholeNative(gz: Uint8Array, limits: GunzipLimits): Uint8Array | null {
  if (gz.length > Math.min(limits.maxInputBytes, NATIVE_MAX_INPUT_BYTES)) return null;
  let start: number | null;
  try {
    start = gzipHeaderLength(gz);
  } catch {
    return null; // a bad header: the streaming decoder reports it
  }
  const bodyEnd = gz.length - 8;
  if (start === null || bodyEnd < start) return null;
  const r = inflateRawCapped(gz.subarray(start, bodyEnd), Math.min(limits.maxOutputBytes, NATIVE_MAX_OUTPUT_BYTES));
  // Input left over means data after the deflate stream (or a trailer in the wrong place).
  if (r === null || r.inputBytes !== bodyEnd - start || r.output.length > limits.maxOutputBytes) return null;
  const crc = (gz[bodyEnd] | (gz[bodyEnd + 1] << 8) | (gz[bodyEnd + 2] << 16) | (gz[bodyEnd + 3] << 24)) >>> 0;
  const isize = (gz[bodyEnd + 4] | (gz[bodyEnd + 5] << 8) | (gz[bodyEnd + 6] << 16) | (gz[bodyEnd + 7] << 24)) >>> 0;
  if (isize !== r.output.length || crc !== (nativeCrc32() ?? crc32)(r.output, 0)) return null;
  return r.output;
}

/** The streaming decoder over `head` (chunks already read), then what `more` reads until it is done. */
async function* gunzipStream(
  head: Uint8Array[],
  more: (() => Promise<IteratorResult<Uint8Array>>) | null,
  limits: GunzipLimits,
): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  const dec = new GunzipDecoder(limits, (c) => pending.push(c));
  // Input is regrouped into INFLATE_SLICE_BYTES pieces: big chunks are split so only one slice's
  // output is held at once, and tiny ones joined so each inflate step does useful work.
  let slice = new Uint8Array(INFLATE_SLICE_BYTES);
  let fill = 0;
  for (let i = 0; ; i++) {
    let chunk: Uint8Array;
    if (i < head.length) chunk = head[i];
    else {
      const r = more === null ? null : await more();
      if (r === null || r.done) break;
      chunk = r.value;
    }
    for (let off = 0; off < chunk.length; ) {
      let piece: Uint8Array;
      if (fill === 0 && chunk.length - off >= INFLATE_SLICE_BYTES) {
        piece = chunk.subarray(off, off + INFLATE_SLICE_BYTES);
        off += INFLATE_SLICE_BYTES;
      } else {
        const n = Math.min(INFLATE_SLICE_BYTES - fill, chunk.length - off);
        slice.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill < INFLATE_SLICE_BYTES) break;
        piece = slice;
        slice = new Uint8Array(INFLATE_SLICE_BYTES); // the decoder may keep a view of `piece`
        fill = 0;
      }
      dec.push(piece);
      if (pending.length) {
        const out = pending;
        pending = [];
        yield* out;
      }
    }
  }
  if (fill > 0) dec.push(slice.subarray(0, fill));
  dec.end();
  yield* pending;
}
