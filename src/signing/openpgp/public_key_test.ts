import { describe, test, expect, beforeAll } from "bun:test";
import * as openpgp from "openpgp";
import { readPublicKeys, readSecretKey, unlockSecretKey, keyState, minimalPublicKey, fingerprintOf } from "./public_key.ts";
import { catchAam } from "../../../test/helpers/errors.ts";

const T0 = new Date("2025-01-01T00:00:00Z");
let a: { privateKey: string; publicKey: string };
let b: { privateKey: string; publicKey: string };

beforeAll(async () => {
  a = await openpgp.generateKey({ type: "ecc", userIDs: [{ name: "A", email: "a@example.org" }], date: T0, passphrase: "secret", keyExpirationTime: 3600 });
  b = await openpgp.generateKey({ type: "ecc", userIDs: [{ name: "B", email: "b@example.org" }], date: T0 });
});

describe("readPublicKeys()", () => {
  test("readPublicKeys() reads every key of a block, with uppercase fingerprints", async () => {
    const keys = await readPublicKeys(a.publicKey + b.publicKey, "ab.asc");
    expect(keys.length).toBe(2);
    expect(fingerprintOf(keys[0])).toMatch(/^[0-9A-F]{40}$/);
  });

  test("readPublicKeys() throws UsageError naming the file for garbage or a secret key", async () => {
    expect(await catchAam(readPublicKeys("hello", "x.asc"))).toMatchObject({ code: "UsageError", details: { file: "x.asc" } });
    const err = await catchAam(readPublicKeys(b.privateKey, "s.asc"));
    expect(err.code).toBe("UsageError");
    expect(err.details.hint).toContain("aam key import");
  });
});

describe("readSecretKey() and unlockSecretKey()", () => {
  test("unlockSecretKey() needs the key's own passphrase", async () => {
    const k = await readSecretKey(a.privateKey, "a.asc");
    expect(k.isDecrypted()).toBe(false);
    expect((await catchAam(unlockSecretKey(k, null, "a"))).code).toBe("UsageError");
    expect((await catchAam(unlockSecretKey(k, "wrong", "a"))).code).toBe("Error");
    expect((await unlockSecretKey(k, "secret", "a")).isDecrypted()).toBe(true);
  });

  test("readSecretKey() throws UsageError for two keys or a public key", async () => {
    expect((await catchAam(readSecretKey(a.privateKey + b.privateKey, "two.asc"))).code).toBe("UsageError");
    expect((await catchAam(readSecretKey(b.publicKey, "pub.asc"))).code).toBe("UsageError");
  });
});

describe("keyState()", () => {
  test("keyState() judges expiry at the given time", async () => {
    const [k] = await readPublicKeys(a.publicKey, "a.asc");
    expect(await keyState(k, new Date(T0.getTime() + 60_000))).toMatchObject({ expired: false, revoked: false, userId: "A <a@example.org>" });
    const later = await keyState(k, new Date(T0.getTime() + 7200_000));
    expect(later.expired).toBe(true);
    expect(later.expiresAt?.toISOString()).toBe("2025-01-01T01:00:00.000Z");
  });

  test("keyState() sees a revocation", async () => {
    const priv = await openpgp.readPrivateKey({ armoredKey: b.privateKey });
    const { publicKey } = await openpgp.revokeKey({ key: priv, date: new Date(T0.getTime() + 60_000) });
    const [k] = await readPublicKeys(publicKey, "b.asc");
    expect((await keyState(k, new Date(T0.getTime() + 120_000))).revoked).toBe(true);
  });
});

describe("minimalPublicKey()", () => {
  test("minimalPublicKey() answers a public key and leaves the original untouched", async () => {
    const priv = await openpgp.readPrivateKey({ armoredKey: b.privateKey });
    const before = priv.armor();
    const pub = minimalPublicKey(priv);
    expect(pub.isPrivate()).toBe(false);
    expect(fingerprintOf(pub)).toBe(fingerprintOf(priv));
    expect(pub.armor()).toContain("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    expect(priv.armor()).toBe(before);
  });
});
