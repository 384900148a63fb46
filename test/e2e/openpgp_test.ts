/**
 * OpenPGP signatures against real GnuPG, both ways (SPEC §5, §6, §8): gpg signs through
 * `--signing-method gpg` and AAM verifies in-process with no gpg on PATH; a key exported from gpg
 * signs through openpgp.js and `gpg --verify` accepts it; bad bytes, expired and revoked keys are
 * InvalidSignature (11), an untrusted or config-revoked key UntrustedSigner (12); subkeys, RSA 2048 and
 * ECDSA P-256 verify. Keys are made once per file in a temporary GNUPGHOME.
 */
import { describe, test, expect, beforeAll, afterAll, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, mkdirSync, symlinkSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { aam, RUNTIMES, tempDir, removeDir, makePackage, errorName, findOnPath, run as sh, type RuntimeName } from "../helpers.ts";

const PASS = "aam store passphrase";
const GPG_PASS = "gpg key passphrase";

/** Fixtures shared by every runtime: one GNUPGHOME, exported keys, fingerprints. */
const fx = {
  root: "",
  gnupg: "",
  /** A PATH holding only `node`: the CLI runs there with no gpg at all. */
  noGpgPath: "",
  fp: {} as Record<"T" | "P" | "S" | "R" | "N" | "V" | "E", string>,
  subkeyS: "",
};

function gpg(args: string[], o: { cwd?: string; input?: string } = {}) {
  const r = sh("gpg", ["--batch", "--no-tty", ...args], { cwd: o.cwd, input: o.input, env: { GNUPGHOME: fx.gnupg } });
  return r;
}

function gen(uid: string, algo: string, usage: string, expire = "0", extra: string[] = [], passphrase = "") {
  const r = gpg(["--pinentry-mode", "loopback", "--passphrase", passphrase, ...extra, "--quick-gen-key", uid, algo, usage, expire]);
  if (r.code !== 0) throw new Error(`gpg --quick-gen-key ${uid}: ${r.stderr}`);
  return fingerprints(uid)[0];
}

/** Fingerprints of a key (primary first, then subkeys) from --with-colons. */
function fingerprints(who: string): string[] {
  const out = gpg(["--with-colons", "--list-keys", who]).stdout;
  return out.split("\n").filter((l) => l.startsWith("fpr:")).map((l) => l.split(":")[9]);
}

function exportTo(file: string, args: string[]) {
  const r = gpg(["--armor", ...args]);
  if (r.code !== 0 || !r.stdout.includes("-----BEGIN PGP")) throw new Error(`gpg ${args.join(" ")}: ${r.stderr}`);
  writeFileSync(join(fx.root, file), r.stdout);
}

beforeAll(() => {
  fx.root = tempDir("aam-pgp-");
  fx.gnupg = join(fx.root, "gnupg");
  mkdirSync(fx.gnupg, { mode: 0o700 });
  chmodSync(fx.gnupg, 0o700);
  fx.noGpgPath = join(fx.root, "nogpg-bin");
  mkdirSync(fx.noGpgPath);
  symlinkSync(findOnPath("node"), join(fx.noGpgPath, "node"));

  fx.fp.T = gen("T <t@example.org>", "ed25519", "sign");
  fx.fp.P = gen("P <p@example.org>", "ed25519", "sign", "0", [], GPG_PASS);
  fx.fp.S = gen("S <s@example.org>", "ed25519", "cert");
  expect(gpg(["--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", fx.fp.S, "ed25519", "sign", "0"]).code).toBe(0);
  fx.subkeyS = fingerprints(fx.fp.S)[1];
  fx.fp.R = gen("R <r@example.org>", "rsa2048", "sign");
  fx.fp.N = gen("N <n@example.org>", "nistp256", "sign");
  // E: made and valid for one day in January 2025, expired ever since.
  fx.fp.E = gen("E <e@example.org>", "ed25519", "sign", "1d", ["--faked-system-time", "20250101T000000!"]);
  // V: its secret key is exported before it is revoked, so it can still sign in AAM afterwards.
  fx.fp.V = gen("V <v@example.org>", "ed25519", "sign");

  exportTo("T.asc", ["--export", fx.fp.T]);
  exportTo("P.sec.asc", ["--pinentry-mode", "loopback", "--passphrase", GPG_PASS, "--export-secret-keys", fx.fp.P]);
  exportTo("SRN.asc", ["--export", fx.fp.S, fx.fp.R, fx.fp.N]);
  exportTo("E.asc", ["--export", fx.fp.E]);
  exportTo("V.sec.asc", ["--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-keys", fx.fp.V]);
  // GnuPG stores a revocation certificate for each new key; its first line is defused with ':'.
  const rev = readFileSync(join(fx.gnupg, "openpgp-revocs.d", `${fx.fp.V}.rev`), "utf8").replace(/^:-----BEGIN/m, "-----BEGIN");
  expect(gpg(["--import"], { input: rev }).code).toBe(0);
  exportTo("V.revoked.asc", ["--export", fx.fp.V]);
});

afterAll(() => {
  // The agent this GNUPGHOME started is ours to stop.
  sh("gpgconf", ["--kill", "gpg-agent"], { env: { GNUPGHOME: fx.gnupg } });
  removeDir(fx.root);
});

describe.each(RUNTIMES)("OpenPGP and GnuPG under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[], o: { cwd?: string; home?: string; env?: Record<string, string>; noGpg?: boolean; offline?: boolean } = {}) =>
    aam(rt, args, {
      cwd: o.cwd ?? dir,
      home: o.home ?? dir,
      offline: o.offline,
      env: { AAM_PASSPHRASE: PASS, GNUPGHOME: fx.gnupg, ...(o.noGpg ? { PATH: fx.noGpgPath } : {}), ...o.env },
    });
  const archive = () => join(dir, "p1", "dist", "acme--pgp-1.0.0.aam");
  const sigOf = (file: string) => JSON.parse(readFileSync(file, "utf8"));
  /** Writes entry i's armoured signature next to the archive, for `gpg --verify`. */
  const gpgVerify = (sigFile: string, data: string, i = 0) => {
    const asc = join(dir, `sig-${i}.asc`);
    writeFileSync(asc, sigOf(sigFile).signatures[i].signature);
    return gpg(["--verify", asc, data]);
  };
  const failure = (r: { stdout: string }) => JSON.parse(r.stdout).error as { code: string; exit_code: number; actual?: string };

  beforeEach(() => {
    dir = tempDir();
    expect(run(["registry", "init", "reg", "--default"]).code).toBe(0);
    makePackage(join(dir, "p1"), "@acme/pgp", "1.0.0");
    expect(run(["pkg", "pack", "p1"]).code).toBe(0);
  });
  afterEach(() => removeDir(dir));

  test("gpg signs; gpg --verify accepts it; AAM verifies it with no gpg on PATH, online and --offline, once the key is trusted", () => {
    // Without gpg, or with a key gpg does not have, signing says so and how to fix it.
    const noGpg = run(["pkg", "sign", archive(), "--signing-method", "gpg"], { noGpg: true });
    expect(noGpg.code).toBe(3);
    expect(errorName(noGpg.stderr)).toBe("NotFound");
    expect(noGpg.stderr).toContain("hint:");
    const noKey = run(["pkg", "sign", archive(), "--signing-method", "gpg", "--gpg-key", "nobody@example.org"]);
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toContain("security.gpg_key");

    const pub = run(["pkg", "publish", archive(), "--sign", "--signing-method", "gpg", "--gpg-key", fx.fp.T]);
    expect(pub.code).toBe(0);
    const sigFile = join(dir, "reg", "packages", "acme--pgp", "1.0.0.sig");
    const entry = sigOf(sigFile).signatures[0];
    expect(entry).toMatchObject({ algorithm: "openpgp", key_fingerprint: fx.fp.T });
    expect(gpgVerify(sigFile, join(dir, "reg", "packages", "acme--pgp", "1.0.0.aam")).code).toBe(0);
    // publish copies the signer's public key into the registry's keys/ (never trusted by presence).
    expect(readFileSync(join(dir, "reg", "keys", `${fx.fp.T}.asc`), "utf8")).toContain("-----BEGIN PGP PUBLIC KEY BLOCK-----");

    const other = join(dir, "other");
    mkdirSync(other);
    const o = { home: other, cwd: other, noGpg: true };
    expect(run(["registry", "add", "r", join(dir, "reg"), "--default"], o).code).toBe(0);
    expect(run(["config", "set", "security.on_signature_failure", "error"], o).code).toBe(0);
    const untrusted = run(["verify", "@acme/pgp"], o);
    expect(untrusted.code).toBe(12);
    expect(errorName(untrusted.stderr)).toBe("UntrustedSigner");

    expect(run(["key", "trust", join(fx.root, "T.asc")], o).code).toBe(0);
    const v = run(["verify", "@acme/pgp", "--require-signature", "--json"], o);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0].signers[0]).toMatchObject({
      algorithm: "openpgp",
      key_fingerprint: fx.fp.T,
      valid: true,
      trusted: true,
      info: { user_id: "T <t@example.org>", signing_key: fx.fp.T },
    });
    const info = run(["info", "@acme/pgp", "--signatures", "--json"], o);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout).signatures[0]).toMatchObject({ key_fingerprint: fx.fp.T, valid: true, trusted: true, info: { user_id: "T <t@example.org>" } });

    expect(run(["verify", "--offline-prepare", "@acme/pgp"], o).code).toBe(0);
    const off = run(["verify", "--offline", "@acme/pgp", "--require-signature"], { ...o, offline: true });
    expect(off.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(off.code).toBe(0);

    // Revoked by AAM configuration: a trust decision, so UntrustedSigner.
    expect(run(["key", "revoke", fx.fp.T], o).code).toBe(0);
    const revoked = run(["verify", "@acme/pgp"], o);
    expect(revoked.code).toBe(12);
    expect(errorName(revoked.stderr)).toBe("UntrustedSigner");
  });

  test("a passphrase-protected secret key exported from gpg signs through openpgp.js, and gpg --verify accepts it", () => {
    const secret = join(fx.root, "P.sec.asc");
    const wrong = run(["key", "import", secret], { env: { AAM_PASSPHRASE: "not it" } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("hint:");
    const imp = run(["key", "import", secret, "--name", "pgp", "--json"], { env: { AAM_PASSPHRASE: GPG_PASS } });
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ algorithm: "openpgp", fingerprint: fx.fp.P, user_id: "P <p@example.org>", encrypted: true });
    const keyFile = readFileSync(join(dir, ".aam", "keys", `${fx.fp.P}.key`), "utf8");
    expect(JSON.parse(keyFile)).toMatchObject({ algorithm: "openpgp", encryption: { kdf: "scrypt", cipher: "aes-256-gcm" } });
    expect(keyFile).not.toContain("PRIVATE KEY BLOCK");

    // No gpg on PATH: the openpgp method never needs it.
    expect(run(["pkg", "sign", archive(), "--signing-method", "openpgp"], { env: { AAM_PASSPHRASE: GPG_PASS }, noGpg: true }).code).toBe(0);
    expect(gpgVerify(`${archive()}.sig`, archive()).code).toBe(0);
    const v = run(["verify", "--file", archive(), "--require-signature", "--json"], { noGpg: true });
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0].signers[0]).toMatchObject({ key_fingerprint: fx.fp.P, valid: true, trusted: true });
  });

  test("other bytes, an expired key and a key revoked by its owner are InvalidSignature (11)", () => {
    expect(run(["key", "trust", join(fx.root, "T.asc")]).code).toBe(0);
    expect(run(["pkg", "sign", archive(), "--signing-method", "gpg", "--gpg-key", fx.fp.T]).code).toBe(0);
    const sigFile = `${archive()}.sig`;
    const good = readFileSync(sigFile, "utf8");
    // A real signature by the same trusted key, over other bytes.
    writeFileSync(join(dir, "other.bin"), "other bytes");
    const other = gpg(["--armor", "--detach-sign", "--local-user", fx.fp.T, "--output", "-", join(dir, "other.bin")]);
    const swapped = JSON.parse(good);
    swapped.signatures[0].signature = other.stdout;
    writeFileSync(sigFile, JSON.stringify(swapped));
    const bad = run(["verify", "--file", archive(), "--require-signature", "--json"], { noGpg: true });
    expect(bad.code).toBe(11);
    expect(failure(bad)).toMatchObject({ code: "InvalidSignature", exit_code: 11 });
    expect(failure(bad).actual).toContain("does not verify");

    // Expired: signed while E was valid (January 2025, gpg's faked clock); E has expired since.
    const hash = `sha256:${createHash("sha256").update(readFileSync(archive())).digest("hex")}`;
    const esig = gpg(["--faked-system-time", "20250101T120000!", "--armor", "--detach-sign", "--local-user", fx.fp.E, "--output", "-", archive()]);
    expect(esig.stdout).toContain("-----BEGIN PGP SIGNATURE-----");
    const epub = readFileSync(join(fx.root, "E.asc"), "utf8");
    writeFileSync(
      sigFile,
      JSON.stringify({
        version: 1,
        package: "@acme/pgp",
        package_version: "1.0.0",
        package_hash: hash,
        signatures: [{ algorithm: "openpgp", key_fingerprint: fx.fp.E, public_key: epub, signature: esig.stdout, signed_at: "2025-01-01T12:00:00Z" }],
      }),
    );
    expect(run(["key", "trust", join(fx.root, "E.asc")]).code).toBe(0);
    const expired = run(["verify", "--file", archive(), "--require-signature", "--json"]);
    expect(expired.code).toBe(11);
    expect(failure(expired).actual).toContain("expired");

    // Revoked by its owner: the .sig carries the old copy of V; the revoked copy trusted locally wins.
    writeFileSync(sigFile, good);
    expect(run(["key", "import", join(fx.root, "V.sec.asc"), "--name", "v"]).code).toBe(0);
    expect(run(["pkg", "sign", archive(), "--signing-method", "openpgp", "--key", "v"]).code).toBe(0);
    expect(run(["verify", "--file", archive(), "--require-signature"]).code).toBe(0);
    expect(run(["key", "trust", join(fx.root, "V.revoked.asc")]).code).toBe(0);
    // Drop T's entry so only V's signature counts.
    const onlyV = sigOf(sigFile);
    onlyV.signatures = onlyV.signatures.filter((e: { key_fingerprint: string }) => e.key_fingerprint === fx.fp.V);
    writeFileSync(sigFile, JSON.stringify(onlyV));
    const rev = run(["verify", "--file", archive(), "--require-signature", "--json"]);
    expect(rev.code).toBe(11);
    expect(failure(rev).actual).toContain("revoked");
  });

  test("a signing subkey, RSA 2048 and ECDSA P-256 keys made by gpg all verify; a subkey reports its primary key", () => {
    for (const fp of [fx.fp.S, fx.fp.R, fx.fp.N]) {
      expect(run(["pkg", "sign", archive(), "--signing-method", "gpg", "--gpg-key", fp]).code).toBe(0);
    }
    const sigFile = `${archive()}.sig`;
    expect(sigOf(sigFile).signatures.map((e: { key_fingerprint: string }) => e.key_fingerprint)).toEqual([fx.fp.S, fx.fp.R, fx.fp.N]);
    for (const i of [0, 1, 2]) expect(gpgVerify(sigFile, archive(), i).code).toBe(0);
    // One armoured file with three keys trusts all three.
    expect(run(["key", "trust", join(fx.root, "SRN.asc")]).code).toBe(0);
    const v = run(["verify", "--file", archive(), "--require-signature", "--json"], { noGpg: true });
    expect(v.code).toBe(0);
    const signers = JSON.parse(v.stdout).results[0].signers;
    expect(signers.map((s: { valid: boolean; trusted: boolean }) => s.valid && s.trusted)).toEqual([true, true, true]);
    expect(signers[0]).toMatchObject({ key_fingerprint: fx.fp.S, info: { user_id: "S <s@example.org>", signing_key: fx.subkeyS } });
  });
});
