/**
 * The AAM documentation's commands work as written (issue 17 §1, SPEC §10): `aam publish|pack|validate`,
 * `--sign-type`, `install --verify`, `install --use-cached-verification`, `--gpg-keys a,b` (real gpg),
 * and an option that takes one value given twice is a UsageError naming it.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { existsSync, readFileSync, writeFileSync, mkdirSync, chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { aam, run as sh, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";

const hasGpg = sh("sh", ["-c", "command -v gpg"]).code === 0;

let dir: string;
const env = { AAM_PASSPHRASE: "docs" };
const registry = () => join(dir, "reg");

beforeAll(() => {
  dir = tempDir("aam-doc-aliases-");
  const setup = (args: string[]) => expect(aam("node", args, { cwd: dir, home: dir, env })).toMatchObject({ code: 0 });
  setup(["registry", "init", "reg", "--default"]);
  setup(["key", "generate", "--name", "k"]);
  makePackage(join(dir, "signed"), "@docs/signed", "1.0.0");
  setup(["pkg", "publish", "signed", "--sign"]);
});
afterAll(() => removeDir(dir));

describe.each(RUNTIMES)("documentation aliases under %s", (rt: RuntimeName) => {
  const run = (args: string[], home = dir, cwd = dir) => aam(rt, args, { cwd, home, env });

  test("aam validate, aam pack and aam publish --sign-type are the pkg commands", () => {
    const pkg = makePackage(join(dir, `p-${rt}`), `@docs/p-${rt}`, "1.0.0");
    expect(run(["validate", pkg]).stdout).toContain(`✓ @docs/p-${rt}@1.0.0: aam.yaml is valid`);
    const pack = run(["pack", pkg]);
    expect(pack.code).toBe(0);
    expect(existsSync(join(pkg, "dist", `docs--p-${rt}-1.0.0.aam`))).toBe(true);
    const pub = run(["publish", pkg, "--sign-type", "ed25519", "--json"]);
    expect(pub.code).toBe(0);
    expect(JSON.parse(pub.stdout)).toMatchObject({ ok: true, package: `@docs/p-${rt}`, signed: true });
    const sig = JSON.parse(readFileSync(join(registry(), "packages", `docs--p-${rt}`, "1.0.0.sig"), "utf8"));
    expect(sig.signatures.map((s: { algorithm: string }) => s.algorithm)).toEqual(["ed25519"]);
  });

  test("install --verify fails on an untrusted signer where plain install only warns", () => {
    const other = join(dir, `other-${rt}`);
    const args = ["install", "@docs/signed", "--registry", registry()];
    const plain = run(args, other, dir);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain("warning:");
    const strict = run([...args, "--verify"], other, dir);
    expect({ code: strict.code, name: errorName(strict.stderr) }).toEqual({ code: 12, name: "UntrustedSigner" });
  });

  test("a value option given twice is a UsageError naming it, with a hint", () => {
    const r = run(["verify-blob", "x", "--bundle", "a.json", "--bundle", "b.json", "--trusted-root", "r1", "--trusted-root", "r2"]);
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code: 2, name: "UsageError" });
    expect(r.stderr).toMatch(/Option "--(bundle|trusted-root)" takes one value but was given 2 times/);
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
  });
});

describe("documentation aliases, details under node", () => {
  const run = (args: string[], home = dir, cwd = dir) => aam("node", args, { cwd, home, env });

  test("--sign-type names the method even when the configuration names another, and `=` works", () => {
    const pkg = makePackage(join(dir, "st"), "@docs/st", "1.0.0");
    const home = join(dir, "st-home");
    expect(run(["key", "generate", "--name", "k"], home).code).toBe(0);
    expect(run(["config", "set", "security.signing_method", "openpgp"], home).code).toBe(0);
    expect(run(["pack", pkg], home).code).toBe(0);
    const archive = join(pkg, "dist", "docs--st-1.0.0.aam");
    const signed = run(["pkg", "sign", archive, "--sign-type=ed25519", "--json"], home);
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout).signatures.map((s: { algorithm: string }) => s.algorithm)).toEqual(["ed25519"]);
    const bad = run(["pkg", "sign", archive, "--sign-type", "rot13"], home);
    expect({ code: bad.code, name: errorName(bad.stderr) }).toEqual({ code: 2, name: "UsageError" });
    expect(bad.stderr).toContain('Unknown signing method "rot13"');
  });

  test("install --use-cached-verification is --offline: a miss before preparing, the cached copy after", () => {
    const home = dir; // trusts the signer, so --offline-prepare stores it
    const project = join(dir, "cached-project");
    makePackage(project, "@docs/project", "1.0.0");
    const miss = run(["install", "@docs/signed", "--use-cached-verification"], home, project);
    expect({ code: miss.code, name: errorName(miss.stderr) }).toEqual({ code: 16, name: "OfflineCacheMiss" });
    expect(run(["verify", "--offline-prepare", "@docs/signed", "--registry", registry()], home, project).code).toBe(0);
    const hit = run(["install", "@docs/signed", "--use-cached-verification", "--json"], home, project);
    expect(hit.code).toBe(0);
    expect(JSON.parse(hit.stdout).installed.map((i: { name: string }) => i.name)).toEqual(["@docs/signed"]);
  });

  test("help names each alias; `aam help publish` is the pkg publish help", () => {
    const top = run(["--help"]);
    expect(top.stdout).toContain("publish = pkg publish");
    const pub = run(["help", "publish"]);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toContain("$ aam pkg publish");
    expect(pub.stdout).toContain("(alias: --sign-type)");
    const inst = run(["install", "--help"]);
    expect(inst.stdout).toContain("(alias: --verify)");
    expect(inst.stdout).toContain("(alias: --use-cached-verification)");
  });

  test("repeats are caught across spellings and for every single-value option; boolean repeats are one flag", () => {
    const cases: [string[], string][] = [
      [["pkg", "pack", "signed", "-o", "a.aam", "--output", "b.aam"], '"--output" takes one value but was given 2 times (as -o, --output)'],
      [["publish", "signed", "--registry", "reg", "--registry", "reg"], '"--registry" takes one value'],
      [["publish", "signed", "--sign-type", "ed25519", "--signing-method", "gpg"], '"--signing-method" takes one value but was given 2 times (as --sign-type, --signing-method)'],
      [["install", "@docs/signed", "--registry=reg", "--registry", "reg"], '"--registry" takes one value'],
      [["info", "@docs/signed", "--registry", "reg", "--registry", "reg"], '"--registry" takes one value'],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect({ args, code: r.code, name: errorName(r.stderr) }).toEqual({ args, code: 2, name: "UsageError" });
      expect({ args, named: r.stderr.includes(message) }).toEqual({ args, named: true });
      expect(r.stderr).toContain("hint: give --");
    }
    // A repeated boolean flag means the flag once.
    const twice = run(["verify", "@docs/signed", "--require-signature", "--require-signature", "--json"]);
    expect(twice.code).toBe(0);
  });
});

describe.skipIf(!hasGpg)("--gpg-keys a,b with real gpg, under node", () => {
  let gnupg = "";
  let bin = "";
  const fps: string[] = [];
  const log = () => join(dir, "gpg-calls.log");
  beforeAll(() => {
    gnupg = join(dir, "gnupg");
    mkdirSync(gnupg, { mode: 0o700 });
    for (const who of ["alice", "backup"]) {
      const r = sh("gpg", ["--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", `${who} <${who}@example.com>`, "ed25519", "sign", "0"], { env: { GNUPGHOME: gnupg } });
      expect(r.code).toBe(0);
      fps.push(/^fpr:+([0-9A-F]{40}):/m.exec(sh("gpg", ["--batch", "--with-colons", "--list-keys", `${who}@example.com`], { env: { GNUPGHOME: gnupg } }).stdout)![1]);
    }
    // A gpg on PATH that records each call, then runs the real one: how often AAM asks gpg to sign.
    bin = join(dir, "gpg-bin");
    mkdirSync(bin);
    const real = sh("sh", ["-c", "command -v gpg"]).stdout.trim();
    writeFileSync(join(bin, "gpg"), `#!/bin/sh\necho "$*" >> ${JSON.stringify(log())}\nexec ${JSON.stringify(real)} "$@"\n`);
    chmodSync(join(bin, "gpg"), 0o755);
  });
  afterAll(() => void sh("gpgconf", ["--kill", "gpg-agent"], { env: { GNUPGHOME: gnupg } }));
  const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir, env: { ...env, GNUPGHOME: gnupg, PATH: `${bin}:${process.env.PATH}` } });
  const signCalls = () => (existsSync(log()) ? readFileSync(log(), "utf8").split("\n").filter((l) => l.includes("--detach-sign")) : []);
  const sigOf = (file: string) => JSON.parse(readFileSync(file, "utf8")).signatures.map((e: { algorithm: string; key_fingerprint: string }) => `${e.algorithm} ${e.key_fingerprint}`);

  test("publish --sign --gpg-keys: one openpgp entry per key, gpg asked to sign once per key", () => {
    makePackage(join(dir, "two-keys"), "@docs/two-keys", "1.0.0");
    rmSync(log(), { force: true });
    const r = run(["publish", "two-keys", "--sign", "--gpg-keys", "alice@example.com,backup@example.com"]);
    expect(r.code).toBe(0);
    expect(sigOf(join(registry(), "packages", "docs--two-keys", "1.0.0.sig"))).toEqual(fps.map((f) => `openpgp ${f}`));
    expect(signCalls().length).toBe(2);
  });

  test("pkg sign --gpg-keys extends the .sig the same way; a key gpg lacks is NotFound naming it", () => {
    makePackage(join(dir, "sign-keys"), "@docs/sign-keys", "1.0.0");
    const archive = JSON.parse(run(["pack", "sign-keys", "--json"]).stdout).path as string;
    const r = run(["pkg", "sign", archive, "--gpg-keys", `${fps[1]}, ${fps[0]}`, "--json"]);
    expect(r.code).toBe(0);
    expect(sigOf(`${archive}.sig`)).toEqual([`openpgp ${fps[1]}`, `openpgp ${fps[0]}`]);
    const missing = run(["pkg", "sign", archive, "--gpg-keys", "alice@example.com,nobody@example.com"]);
    expect({ code: missing.code, name: errorName(missing.stderr) }).toEqual({ code: 3, name: "NotFound" });
    expect(missing.stderr).toContain("nobody@example.com");
  });

  test("a value is passed as typed: a digit-only key id stays text (cac would make it a number)", () => {
    const archive = join(dir, "sign-keys", "dist", "docs--sign-keys-1.0.0.aam");
    const r = run(["pkg", "sign", archive, "--signing-method", "gpg", "--gpg-key", "00012345"]);
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code: 3, name: "NotFound" });
    expect(r.stderr).toContain('key "00012345"');
  });

  test("--gpg-keys with --gpg-key, or with another signing method, is a UsageError", () => {
    const archive = join(dir, "sign-keys", "dist", "docs--sign-keys-1.0.0.aam");
    for (const extra of [["--gpg-key", "alice@example.com"], ["--sign-type", "ed25519"]]) {
      const r = run(["pkg", "sign", archive, "--gpg-keys", "alice@example.com", ...extra]);
      expect({ extra, code: r.code, name: errorName(r.stderr) }).toEqual({ extra, code: 2, name: "UsageError" });
    }
  });
});
