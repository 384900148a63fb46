/**
 * `install` prints the documentation's steps (reference "Output" blocks: checksum, signature with
 * key/uid or identity, trust, "Installing..."), and under `warn` asks "install anyway? [y/N]" on a
 * real terminal (a pty from script(1)) when the signer is not trusted; not with --yes, --json or
 * without a terminal (SPEC §9).
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { readFileSync, writeFileSync, copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { aam, command, RUNTIMES, ROOT, tempDir, removeDir, run as sh, type RuntimeName } from "../helpers.ts";

const VEC = join(ROOT, "test", "vectors", "openpgp-keys");
const [, ED_PRIMARY, ED_SIGNER] = readFileSync(join(VEC, "keys.tsv"), "utf8").split("\n").find((l) => l.startsWith("ed25519\t"))!.split("\t");
const hasScript = sh("sh", ["-c", "command -v script"]).code === 0;

describe.each(RUNTIMES)("install steps and confirmation under %s", (rt: RuntimeName) => {
  let dir: string;
  let pkg: string;
  beforeAll(() => {
    dir = tempDir("aam-install-steps-");
    const signer = join(dir, "signer");
    mkdirSync(signer);
    const s = (args: string[]) => aam(rt, args, { cwd: signer, home: signer });
    pkg = join(dir, "matrix.aam");
    copyFileSync(join(VEC, "package.aam"), pkg);
    expect(s(["key", "import", join(VEC, "ed25519.sec.asc"), "--name", "ed", "--no-passphrase"]).code).toBe(0);
    expect(s(["pkg", "sign", pkg, "--signing-method", "openpgp", "--key", "ed"]).code).toBe(0);
  });
  afterAll(() => removeDir(dir));
  const home = (name: string, trust: boolean) => {
    const h = join(dir, name);
    mkdirSync(h);
    if (trust) expect(aam(rt, ["key", "trust", join(VEC, "ed25519.pub.asc")], { cwd: h, home: h }).code).toBe(0);
    return h;
  };
  const installed = (h: string) => existsSync(join(h, ".aam", "packages", "acme--matrix"));

  test("a trusted GPG signer: each step in the documentation's shape, key and uid", () => {
    const h = home("trusted", true);
    const r = aam(rt, ["install", pkg, "--verify"], { cwd: h, home: h });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const steps = [/^Resolving @acme\/matrix@1\.0\.0\.\.\.$/, /^✓ Checksum verified: sha256:[0-9a-f]{64}$/, /^✓ GPG signature valid$/, new RegExp(`^  Key: ${ED_PRIMARY}$`), /^  Signed by: .+<.+@.+>$/, /^✓ Key trusted$/, /^Installing\.\.\.$/].map(at);
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(installed(h)).toBe(true);
    expect(ED_SIGNER).toMatch(/^[0-9A-F]{40}$/);
  });

  test("an untrusted signer without a terminal: warned, installed, not asked", () => {
    const h = home("plain", false);
    const r = aam(rt, ["install", pkg], { cwd: h, home: h });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("⚠ Key not trusted:");
    expect(r.stdout + r.stderr).not.toContain("install anyway");
    expect(installed(h)).toBe(true);
  });

  test.skipIf(!hasScript)("an untrusted signer on a terminal: asked, default no; y installs; --yes and --json do not ask", () => {
    const cli = command(rt).map((a) => `'${a}'`).join(" ");
    const pty = (h: string, args: string, input: string) =>
      sh("script", ["-qec", `${cli} install '${pkg}' ${args}`, "/dev/null"], { cwd: h, input, env: { HOME: h, AAM_HOME: join(h, ".aam"), NO_COLOR: "1" } });
    const no = home("tty-no", false);
    const r = pty(no, "", "\n");
    // The reference page's line verbatim (package-signing "Verifying GPG Signatures" Output), after
    // the step that says why.
    expect(r.stdout).toMatch(/\n⚠ Key not trusted: key is not in security\.trusted_keys\r?\n⚠ Key not in trusted keyring \(install anyway\? \[y\/N\]\) /);
    expect(r.stdout).toContain("error[UntrustedSigner]");
    expect(installed(no)).toBe(false);
    const yes = home("tty-yes", false);
    expect(pty(yes, "", "y\n").stdout).toContain("⚠ Key not in trusted keyring (install anyway? [y/N]) ");
    expect(installed(yes)).toBe(true);
    for (const flag of ["--yes", "--json"]) {
      const h = home(`tty${flag}`, false);
      expect(pty(h, flag, "").stdout).not.toContain("install anyway");
      expect(installed(h)).toBe(true);
    }
  });

  test("info --signatures shows type, key and uid, issued time and status per signature", () => {
    const h = home("info", true);
    const r = (args: string[]) => aam(rt, args, { cwd: h, home: h });
    expect(r(["registry", "init", "reg", "--default"]).code).toBe(0);
    const copy = join(h, "m.aam");
    copyFileSync(pkg, copy);
    copyFileSync(`${pkg}.sig`, `${copy}.sig`);
    expect(r(["publish", copy]).code).toBe(0);
    const out = r(["info", "@acme/matrix", "--signatures"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`  Signatures:\n    - Type: openpgp\n      Key: ${ED_PRIMARY}\n      Signed by: .+\n      Issued: \\d{4}-\\d\\d-\\d\\dT[^\\n]+\n      Status: Valid ✓\n`));
    expect(out.stdout).toMatch(/\n  Checksum: sha256:[0-9a-f]{64}\n/);
  });
});
