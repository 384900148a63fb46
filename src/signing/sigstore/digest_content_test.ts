import { describe, test, expect, beforeAll } from "bun:test";
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { digestSignatureContent, loadCurves, verifyEcdsaDigest } from "./digest_content.ts";

type Curves = Awaited<ReturnType<typeof loadCurves>>;
const MESSAGE = new TextEncoder().encode("the artifact's bytes");
const digestOf = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

let curves: Curves;
beforeAll(async () => {
  curves = await loadCurves();
});

// Signatures made by node:crypto (OpenSSL) over the whole message, checked here against its digest only.
describe.each(["prime256v1", "secp384r1", "secp521r1"])("verifyEcdsaDigest() with a %s key", (namedCurve) => {
  let publicKey: KeyObject;
  let signature: Uint8Array;
  beforeAll(() => {
    const pair = generateKeyPairSync("ec", { namedCurve });
    publicKey = pair.publicKey;
    signature = new Uint8Array(sign("sha256", MESSAGE, pair.privateKey));
  });

  test("verifyEcdsaDigest() answers true for OpenSSL's signature of the message, given its SHA-256", () => {
    expect(verifyEcdsaDigest(curves, publicKey, digestOf(MESSAGE), signature)).toBe(true);
  });

  test("verifyEcdsaDigest() answers false for another digest, a flipped signature byte, or another key", () => {
    const other = digestOf(new TextEncoder().encode("another artifact"));
    expect(verifyEcdsaDigest(curves, publicKey, other, signature)).toBe(false);
    const bad = signature.slice();
    bad[bad.length - 3] ^= 1;
    expect(verifyEcdsaDigest(curves, publicKey, digestOf(MESSAGE), bad)).toBe(false);
    const stranger = generateKeyPairSync("ec", { namedCurve }).publicKey;
    expect(verifyEcdsaDigest(curves, stranger, digestOf(MESSAGE), signature)).toBe(false);
  });

  test("verifyEcdsaDigest() answers false, not an exception, for a signature that is not DER", () => {
    expect(verifyEcdsaDigest(curves, publicKey, digestOf(MESSAGE), new Uint8Array([0x30, 0x02, 0x02]))).toBe(false);
    expect(verifyEcdsaDigest(curves, publicKey, digestOf(MESSAGE), new Uint8Array(0))).toBe(false);
  });
});

describe("verifyEcdsaDigest() and keys that are not ECDSA", () => {
  test("verifyEcdsaDigest() answers false for an Ed25519 or RSA key (their signatures cover the message, not a digest)", () => {
    for (const key of [generateKeyPairSync("ed25519").publicKey, generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey]) {
      expect(verifyEcdsaDigest(curves, key, digestOf(MESSAGE), new Uint8Array(64))).toBe(false);
    }
  });
});

describe("digestSignatureContent()", () => {
  test("digestSignatureContent() compares the log entry's digest and signature with the given ones and verifies over the digest", () => {
    const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const signature = new Uint8Array(sign("sha256", MESSAGE, pair.privateKey));
    const c = digestSignatureContent(curves, signature, digestOf(MESSAGE));
    expect(c.compareSignedDigest(digestOf(MESSAGE))).toBe(true);
    expect(c.compareDigest(digestOf(MESSAGE))).toBe(true);
    expect(c.compareSignedDigest(digestOf(new Uint8Array(1)))).toBe(false);
    expect(c.compareSignature(signature)).toBe(true);
    expect(c.compareSignature(signature.subarray(1))).toBe(false);
    expect(c.verifySignature(pair.publicKey)).toBe(true);
    expect(digestSignatureContent(curves, signature, digestOf(new Uint8Array(1))).verifySignature(pair.publicKey)).toBe(false);
  });
});
