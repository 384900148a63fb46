/**
 * gzip for `.aam` archives (SPEC §3, RFC 1952), on fflate alone: CompressionStream and node:zlib
 * differ across runtimes, and the same folder must pack to the same bytes on Node, Bun and Deno alike.
 *
 * Compression: level 6, header mtime 0, no file name, XFL 0, OS byte 3 ("Unix", what gzip(1) and
 * fflate write; tar's mode bits are Unix anyway). The header is rewritten here rather than trusted
 * to fflate, and input reaches fflate in fixed 64 KiB pieces: fflate's block boundaries follow its
 * push sizes, so feeding it whatever a file read returned would make the output vary.
 *
 * Decompression is for untrusted input: input is inflated in small slices and output counted, so a
 * gzip bomb stops at the limit after inflating at most one slice past it; the CRC-32 and length in
 * the trailer are checked; truncation, corruption, extra members and trailing data are refused.
 */
import { Gzip, Inflate } from "fflate";
import { AamError } from "../errors.ts";
import { crc32 } from "./_crc32.ts";
import { unsafeArchive } from "./_unsafe.ts";
import { concatBytes } from "../encoding/bytes.ts";

export const GZIP_LEVEL = 6;
export const GZIP_OS_BYTE = 3;
/** Input piece size fed to the compressor; fixed so output is the same whatever the I/O sizes. */
export const GZIP_FEED_BYTES = 64 * 1024;
/**
 * Compressed bytes inflated per step. Deflate expands at most ~1032:1, so one step yields at most
 * ~16 MiB; larger slices are faster on normal archives, smaller ones bound a bomb more tightly.
 */
export const INFLATE_SLICE_BYTES = 16 * 1024;
/** A gzip header with a longer file name or comment is refused. */
export const MAX_GZIP_HEADER_BYTES = 64 * 1024;

/**
 * Streaming gzip compressor with deterministic output.
 * @example Compress two pieces
 * ```ts
 * const out: Uint8Array[] = [];
 * const gz = new GzipEncoder((c) => out.push(c));
 * gz.write(a); gz.write(b); gz.end();
 * ```
 */
export class GzipEncoder {
  #gz: Gzip;
  #buf = new Uint8Array(GZIP_FEED_BYTES);
  #fill = 0;
  #first = true;
  #ended = false;

  constructor(onChunk: (chunk: Uint8Array) => void) {
    // mtime 0: fflate would otherwise stamp Date.now() into the header.
    this.#gz = new Gzip({ level: GZIP_LEVEL, mtime: 0 }, (chunk) => {
      if (this.#first) {
        this.#first = false;
        fixHeader(chunk);
      }
      onChunk(chunk);
    });
  }

  /** Adds bytes; `data` may be reused by the caller once this returns. */
  write(data: Uint8Array): void {
    if (this.#ended) throw new TypeError("GzipEncoder.write() after end()");
    let off = 0;
    while (off < data.length) {
      const n = Math.min(GZIP_FEED_BYTES - this.#fill, data.length - off);
      this.#buf.set(data.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      if (this.#fill === GZIP_FEED_BYTES) {
        this.#gz.push(this.#buf, false); // fflate copies it, so the buffer can be refilled
        this.#fill = 0;
      }
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#gz.push(this.#buf.subarray(0, this.#fill), true);
  }
}

function fixHeader(chunk: Uint8Array): void {
  if (chunk.length < 10 || chunk[0] !== 0x1f || chunk[1] !== 0x8b || chunk[3] !== 0) {
    throw new Error("fflate wrote an unexpected gzip header");
  }
  chunk.fill(0, 4, 8); // MTIME
  chunk[8] = 0; // XFL: fflate writes 0 at level 6; pinned in case that changes
  chunk[9] = GZIP_OS_BYTE;
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
    this.#crc = crc32(chunk, this.#crc);
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
 * @throws {AamError} UnsafeArchive when the input is not gzip, is corrupt or truncated, or breaks a limit
 */
export async function* gunzipChunks(input: AsyncIterable<Uint8Array>, limits: GunzipLimits): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  const dec = new GunzipDecoder(limits, (c) => pending.push(c));
  // Input is regrouped into INFLATE_SLICE_BYTES pieces: big chunks are split so only one slice's
  // output is held at once, and tiny ones joined so each inflate step does useful work.
  let slice = new Uint8Array(INFLATE_SLICE_BYTES);
  let fill = 0;
  for await (const chunk of input) {
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
