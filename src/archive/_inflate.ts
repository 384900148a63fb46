/**
 * AAM's streaming raw inflater (RFC 1951), for untrusted input. Output goes into one reused buffer
 * (the 32 KiB window plus OUTPUT_BYTES) and is handed out as views of it, so inflating allocates
 * nothing per step: an inflater that does (fflate's) leaves tens of MiB of array buffers for the
 * collector, which V8 frees only past a fixed amount (issue 15; scripts/bench/inflate_garbage.mjs).
 * It refuses exactly what zlib refuses (_inflate_table.ts; inflate_fuzz_test.ts compares the two)
 * and suspends at any byte boundary of its input, resuming where it stopped.
 */
import { corruptGzip } from "./_gzip_member.ts";
import { buildTable, CODE_LENGTHS, DISTANCES, fixedTables, type HuffTable, LITERALS, newTable } from "./_inflate_table.ts";
import { CL_ORDER, DIST_BASE, DIST_EXTRA, LENGTH_BASE, LENGTH_EXTRA } from "./_deflate_tables.ts";

const WINDOW = 32 * 1024;
/** Output handed out per piece, at most: a bomb is counted (and stopped) in steps this small. */
export const OUTPUT_BYTES = 64 * 1024;
const MAX_MATCH = 258;

// States, between which decoding may stop for more input.
const HEADER = 0; // BFINAL and BTYPE
const STORED_LEN = 1; // LEN and NLEN, byte-aligned
const TABLE_SIZES = 2; // HLIT, HDIST, HCLEN
const CL_LENGTHS = 3; // the code-length code's lengths
const CODE_LENGTHS_STATE = 4; // the literal/length and distance code lengths
const SYMBOLS = 5; // literals and lengths
const DISTANCE = 6; // the distance of a length just read
const STORED = 7; // copying a stored block's bytes (states from here on read no bits)
const DONE = 8;

/**
 * Push input, then call inflate() until it answers null; push the next input only then. Every
 * refusal throws UnsafeArchive (corrupt gzip); running out of input is not an error here: the
 * caller knows when input ends and refuses a stream not `done` by then as truncated.
 */
export class Inflater {
  readonly #out = new Uint8Array(WINDOW + OUTPUT_BYTES);
  #pos = 0; // next output byte in #out
  #start = 0; // first output byte not yet handed out
  #in: Uint8Array = new Uint8Array(0);
  #p = 0;
  #bits = 0; // bit buffer, LSB first: at most 32 bits
  #nbits = 0;
  #state = HEADER;
  #final = false;
  #left = 0; // stored bytes left, or index into the code lengths being read
  #nlen = 0;
  #ndist = 0;
  #ncl = 0;
  #matchLen = 0;
  readonly #lengths = new Uint8Array(286 + 30);
  readonly #dynLit = newTable(15);
  readonly #dynDist = newTable(15);
  readonly #clTable = newTable(7);
  #lit: HuffTable = this.#dynLit;
  #dist: HuffTable = this.#dynDist;

