/**
 * The streaming gzip decoder for untrusted input (SPEC §3, RFC 1952), on fflate: input is inflated
 * in small slices and output counted, so a gzip bomb stops at the limit after inflating at most one
 * slice past it; the CRC-32 and length in the trailer are checked; truncation, corruption, extra
 * members and trailing data are refused. It is the judge of what is malformed: gunzip_native.ts
 * only ever accepts less.
 */
import { Inflate } from "fflate";
import { AamError } from "../errors.ts";
import { corruptGzip, gzipHeaderLength, notGzip, readGzipTrailer } from "./_gzip_member.ts";
import { crc32For, noteGzipBytes } from "./_gunzip_native_policy.ts";
import { unsafeArchive } from "./_unsafe.ts";
import { concatBytes } from "../encoding/bytes.ts";

/**
 * Compressed bytes inflated per step. Deflate expands at most ~1032:1, so one step yields at most
 * ~16 MiB; larger slices are faster on normal archives, smaller ones bound a bomb more tightly.
 */
export const INFLATE_SLICE_BYTES = 16 * 1024;
/** A gzip header with a longer file name or comment is refused. */
export const MAX_GZIP_HEADER_BYTES = 64 * 1024;

export interface GunzipLimits {
  /** Compressed bytes accepted. */
  maxInputBytes: number;
  /** Decompressed bytes accepted; past this the stream is refused as a gzip bomb. */
  maxOutputBytes: number;
}

/**
 * fflate's private Inflate state: fflate's public API does not say whether the deflate stream has
 * ended, nor how much input lies past its end. Read here only, with fflate pinned to an exact
 * version (package.json) and fflate_pin_test.ts failing on any other, so an upgrade is a decision:
 * `s.f` (final block seen), `s.l` (a block still open), `s.p` (bit position in `p`), `p` (input held).
 */
interface InflateInternals {
  s?: { f?: number; l?: unknown; p?: number };
  p?: Uint8Array;
}

function inflateDone(inf: Inflate): boolean {
  // fflate private state (see InflateInternals): the final block was read and none is open.
  const s = (inf as unknown as InflateInternals).s;
  return !!s && !!s.f && !s.l;
}

/** Input bytes fflate holds beyond the end of the deflate stream. */
function bytesAfterEnd(inf: Inflate): number {
  // fflate private state (see InflateInternals): the held input past the stream's last bit.
  const { s, p } = inf as unknown as InflateInternals;
  if (!s || !p) return 0;
  return Math.max(0, p.length - (((s.p ?? 0) + 7) >> 3));
}

function truncated() {
  return unsafeArchive("Cannot read archive: the gzip data is truncated", {
    hint: "the file was cut short (an interrupted download or copy); fetch it again",
  });
}

function trailingData() {
  return unsafeArchive("Cannot read archive: data follows the end of the gzip stream", {
    hint: "an .aam archive is a single gzip member; this file was altered or concatenated",
  });
}

/** `a` then `b`, without copying when either is empty (a view of `b` is used within push() only). */
function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return concatBytes([a, b]);
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

  /** Feeds compressed bytes; nothing keeps a view of `chunk` after this returns (the caller may reuse it). */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new TypeError("GunzipDecoder.push() after end()");
    this.#inBytes += chunk.length;
    noteGzipBytes(chunk.length);
    if (this.#inBytes > this.#limits.maxInputBytes) {
      throw unsafeArchive(`Cannot read archive: it is larger than ${this.#limits.maxInputBytes} bytes`, {
        hint: "an .aam archive is at most 50 MiB",
      });
    }
    if (this.#header !== null) {
      const h = concat2(this.#header, chunk);
      const len = gzipHeaderLength(h);
      if (len === null) {
        if (h.length > MAX_GZIP_HEADER_BYTES) throw corruptGzip("header too long");
        this.#header = h === chunk ? h.slice() : h; // kept past this call: not a view of the caller's buffer
        return;
      }
      this.#header = null;
      chunk = h.subarray(len);
    }
    // Hold back the last 8 bytes: they are the trailer if the input ends here.
    const total = this.#tail.length + chunk.length;
    if (total <= 8) {
      this.#tail = concatBytes([this.#tail, chunk]); // a copy: the caller may reuse its buffer
      return;
    }
    const bodyLen = total - 8;
    const fromTail = Math.min(this.#tail.length, bodyLen);
    if (fromTail > 0) this.#inflateBody(this.#tail.subarray(0, fromTail));
    const fromChunk = bodyLen - fromTail;
    this.#inflateBody(chunk.subarray(0, fromChunk));
    this.#tail = concatBytes([this.#tail.subarray(fromTail), chunk.subarray(fromChunk)]);
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
      throw corruptGzip(e instanceof Error ? e.message : String(e), e);
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
    const { crc, isize } = readGzipTrailer(this.#tail, 0);
    if (crc !== this.#crc || isize !== this.#outBytes % 2 ** 32) {
      throw corruptGzip("the CRC-32 or length in the gzip trailer does not match the data");
    }
  }
}
