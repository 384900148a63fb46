/**
 * Writes deflate blocks (RFC 1951 §3.2.3–3.2.7) from _lz77.ts's symbols: dynamic Huffman codes,
 * the fixed codes or stored, whichever comes out smallest. Deterministic: integer arithmetic, ties
 * decided in a fixed order.
 */
import { canonicalCodes, huffmanLengths } from "./_huffman.ts";
import {
  CL_ORDER,
  DIST_BASE,
  DIST_CODE,
  DIST_EXTRA,
  FIXED_DIST_CODES,
  FIXED_DIST_LENGTHS,
  FIXED_LIT_CODES,
  FIXED_LIT_LENGTHS,
  LENGTH_BASE,
  LENGTH_CODE,
  LENGTH_EXTRA,
} from "./_deflate_tables.ts";

const LENGTH_SHIFT = 16; // _lz77.ts's symbol layout: length << 16 | distance
const EOB = 256;

/** Bits LSB-first into a growing byte array. */
export class BitWriter {
  #out: Uint8Array;
  #pos = 0;
  #acc = 0;
  #nbits = 0;

  /** `scratch`, when it holds `capacity` bytes, is written into instead of a new buffer. */
  constructor(capacity: number, scratch?: ArrayBuffer) {
    const n = Math.max(capacity, 64);
    this.#out = scratch && scratch.byteLength >= n ? new Uint8Array(scratch) : new Uint8Array(n);
  }

