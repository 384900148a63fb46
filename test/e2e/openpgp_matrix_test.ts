/**
 * Every key GnuPG and Sequoia make that OpenPGP allows, both ways, under Node, Bun and Deno
 * (SPEC §5): signatures gpg and sq made (SHA-256/384/512; SHA-1 refused) verify in AAM, and AAM
 * signs with each key through openpgp.js in a way `gpg --verify` (and `sq verify`) accepts. Keys
 * AAM's rules refuse (RSA 1024, DSA, secp256k1) are named at `key trust` and refused at `key import`.
 *
 * The keys and signatures are fixtures made once (test/vectors/openpgp-keys/make.sh): CI generates
 * none. Each runtime runs all its commands in one process (cli_batch.mjs), so the matrix costs three
 * runtime start-ups and a handful of gpg runs.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync, mkdirSync, copyFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { RUNTIMES, ROOT, libScriptCommand, tempDir, removeDir, run as sh, type RuntimeName, type RunResult } from "../helpers.ts";

const VEC = join(ROOT, "test", "vectors", "openpgp-keys");
const BATCH = join(ROOT, "test", "e2e", "cli_batch.mjs");

/** keys.tsv (written by GnuPG, not by the library under test): name, primary and signing fingerprints. */
const KEYS = readFileSync(join(VEC, "keys.tsv"), "utf8")
  .trim()
  .split("\n")
  .map((l) => {
    const [name, primary, signer] = l.split("\t");
    return { name, primary, signer };
  });
/** Keys no signature of which can verify under AAM's rules, and what `key trust`/`key import` must name. */
const WEAK: Record<string, RegExp> = { rsa1024: /RSA 1024 bits/, dsa2048: /DSA/, secp256k1: /secp256k1/ };
const DIGESTS = ["SHA256", "SHA384", "SHA512", "SHA1", "default"]; // "default": what sq picked
/** Every signature fixture: gpg made one per digest it allows for the key; sq one with its default. */
const SIGS = KEYS.flatMap((key) => DIGESTS.filter((d) => existsSync(join(VEC, `${key.name}.${d}.asc`))).map((digest) => ({ key, digest })));
const SIGNABLE = KEYS.filter((k) => !WEAK[k.name]);
const hasSq = sh("sq", ["--version"]).code === 0;
/**
 * What Debian's sq (0.27, Nettle backend) verifies at all, whoever signed: not brainpool or secp256k1
 * (Nettle has neither curve), not RSA 1024 and not a key whose self-signatures use SHA-1 (Sequoia's
 * policy); it does accept DSA 2048, which AAM refuses. The test checks that sq treats AAM's
 * signatures as it treats gpg's.
 */
const SQ_VERIFIES = (name: string) => !/^(brainpool.*|secp256k1|rsa1024|sha1only)$/.test(name);

const fx = { root: "", gnupg: "", pkg: "", allKeys: "" };

function gpg(args: string[]): RunResult {
  return sh("gpg", ["--batch", "--no-tty", ...args], { env: { GNUPGHOME: fx.gnupg } });
}

