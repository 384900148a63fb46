/**
 * `aam verify --file` of a large package signed with OpenPGP (a gpg-made key, signed by real gpg)
 * and with Sigstore (keyless, at local stand-ins on 127.0.0.1), under Node, Bun and Deno: issue 15
 * item 4, where these entries are checked in the archive's one streamed read (OpenPGP hashes it
 * natively as it passes; Sigstore checks the read's SHA-256). A flipped byte is still TamperedPackage
 * (10), and a .sig whose package_hash an attacker rewrote for the flipped bytes InvalidSignature (11).
 * Peak memory is measured by the bench (`node scripts/bench/run.mjs --only memory`), not here.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { readFileSync, writeFileSync, copyFileSync, mkdirSync, chmodSync, openSync, readSync, writeSync, closeSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { aam, aamAsync, RUNTIMES, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";
import { startSigstoreStandIns, fakeIdentityToken, type SigstoreStandIns } from "../sigstore_mock.ts";

const PAYLOAD_BYTES = 24 * 1024 * 1024;
const IDENTITY = "release@example.com";
const ISSUER = "https://accounts.example.com";

const fx = { root: "", gnupg: "", fp: "", archive: "", other: "", pgpSig: "", sigstoreSig: "", mockRoot: "" };
let s: SigstoreStandIns;

function gpg(args: string[]) {
  return sh("gpg", ["--batch", "--no-tty", ...args], { env: { GNUPGHOME: fx.gnupg } });
}

const sha256 = (file: string) => `sha256:${createHash("sha256").update(readFileSync(file)).digest("hex")}`;

beforeAll(async () => {
  fx.root = tempDir("aam-bigsig-");
  fx.gnupg = join(fx.root, "gnupg");
  mkdirSync(fx.gnupg, { mode: 0o700 });
  chmodSync(fx.gnupg, 0o700);
  expect(gpg(["--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "Big <big@example.org>", "ed25519", "sign", "0"]).code).toBe(0);
  fx.fp = gpg(["--with-colons", "--list-keys", "big@example.org"]).stdout.split("\n").find((l) => l.startsWith("fpr:"))!.split(":")[9];
  writeFileSync(join(fx.root, "big.asc"), gpg(["--armor", "--export", fx.fp]).stdout);

  // A package whose archive is tens of MiB: random bytes do not compress.
  const pkg = makePackage(join(fx.root, "p"), "@acme/big", "1.0.0");
  const payload = randomBytes(PAYLOAD_BYTES);
  writeFileSync(join(pkg, "payload.bin"), payload);
  const home = { cwd: fx.root, home: fx.root };
  fx.archive = join(fx.root, "big.aam");
  expect(aam("node", ["pkg", "pack", pkg, "--output", fx.archive], home).code).toBe(0);
  // The same package with one payload byte changed: a valid archive, other bytes.
  payload[PAYLOAD_BYTES >> 1] ^= 1;
  writeFileSync(join(pkg, "payload.bin"), payload);
  fx.other = join(fx.root, "other.aam");
  expect(aam("node", ["pkg", "pack", pkg, "--output", fx.other], home).code).toBe(0);

  // Sigstore first (a fresh .sig), then gpg (another fresh .sig): one entry each.
  s = await startSigstoreStandIns();
  fx.mockRoot = join(fx.root, "mock_root.json");
  writeFileSync(fx.mockRoot, s.trustedRoot);
  for (const k of ["fulcio_url", "rekor_url", "tsa_url"]) expect(aam("node", ["config", "set", `security.sigstore.${k}`, s.url], home).code).toBe(0);
  expect(aam("node", ["trust-root", "import", fx.mockRoot], home).code).toBe(0);
  // The stand-ins answer from this process: the signer runs asynchronously.
  const signed = await aamAsync("node", ["pkg", "sign", fx.archive, "--signing-method", "sigstore"], { ...home, env: { SIGSTORE_ID_TOKEN: fakeIdentityToken(IDENTITY, ISSUER) } });
  expect(signed.stderr).toBe("");
  expect(signed.code).toBe(0);
  fx.sigstoreSig = join(fx.root, "sigstore.sig");
  copyFileSync(`${fx.archive}.sig`, fx.sigstoreSig);
  rmSync(`${fx.archive}.sig`);
  const pgp = aam("node", ["pkg", "sign", fx.archive, "--signing-method", "gpg", "--gpg-key", fx.fp], { ...home, env: { GNUPGHOME: fx.gnupg } });
  expect(pgp.stderr).toBe("");
  expect(pgp.code).toBe(0);
  fx.pgpSig = join(fx.root, "pgp.sig");
  copyFileSync(`${fx.archive}.sig`, fx.pgpSig);
  for (const f of [fx.pgpSig, fx.sigstoreSig]) expect(JSON.parse(readFileSync(f, "utf8")).signatures).toHaveLength(1);
}, 300_000);

afterAll(async () => {
  await s?.close();
  removeDir(fx.root);
});

describe.each(RUNTIMES)("verify --file of a 24 MiB signed package under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir, offline: true });
  const verify = (archive: string, sig: string) => run(["verify", "--file", archive, "--sig", sig, "--require-signature", "--json"]);

  beforeAll(() => {
    dir = tempDir();
    expect(run(["key", "trust", join(fx.root, "big.asc")]).code).toBe(0);
    expect(run(["trust-root", "import", fx.mockRoot]).code).toBe(0);
    expect(run(["config", "add", "security.trusted_identities", IDENTITY]).code).toBe(0);
    expect(run(["config", "add", "security.allowed_issuers", ISSUER]).code).toBe(0);
    expect(run(["config", "set", "security.on_signature_failure", "error"]).code).toBe(0);
    // A copy with one byte flipped in the middle (its gzip stream no longer checks out either).
    const bad = join(dir, "bad.aam");
    copyFileSync(fx.archive, bad);
    const fd = openSync(bad, "r+");
    const at = Math.floor(PAYLOAD_BYTES / 2);
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 1;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
    // The .sig files rewritten, as by an attacker, to name the other (valid) archive's hash.
    for (const name of ["pgp", "sigstore"]) {
      const sig = JSON.parse(readFileSync(join(fx.root, `${name}.sig`), "utf8"));
      sig.package_hash = sha256(fx.other);
      writeFileSync(join(dir, `${name}-rehashed.sig`), JSON.stringify(sig));
    }
  });

  test("the OpenPGP (gpg) and the Sigstore entry verify, and are trusted", () => {
    const pgp = verify(fx.archive, fx.pgpSig);
    expect(pgp.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(pgp.code).toBe(0);
    expect(JSON.parse(pgp.stdout).results[0]).toMatchObject({ outcome: "verified", checksum: sha256(fx.archive), signers: [{ algorithm: "openpgp", key_fingerprint: fx.fp, valid: true, trusted: true }] });
    const sig = verify(fx.archive, fx.sigstoreSig);
    expect(sig.code).toBe(0);
    expect(JSON.parse(sig.stdout).results[0]).toMatchObject({ outcome: "verified", signers: [{ algorithm: "sigstore", identity: IDENTITY, issuer: ISSUER, valid: true, trusted: true }] });
  });

  test("a flipped byte or another archive is TamperedPackage (10); another archive with the .sig's package_hash rewritten to name it, InvalidSignature (11)", () => {
    for (const sig of [fx.pgpSig, fx.sigstoreSig]) {
      for (const archive of [join(dir, "bad.aam"), fx.other]) {
        const r = verify(archive, sig);
        expect({ sig, archive, code: r.code, error: JSON.parse(r.stdout).error?.code }).toEqual({ sig, archive, code: 10, error: "TamperedPackage" });
      }
    }
    for (const name of ["pgp", "sigstore"]) {
      const r = verify(fx.other, join(dir, `${name}-rehashed.sig`));
      expect({ name, code: r.code, error: JSON.parse(r.stdout).error?.code }).toEqual({ name, code: 11, error: "InvalidSignature" });
      // The signature itself fails: openpgp.js's hash check, or the bundle's signature over the bytes (the reason a check over them gives).
      expect(JSON.parse(r.stdout).error.actual).toMatch(name === "pgp" ? /signature does not verify/ : /signature does not match the artifact/);
      const plain = run(["verify", "--file", fx.other, "--sig", join(dir, `${name}-rehashed.sig`)]);
      expect({ name, code: plain.code, error: errorName(plain.stderr) }).toEqual({ name, code: 11, error: "InvalidSignature" });
      expect(plain.stderr).not.toContain("    at ");
    }
  });
});
