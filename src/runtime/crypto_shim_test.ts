import { describe, test, expect } from "bun:test";
import nodeCrypto from "node:crypto";
import { withExplicitEcDigest, installEcDigestDefault } from "./crypto_shim.ts";

const data = new TextEncoder().encode("aam");

describe("withExplicitEcDigest()", () => {
  test("withExplicitEcDigest() passes sha256 when the algorithm is null and the key is EC", () => {
    const { publicKey } = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const seen: unknown[] = [];
    const wrapped = withExplicitEcDigest((...args) => seen.push(args[0]));
    wrapped(null, data, publicKey, new Uint8Array(64));
    wrapped(undefined, data, publicKey.export({ format: "pem", type: "spki" }), new Uint8Array(64));
    expect(seen).toEqual(["sha256", "sha256"]);
  });

  test("withExplicitEcDigest() leaves Ed25519 keys and explicit algorithms alone", () => {
    const ed = nodeCrypto.generateKeyPairSync("ed25519").publicKey;
    const ec = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey;
    const seen: unknown[] = [];
    const wrapped = withExplicitEcDigest((...args) => seen.push(args[0]));
    wrapped(null, data, ed, new Uint8Array(64));
    wrapped("sha384", data, ec, new Uint8Array(96));
    wrapped(null, data, "not a key", new Uint8Array(1));
    expect(seen).toEqual([null, "sha384", null]);
  });

  test("withExplicitEcDigest() around the real verify accepts an ECDSA P-256 SHA-256 signature given no algorithm", () => {
    const { publicKey, privateKey } = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const sig = nodeCrypto.sign("sha256", data, privateKey);
    const verify = withExplicitEcDigest(nodeCrypto.verify as (...a: unknown[]) => unknown);
    expect(verify(null, data, publicKey, sig)).toBe(true);
    expect(verify(null, new TextEncoder().encode("other"), publicKey, sig)).toBe(false);
  });
});

describe("installEcDigestDefault()", () => {
  test("installEcDigestDefault() leaves node:crypto untouched on Node and Bun", () => {
    const before = nodeCrypto.verify;
    expect(installEcDigestDefault("node")).toBe(false);
    expect(installEcDigestDefault("bun")).toBe(false);
    expect(nodeCrypto.verify).toBe(before);
  });
});
