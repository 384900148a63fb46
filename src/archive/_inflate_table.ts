/**
 * Decoding tables for the streaming inflater (_inflate.ts, RFC 1951 §3.2.2): one lookup table per
 * Huffman code, indexed by the next `bits` input bits (LSB first), each entry `symbol << 4 | length`.
 * Which codes are accepted follows zlib's inflate_table exactly, so AAM refuses what zlib refuses:
 * an oversubscribed code never; an incomplete one only when it is a literal/length or distance code
 * whose single symbol has a 1-bit code (the unused pattern is then an error when met), or a distance
 * code with no symbols at all (any distance is then an error).
 */
import { FIXED_LIT_LENGTHS } from "./_deflate_tables.ts";

/** A lookup table over codes of at most 15 bits, refilled in place for every block. */
export interface HuffTable {
  /** Entry per `bits`-bit input pattern: symbol << 4 | code length; 0 where no code starts. */
  entries: Uint16Array;
  /** Bits the table is indexed by: the longest code length (at least 1). */
  bits: number;
}

export function newTable(maxBits: number): HuffTable {
  return { entries: new Uint16Array(1 << maxBits), bits: 1 };
}

/** What kind of code a table is built for: zlib accepts fewer incomplete codes for CODES. */
export const CODE_LENGTHS = 0;
export const LITERALS = 1;
export const DISTANCES = 2;

// Scratch per build (one build at a time per thread, as the encoder's _huffman.ts does).
const count = new Uint16Array(16);
const next = new Uint16Array(16);

/**
 * Fills `t` with the canonical code of `lengths[from, from + n)` (symbols numbered from 0).
 * @returns false when zlib would refuse the code (oversubscribed, or incomplete where not allowed)
 */
export function buildTable(t: HuffTable, lengths: Uint8Array, from: number, n: number, kind: number): boolean {
  count.fill(0);
  for (let s = 0; s < n; s++) count[lengths[from + s]]++;
  let max = 15;
  while (max > 0 && count[max] === 0) max--;
  t.bits = Math.max(max, 1);
  const size = 1 << t.bits;
  t.entries.fill(0, 0, size);
  if (max === 0) return kind === DISTANCES; // no symbols: only a distance code may be empty (zlib)
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = left * 2 - count[len];
    if (left < 0) return false; // oversubscribed
  }
  if (left > 0 && (kind === CODE_LENGTHS || max !== 1)) return false; // incomplete
  next[1] = 0;
  for (let len = 1; len < 15; len++) next[len + 1] = (next[len] + count[len]) << 1;
  for (let s = 0; s < n; s++) {
    const len = lengths[from + s];
    if (len === 0) continue;
    // Codes are packed MSB first: the table is indexed by the code's bits reversed.
    let code = next[len]++;
    let rev = 0;
    for (let b = 0; b < len; b++, code >>= 1) rev = (rev << 1) | (code & 1);
    const entry = (s << 4) | len;
    for (let i = rev; i < size; i += 1 << len) t.entries[i] = entry;
  }
  return true;
}

let fixed: { lit: HuffTable; dist: HuffTable } | null = null;

/** The fixed codes (BTYPE 01), built on first use. */
export function fixedTables(): { lit: HuffTable; dist: HuffTable } {
  if (fixed === null) {
    const lit = newTable(9);
    const dist = newTable(5);
    buildTable(lit, FIXED_LIT_LENGTHS, 0, 288, LITERALS); // 286 and 287 exist but are invalid
    buildTable(dist, new Uint8Array(32).fill(5), 0, 32, DISTANCES); // as are distance codes 30 and 31
    fixed = { lit, dist };
  }
  return fixed;
}
