import { describe, test, expect } from "bun:test";
import { fromHex, toHex } from "../../encoding/hex.ts";
import vectors from "../../../test/vectors/ed25519_rfc8032.json";
import { generateEd25519, publicKeyOf, signEd25519 } from "./sign.ts";
import { verifyEd25519 } from "./verify.ts";
import { isStrictPublicKey } from "./public_key.ts";

describe("signEd25519()", () => {
  test.each(vectors.valid.map((v) => [v.name, v]))("signEd25519() reproduces RFC 8032 %s", async (_n, v) => {
    const sig = await signEd25519(fromHex(v.secret_key), fromHex(v.message));
    expect(toHex(sig)).toBe(v.signature);
  });
  test("signEd25519() throws TypeError for a seed that is not 32 bytes", async () => {
    await expect(signEd25519(new Uint8Array(64), new Uint8Array(0))).rejects.toThrow(TypeError);
  });
});

describe("publicKeyOf()", () => {
  test.each(vectors.valid.map((v) => [v.name, v]))("publicKeyOf() derives the RFC 8032 %s public key", async (_n, v) => {
    expect(toHex(await publicKeyOf(fromHex(v.secret_key)))).toBe(v.public_key);
  });
});

describe("generateEd25519()", () => {
  test("generateEd25519() makes distinct strict key pairs that sign and verify", async () => {
    const a = await generateEd25519();
    const b = await generateEd25519();
    expect(toHex(a.seed)).not.toBe(toHex(b.seed));
    expect(a.seed.length).toBe(32);
    expect(isStrictPublicKey(a.publicKey)).toBe(true);
    expect(toHex(await publicKeyOf(a.seed))).toBe(toHex(a.publicKey));
    const msg = new TextEncoder().encode("hello");
    expect(await verifyEd25519(a.publicKey, msg, await signEd25519(a.seed, msg))).toBe(true);
    expect(await verifyEd25519(b.publicKey, msg, await signEd25519(a.seed, msg))).toBe(false);
  });
});
