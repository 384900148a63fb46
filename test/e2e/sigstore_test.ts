/**
 * Sigstore end to end (SPEC §5, §6, §8): `verify-blob` over the real fixture bundles with no network
 * (Deno without --allow-net, a no-network guard under Node and Bun), each failure with its exit code,
 * `trust-root import | update`, and keyless signing against local stand-ins on 127.0.0.1 through
 * publish, verify, info, offline-prepare and `verify --offline` after the registry is deleted.
 */
import { describe, test, expect, beforeEach, afterEach, beforeAll, afterAll } from "bun:test";
import { readFileSync, writeFileSync, existsSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createHash, createPublicKey, generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import { MessageSignatureBundleBuilder, RekorWitness } from "@sigstore/sign";
import { bundleToJSON } from "@sigstore/bundle";
import { run as runCmd, aam, aamAsync, RUNTIMES, ROOT, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";
import { startSigstoreStandIns, fakeIdentityToken, type SigstoreStandIns } from "../sigstore_mock.ts";

const FIX = join(ROOT, "..", "shared", "fixtures", "sigstore");
const PROD = join(FIX, "trusted_root.production.json");
const STAGING = join(FIX, "trusted_root.staging.json");
const CONFORMANCE = join(ROOT, "test", "vectors", "sigstore-conformance", "bundle-verify");
const GHA = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GHA_ISSUER = "https://token.actions.githubusercontent.com";
const WHEEL = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2";

const GOOD: [bundle: string, artifact: string, root: string, identity: string, issuer: string][] = [
  ["a.txt.v0.1.sigstore.json", "a.txt", PROD, GHA, GHA_ISSUER],
  ["a.txt.v0.3.sigstore.json", "a.txt", PROD, GHA, GHA_ISSUER],
  ["a.txt.intoto-dsse.v0.3.sigstore.json", "a.txt", PROD, GHA, GHA_ISSUER],
  ["rfc8785-0.1.2-py3-none-any.whl.sigstore.json", "rfc8785-0.1.2-py3-none-any.whl", PROD, WHEEL, GHA_ISSUER],
  ["hello-staging.txt.sigstore.json", "hello-staging.txt", STAGING, "william@yossarian.net", "https://github.com/login/oauth"],
  ["a.txt.staging-rekor2-tsa.v0.3.sigstore.json", "a.txt", STAGING, GHA, GHA_ISSUER],
  ["a.txt.staging-rekor2-dsse.v0.3.sigstore.json", "a.txt", STAGING, GHA, GHA_ISSUER],
];

describe.each(RUNTIMES)("sigstore under %s", (rt: RuntimeName) => {
  let dir: string;
  const offline = (args: string[]) => aam(rt, args, { cwd: dir, home: dir, offline: true });
  const blob = (artifact: string, bundle: string, root: string, identity: string, issuer: string, extra: string[] = []) =>
    offline(["verify-blob", artifact, "--bundle", bundle, "--certificate-identity", identity, "--certificate-oidc-issuer", issuer, "--trusted-root", root, ...extra]);
  const expectFailure = (r: { code: number; stderr: string; stdout: string }, code: number, name: string) => {
    expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code, name });
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
  };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  describe("verify-blob, with no network", () => {
    test.each(GOOD)("verify-blob accepts %s with its identity and issuer", (bundle, artifact, root, identity, issuer) => {
      const r = blob(join(FIX, artifact), join(FIX, bundle), root, identity, issuer, ["--json"]);
      expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, identity, issuer });
    });

    test("verify-blob prints who signed and when", () => {
      const r = blob(join(FIX, "a.txt"), join(FIX, "a.txt.v0.1.sigstore.json"), PROD, GHA, GHA_ISSUER);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(GHA);
      expect(r.stdout).toContain("27246492");
      expect(r.stdout).toContain("2023-07-12T15:56:36Z");
    });

    test("a flipped artifact byte is InvalidSignature (11), for message signatures and DSSE", () => {
      const a = readFileSync(join(FIX, "a.txt"));
      a[5] ^= 1;
      writeFileSync(join(dir, "a.txt"), a);
      expectFailure(blob(join(dir, "a.txt"), join(FIX, "a.txt.v0.3.sigstore.json"), PROD, GHA, GHA_ISSUER), 11, "InvalidSignature");
      expectFailure(blob(join(dir, "a.txt"), join(FIX, "a.txt.intoto-dsse.v0.3.sigstore.json"), PROD, GHA, GHA_ISSUER), 11, "InvalidSignature");
    });

    test("a wrong identity, a part of the identity, or a wrong issuer is UntrustedSigner (12)", () => {
      const whl = join(FIX, "rfc8785-0.1.2-py3-none-any.whl");
      const b = join(FIX, "rfc8785-0.1.2-py3-none-any.whl.sigstore.json");
      expectFailure(blob(whl, b, PROD, "someone@example.com", GHA_ISSUER), 12, "UntrustedSigner");
      expectFailure(blob(whl, b, PROD, "trailofbits", GHA_ISSUER), 12, "UntrustedSigner");
      expectFailure(blob(whl, b, PROD, WHEEL.slice(0, -2), GHA_ISSUER), 12, "UntrustedSigner");
      expectFailure(blob(whl, b, PROD, WHEEL, "https://accounts.google.com"), 12, "UntrustedSigner");
      expect(blob(whl, b, PROD, "github:trailofbits", GHA_ISSUER).code).toBe(0);
    });

    test("a bundle checked against the other instance's root is InvalidSignature (11)", () => {
      expectFailure(blob(join(FIX, "a.txt"), join(FIX, "a.txt.v0.3.sigstore.json"), STAGING, GHA, GHA_ISSUER), 11, "InvalidSignature");
      expectFailure(blob(join(FIX, "hello-staging.txt"), join(FIX, "hello-staging.txt.sigstore.json"), PROD, "william@yossarian.net", "https://github.com/login/oauth"), 11, "InvalidSignature");
    });

    test("the NEGATIVE bundle (logged after its certificate expired) is InvalidSignature (11)", () => {
      const r = blob(join(FIX, "a.txt"), join(FIX, "a.txt.NEGATIVE-integrated-time-after-cert-expiry.v0.3.sigstore.json"), PROD, "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com", "https://accounts.google.com");
      expectFailure(r, 11, "InvalidSignature");
      expect(r.stderr).toContain("CERTIFICATE_ERROR");
    });

    test("a truncated or garbled bundle is MalformedSignature (14)", () => {
      const text = readFileSync(join(FIX, "a.txt.v0.3.sigstore.json"), "utf8");
      writeFileSync(join(dir, "truncated.json"), text.slice(0, text.length / 2));
      expectFailure(blob(join(FIX, "a.txt"), join(dir, "truncated.json"), PROD, GHA, GHA_ISSUER), 14, "MalformedSignature");
      const j = JSON.parse(text);
      delete j.verificationMaterial;
      writeFileSync(join(dir, "garbled.json"), JSON.stringify(j));
      expectFailure(blob(join(FIX, "a.txt"), join(dir, "garbled.json"), PROD, GHA, GHA_ISSUER), 14, "MalformedSignature");
    });

    test("missing options are UsageError (2) and a missing trusted root is NotFound (3)", () => {
      expectFailure(offline(["verify-blob", join(FIX, "a.txt"), "--bundle", join(FIX, "a.txt.v0.3.sigstore.json"), "--certificate-oidc-issuer", GHA_ISSUER]), 2, "UsageError");
      const r = offline(["verify-blob", join(FIX, "a.txt"), "--bundle", join(FIX, "a.txt.v0.3.sigstore.json"), "--certificate-identity", GHA, "--certificate-oidc-issuer", GHA_ISSUER]);
      expectFailure(r, 3, "NotFound");
      expect(r.stderr).toContain("trust-root import");
    });

    test("a sha256:<hex> digest verifies in place of the file; a digest that is not one is UsageError (2)", () => {
      const hex = createHash("sha256").update(readFileSync(join(FIX, "a.txt"))).digest("hex");
      const r = blob(`sha256:${hex.toUpperCase()}`, join(FIX, "a.txt.v0.3.sigstore.json"), PROD, GHA, GHA_ISSUER);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Verified sha256:${hex}: signed by ${GHA}`);
      const other = `sha256:${"0".repeat(64)}`;
      expectFailure(blob(other, join(FIX, "a.txt.v0.3.sigstore.json"), PROD, GHA, GHA_ISSUER), 11, "InvalidSignature");
      expectFailure(blob(`sha256:${hex.slice(1)}`, join(FIX, "a.txt.v0.3.sigstore.json"), PROD, GHA, GHA_ISSUER), 2, "UsageError");
    });

    test("--key verifies a managed-key bundle and names the key's SHA-256; misuse of --key is UsageError or NotFound", () => {
      const key = join(CONFORMANCE, "managed-key-happy-path", "key.pub");
      const bundle = join(CONFORMANCE, "managed-key-happy-path", "bundle.sigstore.json");
      const spki = createPublicKey(readFileSync(key, "utf8")).export({ type: "spki", format: "der" });
      const r = offline(["verify-blob", join(CONFORMANCE, "a.txt"), "--bundle", bundle, "--key", key, "--trusted-root", PROD]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`signed by key sha256:${createHash("sha256").update(spki).digest("hex")}`);
      const both = offline(["verify-blob", join(CONFORMANCE, "a.txt"), "--bundle", bundle, "--key", key, "--certificate-identity", GHA, "--trusted-root", PROD]);
      expectFailure(both, 2, "UsageError");
      expectFailure(offline(["verify-blob", join(CONFORMANCE, "a.txt"), "--bundle", bundle, "--key", join(dir, "none.pem"), "--trusted-root", PROD]), 3, "NotFound");
      writeFileSync(join(dir, "garbage.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
      expectFailure(offline(["verify-blob", join(CONFORMANCE, "a.txt"), "--bundle", bundle, "--key", join(dir, "garbage.pem"), "--trusted-root", PROD]), 2, "UsageError");
    });

    test("trust-root import installs the root verify-blob then uses; a file that is not one is refused", () => {
      writeFileSync(join(dir, "bad.json"), '{"mediaType": "application/json"}');
      expectFailure(offline(["trust-root", "import", join(dir, "bad.json")]), 1, "Error");
      expect(existsSync(join(dir, ".aam", "trusted_root.json"))).toBe(false);
      const imp = offline(["trust-root", "import", PROD, "--json"]);
      expect(imp.code).toBe(0);
      expect(JSON.parse(imp.stdout)).toMatchObject({ ok: true, path: join(dir, ".aam", "trusted_root.json") });
      expect(readFileSync(join(dir, ".aam", "trusted_root.json"), "utf8")).toBe(readFileSync(PROD, "utf8"));
      const r = offline(["verify-blob", join(FIX, "a.txt"), "--bundle", join(FIX, "a.txt.v0.3.sigstore.json"), "--certificate-identity", GHA, "--certificate-oidc-issuer", GHA_ISSUER]);
      expect(r.code).toBe(0);
    });

    test("security.verify_transparency_log: false is announced, and TSA-only evidence still verifies", () => {
      expect(offline(["config", "set", "security.verify_transparency_log", "false"]).code).toBe(0);
      const r = blob(join(FIX, "a.txt"), join(FIX, "a.txt.staging-rekor2-tsa.v0.3.sigstore.json"), STAGING, GHA, GHA_ISSUER);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("warning:");
      expect(r.stderr).toContain("verify_transparency_log");
      expectFailure(blob(join(FIX, "a.txt"), join(FIX, "a.txt.v0.1.sigstore.json"), PROD, GHA, GHA_ISSUER), 11, "InvalidSignature");
    });
  });

  test("trust-root update says how to work offline when the TUF repository is unreachable", () => {
    const seeds = JSON.parse(readFileSync(join(ROOT, "node_modules", "@sigstore", "tuf", "seeds.json"), "utf8"));
    writeFileSync(join(dir, "root.json"), Buffer.from(seeds["https://tuf-repo-cdn.sigstore.dev"]["root.json"], "base64"));
    // Port 9 on loopback: nothing listens, so the connection is refused at once.
    const r = aam(rt, ["trust-root", "update", "--mirror", "http://127.0.0.1:9", "--tuf-root", join(dir, "root.json")], { cwd: dir, home: dir });
    expectFailure(r, 1, "Error");
    expect(r.stderr).toContain("aam trust-root import");
    expect(existsSync(join(dir, ".aam", "trusted_root.json"))).toBe(false);
  });

  describe("keyless signing against local stand-ins", () => {
    let s: SigstoreStandIns;
    beforeAll(async () => {
      s = await startSigstoreStandIns();
    });
    afterAll(async () => await s.close());
    // The stand-ins run in this process: the CLI must run asynchronously or it would wait on itself.
    const run = (args: string[], env: Record<string, string> = {}) => aamAsync(rt, args, { cwd: dir, home: dir, env });

    async function setUp(): Promise<void> {
      mkdirSync(join(dir, ".aam"), { recursive: true });
      writeFileSync(join(dir, "mock_root.json"), s.trustedRoot);
      expect((await run(["trust-root", "import", "mock_root.json"])).code).toBe(0);
      for (const k of ["fulcio_url", "rekor_url", "tsa_url"]) expect((await run(["config", "set", `security.sigstore.${k}`, s.url])).code).toBe(0);
      expect((await run(["registry", "init", "reg", "--default"])).code).toBe(0);
      makePackage(join(dir, "p"), "@acme/keyless", "1.0.0");
    }

    test("publish --signing-method sigstore, verify, info, then verify --offline after the registry is deleted", async () => {
      await setUp();
      const token = fakeIdentityToken("release@example.com", "https://accounts.example.com");
      const pub = await run(["pkg", "publish", "p", "--sign", "--signing-method", "sigstore"], { SIGSTORE_ID_TOKEN: token });
      expect(pub.stderr).toBe("");
      expect(pub.code).toBe(0);
      const sig = JSON.parse(readFileSync(join(dir, "reg", "packages", "acme--keyless", "1.0.0.sig"), "utf8"));
      expect(sig.signatures[0]).toMatchObject({ algorithm: "sigstore", bundle: { mediaType: expect.stringContaining("sigstore.bundle") } });

      expect((await run(["config", "set", "security.on_signature_failure", "error"])).code).toBe(0);
      const untrusted = await run(["verify", "@acme/keyless"]);
      expect({ code: untrusted.code, name: errorName(untrusted.stderr) }).toEqual({ code: 12, name: "UntrustedSigner" });

      expect((await run(["config", "add", "security.trusted_identities", "*@example.com"])).code).toBe(0);
      expect((await run(["config", "add", "security.allowed_issuers", "https://accounts.example.com"])).code).toBe(0);
      const v = await run(["verify", "@acme/keyless", "--require-signature", "--json"]);
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).results[0]).toMatchObject({ outcome: "verified", signers: [{ algorithm: "sigstore", identity: "release@example.com", issuer: "https://accounts.example.com", trusted: true }] });

      const info = await run(["info", "@acme/keyless", "--signatures"]);
      expect(info.code).toBe(0);
      expect(info.stdout).toContain("release@example.com");
      expect(info.stdout).toContain("Issuer: https://accounts.example.com");
      // The reference page's shape: the log entry at this machine's Rekor (the local stand-in), issued time.
      expect(info.stdout).toMatch(/Transparency log: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/log\/entries\?logIndex=\d+/);
      expect(info.stdout).toMatch(/Issued: \d{4}-\d\d-\d\dT/);

      expect((await run(["verify", "--offline-prepare", "@acme/keyless"])).code).toBe(0);
      rmSync(join(dir, "reg"), { recursive: true, force: true });
      // The cache entry's copy of the trusted root is never used (SPEC §6): without a local root the
      // Sigstore entry cannot be verified, and the error says how to get one.
      const rootCopy = readFileSync(join(dir, ".aam", "trusted_root.json"), "utf8");
      rmSync(join(dir, ".aam", "trusted_root.json"));
      const noRoot = offline(["verify", "--offline", "@acme/keyless", "--require-signature"]);
      expectFailure(noRoot, 11, "InvalidSignature");
      expect(noRoot.stderr).toContain("aam trust-root import");
      writeFileSync(join(dir, "mock_root.json"), rootCopy);
      expect(offline(["trust-root", "import", "mock_root.json"]).code).toBe(0);
      const off = offline(["verify", "--offline", "@acme/keyless", "--require-signature", "--json"]);
      expect(off.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
      expect(off.code).toBe(0);
      expect(JSON.parse(off.stdout).results[0]).toMatchObject({ outcome: "verified", signers: [{ identity: "release@example.com", trusted: true }] });

      // Another machine's trust: a different allowed issuer rejects the same cached package.
      expect(offline(["config", "set", "security.allowed_issuers", "https://token.actions.githubusercontent.com"]).code).toBe(0);
      expectFailure(offline(["verify", "--offline", "@acme/keyless"]), 12, "UntrustedSigner");
    });

    test("a .sig entry made with a managed key (cosign sign-blob --key) verifies once `aam key trust <pub.pem>` trusts the key", async () => {
      await setUp();
      expect((await run(["pkg", "pack", "p", "--output", "x.aam"])).code).toBe(0);
      const archive = readFileSync(join(dir, "x.aam"));
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const der = publicKey.export({ type: "spki", format: "der" });
      writeFileSync(join(dir, "cosign.pub"), publicKey.export({ type: "spki", format: "pem" }));
      const fp = createHash("sha256").update(der).digest("hex");
      // What `cosign sign-blob --key` makes: a message signature, a public-key hint, a Rekor entry (the stand-in's).
      const signer = { sign: async (data: Buffer) => ({ signature: cryptoSign("sha256", data, privateKey), key: { $case: "publicKey" as const, publicKey: String(publicKey.export({ type: "spki", format: "pem" })), hint: createHash("sha256").update(der).digest("base64") } }) };
      const built = await new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: s.url })] }).create({ data: archive });
      const hash = `sha256:${createHash("sha256").update(archive).digest("hex")}`;
      const sig = { version: 1, package: "@acme/keyless", package_version: "1.0.0", package_hash: hash, signatures: [{ algorithm: "sigstore", bundle: bundleToJSON(built) }] };
      writeFileSync(join(dir, "x.aam.sig"), JSON.stringify(sig));
      const check = () => run(["verify", "--file", "x.aam", "--sig", "x.aam.sig", "--require-signature", "--json"]);

      const unknown = await check();
      expect({ code: unknown.code, error: JSON.parse(unknown.stdout).error?.code }).toEqual({ code: 11, error: "InvalidSignature" });
      expect(unknown.stdout).toContain("aam key trust");

      const trusted = await run(["key", "trust", "cosign.pub", "--json"]);
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.stdout)).toMatchObject({ ok: true, trusted: fp, algorithm: "ecdsa-P-256" });
      const v = await check();
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).results[0]).toMatchObject({ outcome: "verified", signers: [{ algorithm: "sigstore", key_fingerprint: fp, valid: true, trusted: true }] });
      // The same bundle with --key on verify-blob, against the stand-ins' root.
      writeFileSync(join(dir, "b.json"), JSON.stringify(sig.signatures[0].bundle));
      const blobR = await run(["verify-blob", "x.aam", "--bundle", "b.json", "--key", "cosign.pub"]);
      expect(blobR.code).toBe(0);
      expect(blobR.stdout).toContain(`signed by key sha256:${fp}`);

      expect((await run(["key", "revoke", fp])).code).toBe(0);
      const revoked = await check();
      expect({ code: revoked.code, error: JSON.parse(revoked.stdout).error?.code }).toEqual({ code: 12, error: "UntrustedSigner" });
    });

    test("aam key trust refuses a PEM key that is neither Ed25519 nor ECDSA P-256/P-384 (UsageError, 2)", async () => {
      // Keys made by OpenSSL (the test runner's own crypto may lack secp256k1).
      for (const [name, alg] of [["p521", "EC -pkeyopt ec_paramgen_curve:P-521"], ["k256", "EC -pkeyopt ec_paramgen_curve:secp256k1"], ["rsa", "RSA -pkeyopt rsa_keygen_bits:2048"]]) {
        const made = runCmd("sh", ["-c", `openssl genpkey -algorithm ${alg} | openssl pkey -pubout -out ${name}.pem`], { cwd: dir });
        expect(made.code).toBe(0);
        expectFailure(await run(["key", "trust", `${name}.pem`]), 2, "UsageError");
      }
      expect(existsSync(join(dir, ".aam", "keys"))).toBe(false);
    });

    test("signing without a token is UsageError (2); an unreachable Fulcio is Error (1) naming it", async () => {
      await setUp();
      const r = await run(["pkg", "publish", "p", "--sign", "--signing-method", "sigstore"]);
      expectFailure(r, 2, "UsageError");
      expect(r.stderr).toContain("SIGSTORE_ID_TOKEN");
      expect((await run(["config", "set", "security.sigstore.fulcio_url", "http://127.0.0.1:9"])).code).toBe(0);
      const token = fakeIdentityToken("release@example.com", "https://accounts.example.com");
      const down = await run(["pkg", "publish", "p", "--sign", "--signing-method", "sigstore", "--identity-token", token]);
      expectFailure(down, 1, "Error");
      expect(down.stderr).toContain("http://127.0.0.1:9");
      expect(down.stderr).not.toContain(token);
      expect(existsSync(join(dir, "reg", "packages", "acme--keyless", "1.0.0.aam"))).toBe(false);
    });
  });
});
