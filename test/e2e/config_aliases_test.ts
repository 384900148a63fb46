/**
 * Configuration keys as the AAM documentation writes them (issue 17 §1, SPEC §9): aliases read from
 * files and named on the command line, shown under the stored names; `require_checksum` true only;
 * an alias with its target in one file is a UsageError; a project file's aliases are judged as their
 * targets are; `security.gpg_home` is the GnuPG home `--signing-method gpg` uses (real gpg);
 * `security.sigstore_endpoint` is where keyless signing goes (loopback stand-ins).
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdirSync, writeFileSync, readFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, run as sh, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";
import { startSigstoreStandIns, fakeIdentityToken } from "../sigstore_mock.ts";

const env = { AAM_PASSPHRASE: "config aliases" };
let dir: string;
let fp = "";
const hasGpg = sh("sh", ["-c", "command -v gpg"]).code === 0;

/** A home whose config.yaml is `text` (YAML as the documentation writes it). */
let n = 0;
function homeWith(text: string): string {
  const h = join(dir, `home-${++n}`);
  mkdirSync(join(h, ".aam"), { recursive: true });
  writeFileSync(join(h, ".aam", "config.yaml"), text);
  return h;
}
const registryLine = () => `registries:\n  - {name: main, url: "${join(dir, "reg")}", default: true}\n`;

beforeAll(() => {
  dir = tempDir("aam-config-aliases-");
  const setup = (args: string[]) => aam("node", args, { cwd: dir, home: dir, env });
  expect(setup(["registry", "init", "reg", "--default"]).code).toBe(0);
  fp = JSON.parse(setup(["key", "generate", "--name", "k", "--json"]).stdout).fingerprint;
  makePackage(join(dir, "pkg"), "@cfg/signed", "1.0.0");
  expect(setup(["pkg", "publish", "pkg", "--sign"]).code).toBe(0);
});
afterAll(() => removeDir(dir));

describe.each(RUNTIMES)("configuration aliases in a file, under %s", (rt: RuntimeName) => {
  const run = (args: string[], home: string, cwd = dir) => aam(rt, args, { cwd, home, env });

  test("trusted_gpg_keys trusts as trusted_keys does; without it the signer is untrusted", () => {
    const strict = "  on_signature_failure: error\n";
    const trusting = homeWith(`${registryLine()}security:\n${strict}  require_checksum: true\n  trusted_gpg_keys:\n    - ${fp}\n`);
    const untrusting = homeWith(`${registryLine()}security:\n${strict}`);
    expect(run(["verify", "@cfg/signed"], trusting)).toMatchObject({ code: 0 });
    const r = run(["verify", "@cfg/signed"], untrusting);
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code: 12, name: "UntrustedSigner" });
  });

  test("an alias with its target in one file is a UsageError naming both", () => {
    const h = homeWith(`security:\n  trusted_identities: ["*@example.com"]\n  trusted_sigstore_identities: ["*@example.org"]\n`);
    const r = run(["config", "list"], h);
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code: 2, name: "UsageError" });
    expect(r.stderr).toContain('"security.trusted_identities" and "security.trusted_sigstore_identities"');
    expect(r.stderr).toContain("hint:");
  });
});

