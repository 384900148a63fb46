import { describe, test, expect } from "bun:test";
import { verifySigstoreEntry } from "./verify_entry.ts";
import { fs } from "../../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { publicKeyDerToPem } from "../../encoding/pem.ts";
import { managedKeyFromPem } from "./managed_key.ts";
import { GOOD, GHA_IDENTITY, GHA_ISSUER, readFixture, readFixtureText, rootText } from "../../../test/helpers/sigstore_fixtures.ts";

const entryOf = async (name: string) => ({ algorithm: "sigstore" as const, bundle: JSON.parse(await readFixtureText(name)) });

describe("verifySigstoreEntry()", () => {
  test("verifySigstoreEntry() answers valid with identity, issuer, log index and integrated time", async () => {
    const archive = await readFixture("a.txt");
    const r = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive, packageHash: "", now: new Date(), trustedRoot: await rootText("production") });
    expect(r).toMatchObject({ algorithm: "sigstore", valid: true, identity: GHA_IDENTITY, issuer: GHA_ISSUER, info: { log_index: "79571823", integrated_time: "2024-03-19T17:26:26Z", issuer: GHA_ISSUER } });
  });

  test("verifySigstoreEntry() answers invalid, pointing at trust-root import, without a trusted root", async () => {
    const r = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive: await readFixture("a.txt"), packageHash: "", now: new Date() });
    expect(r.valid).toBe(false);
    expect(r.reason).toContain("aam trust-root import");
  });

  test("verifySigstoreEntry() answers invalid with the error code for other bytes, a bad bundle or another root", async () => {
    const archive = await readFixture("a.txt");
    const root = await rootText("production");
    const tampered = archive.slice();
    tampered[0] ^= 1;
    const bad = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive: tampered, packageHash: "", now: new Date(), trustedRoot: root });
    expect(bad).toMatchObject({ valid: false });
    expect(bad.reason).toStartWith("InvalidSignature:");
    const malformed = await verifySigstoreEntry({ algorithm: "sigstore", bundle: { mediaType: "x" } }, { archive, packageHash: "", now: new Date(), trustedRoot: root });
    expect(malformed.reason).toStartWith("MalformedSignature:");
    const staging = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive, packageHash: "", now: new Date(), trustedRoot: await rootText("staging") });
    expect(staging.valid).toBe(false);
  });

  test("verifySigstoreEntry() notes in info when the transparency log was not checked", async () => {
    const f = GOOD.find((g) => g.bundle.includes("rekor2-tsa"))!;
    const r = await verifySigstoreEntry(await entryOf(f.bundle), { archive: await readFixture("a.txt"), packageHash: "", now: new Date(), trustedRoot: await rootText("staging"), verifyTransparencyLog: false });
    expect(r.valid).toBe(true);
    expect(r.info?.transparency_log).toBeString();
    expect(r.info?.log_index).toBeUndefined();
  });
});

describe("verifySigstoreEntry() and a bundle made with a managed key", () => {
  const dir = fs.path.join(import.meta.dir, "..", "..", "..", "test", "vectors", "sigstore-conformance", "bundle-verify");
  const read = (p: string) => fs.readText(fs.path.join(dir, p), DOCUMENT_LIMIT);
  const run = async (managedKeys: string[] | undefined, bundle?: unknown) =>
    await verifySigstoreEntry(
      { algorithm: "sigstore", bundle: bundle ?? JSON.parse(await read("managed-key-happy-path/bundle.sigstore.json")) },
      { archive: await fs.readFile(fs.path.join(dir, "a.txt"), DOCUMENT_LIMIT), packageHash: "", now: new Date(), trustedRoot: await rootText("production"), managedKeys },
    );
  const strangerPem = async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    return publicKeyDerToPem(new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)));
  };

  test("verifySigstoreEntry() answers valid with the local key's fingerprint (for trusted_keys), not an identity", async () => {
    const pem = await read("managed-key-happy-path/key.pub");
    const r = await run([await strangerPem(), pem]);
    expect(r).toMatchObject({ algorithm: "sigstore", valid: true, key_fingerprint: managedKeyFromPem(pem, "k").fingerprint });
    expect(r.identity).toBeUndefined();
    expect(r.info?.log_index).toMatch(/^\d+$/);
  });

  test("verifySigstoreEntry() answers invalid, pointing at `aam key trust`, when no local key is the signer's", async () => {
    for (const keys of [undefined, [], [await strangerPem()]]) {
      const r = await run(keys);
      expect(r.valid).toBe(false);
      expect(r.reason).toContain("aam key trust");
    }
  });

  test("verifySigstoreEntry() tries every local key when the bundle has no hint, and only the signer's verifies", async () => {
    const b = JSON.parse(await read("managed-key-happy-path/bundle.sigstore.json"));
    b.verificationMaterial.publicKey.hint = "";
    const pem = await read("managed-key-happy-path/key.pub");
    expect((await run([await strangerPem(), pem], b)).valid).toBe(true);
    const r = await run([await strangerPem()], b);
    expect(r.valid).toBe(false);
    expect(r.reason).toStartWith("InvalidSignature:");
  });
});
