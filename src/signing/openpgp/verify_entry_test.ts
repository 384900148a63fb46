import { describe, test, expect, beforeAll } from "bun:test";
import * as openpgp from "openpgp";
import type { OpenPgpEntry } from "../sig_file.ts";
import { verifyOpenPgpEntry, checkDetachedSignature } from "./verify_entry.ts";

const T0 = new Date("2025-01-01T00:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const DATA = new TextEncoder().encode("the .aam file's bytes");
const USER = { name: "Alice", email: "alice@example.org" };

interface TestKey {
  privateKey: openpgp.PrivateKey;
  publicKey: openpgp.PublicKey;
  fp: string;
  armoured: string;
}

async function makeKey(extra: Partial<Parameters<typeof openpgp.generateKey>[0]> = {}): Promise<TestKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({ type: "ecc", userIDs: [USER], date: T0, format: "object", ...extra } as Parameters<typeof openpgp.generateKey>[0] & { format: "object" });
  return { privateKey, publicKey, fp: publicKey.getFingerprint().toUpperCase(), armoured: publicKey.armor() };
}

async function sign(key: openpgp.PrivateKey, data = DATA, date = at(60)): Promise<string> {
  const message = await openpgp.createMessage({ binary: data });
  return (await openpgp.sign({ message, signingKeys: key, detached: true, format: "armored", date })) as string;
}

function entry(fp: string, signature: string, publicKey?: string): OpenPgpEntry {
  return { algorithm: "openpgp", key_fingerprint: fp, signature, signed_at: "2025-01-01T01:00:00Z", ...(publicKey ? { public_key: publicKey } : {}) };
}

const ctx = (now = at(120), publicKeys: string[] = []) => ({ archive: DATA, packageHash: "sha256:" + "0".repeat(64), publicKeys, now });

let alice: TestKey;
let bob: TestKey;
beforeAll(async () => {
  alice = await makeKey();
  bob = await makeKey({ userIDs: [{ name: "Bob", email: "bob@example.org" }] });
});