describe("configuration aliases, details under node", () => {
  const run = (args: string[], home: string, cwd = dir, extra: Record<string, string> = {}) => aam("node", args, { cwd, home, env: { ...env, ...extra } });

  test("config set/get/add/unset take the aliases; the file and `config list` use the stored names", () => {
    const h = join(dir, "set-home");
    expect(run(["config", "set", "security.trusted_sigstore_identities", "alice@example.com,github:bob"], h).stdout).toContain("Set security.trusted_identities (as security.trusted_sigstore_identities)");
    expect(run(["config", "add", "security.trusted_gpg_keys", fp], h).code).toBe(0);
    expect(run(["config", "set", "security.oidc_issuer", "https://accounts.google.com"], h).code).toBe(0);
    expect(run(["config", "set", "security.sigstore_endpoint", "https://sigstore.example.com"], h).code).toBe(0);
    const file = readFileSync(join(h, ".aam", "config.yaml"), "utf8");
    for (const stored of ["trusted_identities:", "trusted_keys:", "oidc_issuer: https://accounts.google.com", "endpoint: https://sigstore.example.com"]) expect(file).toContain(stored);
    for (const alias of ["trusted_sigstore_identities", "trusted_gpg_keys", "sigstore_endpoint", "require_checksum"]) expect(file).not.toContain(alias);
    expect(run(["config", "get", "security.trusted_sigstore_identities"], h).stdout.trim()).toBe("alice@example.com,github:bob");
    expect(run(["config", "get", "security.sigstore_oidc_issuer"], h).stdout.trim()).toBe("https://accounts.google.com");
    expect(run(["config", "get", "security.sigstore.endpoint"], h).stdout.trim()).toBe("https://sigstore.example.com");
    const list = run(["config", "list"], h).stdout;
    expect(list).toContain("security.require_checksum = true (always)");
    expect(list).toContain("security.trusted_identities = alice@example.com,github:bob");
    expect(list).not.toContain("trusted_sigstore_identities");
    expect(run(["config", "unset", "security.sigstore_endpoint"], h).code).toBe(0);
    expect(run(["config", "get", "security.sigstore.endpoint"], h).stdout.trim()).toBe("");
  });

  test("require_checksum: true is accepted and not stored; false is a UsageError, on the command line and in a file", () => {
    const h = join(dir, "checksum-home");
    const ok = run(["config", "set", "security.require_checksum", "true"], h);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("always true");
    expect(run(["config", "get", "security.require_checksum"], h).stdout.trim()).toBe("true");
    const off = run(["config", "set", "security.require_checksum", "false"], h);
    expect({ code: off.code, name: errorName(off.stderr) }).toEqual({ code: 2, name: "UsageError" });
    expect(off.stderr).toContain("checksums cannot be turned off");
    const file = homeWith("security:\n  require_checksum: false\n");
    const r = run(["verify", "@cfg/signed", "--registry", join(dir, "reg")], file);
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code: 2, name: "UsageError" });
    expect(r.stderr).toContain("checksums cannot be turned off");
  });

  test("a project's aliases are judged as their targets: an extra key or a Sigstore endpoint is ignored, a subset applies", () => {
    const user = homeWith(`${registryLine()}security:\n  on_signature_failure: error\n  trusted_keys: ["${fp}"]\n`);
    const project = (yaml: string) => {
      const p = join(dir, `project-${++n}`);
      mkdirSync(join(p, ".aam"), { recursive: true });
      writeFileSync(join(p, ".aam", "config.yaml"), yaml);
      return p;
    };
    const other = "b".repeat(64);
    const loose = project(`security:\n  trusted_gpg_keys: ["${other}"]\n  sigstore_endpoint: https://evil.example\n  oidc_issuer: https://evil.example\n`);
    const r = run(["config", "list"], user, loose);
    expect(r.code).toBe(0);
    const warning = r.stderr.split("\n").find((l) => l.includes("is not trusted")) ?? "";
    for (const k of ["security.trusted_keys", "security.sigstore.endpoint", "security.sigstore.oidc_issuer"]) expect(warning).toContain(k);
    expect(r.stdout).toMatch(new RegExp(`security\\.trusted_keys = ${fp} {2}# project value ignored`));
    // Control: the documentation's spelling of a narrowing list applies, silently.
    const narrow = project(`security:\n  trusted_gpg_keys: ["${fp}"]\n  require_checksum: true\n`);
    const ok = run(["verify", "@cfg/signed"], user, narrow);
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toContain("is not trusted");
  });

  test("sigstore_endpoint sends Fulcio, Rekor and the TSA to one base URL", async () => {
    const s = await startSigstoreStandIns();
    try {
      const h = homeWith(`${registryLine()}security:\n  sigstore_endpoint: "${s.url}"\n`);
      makePackage(join(dir, "keyless"), "@cfg/keyless", "1.0.0");
      const token = fakeIdentityToken("release@example.com", "https://accounts.example.com");
      const r = await aamAsync("node", ["publish", "keyless", "--sign", "--sign-type", "sigstore", "--json"], { cwd: dir, home: h, env: { ...env, SIGSTORE_ID_TOKEN: token } });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, signed: true });
      const sig = JSON.parse(readFileSync(join(dir, "reg", "packages", "cfg--keyless", "1.0.0.sig"), "utf8"));
      expect(sig.signatures.map((e: { algorithm: string }) => e.algorithm)).toEqual(["sigstore"]);
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!hasGpg)("security.gpg_home, with real gpg under node", () => {
  let gnupg = "";
  let gpgFp = "";
  const empty = () => join(dir, "empty-gnupg");
  beforeAll(() => {
    gnupg = join(dir, "gnupg");
    for (const d of [gnupg, empty()]) {
      mkdirSync(d, { recursive: true });
      chmodSync(d, 0o700);
    }
    const r = sh("gpg", ["--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "G <g@example.org>", "ed25519", "sign", "0"], { env: { GNUPGHOME: gnupg } });
    expect(r.code).toBe(0);
    gpgFp = /^fpr:+([0-9A-F]{40}):/m.exec(sh("gpg", ["--batch", "--with-colons", "--list-keys", "g@example.org"], { env: { GNUPGHOME: gnupg } }).stdout)![1];
  });
  afterAll(() => {
    // The agents these homes started are ours to stop.
    for (const d of [gnupg, empty()]) sh("gpgconf", ["--kill", "gpg-agent"], { env: { GNUPGHOME: d } });
  });
  // GNUPGHOME names an empty home, so only security.gpg_home can find the key.
  const run = (args: string[], home: string, cwd = dir) => aam("node", args, { cwd, home, env: { ...env, GNUPGHOME: empty() } });

  test("--signing-method gpg signs with the key in security.gpg_home (a ~/ path too); without it gpg finds no key", () => {
    makePackage(join(dir, "gpgpkg"), "@cfg/gpg", "1.0.0");
    const packed = run(["pack", "gpgpkg", "--json"], dir);
    const archive = JSON.parse(packed.stdout).path as string;
    const none = run(["pkg", "sign", archive, "--sign-type", "gpg", "--gpg-key", "g@example.org"], join(dir, "gpg-none"));
    expect({ code: none.code, name: errorName(none.stderr) }).toEqual({ code: 3, name: "NotFound" });
    const h = join(dir, "gpg-home");
    // The documentation writes `gpg_home: ~/.gnupg`: ~ is $HOME, which aam() sets to the home folder.
    mkdirSync(h);
    expect(sh("cp", ["-a", gnupg, join(h, ".gnupg")]).code).toBe(0);
    expect(run(["config", "set", "security.gpg_home", "~/.gnupg"], h).code).toBe(0);
    const signed = run(["pkg", "sign", archive, "--sign-type", "gpg", "--gpg-key", "g@example.org", "--json"], h);
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout).signatures.map((s: { key_fingerprint: string }) => s.key_fingerprint)).toContain(gpgFp);
    sh("gpgconf", ["--kill", "gpg-agent"], { env: { GNUPGHOME: join(h, ".gnupg") } });
  });

  test("a project's gpg_home is ignored with a warning; the user's applies", () => {
    const user = homeWith(`security:\n  gpg_home: "${gnupg}"\n`);
    const p = join(dir, "gpg-project");
    mkdirSync(join(p, ".aam"), { recursive: true });
    writeFileSync(join(p, ".aam", "config.yaml"), `security:\n  gpg_home: "${empty()}"\n`);
    makePackage(join(p, "pkg"), "@cfg/gpg-project", "1.0.0");
    const archive = JSON.parse(run(["pack", "pkg", "--json"], user, p).stdout).path as string;
    const signed = run(["pkg", "sign", archive, "--signing-method", "gpg", "--gpg-key", "g@example.org"], user, p);
    expect(signed.code).toBe(0);
    expect(signed.stderr).toContain("security.gpg_home");
    expect(signed.stderr).toContain("aam config trust-project");
  });
});

