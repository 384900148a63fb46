/**
 * Deflate's fixed tables (RFC 1951 §3.2.5–3.2.7): length and distance codes with their extra bits,
 * the fixed Huffman code, and the order code-length code lengths are sent in.
 */
import { canonicalCodes } from "./_huffman.ts";

/** Length code (257–285) of each match length 3–258, less 257. */
export const LENGTH_CODE = new Uint8Array(259);
/** Extra bits and their base, per length code less 257. */
export const LENGTH_EXTRA = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0);
export const LENGTH_BASE = new Uint16Array(29);
/** Distance code of each distance 1–32768. */
export const DIST_CODE = new Uint8Array(32769);
export const DIST_EXTRA = Uint8Array.of(0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13);
export const DIST_BASE = new Uint16Array(30);
/** The order of the code-length code's lengths in a dynamic block header. */
export const CL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

for (let c = 0, base = 3; c < 29; c++) {
  LENGTH_BASE[c] = c === 28 ? 258 : base;
  if (c < 28) for (let k = 0; k < 1 << LENGTH_EXTRA[c]; k++) LENGTH_CODE[base + k] = c;
  base += 1 << LENGTH_EXTRA[c];
}
LENGTH_CODE[258] = 28;
for (let c = 0, base = 1; c < 30; c++) {
  DIST_BASE[c] = base;
  for (let k = 0; k < 1 << DIST_EXTRA[c]; k++) DIST_CODE[base + k] = c;
  base += 1 << DIST_EXTRA[c];
}

/** The fixed literal/length and distance codes (BTYPE 01): lengths and bit-reversed codes. */
export const FIXED_LIT_LENGTHS = new Uint8Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
export const FIXED_LIT_CODES = new Uint16Array(288);
export const FIXED_DIST_LENGTHS = new Uint8Array(30).fill(5);
export const FIXED_DIST_CODES = new Uint16Array(30);
canonicalCodes(FIXED_LIT_LENGTHS, 288, FIXED_LIT_CODES);
canonicalCodes(FIXED_DIST_LENGTHS, 30, FIXED_DIST_CODES);
