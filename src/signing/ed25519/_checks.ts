/**
 * Byte-level checks for strict (RFC 8032 §5.1.7, not ZIP-215) Ed25519 verification, cheap enough
 * to run on every signature before WebCrypto sees it. Folder-private.
 */

/** p = 2^255 - 19, the field prime. */
export const P = (1n << 255n) - 19n;
/** L, the order of the prime-order subgroup (RFC 8032 §5.1). */
export const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/**
 * The y-coordinates of the eight points of small order (the 8-torsion subgroup): the identity
 * (y=1), the point of order 2 (y=p-1), the two of order 4 (y=0) and the four of order 8, which
 * share two y values (each with both signs of x). Any encoding with one of these y values is a
 * small-order point (or none at all).
 */
const SMALL_ORDER_Y: readonly bigint[] = [
  0n,
  1n,
  P - 1n,
  // The encodings 26e8958f…6d53fc05 and c7176a70…92ac037a (little-endian) as numbers: literals, so
  // loading this module (every `aam verify`) computes nothing.
  0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n,
  0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n,
];

/** The y-coordinate of a 32-byte point encoding (the sign bit of x cleared). */
export function encodedY(b: Uint8Array): bigint {
  const c = b.slice(0, 32);
  c[31] &= 0x7f;
  return leToBigint(c);
}

/** RFC 8032 §5.1.3 step 1: y must be below p (no second encoding of the same point). */
export function isCanonicalY(b: Uint8Array): boolean {
  return b.length === 32 && encodedY(b) < P;
}

/** True when a 32-byte encoding names one of the eight small-order points (either sign of x). */
export function isSmallOrderEncoding(b: Uint8Array): boolean {
  const y = encodedY(b);
  return SMALL_ORDER_Y.includes(y);
}

/** RFC 8032 §5.1.7 step 1: S (the second half of a signature) must be below L; S + L is the classic malleability. */
export function isCanonicalScalar(s32: Uint8Array): boolean {
  return s32.length === 32 && leToBigint(s32) < L;
}

export function leToBigint(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
}
