/**
 * Strict Ed25519 verification (RFC 8032 §5.1.7, not ZIP-215), as SPEC §5 requires.
 *
 * Security properties, in the order they are checked:
 * 1. the public key is screened (32 bytes, canonical, on the curve, not of small order);
 * 2. S must be below L (no S + L malleability);
 * 3. R must be canonical and not of small order;
 * then the equation is checked by WebCrypto's Ed25519 where the runtime has it (Node 20, Bun,
 * Deno: several times faster than pure JS), else by @noble/ed25519 with `{ zip215: false }`.
 * On the WebCrypto path step 1 is the byte checks alone (canonical, not a small-order encoding):
 * a key that is not a curve point fails WebCrypto's own decoding (OpenSSL, BoringSSL and Deno's
 * ring alike; ed25519_test.ts proves it on each runtime), and leaving out the full decoding keeps
 * @noble/ed25519 (~7 ms to load on Bun) out of `aam verify`.
 * WebCrypto alone is not enough: on all three runtimes it accepts the identity-point key with
 * R = identity, S = 0 for every message. Steps 1–3 run first so that never reaches it.
 *
 * Note: WebCrypto checks the cofactorless equation, noble the cofactored one. They can disagree
 * only on signatures a key's own holder crafted with a small-order component in R; neither
 * accepts a forgery.
 */
import { toHex } from "../../encoding/hex.ts";
import { isCanonicalScalar, isCanonicalY, isSmallOrderEncoding } from "./_checks.ts";

const ALG = { name: "Ed25519" } as const;

/**
 * Verifies an Ed25519 signature strictly.
 * @param publicKey 32 raw public key bytes.
 * @param message The signed bytes (for `.sig` entries: `signatureMessage(packageHash)`).
 * @param signature 64 bytes, R || S.
 * @param opts `webCrypto: false` forces the pure-JS path (tests run every case on both).
 * @returns true only for a valid signature; false for an invalid one and for any malformed
 * input (wrong types or lengths, weak key, non-canonical S or R). Never throws.
 * @example
 * ```ts
 * const ok = await verifyEd25519(publicKey, signatureMessage(hash), signature);
 * ```
 */
export async function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  opts: { webCrypto?: boolean } = {},
): Promise<boolean> {
  try {
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    // Own copies: the caller's buffers could change while the awaits below run.
    const pub = publicKey.slice();
    const sig = signature.slice();
    const msg = message.slice();
    if (!isCanonicalY(pub) || isSmallOrderEncoding(pub)) return false;
    const r = sig.subarray(0, 32);
    if (!isCanonicalScalar(sig.subarray(32, 64))) return false;
    if (!isCanonicalY(r) || isSmallOrderEncoding(r)) return false;
    const subtle = opts.webCrypto === false ? null : await ed25519Subtle();
    if (subtle) {
      return await subtle.verify(ALG, await importVerifyKey(subtle, pub), sig, msg);
    }
    const { isStrictPublicKey } = await import("./public_key.ts");
    if (!isStrictPublicKey(pub)) return false;
    const ed = await import("@noble/ed25519");
    return await ed.verifyAsync(sig, msg, pub, { zip215: false });
  } catch {
    return false; // malformed input the checks above did not foresee: never a valid signature
  }
}

// Importing a key costs as much as a verification on Node; a registry is checked against a
// handful of keys, so imported (screened, public) keys are kept, a bounded number of them.
const KEY_CACHE_MAX = 256;
const keyCache = new Map<string, Promise<CryptoKey>>();

function importVerifyKey(subtle: SubtleCrypto, pub: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const id = toHex(pub);
  let key = keyCache.get(id);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    key = subtle.importKey("raw", pub, ALG, false, ["verify"]);
    key.catch(() => keyCache.delete(id)); // a failed import is not remembered
    keyCache.set(id, key);
  }
  return key;
}

let probe: Promise<SubtleCrypto | null> | undefined;

/** WebCrypto's SubtleCrypto when it supports Ed25519, else null; probed once. */
export function ed25519Subtle(): Promise<SubtleCrypto | null> {
  probe ??= (async () => {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) return null;
    try {
      // The base point's encoding: a valid key every implementation must import.
      const base = Uint8Array.from([0x58, ...new Array<number>(31).fill(0x66)]);
      await subtle.importKey("raw", base, ALG, false, ["verify"]);
      return subtle;
    } catch {
      return null; // NotSupportedError: fall back to pure JS
    }
  })();
  return probe;
}
