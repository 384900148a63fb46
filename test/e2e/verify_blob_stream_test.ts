/**
 * `aam verify-blob` of a 40 MiB file (issue 15 item 4; SPEC §10 verify-blob), under Node, Bun and
 * Deno with no network: the file is read once and hashed as it streams (verify_blob_read.ts), kept
 * whole only for a signer that needs its bytes. Bundles are real: keyless at local stand-ins for
 * Fulcio, Rekor and a TSA on 127.0.0.1 (test/sigstore_mock.ts), and `cosign sign-blob --key` style
 * with a P-256 key (checked from the SHA-256) and an RSA key (the bytes kept from the one read).
 * A copy with one byte flipped is refused as InvalidSignature (11) with the file-mode message.
 * Peak memory is measured by the bench (`node scripts/bench/run.mjs --only memory`), not here.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from "node:crypto";
import { MessageSignatureBundleBuilder, RekorWitness } from "@sigstore/sign";
import { bundleToJSON } from "@sigstore/bundle";
import { aam, RUNTIMES, tempDir, removeDir, errorName, type RuntimeName } from "../helpers.ts";
import { startSigstoreStandIns, fakeIdentityToken, type SigstoreStandIns } from "../sigstore_mock.ts";
import { createSigstoreBundle } from "../../src/signing/sigstore/create_bundle.ts";

const FILE_BYTES = 40 * 1024 * 1024;
const IDENTITY = "release@example.com";
const ISSUER = "https://accounts.example.com";

const fx = { root: "", file: "", flipped: "", hex: "", trustedRoot: "", keyless: "", p256: "", p256Pub: "", rsa: "", rsaPub: "", edSig: "", edPub: "" };
let s: SigstoreStandIns;

/** What `cosign sign-blob --key` makes with a key: a message signature with a key hint, logged at the stand-in Rekor. */
async function managedKeyBundle(privateKey: KeyObject, publicKey: KeyObject, data: Buffer): Promise<string> {
  const pem = String(publicKey.export({ type: "spki", format: "pem" }));
  const hint = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64");
  const signer = { sign: async (d: Buffer) => ({ signature: cryptoSign("sha256", d, privateKey), key: { $case: "publicKey" as const, publicKey: pem, hint } }) };
  const built = await new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: s.url })] }).create({ data });
  return JSON.stringify(bundleToJSON(built));
}

beforeAll(async () => {
  fx.root = tempDir("aam-bigblob-");
  const data = randomBytes(FILE_BYTES);
  fx.file = join(fx.root, "big.bin");
  writeFileSync(fx.file, data);
  fx.hex = createHash("sha256").update(data).digest("hex");
  const flipped = Buffer.from(data);
  flipped[FILE_BYTES >> 1] ^= 1;
  fx.flipped = join(fx.root, "flipped.bin");
  writeFileSync(fx.flipped, flipped);

  s = await startSigstoreStandIns();
  fx.trustedRoot = join(fx.root, "mock_root.json");
  writeFileSync(fx.trustedRoot, s.trustedRoot);
  const keyless = await createSigstoreBundle({ artifact: data, identityToken: fakeIdentityToken(IDENTITY, ISSUER), fulcioUrl: s.url, rekorUrl: s.url, tsaUrl: s.url });
  fx.keyless = join(fx.root, "keyless.json");
  writeFileSync(fx.keyless, JSON.stringify(keyless));
  for (const [name, pair] of [
    ["p256", generateKeyPairSync("ec", { namedCurve: "P-256" })],
    ["rsa", generateKeyPairSync("rsa", { modulusLength: 2048 })],
  ] as const) {
    writeFileSync(join(fx.root, `${name}.json`), await managedKeyBundle(pair.privateKey, pair.publicKey, data));
    writeFileSync(join(fx.root, `${name}.pub`), pair.publicKey.export({ type: "spki", format: "pem" }));
    fx[name] = join(fx.root, `${name}.json`);
    fx[`${name}Pub`] = join(fx.root, `${name}.pub`);
  }
  // --signature mode: an Ed25519 signature of SPEC §5's message over the file's checksum.
  const ed = generateKeyPairSync("ed25519");
  fx.edSig = join(fx.root, "big.bin.sig");
  writeFileSync(fx.edSig, cryptoSign(null, Buffer.from(`aam-signature-v1:sha256:${fx.hex}`), ed.privateKey));
  fx.edPub = join(fx.root, "ed.pub");
  writeFileSync(fx.edPub, ed.publicKey.export({ type: "spki", format: "pem" }));
}, 300_000);

