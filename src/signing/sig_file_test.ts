import { describe, test, expect } from "bun:test";
import { AamError } from "../errors.ts";
import { fromHex } from "../encoding/hex.ts";
import { fromBase64, toBase64 } from "../encoding/base64.ts";
import vectors from "../../test/vectors/ed25519_rfc8032.json";
import { createEd25519Entry } from "./ed25519/entry.ts";
import { addEntry, parseSigFile, serializeSigFile, type Ed25519Entry, type SigFile } from "./sig_file.ts";
import { fingerprint } from "./ed25519/public_key.ts";
import { verifyEd25519 } from "./ed25519/verify.ts";
import { signatureMessage } from "./message.ts";
import { catchAam } from "../../test/helpers/errors.ts";

const HASH = "sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const NOW = new Date("2025-01-02T03:04:05.678Z");
const k1 = vectors.valid[0];
const k2 = vectors.valid[1];

async function entryFor(v: { secret_key: string; public_key: string }, hash = HASH): Promise<Ed25519Entry> {
  return await createEd25519Entry({ seed: fromHex(v.secret_key), publicKey: fromHex(v.public_key), packageHash: hash, now: NOW });
}

async function goodDoc(): Promise<Record<string, unknown>> {
  return {
    version: 1,
    package: "@author/my-package",
    package_version: "1.0.0",
    package_hash: HASH,
    signatures: [await entryFor(k1)],
  };
}


const PGP_SIG = "-----BEGIN PGP SIGNATURE-----\n\niHUEABYKAB0WIQ==\n-----END PGP SIGNATURE-----\n";
const PGP_KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ==\n-----END PGP PUBLIC KEY BLOCK-----\n";

describe("createEd25519Entry()", () => {
  test("createEd25519Entry() signs aam-signature-v1:<hash> with the key's fingerprint", async () => {
    const e = await entryFor(k1);
    expect(e).toMatchObject({ algorithm: "ed25519", key_fingerprint: fingerprint(fromHex(k1.public_key)), public_key: toBase64(fromHex(k1.public_key)), signed_at: "2025-01-02T03:04:05Z" });
    expect(await verifyEd25519(fromHex(k1.public_key), signatureMessage(HASH), fromBase64(e.signature)!)).toBe(true);
    expect(await verifyEd25519(fromHex(k1.public_key), signatureMessage("sha256:" + "0".repeat(64)), fromBase64(e.signature)!)).toBe(false);
  });
  test("createEd25519Entry() throws Error when the seed does not belong to the public key", async () => {
    let err: unknown;
    try {
      await createEd25519Entry({ seed: fromHex(k1.secret_key), publicKey: fromHex(k2.public_key), packageHash: HASH, now: NOW });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "Error" });
  });
  test("createEd25519Entry() throws TypeError for a package hash that is not sha256:<hex>", async () => {
    await expect(createEd25519Entry({ seed: fromHex(k1.secret_key), publicKey: fromHex(k1.public_key), packageHash: "md5:abc", now: NOW })).rejects.toThrow(TypeError);
  });
});

