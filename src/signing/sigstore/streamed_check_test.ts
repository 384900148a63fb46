import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { MessageSignatureBundleBuilder, RekorWitness } from "@sigstore/sign";
import { bundleToJSON } from "@sigstore/bundle";
import { fs } from "../../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import type { SigEntry } from "../sig_file.ts";
import type { EntryResult, StreamContext } from "../entry_types.ts";
import { startSigstoreEntryCheck, verifySigstoreEntry } from "./verify_entry.ts";
import { startEntryChecks } from "../../verify/entry_checks.ts";
import type { ArchiveSource } from "../../verify/archive_source.ts";
import { GOOD, readFixture, readFixtureText, rootText } from "../../../test/helpers/sigstore_fixtures.ts";
import { startSigstoreStandIns, type SigstoreStandIns } from "../../../test/sigstore_mock.ts";

const CONFORMANCE = fs.path.join(import.meta.dir, "..", "..", "..", "test", "vectors", "sigstore-conformance", "bundle-verify");

/** Feeds `data` in chunks of one reused buffer, as the pipeline's read does; hands the bytes over only if asked. */
async function streamed(entry: SigEntry, ctx: StreamContext, data: Uint8Array): Promise<EntryResult & { wantsBytes: boolean }> {
  const check = await startSigstoreEntryCheck(entry, ctx);
  const buf = new Uint8Array(7);
  for (let at = 0; at < data.length; at += buf.length) {
    const n = Math.min(buf.length, data.length - at);
    buf.set(data.subarray(at, at + n));
    check.update(buf.subarray(0, n));
    buf.fill(0);
  }
  return { ...(await check.finish(checksumOf(data), check.wantsBytes ? data : undefined)), wantsBytes: check.wantsBytes };
}

const flipped = (b: Uint8Array) => {
  const c = b.slice();
  c[0] ^= 1;
  return c;
};

describe("startSigstoreEntryCheck()", () => {
  test("startSigstoreEntryCheck() answers what verifySigstoreEntry() answers over the bytes, from the archive's SHA-256 alone, for every fixture bundle", async () => {
    for (const g of GOOD) {
      const entry: SigEntry = { algorithm: "sigstore", bundle: JSON.parse(await readFixtureText(g.bundle)) };
      const archive = await readFixture(g.artifact);
      const ctx = { now: new Date(), trustedRoot: await rootText(g.instance) };
      const whole = await verifySigstoreEntry(entry, { ...ctx, archive, packageHash: checksumOf(archive) });
      expect(whole.valid).toBe(true);
      expect({ bundle: g.bundle, ...(await streamed(entry, ctx, archive)) }).toEqual({ bundle: g.bundle, ...whole, wantsBytes: false });
      const bad = await streamed(entry, ctx, flipped(archive));
      expect({ bundle: g.bundle, valid: bad.valid, code: bad.reason?.split(":")[0] }).toEqual({ bundle: g.bundle, valid: false, code: "InvalidSignature" });
    }
  });

  test("startSigstoreEntryCheck() checks a managed ECDSA key's bundle from the SHA-256 alone", async () => {
    const entry: SigEntry = { algorithm: "sigstore", bundle: JSON.parse(await fs.readText(fs.path.join(CONFORMANCE, "managed-key-happy-path", "bundle.sigstore.json"), DOCUMENT_LIMIT)) };
    const ctx = { now: new Date(), trustedRoot: await rootText("production"), managedKeys: [await fs.readText(fs.path.join(CONFORMANCE, "managed-key-happy-path", "key.pub"), DOCUMENT_LIMIT)] };
    const archive = await fs.readFile(fs.path.join(CONFORMANCE, "a.txt"), DOCUMENT_LIMIT);
    expect(await streamed(entry, ctx, archive)).toMatchObject({ valid: true, wantsBytes: false });
    expect(await streamed(entry, ctx, flipped(archive))).toMatchObject({ valid: false, wantsBytes: false });
  });

  describe("when the signer's signature cannot be checked against a digest", () => {
    let s: SigstoreStandIns;
    beforeAll(async () => {
      s = await startSigstoreStandIns();
    });
    afterAll(async () => await s.close());

    /** What `cosign sign-blob --key` makes with `key`, its Rekor entry at the stand-in. */
    async function bundleBy(privateKey: KeyObject, publicKey: KeyObject, data: Uint8Array): Promise<SigEntry> {
      const pem = String(publicKey.export({ type: "spki", format: "pem" }));
      const hint = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64");
      const signer = { sign: async (d: Buffer) => ({ signature: cryptoSign("sha256", d, privateKey), key: { $case: "publicKey" as const, publicKey: pem, hint } }) };
      const built = await new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: s.url })] }).create({ data: Buffer.from(data) });
      return { algorithm: "sigstore", bundle: bundleToJSON(built) };
    }

    test("startSigstoreEntryCheck() asks for the bytes of an RSA key's message signature and checks them", async () => {
      const data = new TextEncoder().encode("an archive signed with RSA ".repeat(1000));
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const entry = await bundleBy(privateKey, publicKey, data);
      const ctx = { now: new Date(), trustedRoot: s.trustedRoot, managedKeys: [String(publicKey.export({ type: "spki", format: "pem" }))] };
      expect(await streamed(entry, ctx, data)).toMatchObject({ valid: true, wantsBytes: true });
      expect(await streamed(entry, ctx, flipped(data))).toMatchObject({ valid: false, wantsBytes: true });
    });

    test("startEntryChecks() keeps a streamed archive's bytes from its one read for such an entry", async () => {
      const data = new TextEncoder().encode("a streamed archive signed with RSA ".repeat(5000));
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const entry = await bundleBy(privateKey, publicKey, data);
      const ctx = { now: new Date(), trustedRoot: s.trustedRoot, managedKeys: [String(publicKey.export({ type: "spki", format: "pem" }))] };
      let reads = 0;
      const source = (bytes: Uint8Array): ArchiveSource => ({
        size: bytes.length,
        async *chunks() {
          reads++;
          const buf = new Uint8Array(1000);
          for (let at = 0; at < bytes.length; at += buf.length) {
            const n = Math.min(buf.length, bytes.length - at);
            buf.set(bytes.subarray(at, at + n));
            yield buf.subarray(0, n);
          }
        },
      });
      for (const [bytes, valid] of [
        [data, true],
        [flipped(data), false],
      ] as const) {
        reads = 0;
        const archive = source(bytes);
        const checks = await startEntryChecks([entry], ctx, archive);
        for await (const c of archive.chunks()) checks.tap(c);
        expect((await checks.finish(checksumOf(bytes)))[0]).toMatchObject({ valid });
        expect(reads).toBe(1);
      }
    });

    test("startSigstoreEntryCheck() needs no bytes for a P-256 key's bundle made the same way", async () => {
      const data = new TextEncoder().encode("an archive signed with P-256");
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const entry = await bundleBy(privateKey, publicKey, data);
      const ctx = { now: new Date(), trustedRoot: s.trustedRoot, managedKeys: [String(publicKey.export({ type: "spki", format: "pem" }))] };
      expect(await streamed(entry, ctx, data)).toMatchObject({ valid: true, wantsBytes: false });
    });
  });
});