  /** Appends the low `n` bits of `v` (n <= 16). */
  bits(v: number, n: number): void {
    this.#acc |= v << this.#nbits;
    this.#nbits += n;
    if (this.#nbits >= 16) {
      if (this.#pos + 2 > this.#out.length) this.#grow(2);
      this.#out[this.#pos++] = this.#acc & 0xff;
      this.#out[this.#pos++] = (this.#acc >>> 8) & 0xff;
      this.#acc >>>= 16;
      this.#nbits -= 16;
    }
  }

  /** Pads with zero bits to a byte boundary. */
  align(): void {
    while (this.#nbits > 0) {
      if (this.#pos + 1 > this.#out.length) this.#grow(1);
      this.#out[this.#pos++] = this.#acc & 0xff;
      this.#acc >>>= 8;
      this.#nbits = Math.max(0, this.#nbits - 8);
    }
  }

  /** Appends bytes; call align() first. */
  bytes(b: Uint8Array): void {
    if (this.#pos + b.length > this.#out.length) this.#grow(b.length);
    this.#out.set(b, this.#pos);
    this.#pos += b.length;
  }

  /** Makes room for `n` more bytes; answers the array to write them into (see state()). */
  reserve(n: number): Uint8Array {
    if (this.#pos + n > this.#out.length) this.#grow(n);
    return this.#out;
  }

  /** The write position and pending bits, for a caller writing many codes in its own loop. */
  state(): { pos: number; acc: number; nbits: number } {
    return { pos: this.#pos, acc: this.#acc, nbits: this.#nbits };
  }

  /** Takes back the state after such a loop. */
  restore(pos: number, acc: number, nbits: number): void {
    this.#pos = pos;
    this.#acc = acc;
    this.#nbits = nbits;
  }

  /** The bytes written, padded to a byte: a view when they fill most of the buffer (stored data), else a copy that lets it go. */
  finish(): Uint8Array {
    this.align();
    return this.#pos * 2 > this.#out.length ? this.#out.subarray(0, this.#pos) : this.#out.slice(0, this.#pos);
  }

  #grow(n: number): void {
    const next = new Uint8Array(Math.max(this.#out.length * 2, this.#pos + n));
    next.set(this.#out.subarray(0, this.#pos));
    this.#out = next;
  }
}

// Scratch, one set per thread (blocks are written synchronously).
const litFreq = new Uint32Array(286);
const distFreq = new Uint32Array(30);
const clFreq = new Uint32Array(19);
const litLen = new Uint8Array(286);
const distLen = new Uint8Array(30);
const clLen = new Uint8Array(19);
const litCode = new Uint16Array(286);
const distCode = new Uint16Array(30);
const clCode = new Uint16Array(19);
const runs = new Uint16Array(286 + 30); // code-length symbols, each `extra << 5 | symbol`
const seq = new Uint8Array(286 + 30);

/**
 * Writes one deflate block holding `syms[0, count)`, which encode `raw`.
 * @param final sets BFINAL
 */
export function writeBlock(out: BitWriter, syms: Uint32Array, count: number, raw: Uint8Array, final: boolean): void {
  const extraBits = countSymbols(syms, count);
  huffmanLengths(litFreq, 286, 15, litLen);
  huffmanLengths(distFreq, 30, 15, distLen);
  let nlit = 286;
  while (nlit > 257 && litLen[nlit - 1] === 0) nlit--;
  let ndist = 30;
  while (ndist > 1 && distLen[ndist - 1] === 0) ndist--;
  seq.set(litLen.subarray(0, nlit));
  seq.set(distLen.subarray(0, ndist), nlit);
  const nruns = runLengths(seq, nlit + ndist);
  clFreq.fill(0);
  for (let k = 0; k < nruns; k++) clFreq[runs[k] & 31]++;
  huffmanLengths(clFreq, 19, 7, clLen);
  let ncl = 19;
  while (ncl > 4 && clLen[CL_ORDER[ncl - 1]] === 0) ncl--;

  let dynamic = 3 + 5 + 5 + 4 + 3 * ncl + extraBits;
  for (let k = 0; k < nruns; k++) dynamic += clLen[runs[k] & 31] + RUN_EXTRA_BITS[runs[k] & 31];
  let fixed = 3 + extraBits;
  for (let s = 0; s < 286; s++) {
    dynamic += litFreq[s] * litLen[s];
    fixed += litFreq[s] * FIXED_LIT_LENGTHS[s];
  }
  for (let s = 0; s < 30; s++) {
    dynamic += distFreq[s] * distLen[s];
    fixed += distFreq[s] * FIXED_DIST_LENGTHS[s];
  }
  const stored = (raw.length + 5 * Math.max(1, Math.ceil(raw.length / 65535))) * 8;
  if (stored < Math.min(dynamic, fixed) + 8) return writeStored(out, raw, final);
  out.bits(final ? 1 : 0, 1);
  if (fixed <= dynamic) {
    out.bits(1, 2);
    return writeSymbols(out, syms, count, FIXED_LIT_CODES, FIXED_LIT_LENGTHS, FIXED_DIST_CODES, FIXED_DIST_LENGTHS);
  }
  out.bits(2, 2);
  out.bits(nlit - 257, 5);
  out.bits(ndist - 1, 5);
  out.bits(ncl - 4, 4);
  for (let k = 0; k < ncl; k++) out.bits(clLen[CL_ORDER[k]], 3);
  canonicalCodes(clLen, 19, clCode);
  for (let k = 0; k < nruns; k++) {
    const sym = runs[k] & 31;
    out.bits(clCode[sym], clLen[sym]);
    if (RUN_EXTRA_BITS[sym]) out.bits(runs[k] >>> 5, RUN_EXTRA_BITS[sym]);
  }
  canonicalCodes(litLen, 286, litCode);
  canonicalCodes(distLen, 30, distCode);
  writeSymbols(out, syms, count, litCode, litLen, distCode, distLen);
}

/**
 * Counts the symbols into litFreq and distFreq (EOB once); answers their extra bits. Its own function
 * so V8 optimizes the hot loop whole (inside writeBlock it deopted 14 times per 19 MB, Node 20).
 */
function countSymbols(syms: Uint32Array, count: number): number {
  litFreq.fill(0);
  distFreq.fill(0);
  let extraBits = 0;
  for (let k = 0; k < count; k++) {
    const s = syms[k];
    if (s < 256) litFreq[s]++;
    else {
      const lc = LENGTH_CODE[s >>> LENGTH_SHIFT];
      const dc = DIST_CODE[s & 0xffff];
      litFreq[257 + lc]++;
      distFreq[dc]++;
      extraBits += LENGTH_EXTRA[lc] + DIST_EXTRA[dc];
    }
  }
  litFreq[EOB] = 1;
  return extraBits;
}

/** Extra bits after code-length symbols 16, 17 and 18. */
const RUN_EXTRA_BITS = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7);

/** Run-length codes `seq[0, n)` into `runs` (RFC 1951 §3.2.7: 16 repeats, 17 and 18 zeros). */
function runLengths(lengths: Uint8Array, n: number): number {
  let r = 0;
  for (let i = 0; i < n; ) {
    const v = lengths[i];
    let run = 1;
    while (i + run < n && lengths[i + run] === v) run++;
    i += run;
    if (v === 0) {
      for (; run >= 11; ) {
        const k = Math.min(run, 138);
        runs[r++] = ((k - 11) << 5) | 18;
        run -= k;
      }
      if (run >= 3) {
        runs[r++] = ((run - 3) << 5) | 17;
        run = 0;
      }
    } else {
      runs[r++] = v;
      run--;
      for (; run >= 3; ) {
        const k = Math.min(run, 6);
        runs[r++] = ((k - 3) << 5) | 16;
        run -= k;
      }
    }
    for (; run > 0; run--) runs[r++] = v;
  }
  return r;
}

/** Writes the symbols and the end-of-block code; the bit buffer is kept in locals, the hot loop of a block. */
function writeSymbols(
  out: BitWriter,
  syms: Uint32Array,
  count: number,
  lc: Uint16Array,
  ll: Uint8Array,
  dc: Uint16Array,
  dl: Uint8Array,
): void {
  // At most 48 bits a symbol (15 + 5 + 15 + 13).
  const buf = out.reserve(6 * count + 8);
  let { pos, acc, nbits } = out.state();
  // The buffer holds under 16 bits between codes, and one code or extra is at most 15 bits: 31 fit.
  // The 16-bit flush is written out at each of its four places on purpose: a loop over a symbol's
  // pieces with one flush made this loop ~60% slower on mixed text (measured under Node).
  for (let k = 0; k < count; k++) {
    const s = syms[k];
    if (s < 256) {
      acc |= lc[s] << nbits;
      nbits += ll[s];
    } else {
      const len = s >>> LENGTH_SHIFT;
      const dist = s & 0xffff;
      const l = LENGTH_CODE[len];
      acc |= lc[257 + l] << nbits;
      nbits += ll[257 + l];
      if (nbits >= 16) {
        buf[pos++] = acc & 0xff;
        buf[pos++] = (acc >>> 8) & 0xff;
        acc >>>= 16;
        nbits -= 16;
      }
      acc |= (len - LENGTH_BASE[l]) << nbits; // 0 when the code has no extra bits
      nbits += LENGTH_EXTRA[l];
      const d = DIST_CODE[dist];
      if (nbits >= 16) {
        buf[pos++] = acc & 0xff;
        buf[pos++] = (acc >>> 8) & 0xff;
        acc >>>= 16;
        nbits -= 16;
      }
      acc |= dc[d] << nbits;
      nbits += dl[d];
      if (nbits >= 16) {
        buf[pos++] = acc & 0xff;
        buf[pos++] = (acc >>> 8) & 0xff;
        acc >>>= 16;
        nbits -= 16;
      }
      acc |= (dist - DIST_BASE[d]) << nbits;
      nbits += DIST_EXTRA[d];
    }
    if (nbits >= 16) {
      buf[pos++] = acc & 0xff;
      buf[pos++] = (acc >>> 8) & 0xff;
      acc >>>= 16;
      nbits -= 16;
    }
  }
  out.restore(pos, acc, nbits);
  out.bits(lc[EOB], ll[EOB]);
}

/** Stored blocks (BTYPE 00) of at most 65,535 bytes; BFINAL on the last if `final`. */
function writeStored(out: BitWriter, raw: Uint8Array, final: boolean): void {
  let off = 0;
  do {
    const n = Math.min(65535, raw.length - off);
    out.bits(final && off + n === raw.length ? 1 : 0, 1);
    out.bits(0, 2);
    out.align();
    out.bytes(Uint8Array.of(n & 0xff, n >>> 8, ~n & 0xff, (~n >>> 8) & 0xff));
    out.bytes(raw.subarray(off, off + n));
    off += n;
  } while (off < raw.length);
}