describe("parseSigFile()", () => {
  test("parseSigFile() reads a document serializeSigFile() wrote", async () => {
    const doc = (await goodDoc()) as unknown as SigFile;
    const text = serializeSigFile(doc);
    expect(parseSigFile(text, "1.0.0.sig")).toEqual(doc);
  });
  test("parseSigFile() reads openpgp and sigstore entries and normalises fingerprint case", async () => {
    const doc = await goodDoc();
    const fp = fingerprint(fromHex(k1.public_key));
    (doc.signatures as unknown[])[0] = { ...(doc.signatures as Ed25519Entry[])[0], key_fingerprint: fp.toUpperCase() };
    (doc.signatures as unknown[]).push(
      { algorithm: "openpgp", key_fingerprint: "abcdef0123456789abcdef0123456789abcdef01", signature: PGP_SIG, public_key: PGP_KEY, signed_at: "2025-01-01T00:00:00+02:00" },
      { algorithm: "sigstore", bundle: { mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json" } },
    );
    const sig = parseSigFile(JSON.stringify(doc), "x.sig");
    expect(sig.signatures.map((e) => e.algorithm)).toEqual(["ed25519", "openpgp", "sigstore"]);
    expect((sig.signatures[0] as Ed25519Entry).key_fingerprint).toBe(fp);
    expect(sig.signatures[1]).toMatchObject({ key_fingerprint: "ABCDEF0123456789ABCDEF0123456789ABCDEF01", public_key: PGP_KEY });
  });
  test("parseSigFile() accepts a document with no signatures (presence is the pipeline's call)", async () => {
    const doc = { ...(await goodDoc()), signatures: [] };
    expect(parseSigFile(JSON.stringify(doc), "x.sig").signatures).toEqual([]);
  });

  type Mutate = (d: Record<string, any>) => void;
  const cases: [string, Mutate | string, string | undefined][] = [
    ["invalid JSON", "{", undefined],
    ["a JSON array", "[]", undefined],
    ["JSON null", "null", undefined],
    ["version 2", (d) => (d.version = 2), "version"],
    ["a missing package", (d) => delete d.package, "package"],
    ["a bad package_hash", (d) => (d.package_hash = "sha256:XYZ"), "package_hash"],
    ["signatures not an array", (d) => (d.signatures = {}), "signatures"],
    ["an entry that is not an object", (d) => (d.signatures[0] = "x"), "signatures[0]"],
    ["an unknown algorithm", (d) => (d.signatures[0].algorithm = "rsa"), "signatures[0].algorithm"],
    ["a missing algorithm", (d) => delete d.signatures[0].algorithm, "signatures[0].algorithm"],
    ["bad base64 in signature", (d) => (d.signatures[0].signature = "@@@@"), "signatures[0].signature"],
    ["a 63-byte signature", (d) => (d.signatures[0].signature = toBase64(new Uint8Array(63))), "signatures[0].signature"],
    ["a 33-byte public key", (d) => (d.signatures[0].public_key = toBase64(new Uint8Array(33))), "signatures[0].public_key"],
    ["non-canonical base64 (trailing bits set)", (d) => (d.signatures[0].public_key = d.signatures[0].public_key.replace(/.=$/, (m: string) => String.fromCharCode(m.charCodeAt(0) + 1) + "=")), "signatures[0].public_key"],
    ["a fingerprint of another key", (d) => (d.signatures[0].key_fingerprint = fingerprint(fromHex(k2.public_key))), "signatures[0].key_fingerprint"],
    ["a short fingerprint", (d) => (d.signatures[0].key_fingerprint = "abcd"), "signatures[0].key_fingerprint"],
    ["a bad signed_at", (d) => (d.signatures[0].signed_at = "yesterday"), "signatures[0].signed_at"],
    ["an openpgp entry with a 39-digit fingerprint", (d) => (d.signatures[0] = { algorithm: "openpgp", key_fingerprint: "A".repeat(39), signature: PGP_SIG, signed_at: "2025-01-01T00:00:00Z" }), "signatures[0].key_fingerprint"],
    ["an openpgp entry with an unarmoured signature", (d) => (d.signatures[0] = { algorithm: "openpgp", key_fingerprint: "A".repeat(40), signature: "iHUE", signed_at: "2025-01-01T00:00:00Z" }), "signatures[0].signature"],
    ["a sigstore entry without a bundle object", (d) => (d.signatures[0] = { algorithm: "sigstore", bundle: "x" }), "signatures[0].bundle"],
  ];
  test.each(cases)("parseSigFile() throws MalformedSignature for %s", async (_n, mutate, field) => {
    let text: string;
    if (typeof mutate === "string") text = mutate;
    else {
      const d = await goodDoc();
      mutate(d);
      text = JSON.stringify(d);
    }
    const err = catchAam(() => parseSigFile(text, "reg/1.0.0.sig"));
    expect(err.code).toBe("MalformedSignature");
    expect(err.details.file).toBe("reg/1.0.0.sig");
    expect(err.details.field).toBe(field);
    expect(err.details.hint).toBeTruthy();
  });
  test("parseSigFile() gathers every problem with its path", async () => {
    const d: Record<string, any> = await goodDoc();
    d.package_hash = "nope";
    d.signatures[0].signature = "!";
    d.signatures.push({ algorithm: "what" });
    const err = catchAam(() => parseSigFile(JSON.stringify(d), "x.sig"));
    expect(err.details.problems!.map((p) => p.path)).toEqual(["package_hash", "signatures[0].signature", "signatures[1].algorithm"]);
  });
  test("parseSigFile() refuses a document over 1 MiB before parsing it", () => {
    const err = catchAam(() => parseSigFile(`{"pad":"${"x".repeat(1024 * 1024)}"}`, "big.sig"));
    expect(err).toMatchObject({ code: "MalformedSignature", details: { file: "big.sig" } });
  });
  test("parseSigFile() refuses deeply nested JSON with a coded error", () => {
    const err = catchAam(() => parseSigFile("[".repeat(200000) + "]".repeat(200000), "deep.sig"));
    expect(err.code).toBe("MalformedSignature");
  });
  test("parseSigFile() raises only MalformedSignature on mutated input", async () => {
    const text = serializeSigFile((await goodDoc()) as unknown as SigFile);
    let s = 3;
    for (let i = 0; i < 3000; i++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const chars = text.split("");
      chars[s % chars.length] = String.fromCharCode(32 + ((s >> 8) % 95));
      try {
        parseSigFile(chars.join(""), "m.sig");
      } catch (e) {
        expect(e).toBeInstanceOf(AamError);
        expect((e as AamError).code).toBe("MalformedSignature");
      }
    }
  });
  test("parseSigFile() ignores an own __proto__ key and unknown fields", async () => {
    const d = await goodDoc();
    const text = JSON.stringify(d).replace('{"version":1', '{"__proto__":{"version":2},"extra":true,"version":1');
    expect(parseSigFile(text, "x.sig").version).toBe(1);
  });
});

describe("serializeSigFile()", () => {
  test("serializeSigFile() writes a stable key order, 2-space indent and a trailing newline", async () => {
    const d = await goodDoc();
    const e = (d.signatures as Ed25519Entry[])[0];
    const shuffled = {
      signatures: [{ signed_at: e.signed_at, signature: e.signature, public_key: e.public_key, key_fingerprint: e.key_fingerprint, algorithm: "ed25519" }],
      package_hash: d.package_hash,
      package_version: d.package_version,
      package: d.package,
      version: 1,
    } as unknown as SigFile;
    const text = serializeSigFile(shuffled);
    expect(text).toBe(serializeSigFile(d as unknown as SigFile));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe('  "version": 1,');
    expect(Object.keys(JSON.parse(text).signatures[0])).toEqual(["algorithm", "key_fingerprint", "public_key", "signature", "signed_at"]);
  });
});

describe("addEntry()", () => {
  test("addEntry() replaces the entry of the same key and keeps the others", async () => {
    const base = (await goodDoc()) as unknown as SigFile;
    const other = await entryFor(k2);
    const two = addEntry(base, other);
    expect(two.signatures.map((e) => (e as Ed25519Entry).key_fingerprint)).toEqual([
      fingerprint(fromHex(k1.public_key)),
      fingerprint(fromHex(k2.public_key)),
    ]);
    const resigned = { ...(await entryFor(k1)), signed_at: "2026-01-01T00:00:00Z" };
    const replaced = addEntry(two, resigned);
    expect(replaced.signatures.length).toBe(2);
    expect(replaced.signatures[0]).toEqual(resigned);
    expect(base.signatures.length).toBe(1); // the input is not changed
  });
  test("addEntry() keeps entries of different algorithms apart", async () => {
    const base = (await goodDoc()) as unknown as SigFile;
    const pgp = { algorithm: "openpgp" as const, key_fingerprint: "A".repeat(40), signature: PGP_SIG, signed_at: "2025-01-01T00:00:00Z" };
    const withPgp = addEntry(base, pgp);
    expect(addEntry(withPgp, { ...pgp, key_fingerprint: "a".repeat(40) }).signatures.length).toBe(2);
    const sg = { algorithm: "sigstore" as const, bundle: { a: 1 } };
    expect(addEntry(addEntry(withPgp, sg), { algorithm: "sigstore", bundle: { a: 2 } }).signatures.length).toBe(4);
  });
});