afterAll(async () => {
  await s?.close();
  removeDir(fx.root);
});

describe.each(RUNTIMES)("verify-blob of a 40 MiB file under %s, no network", (rt: RuntimeName) => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => removeDir(dir));
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir, offline: true });
  const keyless = (file: string, json = true) => run(["verify-blob", file, "--bundle", fx.keyless, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER, "--trusted-root", fx.trustedRoot, ...(json ? ["--json"] : [])]);
  const withKey = (file: string, bundle: string, pub: string) => run(["verify-blob", file, "--bundle", bundle, "--key", pub, "--trusted-root", fx.trustedRoot, "--json"]);
  const refused = (r: { code: number; stdout: string; stderr: string }, detail: string) => {
    expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(r.stderr).not.toContain("    at ");
    const doc = JSON.parse(r.stdout);
    expect({ code: r.code, ok: doc.ok, error: doc.error?.code }).toEqual({ code: 11, ok: false, error: "InvalidSignature" });
    expect(doc.error.message).toContain(detail);
  };

  test("a keyless bundle verifies over the file, names its signer and its SHA-256; the flipped copy is InvalidSignature (11), as over the bytes", () => {
    const r = keyless(fx.file);
    expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, file: fx.file, checksum: `sha256:${fx.hex}`, identity: IDENTITY, issuer: ISSUER, content: "message_signature" });
    // The file-mode reason, not the digest mode's "signs another digest": the output did not change.
    refused(keyless(fx.flipped), "the signature does not match the artifact");
    const text = keyless(fx.file, false);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Verified ${fx.file}: signed by ${IDENTITY} (issuer ${ISSUER})`);
  });

  test("the file's digest verifies in place of the file; the flipped copy's digest does not", () => {
    const digest = run(["verify-blob", `sha256:${fx.hex}`, "--bundle", fx.keyless, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER, "--trusted-root", fx.trustedRoot, "--json"]);
    expect(digest.code).toBe(0);
    expect(JSON.parse(digest.stdout)).toMatchObject({ ok: true, digest: `sha256:${fx.hex}`, checksum: `sha256:${fx.hex}` });
    const other = createHash("sha256").update(readFileSync(fx.flipped)).digest("hex");
    refused(run(["verify-blob", `sha256:${other}`, "--bundle", fx.keyless, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER, "--trusted-root", fx.trustedRoot, "--json"]), "it signs another digest");
  });

  test("a P-256 managed key's bundle (checked from the SHA-256) and an RSA key's (bytes kept from the one read) verify; flipped copies do not", () => {
    for (const [bundle, pub] of [
      [fx.p256, fx.p256Pub],
      [fx.rsa, fx.rsaPub],
    ]) {
      const ok = withKey(fx.file, bundle, pub);
      expect({ bundle, code: ok.code, stderr: ok.stderr }).toEqual({ bundle, code: 0, stderr: "" });
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checksum: `sha256:${fx.hex}`, key_fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
      refused(withKey(fx.flipped, bundle, pub), "the signature does not match the artifact");
    }
  });

  test("--signature --key checks an Ed25519 signature of the file's checksum; the flipped copy is InvalidSignature (11)", () => {
    const ok = run(["verify-blob", fx.file, "--signature", fx.edSig, "--key", fx.edPub, "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, file: fx.file, checksum: `sha256:${fx.hex}` });
    const bad = run(["verify-blob", fx.flipped, "--signature", fx.edSig, "--key", fx.edPub]);
    expect({ code: bad.code, name: errorName(bad.stderr) }).toEqual({ code: 11, name: "InvalidSignature" });
  });
});