describe("security.signing_delegates in the documentation's list form, by Sigstore identity, under node", () => {
  test("`- {user: bob@github, packages: [...]}` limits the GitHub identity github:bob to those packages", async () => {
    const s = await startSigstoreStandIns();
    try {
      const workflow = "https://github.com/bob/tools/.github/workflows/release.yml@refs/heads/main";
      const token = fakeIdentityToken(workflow, "https://token.actions.githubusercontent.com");
      const signer = homeWith(`${registryLine()}security:\n  sigstore_endpoint: "${s.url}"\n`);
      for (const name of ["ok", "other"]) {
        makePackage(join(dir, `del-${name}`), `@del/${name}`, "1.0.0");
        const r = await aamAsync("node", ["publish", `del-${name}`, "--sign", "--sign-type", "sigstore"], { cwd: dir, home: signer, env: { ...env, SIGSTORE_ID_TOKEN: token } });
        expect(r).toMatchObject({ code: 0 });
      }
      const delegates = `  signing_delegates:\n    - user: bob@github\n      packages:\n        - "@del/ok"\n`;
      const verifier = homeWith(`${registryLine()}security:\n  on_signature_failure: error\n  trusted_sigstore_identities:\n    - github:bob\n${delegates}`);
      writeFileSync(join(verifier, ".aam", "trusted_root.json"), s.trustedRoot);
      const run = (args: string[]) => aam("node", args, { cwd: dir, home: verifier, env });
      expect(JSON.parse(run(["config", "get", "security.signing_delegates", "--json"]).stdout).value).toEqual({ "github:bob": ["@del/ok"] });
      expect(run(["verify", "@del/ok"])).toMatchObject({ code: 0 });
      const other = run(["verify", "@del/other", "--json"]);
      expect(other.code).toBe(12);
      expect(JSON.stringify(JSON.parse(other.stdout))).toContain('delegated by \\"github:bob\\" only for \\"@del/ok\\"');
      // Control: without the delegation the same identity may sign both.
      const open = homeWith(`${registryLine()}security:\n  on_signature_failure: error\n  trusted_identities: ["github:bob"]\n`);
      writeFileSync(join(open, ".aam", "trusted_root.json"), s.trustedRoot);
      expect(aam("node", ["verify", "@del/other"], { cwd: dir, home: open, env })).toMatchObject({ code: 0 });
    } finally {
      await s.close();
    }
  });

  test("a malformed list entry is a configuration problem naming its index", () => {
    const h = homeWith(`security:\n  signing_delegates:\n    - {user: bob@github}\n    - {user: "not a pattern", packages: ["@a/b"]}\n`);
    const r = aam("node", ["config", "list"], { cwd: dir, home: h, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("security.signing_delegates[0]");
  });
});
