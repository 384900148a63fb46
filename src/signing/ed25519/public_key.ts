/**
 * Strict import of Ed25519 public keys (SPEC §5): 32 bytes, canonical encoding (y < p), a point
 * on the curve, and not of small order. A small-order key (the identity among them) lets one
 * signature verify for any message under some verifiers — WebCrypto on Node, Bun and Deno accepts
 * the identity key with R = identity, S = 0 — so such keys are refused wherever a key is
 * imported, trusted or used.
 */
import * as ed from "@noble/ed25519";
import { AamError } from "../../errors.ts";
import { toHex } from "../../encoding/hex.ts";
import { isCanonicalY, isSmallOrderEncoding } from "./_checks.ts";

// Decoding a point costs ~60 µs of bigint arithmetic; a registry is verified against a handful of
// keys, so the answers are remembered (the check is a pure function of the 32 bytes).
const CACHE_MAX = 256;
const cache = new Map<string, boolean>();

/**
 * Answers whether `raw` is an acceptable Ed25519 public key: 32 bytes, canonical, on the curve,
 * not of small order. Never throws.
 */
export function isStrictPublicKey(raw: Uint8Array): boolean {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) return false;
  const id = toHex(raw);
  const known = cache.get(id);
  if (known !== undefined) return known;
  const ok = check(raw.slice());
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(id, ok);
  return ok;
}

function check(raw: Uint8Array): boolean {
  // Cheap byte checks first: they also cover encodings noble would accept under ZIP-215 only.
  if (!isCanonicalY(raw) || isSmallOrderEncoding(raw)) return false;
  try {
    // zip215 = false: RFC 8032 decoding (y < p, x = 0 only with a clear sign bit).
    const p = ed.Point.fromBytes(raw, false);
    if (p.isSmallOrder()) return false;
    // Belt and braces: the decoded point must re-encode to the very same bytes.
    return toHex(p.toBytes()) === toHex(raw);
  } catch {
    return false; // not on the curve (no square root for x)
  }
}

/**
 * Narrows `raw` to an acceptable Ed25519 public key, or throws.
 * @param raw The 32 raw key bytes (RFC 8032 encoding).
 * @param where The file the key came from, for the error's `file` field.
 * @throws {AamError} UsageError when the key is not 32 bytes, not canonical, not on the curve or
 * of small order.
 */
export function assertStrictPublicKey(raw: Uint8Array, where: { file?: string } = {}): void {
  if (isStrictPublicKey(raw)) return;
  const detail =
    !(raw instanceof Uint8Array) || raw.length !== 32
      ? `expected 32 bytes, got ${raw instanceof Uint8Array ? raw.length : typeof raw}`
      : "the key is weak or malformed (small order, non-canonical encoding, or not a curve point)";
  throw new AamError("UsageError", `Cannot use Ed25519 public key${where.file ? ` "${where.file}"` : ""}: ${detail}`, {
    file: where.file,
    hint: "such a key could accept forged signatures and is never trusted; ask the signer for their real public key (aam key export)",
  });
}

export { fingerprint } from "./fingerprint.ts";