  /** The final block has ended. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** Gives the next input; the previous one must have been used up (inflate() answered null). */
  push(input: Uint8Array): void {
    if (this.#p < this.#in.length && this.#state !== DONE) throw new TypeError("Inflater.push() before the input was used");
    this.#in = input;
    this.#p = 0;
  }

  /** Once done: the input bytes after the end of the deflate stream (the gzip trailer, and anything after it). */
  unused(): Uint8Array {
    const whole = this.#nbits >> 3;
    const rest = this.#in.subarray(this.#p);
    const u = new Uint8Array(whole + rest.length);
    for (let i = 0; i < whole; i++) u[i] = (this.#bits >>> (8 * i + (this.#nbits & 7))) & 0xff;
    u.set(rest, whole);
    return u;
  }

  /**
   * Inflates until OUTPUT_BYTES are ready, the input is used up or the stream ends.
   * @returns the new output, a view valid until the next call; null when there is none (more input is needed, or done)
   * @throws {AamError} UnsafeArchive for malformed deflate data
   */
  inflate(): Uint8Array | null {
    const out = this.#out;
    if (this.#start === this.#pos && this.#pos >= out.length - MAX_MATCH) {
      // Keep the last 32 KiB (the farthest a distance reaches) and write after it again.
      out.copyWithin(0, this.#pos - WINDOW, this.#pos);
      this.#pos = this.#start = WINDOW;
    }
    this.#run();
    if (this.#pos === this.#start) return null;
    const piece = out.subarray(this.#start, this.#pos);
    this.#start = this.#pos;
    return piece;
  }

  #run(): void {
    const out = this.#out;
    const input = this.#in;
    const end = input.length;
    const limit = Math.min(out.length, this.#start + OUTPUT_BYTES); // this piece ends by here
    const room = limit - MAX_MATCH; // where a match may still start
    let p = this.#p;
    let bits = this.#bits;
    let nbits = this.#nbits;
    let pos = this.#pos;
    let state = this.#state;
    // The block's codes, in locals for the symbol loop (reloaded when a block header sets them).
    let litE = this.#lit.entries;
    let litMask = (1 << this.#lit.bits) - 1;
    let distE = this.#dist.entries;
    let distMask = (1 << this.#dist.bits) - 1;
    try {
      for (;;) {
        // Up to 32 bits: every step below needs at most 28 (a 15-bit code and 13 extra bits).
        // A stored block's bytes are copied from the input, never through the bit buffer.
        while (nbits <= 24 && p < end && state < STORED) {
          bits |= input[p++] << nbits;
          nbits += 8;
        }
        if (state === SYMBOLS) {
          if (pos >= room) return;
          const e = litE[bits & litMask];
          const len = e & 15;
          if (len === 0 || len > nbits) {
            if (nbits < this.#lit.bits && p === end) return; // the code may be longer than the bits at hand
            throw corruptGzip("invalid literal/length code");
          }
          const sym = e >> 4;
          if (sym < 256) {
            out[pos++] = sym;
            bits >>>= len;
            nbits -= len;
            continue;
          }
          if (sym === 256) {
            bits >>>= len;
            nbits -= len;
            state = this.#final ? DONE : HEADER;
            if (state === DONE) return;
            continue;
          }
          if (sym > 285) throw corruptGzip("invalid literal/length code");
          const extra = LENGTH_EXTRA[sym - 257];
          if (len + extra > nbits) return; // (p === end: the refill above stopped only there)
          bits >>>= len;
          this.#matchLen = LENGTH_BASE[sym - 257] + (bits & ((1 << extra) - 1));
          bits >>>= extra;
          nbits -= len + extra;
          state = DISTANCE;
        } else if (state === DISTANCE) {
          const e = distE[bits & distMask];
          const len = e & 15;
          if (len === 0 || len > nbits) {
            if (nbits < this.#dist.bits && p === end) return;
            throw corruptGzip("invalid distance code");
          }
          const sym = e >> 4;
          if (sym > 29) throw corruptGzip("invalid distance code");
          const extra = DIST_EXTRA[sym];
          if (len + extra > nbits && p === end) return;
          bits >>>= len;
          nbits -= len;
          // Code and extra bits may take 28 bits, more than the refill promises (25): with input
          // left, at least 10 bits remain and one more byte fits, enough for the 13 extra bits.
          while (nbits <= 24 && p < end) {
            bits |= input[p++] << nbits;
            nbits += 8;
          }
          const dist = DIST_BASE[sym] + (bits & ((1 << extra) - 1));
          bits >>>= extra;
          nbits -= extra;
          if (dist > pos) throw corruptGzip("invalid distance too far back");
          const n = this.#matchLen;
          for (let k = 0; k < n; k++, pos++) out[pos] = out[pos - dist];
          state = SYMBOLS;
        } else if (state === STORED) {
          if (this.#left === 0) {
            state = this.#final ? DONE : HEADER;
            continue;
          }
          const n = Math.min(this.#left, end - p, limit - pos);
          if (n === 0) return; // input used up, or the piece full
          out.set(input.subarray(p, p + n), pos);
          p += n;
          pos += n;
          this.#left -= n;
        } else if (state === DONE) {
          return;
        } else {
          // Block and table headers: each step reads a few bits, or waits for them.
          const need = state === HEADER ? 3 : state === STORED_LEN ? 32 : state === TABLE_SIZES ? 14 : state === CL_LENGTHS ? 3 : 0;
          if (need > 0 && nbits < need) return;
          if (state === HEADER) {
            this.#final = (bits & 1) === 1;
            const type = (bits >>> 1) & 3;
            bits >>>= 3;
            nbits -= 3;
            if (type === 0) {
              bits >>>= nbits & 7; // stored: to a byte boundary
              nbits -= nbits & 7;
              state = STORED_LEN;
            } else if (type === 1) {
              const f = fixedTables();
              this.#lit = f.lit;
              this.#dist = f.dist;
              state = SYMBOLS;
              ({ litE, litMask, distE, distMask } = this.#codes());
            } else if (type === 2) state = TABLE_SIZES;
            else throw corruptGzip("invalid block type");
          } else if (state === STORED_LEN) {
            const len = bits & 0xffff;
            if (len !== (~(bits >>> 16) & 0xffff)) throw corruptGzip("invalid stored block lengths");
            this.#left = len;
            bits = nbits = 0; // 32 bits read from a byte boundary: exactly the buffer
            state = STORED;
          } else if (state === TABLE_SIZES) {
            this.#nlen = (bits & 31) + 257;
            this.#ndist = ((bits >>> 5) & 31) + 1;
            this.#ncl = ((bits >>> 10) & 15) + 4;
            bits >>>= 14;
            nbits -= 14;
            if (this.#nlen > 286 || this.#ndist > 30) throw corruptGzip("too many length or distance symbols");
            this.#lengths.fill(0, 0, 19);
            this.#left = 0;
            state = CL_LENGTHS;
          } else if (state === CL_LENGTHS) {
            this.#lengths[CL_ORDER[this.#left++]] = bits & 7;
            bits >>>= 3;
            nbits -= 3;
            if (this.#left === this.#ncl) {
              if (!buildTable(this.#clTable, this.#lengths, 0, 19, CODE_LENGTHS)) throw corruptGzip("invalid code lengths set");
              this.#left = 0;
              state = CODE_LENGTHS_STATE;
            }
          } else {
            const r = this.#codeLength(bits, nbits);
            if (r < 0) return;
            bits >>>= r;
            nbits -= r;
            if (this.#left === this.#nlen + this.#ndist) {
              this.#buildDynamic();
              state = SYMBOLS;
              ({ litE, litMask, distE, distMask } = this.#codes());
            }
          }
        }
      }
    } finally {
      this.#p = p;
      this.#bits = bits;
      this.#nbits = nbits;
      this.#pos = pos;
      this.#state = state;
    }
  }

  /** Reads one code length (or a run of them) into #lengths; answers the bits used, or -1 to wait for input. */
  #codeLength(bits: number, nbits: number): number {
    const t = this.#clTable;
    const e = t.entries[bits & ((1 << t.bits) - 1)];
    const len = e & 15; // never 0: a code-length code is complete
    if (len > nbits) return -1; // (only at the end of the input: the refill gives 25 bits otherwise)
    const sym = e >> 4;
    // (#lengths held the code-length code's own lengths too: its table is built, they may go.)
    const lengths = this.#lengths;
    if (sym < 16) {
      lengths[this.#left++] = sym;
      return len;
    }
    const extra = sym === 16 ? 2 : sym === 17 ? 3 : 7;
    if (len + extra > nbits) return -1;
    const rep = (sym === 16 ? 3 : sym === 17 ? 3 : 11) + ((bits >>> len) & ((1 << extra) - 1));
    if ((sym === 16 && this.#left === 0) || this.#left + rep > this.#nlen + this.#ndist) throw corruptGzip("invalid bit length repeat");
    const v = sym === 16 ? lengths[this.#left - 1] : 0;
    lengths.fill(v, this.#left, this.#left + rep);
    this.#left += rep;
    return len + extra;
  }

  #codes(): { litE: Uint16Array; litMask: number; distE: Uint16Array; distMask: number } {
    const lit = this.#lit;
    const dist = this.#dist;
    return { litE: lit.entries, litMask: (1 << lit.bits) - 1, distE: dist.entries, distMask: (1 << dist.bits) - 1 };
  }

  #buildDynamic(): void {
    const lengths = this.#lengths;
    if (lengths[256] === 0) throw corruptGzip("invalid code -- missing end-of-block");
    if (!buildTable(this.#dynLit, lengths, 0, this.#nlen, LITERALS)) throw corruptGzip("invalid literal/lengths set");
    if (!buildTable(this.#dynDist, lengths, this.#nlen, this.#ndist, DISTANCES)) throw corruptGzip("invalid distances set");
    this.#lit = this.#dynLit;
    this.#dist = this.#dynDist;
  }
}
