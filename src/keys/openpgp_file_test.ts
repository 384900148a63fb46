import { describe, test, expect } from "bun:test";
import { encodeOpenPgpKeyFile, parseOpenPgpKeyFile, openOpenPgpKeyFile } from "./openpgp_file.ts";
import { fromBase64, toBase64 } from "../encoding/base64.ts";
import { catchAam } from "../../test/helpers/errors.ts";

const NOW = new Date("2025-03-04T05:06:07.890Z");
// Tests lower the scrypt cost.
const FAST = { N: 1024, r: 8, p: 1 };
const FP = "92D6A4082019FA587FCEEE6DF6D7B99C95A9797F";
const PUB = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEawIuHxYJKwYBBAHaRw8BAQdA\n-----END PGP PUBLIC KEY BLOCK-----\n";
const META = { name: "release", fingerprint: FP.toLowerCase(), userId: "T <t@example.org>", publicKey: PUB };
const SECRET = new Uint8Array(Array.from({ length: 100 }, (_, i) => (i * 7 + 3) & 0xff));

describe("encodeOpenPgpKeyFile()", () => {
  test("encodeOpenPgpKeyFile() writes aam-key-v1 JSON, algorithm openpgp, uppercase fingerprint, no plaintext secret", async () => {
    const text = await encodeOpenPgpKeyFile(SECRET, META, { passphrase: "pw", now: NOW, scrypt: FAST });
    const j = JSON.parse(text);
    expect(j).toMatchObject({
      format: "aam-key-v1",
      algorithm: "openpgp",
      name: "release",
      fingerprint: FP,
      user_id: "T <t@example.org>",
      public_key: PUB,
      created_at: "2025-03-04T05:06:07Z",
      encryption: { kdf: "scrypt", N: 1024, r: 8, p: 1, cipher: "aes-256-gcm" },
    });
    expect(fromBase64(j.private_key)!.length).toBe(SECRET.length + 16);
    expect(text).not.toContain(toBase64(SECRET));
  });

  test("encodeOpenPgpKeyFile() stores the packets in the clear only with passphrase null", async () => {
    const j = JSON.parse(await encodeOpenPgpKeyFile(SECRET, META, { passphrase: null, now: NOW }));
    expect(j.encryption).toBe("none");
    expect(j.private_key).toBe(toBase64(SECRET));
  });

  test("encodeOpenPgpKeyFile() throws UsageError for an empty passphrase", async () => {
    const err = await catchAam(encodeOpenPgpKeyFile(SECRET, META, { passphrase: "", now: NOW, scrypt: FAST }));
    expect(err.code).toBe("UsageError");
    expect(err.details.hint).toBeTruthy();
  });
});

describe("openOpenPgpKeyFile()", () => {
  test("openOpenPgpKeyFile() round-trips the secret packets with the right passphrase", async () => {
    const text = await encodeOpenPgpKeyFile(SECRET, META, { passphrase: "pässword", now: NOW, scrypt: FAST });
    // NFC and NFD spellings of one passphrase unlock the same file.
    const r = await openOpenPgpKeyFile(text, "pa\u0308ssword", "k.key");
    expect(r.secretKey).toEqual(SECRET);
    expect(r.key.fingerprint).toBe(FP);
  });

  test("openOpenPgpKeyFile() throws Error for a wrong passphrase and UsageError for none", async () => {
    const text = await encodeOpenPgpKeyFile(SECRET, META, { passphrase: "pw", now: NOW, scrypt: FAST });
    expect(await catchAam(openOpenPgpKeyFile(text, "wrong", "k.key"))).toMatchObject({ code: "Error", details: { file: "k.key" } });
    expect((await catchAam(openOpenPgpKeyFile(text, null, "k.key"))).code).toBe("UsageError");
  });

  test("openOpenPgpKeyFile() refuses a file whose bound fields were edited", async () => {
    const j = JSON.parse(await encodeOpenPgpKeyFile(SECRET, META, { passphrase: "pw", now: NOW, scrypt: FAST }));
    const renamed = JSON.stringify({ ...j, name: "other" });
    expect((await catchAam(openOpenPgpKeyFile(renamed, "pw", "k.key"))).code).toBe("Error");
    const refingered = JSON.stringify({ ...j, fingerprint: "A".repeat(40) });
    expect((await catchAam(openOpenPgpKeyFile(refingered, "pw", "k.key"))).code).toBe("Error");
  });

  test("openOpenPgpKeyFile() answers an unencrypted file's packets without a passphrase", async () => {
    const text = await encodeOpenPgpKeyFile(SECRET, META, { passphrase: null, now: NOW });
    expect((await openOpenPgpKeyFile(text, null, "k.key")).secretKey).toEqual(SECRET);
  });
});

describe("parseOpenPgpKeyFile()", () => {
  test("parseOpenPgpKeyFile() throws Error naming the field for each kind of damage", async () => {
    const good = JSON.parse(await encodeOpenPgpKeyFile(SECRET, META, { passphrase: "pw", now: NOW, scrypt: FAST }));
    const cases: [unknown, string | undefined][] = [
      [{ ...good, algorithm: "ed25519" }, "algorithm"],
      [{ ...good, format: "x" }, "format"],
      [{ ...good, fingerprint: "xyz" }, "fingerprint"],
      [{ ...good, public_key: "nope" }, "public_key"],
      [{ ...good, private_key: 5 }, "private_key"],
      [{ ...good, encryption: { ...good.encryption, N: 2 ** 30 } }, "encryption"],
      [{ ...good, encryption: { ...good.encryption, iv: "AAAA" } }, "encryption.iv"],
    ];
    for (const [doc, field] of cases) {
      const err = catchAam(() => parseOpenPgpKeyFile(JSON.stringify(doc), "k.key"));
      expect(err).toMatchObject({ code: "Error", details: { file: "k.key", field } });
    }
    expect(catchAam(() => parseOpenPgpKeyFile("{", "k.key")).code).toBe("Error");
    expect(catchAam(() => parseOpenPgpKeyFile("[]", "k.key")).code).toBe("Error");
  });
});
