import { describe, test, expect } from "bun:test";
import { AamError } from "../errors.ts";
import { fromHex, toHex } from "../encoding/hex.ts";
import { fromBase64, toBase64 } from "../encoding/base64.ts";
import vectors from "../../test/vectors/ed25519_rfc8032.json";
import { DEFAULT_SCRYPT, decryptKeyFile, encryptKeyFile, parseKeyFile } from "./ed25519_file.ts";
import { fingerprint } from "../signing/ed25519/public_key.ts";
import { catchAam } from "../../test/helpers/errors.ts";

const v1 = vectors.valid[0];
const v2 = vectors.valid[1];
const NOW = new Date("2025-03-04T05:06:07.890Z");
// Tests lower the scrypt cost; one test runs the default.
const FAST = { N: 1024, r: 8, p: 1 };


const seed = () => fromHex(v1.secret_key);
const pub = () => fromHex(v1.public_key);

describe("encryptKeyFile()", () => {
  test("encryptKeyFile() writes aam-key-v1 JSON with the key's fingerprint and no plaintext seed", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "release", passphrase: "correct horse", now: NOW, scrypt: FAST });
    const j = JSON.parse(text);
    expect(j).toMatchObject({
      format: "aam-key-v1",
      algorithm: "ed25519",
      name: "release",
      fingerprint: fingerprint(pub()),
      public_key: toBase64(pub()),
      created_at: "2025-03-04T05:06:07Z",
      encryption: { kdf: "scrypt", N: 1024, r: 8, p: 1, cipher: "aes-256-gcm" },
    });
    expect(Object.keys(j)).toEqual(["format", "algorithm", "name", "fingerprint", "public_key", "created_at", "encryption", "private_key"]);
    expect(fromBase64(j.encryption.iv)!.length).toBe(12);
    expect(fromBase64(j.encryption.salt)!.length).toBe(16);
    expect(fromBase64(j.private_key)!.length).toBe(48);
    expect(text).not.toContain(toBase64(seed()));
    expect(text.endsWith("\n")).toBe(true);
  });
  test("encryptKeyFile() uses fresh salt and IV each time", async () => {
    const a = JSON.parse(await encryptKeyFile(seed(), pub(), { name: "k", passphrase: "pw", now: NOW, scrypt: FAST }));
    const b = JSON.parse(await encryptKeyFile(seed(), pub(), { name: "k", passphrase: "pw", now: NOW, scrypt: FAST }));
    expect(a.encryption.salt).not.toBe(b.encryption.salt);
    expect(a.encryption.iv).not.toBe(b.encryption.iv);
    expect(a.private_key).not.toBe(b.private_key);
  });
  test("encryptKeyFile() stores the seed in the clear only with passphrase null", async () => {
    const j = JSON.parse(await encryptKeyFile(seed(), pub(), { name: "k", passphrase: null, now: NOW }));
    expect(j.encryption).toBe("none");
    expect(j.private_key).toBe(toBase64(seed()));
  });
  test("encryptKeyFile() throws UsageError for an empty passphrase", async () => {
    const err = await catchAam(encryptKeyFile(seed(), pub(), { name: "k", passphrase: "", now: NOW }));
    expect(err.code).toBe("UsageError");
    expect(err.details.hint).toBeTruthy();
  });
  test("encryptKeyFile() throws Error when the seed does not derive the public key", async () => {
    const err = await catchAam(encryptKeyFile(seed(), fromHex(v2.public_key), { name: "k", passphrase: null, now: NOW }));
    expect(err.code).toBe("Error");
  });
  test("encryptKeyFile() with the default scrypt cost round-trips", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "k", passphrase: "pw", now: NOW });
    expect(JSON.parse(text).encryption).toMatchObject({ N: DEFAULT_SCRYPT.N, r: DEFAULT_SCRYPT.r, p: DEFAULT_SCRYPT.p });
    const k = await decryptKeyFile(text, "pw", "k.key");
    expect(toHex(k.seed)).toBe(v1.secret_key);
  });
});

