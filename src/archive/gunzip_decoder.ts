/**
 * The streaming gzip decoder for untrusted input (SPEC §3, RFC 1952), on AAM's own inflater
 * (_inflate.ts): output comes in pieces of at most OUTPUT_BYTES, views of one reused buffer, and is
 * counted, so a gzip bomb stops at the limit after inflating at most one piece past it; the CRC-32
 * and length in the trailer are checked; truncation, corruption, extra members and trailing data
 * are refused. It is the judge of what is malformed (the same as zlib: inflate_fuzz_test.ts):
 * gunzip_native.ts only ever accepts less.
 */
import { corruptGzip, gzipHeaderLength, notGzip, readGzipTrailer } from "./_gzip_member.ts";
import { crc32For, noteGzipBytes } from "./_gunzip_native_policy.ts";
import { Inflater } from "./_inflate.ts";
import { unsafeArchive } from "./_unsafe.ts";
import { concatBytes } from "../encoding/bytes.ts";

/** A gzip header with a longer file name or comment is refused. */
export const MAX_GZIP_HEADER_BYTES = 64 * 1024;

export interface GunzipLimits {
  /** Compressed bytes accepted. */
  maxInputBytes: number;
  /** Decompressed bytes accepted; past this the stream is refused as a gzip bomb. */
  maxOutputBytes: number;
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

/**
 * Push-pull gzip decoder for untrusted input, synchronous and pure. Either give `onData`, which
 * push() calls with each piece of output (a view, valid during the call only), or call read()
 * after each push() until it answers null. Throws UnsafeArchive (from push, read or end) on any problem.
 */
export class GunzipDecoder {
  readonly #limits: GunzipLimits;
  readonly #onData: ((chunk: Uint8Array) => void) | undefined;
  readonly #inflater = new Inflater();
  #header: Uint8Array | null = new Uint8Array(0); // null once the header is parsed
  readonly #trailer = new Uint8Array(8); // the bytes after the deflate stream
  #trailerFill = 0;
  #inBytes = 0;
  #outBytes = 0;
  #crc = 0;
  #ended = false;

  constructor(limits: GunzipLimits, onData?: (chunk: Uint8Array) => void) {
    this.#limits = limits;
    this.#onData = onData;
  }

  /** Compressed bytes read so far. */
  get inputBytes(): number {
    return this.#inBytes;
  }

  /** Decompressed bytes produced so far. */
  get outputBytes(): number {
    return this.#outBytes;
  }

  /**
   * Feeds compressed bytes. Without `onData`, they are read by the read() calls that follow (keep
   * `chunk` unchanged until read() answers null); nothing keeps a view of it after that.
   */
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
      const h = this.#header.length === 0 ? chunk : concatBytes([this.#header, chunk]);
      const len = gzipHeaderLength(h);
      if (len === null) {
        if (h.length > MAX_GZIP_HEADER_BYTES) throw corruptGzip("header too long");
        this.#header = h === chunk ? h.slice() : h; // kept past this call: not a view of the caller's buffer
        return;
      }
      this.#header = null;
      chunk = h.subarray(len);
    }
    if (this.#inflater.done) this.#toTrailer(chunk);
    else this.#inflater.push(chunk);
    if (this.#onData) for (let out = this.read(); out !== null; out = this.read()) this.#onData(out);
  }

  /**
   * The next piece of output, a view valid until the next call to push, read or end.
   * @returns null once the input pushed so far is used up
   */
  read(): Uint8Array | null {
    const inf = this.#inflater;
    if (inf.done) return null;
    const out = inf.inflate();
    // The deflate stream ended: what input remains is the trailer, and anything after it is refused
    // at once, so trailing data is never buffered up.
    if (inf.done) this.#toTrailer(inf.unused());
    if (out === null) return null;
    this.#outBytes += out.length;
    if (this.#outBytes > this.#limits.maxOutputBytes) {
      throw unsafeArchive(
        `Cannot read archive: it unpacks to more than ${this.#limits.maxOutputBytes} bytes (a gzip bomb or an oversized package)`,
        { hint: "an .aam package unpacks to at most 256 MiB; this one was refused before it was unpacked" },
      );
    }
    this.#crc = crc32For()(out, this.#crc);
    return out;
  }

  #toTrailer(bytes: Uint8Array): void {
    if (this.#trailerFill + bytes.length > 8) throw trailingData();
    this.#trailer.set(bytes, this.#trailerFill);
    this.#trailerFill += bytes.length;
  }

  /** Ends the input: checks the deflate stream is complete and the trailer matches. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#header !== null) throw this.#inBytes === 0 ? notGzip() : truncated();
    if (this.read() !== null) throw new TypeError("GunzipDecoder.end() before the output was read");
    if (!this.#inflater.done || this.#trailerFill < 8) throw truncated();
    const { crc, isize } = readGzipTrailer(this.#trailer, 0);
    if (crc !== this.#crc || isize !== this.#outBytes % 2 ** 32) {
      throw corruptGzip("the CRC-32 or length in the gzip trailer does not match the data");
    }
  }
}