describe("verifyOpenPgpEntry()", () => {
  test("verifyOpenPgpEntry() accepts a signature over the archive bytes and reports the signed time and user id", async () => {
    const r = await verifyOpenPgpEntry(entry(alice.fp, await sign(alice.privateKey), alice.armoured), ctx());
    expect(r).toMatchObject({
      algorithm: "openpgp",
      valid: true,
      key_fingerprint: alice.fp,
      signed_at: "2025-01-01T01:00:00Z",
      info: { user_id: "Alice <alice@example.org>", signing_key: alice.fp },
    });
    expect(r.reason).toBeUndefined();
  });

  test("verifyOpenPgpEntry() rejects a signature over other bytes", async () => {
    const other = await sign(alice.privateKey, new TextEncoder().encode("other bytes"));
    const r = await verifyOpenPgpEntry(entry(alice.fp, other, alice.armoured), ctx());
    expect(r.valid).toBe(false);
    expect(r.reason).toContain("does not verify");
  });

  test("verifyOpenPgpEntry() finds the key in ctx.publicKeys when the entry carries none", async () => {
    const sig = await sign(alice.privateKey);
    expect((await verifyOpenPgpEntry(entry(alice.fp, sig), ctx())).valid).toBe(false);
    expect((await verifyOpenPgpEntry(entry(alice.fp, sig), ctx(at(120), [bob.armoured, alice.armoured]))).valid).toBe(true);
  });

  test("verifyOpenPgpEntry() never uses a key whose fingerprint differs from key_fingerprint", async () => {
    // Bob's signature, Bob's key attached, but the entry claims Alice's fingerprint.
    const r = await verifyOpenPgpEntry(entry(alice.fp, await sign(bob.privateKey), bob.armoured), ctx());
    expect(r.valid).toBe(false);
    expect(r.key_fingerprint).toBe(alice.fp);
    // With Alice's key known as well, Bob's signature is still not Alice's.
    const r2 = await verifyOpenPgpEntry(entry(alice.fp, await sign(bob.privateKey), bob.armoured), ctx(at(120), [alice.armoured]));
    expect(r2.valid).toBe(false);
    expect(r2.reason).toContain("not part of key");
  });

  test("verifyOpenPgpEntry() reports the primary fingerprint for a signature by a signing subkey", async () => {
    const k = await makeKey({ subkeys: [{ sign: true }] });
    const sub = k.publicKey.subkeys[0].getFingerprint().toUpperCase();
    const r = await verifyOpenPgpEntry(entry(k.fp, await sign(k.privateKey), k.armoured), ctx());
    expect(r).toMatchObject({ valid: true, key_fingerprint: k.fp, info: { signing_key: sub } });
    expect(sub).not.toBe(k.fp);
    // Naming the subkey instead of the primary key is refused.
    const bySub = await verifyOpenPgpEntry(entry(sub, await sign(k.privateKey), k.armoured), ctx());
    expect(bySub.valid).toBe(false);
    expect(bySub.reason).toContain("subkey");
  });

  test("verifyOpenPgpEntry() accepts v6 keys with 64-hex fingerprints", async () => {
    const k = await makeKey({ type: "curve25519", config: { v6Keys: true } } as never);
    expect(k.fp).toMatch(/^[0-9A-F]{64}$/);
    expect((await verifyOpenPgpEntry(entry(k.fp, await sign(k.privateKey), k.armoured), ctx())).valid).toBe(true);
  });

  describe("when the key has expired", () => {
    test("verifyOpenPgpEntry() rejects a signature made while the key was valid once it has expired", async () => {
      const k = await makeKey({ keyExpirationTime: 24 * 3600 });
      const sig = await sign(k.privateKey);
      expect((await verifyOpenPgpEntry(entry(k.fp, sig, k.armoured), ctx(at(120)))).valid).toBe(true);
      const r = await verifyOpenPgpEntry(entry(k.fp, sig, k.armoured), ctx(at(3 * 24 * 60)));
      expect(r.valid).toBe(false);
      expect(r.reason).toContain("expired");
    });

    test("verifyOpenPgpEntry() rejects a signature made after the key's expiry", async () => {
      const k = await makeKey();
      const sig = await sign(k.privateKey, DATA, at(60));
      // Same key material, re-self-signed with a 30-minute lifetime: the signature came after it.
      const short = await openpgp.reformatKey({ privateKey: k.privateKey, userIDs: [USER], keyExpirationTime: 1800, date: T0, format: "object" });
      const r = await verifyOpenPgpEntry(entry(k.fp, sig, short.publicKey.armor()), ctx(at(120)));
      expect(r.valid).toBe(false);
      expect(r.reason).toContain("after key");
    });

    test("verifyOpenPgpEntry() accepts it again once a local copy extends the expiry", async () => {
      const k = await makeKey();
      const sig = await sign(k.privateKey);
      const short = await openpgp.reformatKey({ privateKey: k.privateKey, userIDs: [USER], keyExpirationTime: 7200, date: T0, format: "object" });
      const extended = await openpgp.reformatKey({ privateKey: k.privateKey, userIDs: [USER], keyExpirationTime: 0, date: at(1), format: "object" });
      const later = at(600);
      expect((await verifyOpenPgpEntry(entry(k.fp, sig, short.publicKey.armor()), ctx(later))).valid).toBe(false);
      expect((await verifyOpenPgpEntry(entry(k.fp, sig, short.publicKey.armor()), ctx(later, [extended.publicKey.armor()]))).valid).toBe(true);
    });
  });

  test("verifyOpenPgpEntry() rejects a key revoked by its owner, even when the .sig carries an unrevoked copy", async () => {
    const k = await makeKey();
    const sig = await sign(k.privateKey);
    const revoked = await openpgp.revokeKey({ key: k.privateKey, date: at(90), format: "object" });
    expect((await verifyOpenPgpEntry(entry(k.fp, sig, k.armoured), ctx())).valid).toBe(true);
    const r = await verifyOpenPgpEntry(entry(k.fp, sig, k.armoured), ctx(at(120), [revoked.publicKey.armor()]));
    expect(r.valid).toBe(false);
    expect(r.reason).toContain("revoked");
  });

  test("verifyOpenPgpEntry() answers invalid, never throws, for garbage, two signatures or a text-mode signature", async () => {
    const garbage = "-----BEGIN PGP SIGNATURE-----\n\nnot base64 at all\n-----END PGP SIGNATURE-----\n";
    const g = await verifyOpenPgpEntry(entry(alice.fp, garbage, alice.armoured), ctx());
    expect(g.valid).toBe(false);
    expect(g.reason).toContain("not a readable");

    const message = await openpgp.createMessage({ binary: DATA });
    const two = (await openpgp.sign({ message, signingKeys: [alice.privateKey, bob.privateKey], detached: true, format: "armored", date: at(60) })) as string;
    const t = await verifyOpenPgpEntry(entry(alice.fp, two, alice.armoured), ctx());
    expect(t.valid).toBe(false);
    expect(t.reason).toContain("2 signatures");

    const textMessage = await openpgp.createMessage({ text: "the .aam file's bytes" });
    const textSig = (await openpgp.sign({ message: textMessage, signingKeys: alice.privateKey, detached: true, format: "armored", date: at(60) })) as string;
    const x = await verifyOpenPgpEntry(entry(alice.fp, textSig, alice.armoured), ctx());
    expect(x.valid).toBe(false);
    expect(x.reason).toContain("binary");

    const badKey = await verifyOpenPgpEntry(entry(alice.fp, await sign(alice.privateKey), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n-----END PGP PUBLIC KEY BLOCK-----\n"), ctx());
    expect(badKey.valid).toBe(false);
    expect(badKey.reason).toContain("no public key");
  });

  test("verifyOpenPgpEntry() rejects a signature dated after `now`", async () => {
    const r = await verifyOpenPgpEntry(entry(alice.fp, await sign(alice.privateKey, DATA, at(600)), alice.armoured), ctx(at(120)));
    expect(r.valid).toBe(false);
  });
});

describe("checkDetachedSignature()", () => {
  test("checkDetachedSignature() answers the signing key and time for a good signature", async () => {
    const r = await checkDetachedSignature(DATA, await sign(alice.privateKey), alice.publicKey, at(120));
    expect(r).toMatchObject({ valid: true, signingKey: alice.fp, signedAt: "2025-01-01T01:00:00Z", userId: "Alice <alice@example.org>" });
  });
});
