import { describe, test, expect } from "bun:test";
import { fromHex } from "../../encoding/hex.ts";
import vectors from "../../../test/vectors/ed25519_rfc8032.json";
import { verifyEd25519 as verifyAuto, ed25519Subtle } from "./verify.ts";
import { L } from "./_checks.ts";
import { signEd25519 } from "./sign.ts";
import { isStrictPublicKey } from "./public_key.ts";

const v1 = vectors.valid[0];

/** Small y values whose x² has no square root: encodings of no point at all. */
function offCurveKeys(): Uint8Array[] {
  return [fromHex(vectors.not_on_curve), ...[3, 5, 6, 7, 9, 12].map((y) => new Uint8Array([y, ...new Uint8Array(31)]))].filter((k) => !isStrictPublicKey(k));
}

/** S + L: the same signature with a non-canonical S (the classic malleability). */
function addL(sig: Uint8Array): Uint8Array {
  const out = sig.slice();
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
  s += L;
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

test("ed25519Subtle() finds WebCrypto Ed25519 on this runtime", async () => {
  // Node 20+, Bun and Deno all have it; the pure-JS path is the fallback for others.
  expect(await ed25519Subtle()).not.toBeNull();
});

describe.each([
  ["WebCrypto", true],
  ["noble (pure JS)", false],
])("verifyEd25519() via %s", (_backend, webCrypto) => {
  const verifyEd25519 = (p: Uint8Array, m: Uint8Array, s: Uint8Array) => verifyAuto(p, m, s, { webCrypto });
  test.each(vectors.valid.map((v) => [v.name, v]))("verifyEd25519() accepts RFC 8032 %s", async (_n, v) => {
    expect(await verifyEd25519(fromHex(v.public_key), fromHex(v.message), fromHex(v.signature))).toBe(true);
  });

  test.each(vectors.valid.map((v) => [v.name, v]))("verifyEd25519() rejects %s with a flipped message bit", async (_n, v) => {
    const msg = v.message.length ? fromHex(v.message) : new Uint8Array([0]);
    if (v.message.length) msg[0] ^= 1;
    expect(await verifyEd25519(fromHex(v.public_key), msg, fromHex(v.signature))).toBe(false);
  });

  test("verifyEd25519() rejects a signature by another key", async () => {
    const v2 = vectors.valid[1];
    expect(await verifyEd25519(fromHex(v2.public_key), fromHex(v1.message), fromHex(v1.signature))).toBe(false);
  });

  test("verifyEd25519() rejects keys that are not curve points, whatever the signature", async () => {
    // The WebCrypto path screens bytes only and relies on the runtime's own point decoding for these.
    const base = fromHex("5866666666666666666666666666666666666666666666666666666666666666");
    const sigs = [fromHex(v1.signature), new Uint8Array([...base, ...new Uint8Array(32)])];
    for (const y of offCurveKeys()) {
      for (const sig of sigs) expect(await verifyEd25519(y, fromHex(v1.message), sig)).toBe(false);
    }
  });

  test("verifyEd25519() rejects the identity key with R = identity, S = 0 for any message (the WebCrypto bypass)", async () => {
    const identity = fromHex("0100000000000000000000000000000000000000000000000000000000000000");
    const sig = new Uint8Array(64);
    sig.set(identity, 0);
    for (const m of ["", "aam-signature-v1:sha256:" + "0".repeat(64), "anything"]) {
      expect(await verifyEd25519(identity, new TextEncoder().encode(m), sig)).toBe(false);
    }
  });

  test("verifyEd25519() rejects every small-order key with small-order R and S = 0", async () => {
    const msg = new TextEncoder().encode("forged");
    for (const a of vectors.small_order_points) {
      for (const r of vectors.small_order_points) {
        const sig = new Uint8Array(64);
        sig.set(fromHex(r), 0);
        expect(await verifyEd25519(fromHex(a), msg, sig)).toBe(false);
      }
    }
  });

  test("verifyEd25519() rejects a non-canonical S (S + L) of a valid signature", async () => {
    const sig = fromHex(v1.signature);
    const malleable = addL(sig);
    expect(malleable[63] & 0xe0).toBe(0); // still fits 253 bits: only the S < L check catches it
    expect(await verifyEd25519(fromHex(v1.public_key), fromHex(v1.message), malleable)).toBe(false);
  });

  test("verifyEd25519() rejects signatures under a non-canonical encoding of a key", async () => {
    const msg = new TextEncoder().encode("m");
    for (const k of vectors.non_canonical_keys) {
      expect(await verifyEd25519(fromHex(k.encoding), msg, fromHex(v1.signature))).toBe(false);
    }
  });

  test("verifyEd25519() rejects a small-order R with a genuine key", async () => {
    const seed = fromHex(v1.secret_key);
    const msg = new TextEncoder().encode("m");
    const good = await signEd25519(seed, msg);
    expect(await verifyEd25519(fromHex(v1.public_key), msg, good)).toBe(true);
    for (const r of vectors.small_order_points) {
      const bad = good.slice();
      bad.set(fromHex(r), 0);
      expect(await verifyEd25519(fromHex(v1.public_key), msg, bad)).toBe(false);
    }
  });

  test("verifyEd25519() answers false, never throws, for malformed input", async () => {
    const pub = fromHex(v1.public_key);
    const sig = fromHex(v1.signature);
    const msg = fromHex(v1.message);
    const cases: [unknown, unknown, unknown][] = [
      [pub.subarray(0, 31), msg, sig],
      [pub, msg, sig.subarray(0, 63)],
      [pub, msg, new Uint8Array(65)],
      [null, msg, sig],
      [pub, "text", sig],
      [pub, msg, undefined],
      [v1.public_key, msg, sig],
    ];
    for (const [p, m, s] of cases) {
      expect(await verifyEd25519(p as Uint8Array, m as Uint8Array, s as Uint8Array)).toBe(false);
    }
  });

  test("verifyEd25519() rejects a signature with a flipped bit anywhere", async () => {
    const pub = fromHex(v1.public_key);
    const msg = fromHex(v1.message);
    for (let i = 0; i < 64; i += 3) {
      const sig = fromHex(v1.signature);
      sig[i] ^= 1 << i % 8;
      expect(await verifyEd25519(pub, msg, sig)).toBe(false);
    }
  });
});
