/**
 * Differential fuzzing of AAM's inflater (_inflate.ts) against zlib (node:zlib) and fflate: valid
 * streams from several encoders, the same corrupted (bit flips, cuts, splices, trailing bytes),
 * random bytes, and crafted dynamic blocks whose Huffman codes are complete, incomplete or
 * oversubscribed. zlib is the reference: the same bytes, from the same amount of input, or both
 * refuse. fflate accepts more (incomplete codes, bad stored lengths), never less: whatever AAM
 * accepts, fflate reads to the same bytes. Input arrives in random pieces, so every suspension
 * point is crossed.
 */
import { describe, expect, test } from "bun:test";
import { inflateSync as fflateInflate } from "fflate";
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { AamError } from "../errors.ts";
import { Inflater } from "./_inflate.ts";
import { GunzipDecoder } from "./gunzip_decoder.ts";
import { gunzipWholeNative } from "./gunzip_native.ts";
import { gzipBytes } from "./gzip_encoder.ts";
import { concatBytes } from "../encoding/bytes.ts";
import { prng } from "../../test/helpers/prng.ts";

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

type Verdict = { ok: true; out: Uint8Array; used: number } | { ok: false };

/** AAM's verdict, the input fed in random pieces (1 byte to 64 KiB). */
function viaAam(data: Uint8Array, r: Rand): Verdict {
  const inf = new Inflater();
  const parts: Uint8Array[] = [];
  try {
    for (let off = 0; off < data.length && !inf.done; ) {
      const n = 1 + int(r, r() < 0.3 ? 8 : 65536);
      inf.push(data.subarray(off, off + n));
      off += n;
      for (let o = inf.inflate(); o !== null; o = inf.inflate()) parts.push(o.slice());
      if (inf.done) return { ok: true, out: concatBytes(parts), used: Math.min(off, data.length) - inf.unused().length };
    }
  } catch (e) {
    if (e instanceof AamError && e.code === "UnsafeArchive") return { ok: false };
    throw e; // anything else is a bug
  }
  return { ok: false }; // input ended before the stream did: truncated
}

function viaZlib(data: Uint8Array): Verdict {
  try {
    const r = inflateRawSync(data, { info: true }) as unknown as { buffer: Uint8Array; engine: { bytesWritten: number } };
    return { ok: true, out: new Uint8Array(r.buffer), used: r.engine.bytesWritten };
  } catch {
    return { ok: false };
  }
}

function viaFflate(data: Uint8Array): Uint8Array | null {
  try {
    return fflateInflate(data);
  } catch {
    return null;
  }
}

let accepted = 0;
let refused = 0;
/** AAM against zlib (exactly) and fflate (AAM accepts no more). */
function compare(data: Uint8Array, r: Rand, label: string): void {
  const aam = viaAam(data, r);
  const zlib = viaZlib(data);
  expect({ label, ...summary(aam) }).toEqual({ label, ...summary(zlib) });
  if (aam.ok) {
    accepted++;
    const ff = viaFflate(data.subarray(0, aam.used));
    expect({ label, fflate: ff !== null && Buffer.compare(ff, aam.out) === 0 }).toEqual({ label, fflate: true });
  } else refused++;
}
function summary(v: Verdict) {
  return v.ok ? { ok: true, used: v.used, size: v.out.length, out: Buffer.from(v.out).toString("base64") } : { ok: false };
}

/** Bytes with structure: runs from a small alphabet, copies near and far. */
function shaped(r: Rand, max: number): Uint8Array {
  const out = new Uint8Array(int(r, max));
  const alphabet = 1 + int(r, 256);
  for (let i = 0; i < out.length; ) {
    if (i > 3 && r() < 0.5) {
      const dist = 1 + int(r, Math.min(i, r() < 0.2 ? 40_000 : 300));
      for (let k = 3 + int(r, 200); k > 0 && i < out.length; k--, i++) out[i] = out[i - dist];
    } else out[i++] = int(r, alphabet);
  }
  return out;
}

/** A valid raw deflate stream from zlib (any level, strategy, window) or AAM's own encoder. */
function validStream(r: Rand): Uint8Array {
  const data = shaped(r, r() < 0.1 ? 300_000 : 20_000);
  if (r() < 0.25) {
    const gz = gzipBytes(data);
    return gz.subarray(10, gz.length - 8);
  }
  const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED];
  return new Uint8Array(deflateRawSync(data, { level: int(r, 10), strategy: strategies[int(r, 5)], windowBits: 8 + int(r, 8), memLevel: 1 + int(r, 9) }));
}

