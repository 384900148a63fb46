import { describe, test, expect } from "bun:test";
import * as openpgp from "openpgp";
import { fs } from "../../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import type { OpenPgpEntry } from "../sig_file.ts";
import type { EntryResult } from "../entry_types.ts";
import { startOpenPgpEntryCheck, verifyOpenPgpEntry } from "./verify_entry.ts";

const VEC = fs.fromFileUrl(new URL("../../../test/vectors/openpgp-keys", import.meta.url));
const NOW = new Date("2026-01-01T00:00:00Z");
const MADE = new Date("2025-06-01T00:00:00Z");

/** keys.tsv, written by GnuPG: name and primary fingerprint. */
async function matrix(): Promise<{ name: string; fp: string; sigFile: string }[]> {
  const tsv = await fs.readText(fs.path.join(VEC, "keys.tsv"), DOCUMENT_LIMIT);
  const files = (await fs.readDirIfExists(VEC)).map((e) => e.name);
  return tsv
    .trim()
    .split("\n")
    .map((l) => l.split("\t"))
    .flatMap(([name, fp]) => files.filter((f) => f.startsWith(`${name}.`) && f.endsWith(".asc") && !f.endsWith(".pub.asc") && !f.endsWith(".sec.asc")).map((sigFile) => ({ name, fp, sigFile })));
}

/** Feeds `data` as a stream does: small chunks of one reused buffer, overwritten after each is taken. */
async function streamed(entry: OpenPgpEntry, data: Uint8Array, chunk = 37, publicKeys: string[] = []): Promise<EntryResult> {
  const check = await startOpenPgpEntryCheck(entry, { now: NOW, publicKeys });
  expect(check.wantsBytes).toBe(false);
  const buf = new Uint8Array(chunk);
  for (let at = 0; at < data.length; at += chunk) {
    const n = Math.min(chunk, data.length - at);
    buf.set(data.subarray(at, at + n));
    check.update(buf.subarray(0, n));
    buf.fill(0xa5);
  }
  return await check.finish(checksumOf(data));
}

const entryOf = (fp: string, signature: string, publicKey: string): OpenPgpEntry => ({ algorithm: "openpgp", key_fingerprint: fp, public_key: publicKey, signature, signed_at: "2025-01-01T00:00:00Z" });

describe("startOpenPgpEntryCheck()", () => {
  test("startOpenPgpEntryCheck() answers what verifyOpenPgpEntry() answers over the bytes, for every gpg and sq signature of the key matrix", async () => {
    const pkg = await fs.readFile(fs.path.join(VEC, "package.aam"), DOCUMENT_LIMIT);
    const cases = await matrix();
    expect(cases.length).toBeGreaterThan(40);
    let valid = 0;
    for (const c of cases) {
      const e = entryOf(c.fp, await fs.readText(fs.path.join(VEC, c.sigFile), DOCUMENT_LIMIT), await fs.readText(fs.path.join(VEC, `${c.name}.pub.asc`), DOCUMENT_LIMIT));
      const whole = await verifyOpenPgpEntry(e, { archive: pkg, packageHash: checksumOf(pkg), now: NOW });
      expect({ file: c.sigFile, ...(await streamed(e, pkg)) }).toEqual({ file: c.sigFile, ...whole });
      if (whole.valid) valid++;
      // One flipped byte: the streamed hash no longer matches.
      const bad = pkg.slice();
      bad[100] ^= 1;
      const r = await streamed(e, bad);
      expect({ file: c.sigFile, valid: r.valid }).toEqual({ file: c.sigFile, valid: false });
    }
    // RSA, EdDSA, ECDSA on NIST and brainpool curves, SHA-256 to SHA-512 (SHA-1 and weak keys refused).
    expect(valid).toBeGreaterThan(25);
  });

  test("startOpenPgpEntryCheck() verifies a salted v6 signature, and any hash openpgp.js signs with", async () => {
    const data = new TextEncoder().encode("x".repeat(100_000));
    for (const [v6, hash] of [
      [true, openpgp.enums.hash.sha256],
      [true, openpgp.enums.hash.sha3_512],
      [false, openpgp.enums.hash.sha384],
      [false, openpgp.enums.hash.sha512],
    ] as const) {
      const config = { v6Keys: v6, preferredHashAlgorithm: hash };
      const { privateKey, publicKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ email: "a@example.org" }], config, date: MADE, format: "object" });
      const signature = (await openpgp.sign({ message: await openpgp.createMessage({ binary: data }), signingKeys: privateKey, detached: true, config, date: MADE, format: "armored" })) as string;
      const packet = (await openpgp.readSignature({ armoredSignature: signature })).packets[0] as openpgp.SignaturePacket;
      expect({ version: packet.version, hash: packet.hashAlgorithm }).toEqual({ version: v6 ? 6 : 4, hash });
      const e = entryOf(publicKey.getFingerprint().toUpperCase(), signature, publicKey.armor());
      expect((await streamed(e, data, 4096)).valid).toBe(true);
      const longer = new Uint8Array(data.length + 1);
      longer.set(data);
      expect((await streamed(e, longer, 4096)).valid).toBe(false);
    }
  });

  test("startOpenPgpEntryCheck() answers without the archive when the key or the signature is unusable", async () => {
    const sig = await fs.readText(fs.path.join(VEC, "ed25519.SHA256.asc"), DOCUMENT_LIMIT);
    const noKey = await streamed(entryOf("5D1E07FB5078080F446BE4C99C70E54A61824270", sig, ""), new Uint8Array(10));
    expect(noKey).toMatchObject({ valid: false, reason: expect.stringContaining("no public key") });
    const pub = await fs.readText(fs.path.join(VEC, "ed25519.pub.asc"), DOCUMENT_LIMIT);
    const garbage = await streamed(entryOf("5D1E07FB5078080F446BE4C99C70E54A61824270", "-----BEGIN PGP SIGNATURE-----\n\nxx\n-----END PGP SIGNATURE-----\n", pub), new Uint8Array(10));
    expect(garbage).toMatchObject({ valid: false, reason: expect.stringContaining("not a readable") });
  });
});