/** Runs `commands` in one process of runtime `rt`, with its own AAM_HOME. */
function batch(rt: RuntimeName, home: string, commands: string[][]): RunResult[] {
  const { cmd, args, lib } = libScriptCommand(rt, BATCH);
  const file = join(home, "commands.json");
  writeFileSync(file, JSON.stringify(commands));
  const r = spawnSync(cmd, [...args, lib, file], {
    cwd: home,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? "", HOME: home, AAM_HOME: join(home, ".aam"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  if (r.status !== 0) throw new Error(`${rt} cli_batch exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  fx.root = tempDir("aam-pgp-matrix-");
  fx.gnupg = join(fx.root, "gnupg");
  mkdirSync(fx.gnupg, { mode: 0o700 });
  chmodSync(fx.gnupg, 0o700);
  fx.pkg = join(VEC, "package.aam");
  fx.allKeys = join(fx.root, "all.asc");
  writeFileSync(fx.allKeys, KEYS.map((k) => readFileSync(join(VEC, `${k.name}.pub.asc`), "utf8")).join(""));
  // gpg's keyring for checking what AAM signs: every public key, nothing else.
  expect(gpg(["--import", fx.allKeys]).code).toBe(0);
});

afterAll(() => {
  sh("gpgconf", ["--kill", "gpg-agent"], { env: { GNUPGHOME: fx.gnupg } });
  removeDir(fx.root);
});

test("the fixtures hold the whole matrix: 16 keys, gpg's SHA-1 pairs, sq's keys with signing subkeys", () => {
  expect(KEYS.length).toBe(16);
  for (const k of KEYS) expect(k.primary).toMatch(/^[0-9A-F]{40}$/);
  // gpg makes no ECDSA signature with a digest shorter than the curve, so SHA-1 exists for RSA and EdDSA only.
  expect(SIGS.filter((s) => s.digest === "SHA1").map((s) => s.key.name)).toEqual(["ed25519", "rsa1024", "rsa2048", "rsa4096", "sha1only", "subkey"]);
  for (const k of SIGNABLE.filter((k) => !k.name.startsWith("sq-"))) expect(existsSync(join(VEC, `${k.name}.SHA512.asc`))).toBe(true);
  expect(SIGS.length).toBe(44);
  if (hasSq) {
    // Sequoia on gpg's and sq's own signatures: the baseline AAM's signatures are held to below.
    for (const k of KEYS) {
      const sig = join(VEC, `${k.name}.${existsSync(join(VEC, `${k.name}.SHA512.asc`)) ? "SHA512" : "default"}.asc`);
      const s = sh("sq", ["verify", "--signer-cert", join(VEC, `${k.name}.pub.asc`), "--detached", sig, join(VEC, "package.aam")]);
      expect({ key: k.name, verified: s.code === 0 }).toEqual({ key: k.name, verified: SQ_VERIFIES(k.name) });
    }
  }
  for (const name of ["subkey", "sq-cv25519", "sq-rsa3k"]) {
    const k = KEYS.find((x) => x.name === name)!;
    expect(k.signer).not.toBe(k.primary);
  }
});

describe.each(RUNTIMES)("OpenPGP key matrix under %s", (rt: RuntimeName) => {
  let home: string;
  let results: RunResult[];
  let gpgSigned: string;
  let aamSigned: string;
  const at = { trust: 0, verifyGpg: 1, imports: 2, signs: 2 + KEYS.length, verifyAam: 2 + KEYS.length + SIGNABLE.length };

  beforeAll(() => {
    home = tempDir(`aam-pgp-${rt}-`);
    // The package with one entry per gpg/sq signature fixture.
    gpgSigned = join(home, "gpg-signed.aam");
    copyFileSync(fx.pkg, gpgSigned);
    const bytes = readFileSync(fx.pkg);
    const sig = {
      version: 1,
      package: "@acme/matrix",
      package_version: "1.0.0",
      package_hash: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
      signatures: SIGS.map(({ key, digest }) => ({
        algorithm: "openpgp",
        key_fingerprint: key.primary,
        public_key: readFileSync(join(VEC, `${key.name}.pub.asc`), "utf8"),
        signature: readFileSync(join(VEC, `${key.name}.${digest}.asc`), "utf8"),
        signed_at: "2026-01-01T00:00:00Z",
      })),
    };
    writeFileSync(`${gpgSigned}.sig`, JSON.stringify(sig));
    aamSigned = join(home, "aam-signed.aam");
    copyFileSync(fx.pkg, aamSigned);
    results = batch(rt, home, [
      ["key", "trust", fx.allKeys, "--json"],
      ["verify", "--file", gpgSigned, "--json"],
      ...KEYS.map((k) => ["key", "import", join(VEC, `${k.name}.sec.asc`), "--name", k.name, "--no-passphrase", "--json"]),
      ...SIGNABLE.map((k) => ["pkg", "sign", aamSigned, "--signing-method", "openpgp", "--key", k.name, "--json"]),
      ["verify", "--file", aamSigned, "--require-signature", "--json"],
    ]);
  });
  afterAll(() => removeDir(home));

  test("key trust names the keys that can never verify and the one leaning on SHA-1, and trusts all", () => {
    const r = results[at.trust];
    expect(r.code).toBe(0);
    const trusted = JSON.parse(r.stdout).trusted as { fingerprint: string; never_verifies?: string; warning?: string }[];
    expect(trusted.map((t) => t.fingerprint)).toEqual(KEYS.map((k) => k.primary));
    for (const [i, k] of KEYS.entries()) {
      if (WEAK[k.name]) expect(trusted[i].never_verifies).toMatch(WEAK[k.name]);
      else expect(trusted[i].never_verifies).toBeUndefined();
      if (k.name === "sha1only") expect(trusted[i].warning).toContain("SHA-1");
      else expect(trusted[i].warning).toBeUndefined();
    }
    expect(r.stderr).toContain("can never verify under AAM's rules: its primary key is RSA 1024 bits");
  });

  test("every gpg- and sq-made signature verifies, except SHA-1 and the refused keys, each with its reason", () => {
    const r = results[at.verifyGpg];
    expect(r.code).toBe(0);
    const signers = JSON.parse(r.stdout).results[0].signers as { key_fingerprint: string; valid: boolean; trusted: boolean; reason?: string; info?: { signing_key?: string } }[];
    expect(signers.length).toBe(SIGS.length);
    for (const [i, { key, digest }] of SIGS.entries()) {
      const s = { case: `${key.name} ${digest}`, ...signers[i] };
      expect(s.key_fingerprint).toBe(key.primary);
      if (WEAK[key.name]) {
        expect(s).toMatchObject({ valid: false });
        expect(s.reason).toContain("can never verify under AAM's rules");
        expect(s.reason).toMatch(WEAK[key.name]);
      } else if (digest === "SHA1") {
        expect(s).toMatchObject({ valid: false });
        expect(s.reason).toMatch(/SHA1|too weak/);
      } else {
        expect(s).toMatchObject({ case: `${key.name} ${digest}`, valid: true, trusted: true, info: { signing_key: key.signer } });
      }
    }
  });

  test("key import refuses the keys AAM can never verify, with the reason; the others import", () => {
    for (const [i, k] of KEYS.entries()) {
      const r = results[at.imports + i];
      if (WEAK[k.name]) {
        expect({ key: k.name, code: r.code }).toEqual({ key: k.name, code: 2 });
        expect(JSON.parse(r.stdout).error.message).toMatch(WEAK[k.name]);
      } else {
        expect({ key: k.name, code: r.code, stderr: r.code ? r.stderr : "" }).toEqual({ key: k.name, code: 0, stderr: "" });
        if (k.name === "sha1only") expect(r.stderr).toContain("SHA-1");
        expect(JSON.parse(r.stdout)).toMatchObject({ fingerprint: k.primary });
      }
    }
  });

  test("AAM signs with every accepted key (brainpool, NIST, RSA, Ed25519, subkeys); gpg --verify and AAM accept each", () => {
    for (const [i, k] of SIGNABLE.entries()) expect({ key: k.name, code: results[at.signs + i].code, err: results[at.signs + i].stderr }).toMatchObject({ key: k.name, code: 0 });
    const v = results[at.verifyAam];
    expect(v.code).toBe(0);
    const signers = JSON.parse(v.stdout).results[0].signers as { key_fingerprint: string; valid: boolean; trusted: boolean; info?: { signing_key?: string } }[];
    expect(signers.map((s) => [s.key_fingerprint, s.valid, s.trusted, s.info?.signing_key])).toEqual(SIGNABLE.map((k) => [k.primary, true, true, k.signer]));

    const entries = JSON.parse(readFileSync(`${aamSigned}.sig`, "utf8")).signatures as { key_fingerprint: string; signature: string }[];
    for (const [i, k] of SIGNABLE.entries()) {
      const asc = join(home, `aam-${k.name}.asc`);
      writeFileSync(asc, entries[i].signature);
      const g = gpg(["--status-fd", "1", "--verify", asc, aamSigned]);
      // VALIDSIG <signing fpr> <date> <time> <expires> <version> <reserved> <pk algo> <hash algo> <class> <primary fpr>:
      // the right key (not just any key in the ring), a binary signature, SHA-256/384/512 (ids 8, 9, 10).
      const f = /\[GNUPG:\] VALIDSIG (.*)\n/.exec(g.stdout)?.[1].split(" ") ?? [];
      expect({ key: k.name, code: g.code, signer: f[0], primary: f[9], binary: f[8], strongHash: ["8", "9", "10"].includes(f[7]) }).toEqual({
        key: k.name,
        code: 0,
        signer: k.signer,
        primary: k.primary,
        binary: "00",
        strongHash: true,
      });
      if (hasSq) {
        const s = sh("sq", ["verify", "--signer-cert", join(VEC, `${k.name}.pub.asc`), "--detached", asc, aamSigned]);
        expect({ key: k.name, verified: s.code === 0 }).toEqual({ key: k.name, verified: SQ_VERIFIES(k.name) });
      }
    }
    if (!hasSq && process.env.CI) throw new Error("sq (Sequoia) is missing: .ci/run installs it");
  });
});