function mutate(s: Uint8Array, r: Rand): Uint8Array {
  const b = s.slice();
  switch (int(r, 5)) {
    case 0: // bit flips, anywhere or in the first bytes (block headers and tables)
      for (let k = 1 + int(r, 3); k > 0; k--) b[int(r, r() < 0.5 ? Math.min(b.length, 80) : b.length)] ^= 1 << int(r, 8);
      return b;
    case 1: // cut short
      return b.subarray(0, int(r, b.length));
    case 2: // trailing bytes
      return concatBytes([b, Uint8Array.from({ length: 1 + int(r, 20) }, () => int(r, 256))]);
    case 3: { // a random run overwritten
      const at = int(r, b.length);
      for (let i = at; i < Math.min(b.length, at + 1 + int(r, 16)); i++) b[i] = int(r, 256);
      return b;
    }
    default: // a byte deleted
      return concatBytes([b.subarray(0, (b.length / 2) | 0), b.subarray(((b.length / 2) | 0) + 1)]);
  }
}

/** LSB-first bit writer, as deflate packs bits. */
class Bits {
  bytes: number[] = [];
  #acc = 0;
  #n = 0;
  put(value: number, n: number): void {
    for (let i = 0; i < n; i++) {
      this.#acc |= ((value >>> i) & 1) << this.#n;
      if (++this.#n === 8) {
        this.bytes.push(this.#acc);
        this.#acc = this.#n = 0;
      }
    }
  }
  done(): Uint8Array {
    return Uint8Array.from(this.#n ? [...this.bytes, this.#acc] : this.bytes);
  }
}

/**
 * `n` code lengths (≤ max) of a random code over `used` symbols, `must` among them: complete, or
 * now and then made incomplete or oversubscribed.
 */
function randomLengths(r: Rand, n: number, used: number, max: number, must: number[] = []): number[] {
  const leaves = [0]; // depths of a random full binary tree
  while (leaves.length < used) {
    const i = int(r, leaves.length);
    if (leaves[i] >= max) break;
    leaves.splice(i, 1, leaves[i] + 1, leaves[i] + 1);
  }
  const t = r();
  if (t < 0.06 && leaves.length > 1) leaves.pop(); // incomplete
  else if (t < 0.12) leaves.push(1 + int(r, max)); // oversubscribed, mostly
  const lengths = new Array<number>(n).fill(0);
  const others = [...Array(n).keys()].filter((s) => !must.includes(s)).sort(() => r() - 0.5);
  const slots = [...must, ...others];
  leaves.forEach((d, k) => k < n && (lengths[slots[k]] = d || 1)); // one symbol: a 1-bit code
  return lengths;
}

/** A dynamic block header of random codes (now and then invalid), then symbols of those codes or random bits. */
function craftedDynamic(r: Rand): Uint8Array {
  const w = new Bits();
  const nlen = 257 + int(r, r() < 0.03 ? 32 : 30);
  const ndist = 1 + int(r, r() < 0.03 ? 32 : 30);
  w.put(r() < 0.9 ? 1 : 0, 1);
  w.put(2, 2);
  w.put(nlen - 257, 5);
  w.put(ndist - 1, 5);
  const litUsed = 1 + int(r, r() < 0.5 ? 20 : nlen);
  const lens = [
    ...randomLengths(r, nlen, litUsed, 15, r() < 0.97 ? [256] : []),
    ...randomLengths(r, ndist, r() < 0.05 ? 0 : 1 + int(r, ndist), 15),
  ];
  // The code-length code covers the lengths used, and the repeat codes now and then.
  const needed = [...new Set(lens), ...(r() < 0.5 ? [16, 17, 18] : [])];
  const cl = randomLengths(r, 19, needed.length + int(r, 3), 7, needed);
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  let ncl = 19;
  while (ncl > 4 && cl[order[ncl - 1]] === 0) ncl--;
  w.put(ncl - 4, 4);
  for (let i = 0; i < ncl; i++) w.put(cl[order[i]], 3);
  const codes = canonical(cl);
  for (let i = 0; i < lens.length; ) {
    const l = lens[i];
    let run = 1;
    while (i + run < lens.length && lens[i + run] === l) run++;
    if (l === 0 && run >= 11 && cl[18]) {
      const k = Math.min(run + (r() < 0.03 ? 5 : 0), 138); // (past the end: a bad repeat)
      emit(w, codes, cl, 18);
      w.put(k - 11, 7);
      i += Math.min(k, run);
    } else if (i > 0 && l === lens[i - 1] && run >= 3 && cl[16]) {
      const k = Math.min(run, 6);
      emit(w, codes, cl, 16);
      w.put(k - 3, 2);
      i += k;
    } else {
      emit(w, codes, cl, cl[l] ? l : int(r, 19));
      i++;
    }
  }
  if (r() < 0.1) for (let k = int(r, 400); k > 0; k--) w.put(int(r, 256), 8);
  else body(w, r, lens.slice(0, nlen), lens.slice(nlen));
  return w.done();
}

/** Symbols of the block's own codes: literals, matches (now and then too far back), then end-of-block. */
function body(w: Bits, r: Rand, lit: number[], dist: number[]): void {
  const litCodes = canonical(lit);
  const distCodes = canonical(dist);
  const usable = (lens: number[], from: number, to: number) => [...lens.keys()].filter((s) => s >= from && s < to && lens[s] > 0);
  const literals = usable(lit, 0, 256);
  const lengths = usable(lit, 257, 286);
  const dists = usable(dist, 0, 30);
  const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  let out = 0;
  for (let k = int(r, 300); k > 0; k--) {
    if (literals.length && (r() < 0.6 || !lengths.length || !dists.length)) {
      emit(w, litCodes, lit, literals[int(r, literals.length)]);
      out++;
    } else if (lengths.length && dists.length) {
      const ls = lengths[int(r, lengths.length)];
      emit(w, litCodes, lit, ls);
      w.put(int(r, 32), LEN_EXTRA[ls - 257]);
      // Distance codes up to what has been written (rarely beyond).
      const fit = dists.filter((d) => (d < 4 ? d + 1 : 2 ** ((d >> 1) - 1) * (2 + (d & 1)) + 1) <= out || r() < 0.01);
      const d = fit.length ? fit[int(r, fit.length)] : dists[0];
      emit(w, distCodes, dist, d);
      w.put(0, d < 4 ? 0 : (d >> 1) - 1); // the smallest distance of the code
      out += 3;
    } else break;
  }
  emit(w, litCodes, lit, 256);
}
function canonical(lengths: number[]): number[] {
  const count = new Array(16).fill(0);
  for (const l of lengths) if (l) count[l]++;
  const next = new Array(16).fill(0);
  for (let len = 1, code = 0; len < 16; len++) next[len] = code = (code + count[len - 1]) << 1;
  return lengths.map((l) => (l ? next[l]++ : 0));
}
function emit(w: Bits, codes: number[], lengths: number[], sym: number): void {
  const len = lengths[sym] || 1;
  for (let b = len - 1; b >= 0; b--) w.put((codes[sym] >>> b) & 1, 1); // Huffman codes go MSB first
}

describe("Inflater against zlib and fflate", () => {
  test("valid streams from zlib and AAM's encoder, whole and corrupted", () => {
    const r = prng(20261203);
    for (let i = 0; i < 300; i++) {
      const s = validStream(r);
      compare(s, r, `valid ${i}`);
      for (let k = 0; k < 4; k++) compare(mutate(s, r), r, `mutated ${i}.${k}`);
    }
  }, 300_000);

  test("random bytes and crafted dynamic blocks (complete, incomplete, oversubscribed codes)", () => {
    const r = prng(7);
    for (let i = 0; i < 3000; i++) compare(Uint8Array.from({ length: 1 + int(r, 64) }, () => int(r, 256)), r, `random ${i}`);
    for (let i = 0; i < 6000; i++) compare(craftedDynamic(r), r, `crafted ${i}`);
    // Both outcomes really occur, including the table checks zlib makes and fflate does not.
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(3000);
  }, 300_000);

  test("the gzip layer: AAM's decoder accepts exactly what zlib does, CRC and length included", () => {
    const r = prng(99);
    const big = { maxInputBytes: 1 << 30, maxOutputBytes: 1 << 30 };
    for (let i = 0; i < 400; i++) {
      const g = gzipBytes(shaped(r, 20_000));
      const c = i % 5 === 0 ? g : mutate(g, r);
      let mine: Uint8Array | null = null;
      const parts: Uint8Array[] = [];
      try {
        const dec = new GunzipDecoder(big, (o) => parts.push(o.slice()));
        for (let off = 0, n = 0; off < c.length; off += n) dec.push(c.subarray(off, off + (n = 1 + int(r, 5000))));
        dec.end();
        mine = concatBytes(parts);
      } catch (e) {
        if (!(e instanceof AamError)) throw e;
      }
      expect({ i, same: String(mine) === String(gunzipWholeNative(c, big)) }).toEqual({ i, same: true });
    }
  }, 120_000);
});
