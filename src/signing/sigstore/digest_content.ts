/**
 * Verifying a message signature against a SHA-256 digest instead of the file's bytes (SPEC §10
 * `aam verify-blob sha256:<hex>`, as `cosign verify-blob` with a digest and the sigstore-conformance
 * harness's digest mode). @sigstore/verify checks a message signature by hashing the whole artifact
 * with node:crypto, which (like WebCrypto) cannot take a digest that is already made; so this
 * stands in for its MessageSignatureContent: ECDSA over the given digest with @noble/curves, and
 * the log entry's digest compared with the given one, not with the bundle's own claim.
 */
import { equalBytes } from "../../encoding/bytes.ts";
import { fromBase64Url } from "../../encoding/base64.ts";

type Curves = typeof import("@noble/curves/nist.js");

/** The part of a node:crypto KeyObject this module reads (a signer's key as @sigstore/verify hands it over). */
export interface EcKeyLike {
  asymmetricKeyType?: string;
  export(options: { format: "jwk" }): unknown;
}

/** What @sigstore/verify's Verifier calls on an entity's signature (its SignatureContent). */
export interface DigestSignatureContent<S extends Uint8Array> {
  /** The bundle's signature, in the type the caller gave (sigstore-js wants its Buffer back). */
  signature: S;
  compareSignature(signature: Uint8Array): boolean;
  compareDigest(digest: Uint8Array): boolean;
  compareSignedDigest(digest: Uint8Array): boolean;
  verifySignature(key: EcKeyLike): boolean;
}

/** Loads the curves once, before the (synchronous) Verifier runs. */
export async function loadCurves(): Promise<Curves> {
  return await import("@noble/curves/nist.js");
}

/** The uncompressed point 04||x||y of an EC public key and its curve, or null for any other key. */
function ecPoint(key: EcKeyLike): { crv: string; point: Uint8Array } | null {
  if (key.asymmetricKeyType !== "ec") return null;
  let jwk: { crv?: unknown; x?: unknown; y?: unknown };
  try {
    jwk = key.export({ format: "jwk" }) as typeof jwk;
  } catch {
    return null; // a key the runtime cannot export is one we cannot check: verifySignature answers false
  }
  if (typeof jwk.crv !== "string" || typeof jwk.x !== "string" || typeof jwk.y !== "string") return null;
  const x = fromBase64Url(jwk.x);
  const y = fromBase64Url(jwk.y);
  if (!x || !y || x.length !== y.length) return null;
  const point = new Uint8Array(1 + x.length * 2);
  point[0] = 4;
  point.set(x, 1);
  point.set(y, 1 + x.length);
  return { crv: jwk.crv, point };
}

function curveOf(curves: Curves, crv: string) {
  return crv === "P-256" ? curves.p256 : crv === "P-384" ? curves.p384 : crv === "P-521" ? curves.p521 : null;
}

/** Whether a signature by `key` can be checked against a digest here (an ECDSA key on a curve verifyEcdsaDigest knows). */
export function isDigestVerifiable(curves: Curves, key: EcKeyLike): boolean {
  const k = ecPoint(key);
  return k !== null && curveOf(curves, k.crv) !== null;
}

/**
 * Answers whether `signature` (DER, as in Sigstore bundles) is an ECDSA signature of `digest` by
 * `key` (P-256, P-384 or P-521). High-S signatures count, as they do for node:crypto and the other
 * Sigstore clients. Never throws: anything unreadable is false.
 */
export function verifyEcdsaDigest(curves: Curves, key: EcKeyLike, digest: Uint8Array, signature: Uint8Array): boolean {
  const k = ecPoint(key);
  if (!k) return false;
  const curve = curveOf(curves, k.crv);
  if (!curve) return false;
  try {
    return curve.verify(signature, digest, k.point, { prehash: false, lowS: false, format: "der" });
  } catch {
    return false; // a malformed signature or point: not a valid signature
  }
}

/**
 * The stand-in for a message signature's content when only the artifact's SHA-256 is known.
 * `signature` is the bundle's signature; `digest` the 32-byte SHA-256 the user gave, or the one
 * hashed as the file streamed past.
 * @param logDigest What the log entry must record (hashedrekord's data hash): the given digest
 *   when the user gave one; the bundle's own message digest when the file was hashed, exactly as
 *   @sigstore/verify's MessageSignatureContent compares it over the bytes, so a file checked from
 *   its streamed SHA-256 gets the answers (and the errors) of a check over its bytes.
 */
export function digestSignatureContent<S extends Uint8Array>(curves: Curves, signature: S, digest: Uint8Array, logDigest: Uint8Array = digest): DigestSignatureContent<S> {
  return {
    signature,
    compareSignature: (s) => equalBytes(s, signature),
    compareDigest: (d) => equalBytes(d, logDigest),
    compareSignedDigest: (d) => equalBytes(d, logDigest),
    verifySignature: (key) => verifyEcdsaDigest(curves, key, digest, signature),
  };
}
