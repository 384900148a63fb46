import { describe, test, expect } from "bun:test";
import { verifySigstoreBundle, type BundleCheck } from "./verify_bundle.ts";
import { GOOD, NEGATIVE, readFixture, readFixtureText, rootText, type Instance } from "../../../test/helpers/sigstore_fixtures.ts";
import { catchAamError as failure } from "../../../test/helpers/errors.ts";
import { managedKeyFromPem } from "./managed_key.ts";
import { fs } from "../../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { toBase64 } from "../../encoding/base64.ts";
import { fromHex } from "../../encoding/hex.ts";
import { sha256Hex } from "../../encoding/sha256.ts";

async function check(bundleName: string, artifactName: string, instance: Instance, over: Partial<BundleCheck> = {}) {
  return await verifySigstoreBundle({
    bundle: JSON.parse(await readFixtureText(bundleName)),
    artifact: await readFixture(artifactName),
    trustedRoot: await rootText(instance),
    bundleFile: bundleName,
    trustedRootFile: `trusted_root.${instance}.json`,
    ...over,
  });
}


const other = (i: Instance): Instance => (i === "production" ? "staging" : "production");

describe("verifySigstoreBundle()", () => {
  describe.each(GOOD)("with $bundle", (f) => {
    test("verifySigstoreBundle() answers the certificate's identity, issuer and time evidence", async () => {
      const v = await check(f.bundle, f.artifact, f.instance);
      expect(v).toMatchObject({ identity: f.identity, issuer: f.issuer, log_index: f.logIndex, transparency_log_checked: true });
      expect(v.integrated_time).toBe(f.integrated);
      expect(v.timestamp_authority_time).toBe(f.tsa);
      expect(v.content).toBe(f.bundle.includes("dsse") ? "dsse" : "message_signature");
    });

    test("verifySigstoreBundle() throws InvalidSignature when one byte of the artifact is flipped", async () => {
      const artifact = await readFixture(f.artifact);
      artifact[Math.floor(artifact.length / 2)] ^= 1;
      const err = await failure(check(f.bundle, f.artifact, f.instance, { artifact }));
      expect(err.code).toBe("InvalidSignature");
    });

    test("verifySigstoreBundle() throws InvalidSignature against the other instance's trusted root", async () => {
      const err = await failure(check(f.bundle, f.artifact, f.instance, { trustedRoot: await rootText(other(f.instance)) }));
      expect(err.code).toBe("InvalidSignature");
      expect(String(err.details.actual)).toMatch(/^(CERTIFICATE_ERROR|TIMESTAMP_ERROR|TLOG_\w+):/);
    });
  });

  test("verifySigstoreBundle() throws InvalidSignature (CERTIFICATE_ERROR) for the NEGATIVE bundle logged after its certificate expired", async () => {
    const err = await failure(check(NEGATIVE, "a.txt", "production"));
    expect(err.code).toBe("InvalidSignature");
    expect(String(err.details.actual)).toStartWith("CERTIFICATE_ERROR:");
  });

  test("verifySigstoreBundle() throws MalformedSignature for a bundle that is not a Sigstore bundle", async () => {
    for (const bundle of [{}, { mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json" }, [], "x", null]) {
      const err = await failure(check(GOOD[1].bundle, "a.txt", "production", { bundle }));
      expect(err.code).toBe("MalformedSignature");
    }
  });

  test("verifySigstoreBundle() throws MalformedSignature when the bundle's certificate is garbled", async () => {
    const b = JSON.parse(await readFixtureText(GOOD[1].bundle));
    b.verificationMaterial.certificate.rawBytes = "AAAA" + b.verificationMaterial.certificate.rawBytes.slice(40);
    const err = await failure(check(GOOD[1].bundle, "a.txt", "production", { bundle: b }));
    expect(err.code).toBe("MalformedSignature");
  });

  test("verifySigstoreBundle() throws InvalidSignature when the signature bytes are altered", async () => {
    const b = JSON.parse(await readFixtureText(GOOD[1].bundle));
    const sig = b.messageSignature.signature as string;
    b.messageSignature.signature = sig.slice(0, 10) + (sig[10] === "A" ? "B" : "A") + sig.slice(11);
    const err = await failure(check(GOOD[1].bundle, "a.txt", "production", { bundle: b }));
    expect(err.code).toBe("InvalidSignature");
  });

  test("verifySigstoreBundle() throws Error when the trusted root is not one", async () => {
    const err = await failure(check(GOOD[1].bundle, "a.txt", "production", { trustedRoot: "{}" }));
    expect(err.code).toBe("Error");
  });

  describe("when security.verify_transparency_log is off", () => {
    test("verifySigstoreBundle() still verifies a bundle with a TSA timestamp, without log facts", async () => {
      const f = GOOD.find((g) => g.bundle.includes("rekor2-tsa"))!;
      const v = await check(f.bundle, f.artifact, f.instance, { verifyTransparencyLog: false });
      expect(v).toMatchObject({ identity: f.identity, transparency_log_checked: false, timestamp_authority_time: f.tsa });
      expect(v.log_index).toBeUndefined();
    });

    test("verifySigstoreBundle() throws InvalidSignature for a bundle whose only time evidence is the log", async () => {
      const err = await failure(check(GOOD[0].bundle, "a.txt", "production", { verifyTransparencyLog: false }));
      expect(err.code).toBe("InvalidSignature");
      expect(String(err.details.actual)).toStartWith("TIMESTAMP_ERROR:");
    });
  });
});

describe("verifySigstoreBundle() and a root certificate in the bundle", () => {
  /** a.txt.v0.1 (an x509CertificateChain bundle) with its chain replaced; CA certificates from the production root. */
  async function withChain(pick: (leaf: string, intermediate: string, root: string) => string[]) {
    const b = JSON.parse(await readFixtureText("a.txt.v0.1.sigstore.json"));
    const ca = JSON.parse(await rootText("production")).certificateAuthorities[1].certChain.certificates.map((c: { rawBytes: string }) => c.rawBytes);
    const leaf = b.verificationMaterial.x509CertificateChain.certificates[0].rawBytes;
    b.verificationMaterial.x509CertificateChain.certificates = pick(leaf, ca[0], ca[ca.length - 1]).map((rawBytes) => ({ rawBytes }));
    return b;
  }

  test.each([
    ["leaf, intermediate, root", (l: string, i: string, r: string) => [l, i, r], "certificate 3 of 3"],
    ["leaf, root", (l: string, _i: string, r: string) => [l, r], "certificate 2 of 2"],
    ["root, leaf", (l: string, _i: string, r: string) => [r, l], "certificate 1 of 2"],
    ["root alone", (_l: string, _i: string, r: string) => [r], "its only certificate"],
  ])("a chain of %s is InvalidSignature naming the root, not a library error", async (_what, pick, where) => {
    const err = await failure(check("a.txt.v0.1.sigstore.json", "a.txt", "production", { bundle: await withChain(pick) }));
    expect(err.code).toBe("InvalidSignature");
    expect(err.message).toContain("contains a root certificate");
    expect(err.message).toContain(where);
  });

  test("a v0.3 bundle whose certificate is a root is InvalidSignature", async () => {
    const b = JSON.parse(await readFixtureText("a.txt.v0.3.sigstore.json"));
    const ca = JSON.parse(await rootText("production")).certificateAuthorities[1].certChain.certificates;
    b.verificationMaterial.certificate = { rawBytes: ca[ca.length - 1].rawBytes };
    const err = await failure(check("a.txt.v0.3.sigstore.json", "a.txt", "production", { bundle: b }));
    expect(err.code).toBe("InvalidSignature");
    expect(err.message).toContain("contains a root certificate");
  });

  test("positive control: leaf with its intermediate (no root) still verifies", async () => {
    const v = await check("a.txt.v0.1.sigstore.json", "a.txt", "production", { bundle: await withChain((l, i) => [l, i]) });
    expect(v.issuer).toBe("https://token.actions.githubusercontent.com");
  });
});

describe("verifySigstoreBundle() given only the artifact's SHA-256 (digest mode)", () => {
  const sha256 = async (name: string) => fromHex(sha256Hex(await readFixture(name)));

  test.each(GOOD)("verifySigstoreBundle() answers the same signer for $bundle given its digest", async (f) => {
    const v = await check(f.bundle, f.artifact, f.instance, { artifact: { sha256: await sha256(f.artifact) } });
    expect(v).toMatchObject({ identity: f.identity, issuer: f.issuer, log_index: f.logIndex });
  });

  test.each(GOOD)("verifySigstoreBundle() throws InvalidSignature for $bundle given another digest", async (f) => {
    const digest = await sha256(f.artifact);
    digest[31] ^= 1;
    const err = await failure(check(f.bundle, f.artifact, f.instance, { artifact: { sha256: digest } }));
    expect(err.code).toBe("InvalidSignature");
  });

  test("verifySigstoreBundle() throws InvalidSignature when the bundle signs a SHA-384 digest", async () => {
    const b = JSON.parse(await readFixtureText(GOOD[1].bundle));
    b.messageSignature.messageDigest.algorithm = "SHA2_384";
    const err = await failure(check(GOOD[1].bundle, "a.txt", "production", { bundle: b, artifact: { sha256: await sha256("a.txt") } }));
    expect(err.code).toBe("InvalidSignature");
    expect(err.message).toContain("another hash than SHA-256");
  });
});

describe("verifySigstoreBundle() and a bundle made with a managed key", () => {
  const dir = fs.path.join(import.meta.dir, "..", "..", "..", "test", "vectors", "sigstore-conformance", "bundle-verify");
  const text = (p: string) => fs.readText(fs.path.join(dir, p), DOCUMENT_LIMIT);
  const KEY = "managed-key-happy-path";
  async function keyed(over: Partial<BundleCheck> = {}) {
    return await verifySigstoreBundle({
      bundle: JSON.parse(await text(`${KEY}/bundle.sigstore.json`)),
      artifact: await fs.readFile(fs.path.join(dir, "a.txt"), DOCUMENT_LIMIT),
      trustedRoot: await rootText("production"),
      bundleFile: "bundle.sigstore.json",
      trustedRootFile: "trusted_root.production.json",
      publicKey: managedKeyFromPem(await text(`${KEY}/key.pub`), "key.pub"),
      ...over,
    });
  }
  const stranger = async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const der = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
    return managedKeyFromPem(`-----BEGIN PUBLIC KEY-----\n${toBase64(der)}\n-----END PUBLIC KEY-----\n`, "stranger.pub");
  };

  test("verifySigstoreBundle() verifies it with its key, answering the key's fingerprint and the log entry", async () => {
    const v = await keyed();
    expect(v.key_fingerprint).toBe(managedKeyFromPem(await text(`${KEY}/key.pub`), "k").fingerprint);
    expect(v).toMatchObject({ identity: "", issuer: "", transparency_log_checked: true });
    expect(v.log_index).toMatch(/^\d+$/);
  });

  test("verifySigstoreBundle() verifies it given only the digest", async () => {
    const digest = fromHex(sha256Hex(await fs.readFile(fs.path.join(dir, "a.txt"), DOCUMENT_LIMIT)));
    expect((await keyed({ artifact: { sha256: digest } })).key_fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  test("verifySigstoreBundle() throws UntrustedSigner for another key that the hint does not name", async () => {
    expect((await failure(keyed({ publicKey: await stranger() }))).code).toBe("UntrustedSigner");
  });

  test("verifySigstoreBundle() throws InvalidSignature for another key when the bundle has no hint (the signature decides)", async () => {
    const b = JSON.parse(await text(`${KEY}/bundle.sigstore.json`));
    b.verificationMaterial.publicKey.hint = "";
    const err = await failure(keyed({ bundle: b, publicKey: await stranger() }));
    expect(err.code).toBe("InvalidSignature");
    expect(String(err.details.actual)).toStartWith("SIGNATURE_ERROR:");
    expect((await keyed({ bundle: b })).key_fingerprint).toMatch(/^[0-9a-f]{64}$/); // positive control
  });

  test("verifySigstoreBundle() throws UntrustedSigner for a key bundle without a key, and for a certificate bundle with one", async () => {
    expect((await failure(keyed({ publicKey: undefined }))).code).toBe("UntrustedSigner");
    const err = await failure(check(GOOD[1].bundle, "a.txt", "production", { publicKey: managedKeyFromPem(await text(`${KEY}/key.pub`), "k") }));
    expect(err.code).toBe("UntrustedSigner");
  });

  test("verifySigstoreBundle() throws InvalidSignature when the key bundle's log entry is not in the trusted root's log", async () => {
    const err = await failure(keyed({ trustedRoot: await rootText("staging") }));
    expect(err.code).toBe("InvalidSignature");
    expect(String(err.details.actual)).toMatch(/^(TLOG_\w+|TIMESTAMP_ERROR):/);
  });
});