describe("decryptKeyFile()", () => {
  test("decryptKeyFile() unlocks with the right passphrase", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "release", passphrase: "pässwörd", now: NOW, scrypt: FAST });
    const k = await decryptKeyFile(text, "pässwörd", "k.key");
    expect(toHex(k.seed)).toBe(v1.secret_key);
    expect(toHex(k.publicKey)).toBe(v1.public_key);
    expect(k).toMatchObject({ name: "release", fingerprint: fingerprint(pub()) });
  });
  test("decryptKeyFile() treats NFC and NFD spellings of a passphrase alike", async () => {
    const nfc = "caf\u00e9";
    const nfd = "cafe\u0301";
    const text = await encryptKeyFile(seed(), pub(), { name: "k", passphrase: nfc, now: NOW, scrypt: FAST });
    expect(toHex((await decryptKeyFile(text, nfd, "k.key")).seed)).toBe(v1.secret_key);
  });
  test("decryptKeyFile() reads an unencrypted file and ignores a passphrase", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "k", passphrase: null, now: NOW });
    expect(toHex((await decryptKeyFile(text, null, "k.key")).seed)).toBe(v1.secret_key);
    expect(toHex((await decryptKeyFile(text, "whatever", "k.key")).seed)).toBe(v1.secret_key);
  });
  test("decryptKeyFile() throws Error naming the file for a wrong passphrase", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "release", passphrase: "right", now: NOW, scrypt: FAST });
    const err = await catchAam(decryptKeyFile(text, "wrong", "/h/keys/x.key"));
    expect(err).toMatchObject({ code: "Error", details: { file: "/h/keys/x.key" } });
    expect(err.details.hint).toContain("AAM_PASSPHRASE");
  });
  test("decryptKeyFile() throws UsageError when the key is encrypted and no passphrase is given", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "k", passphrase: "pw", now: NOW, scrypt: FAST });
    const err = await catchAam(decryptKeyFile(text, null, "k.key"));
    expect(err.code).toBe("UsageError");
    expect(err.details.hint).toContain("--passphrase-file");
  });
  test("decryptKeyFile() refuses a renamed key (the name is authenticated)", async () => {
    const j = JSON.parse(await encryptKeyFile(seed(), pub(), { name: "old", passphrase: "pw", now: NOW, scrypt: FAST }));
    j.name = "new";
    expect((await catchAam(decryptKeyFile(JSON.stringify(j), "pw", "k.key"))).code).toBe("Error");
  });
  test("decryptKeyFile() refuses a key file whose public key was swapped", async () => {
    // An attacker with write access swaps in their public key (and fingerprint) to sign under it.
    const j = JSON.parse(await encryptKeyFile(seed(), pub(), { name: "k", passphrase: null, now: NOW }));
    j.public_key = toBase64(fromHex(v2.public_key));
    j.fingerprint = fingerprint(fromHex(v2.public_key));
    const err = await catchAam(decryptKeyFile(JSON.stringify(j), null, "k.key"));
    expect(err).toMatchObject({ code: "Error", details: { file: "k.key", field: "private_key" } });
  });
  test("decryptKeyFile() refuses an unbounded scrypt cost before deriving anything", async () => {
    const j = JSON.parse(await encryptKeyFile(seed(), pub(), { name: "k", passphrase: "pw", now: NOW, scrypt: FAST }));
    j.encryption.N = 2 ** 30;
    const err = await catchAam(decryptKeyFile(JSON.stringify(j), "pw", "k.key"));
    expect(err).toMatchObject({ code: "Error", details: { field: "encryption" } });
  });
  test.each([
    ["not JSON", "{", undefined],
    ["a JSON array", "[]", undefined],
    ["another format", JSON.stringify({ format: "x" }), "format"],
    ["a fingerprint mismatch", null, "fingerprint"],
    ["a short IV", null, "encryption.iv"],
  ])("decryptKeyFile() throws Error naming the file for %s", async (_n, raw, field) => {
    let text = raw as string | null;
    if (text === null) {
      const j = JSON.parse(await encryptKeyFile(seed(), pub(), { name: "k", passphrase: "pw", now: NOW, scrypt: FAST }));
      if (field === "fingerprint") j.fingerprint = "0".repeat(64);
      if (field === "encryption.iv") j.encryption.iv = toBase64(new Uint8Array(8));
      text = JSON.stringify(j);
    }
    const err = await catchAam(decryptKeyFile(text, "pw", "bad.key"));
    expect(err).toMatchObject({ code: "Error", details: { file: "bad.key" } });
    if (field) expect(err.details.field).toBe(field);
  });
});

describe("parseKeyFile()", () => {
  test("parseKeyFile() reads the public parts without a passphrase", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "r", passphrase: "pw", now: NOW, scrypt: FAST });
    const k = parseKeyFile(text, "k.key");
    expect(k).toMatchObject({ algorithm: "ed25519", name: "r", fingerprint: fingerprint(pub()), created_at: "2025-03-04T05:06:07Z" });
    expect(k.encryption).not.toBe("none");
  });
  test("parseKeyFile() raises only AamError on mutated input", async () => {
    const text = await encryptKeyFile(seed(), pub(), { name: "r", passphrase: "pw", now: NOW, scrypt: FAST });
    let s = 1;
    for (let i = 0; i < 1500; i++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const chars = text.split("");
      chars[s % chars.length] = String.fromCharCode(32 + (s % 95));
      try {
        parseKeyFile(chars.join(""), "k.key");
      } catch (e) {
        expect(e).toBeInstanceOf(AamError);
      }
    }
  });
});
