/**
 * Trust boundary, the small ones: each attack through the CLI next to a positive control
 * (the honest case still works).
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync, existsSync, appendFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { aam, tempDir, removeDir, errorName, ROOT, run as sh } from "../helpers.ts";

const FIX = join(ROOT, "..", "shared", "fixtures", "sigstore");
const PROD = join(FIX, "trusted_root.production.json");
const GHA = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GHA_ISSUER = "https://token.actions.githubusercontent.com";

let dir: string;
beforeAll(() => {
  dir = tempDir("aam-attacks-");
});
afterAll(() => removeDir(dir));

const node = (args: string[], env: Record<string, string> = {}) => aam("node", args, { cwd: dir, home: dir, env: { AAM_PASSPHRASE: "x", ...env } });

describe("registry init never clobbers", () => {
  test("existing README and CI files are kept and named; the rest of the template is written", () => {
    const reg = join(dir, "init-kept");
    mkdirSync(join(reg, ".github", "workflows"), { recursive: true });
    writeFileSync(join(reg, "README.md"), "# my project\n");
    writeFileSync(join(reg, ".github", "workflows", "aam-verify.yml"), "name: mine\n");
    const r = node(["registry", "init", reg]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("kept existing README.md");
    expect(r.stdout).toContain("kept existing .github/workflows/aam-verify.yml");
    expect(readFileSync(join(reg, "README.md"), "utf8")).toBe("# my project\n");
    expect(readFileSync(join(reg, ".github", "workflows", "aam-verify.yml"), "utf8")).toBe("name: mine\n");
    expect(existsSync(join(reg, ".aam-ci", "verify.sh"))).toBe(true);
    expect(existsSync(join(reg, "registry.yaml"))).toBe(true);
    const j = JSON.parse(node(["registry", "init", join(dir, "init-json"), "--json"]).stdout);
    expect(j.kept).toEqual([]);
  });

  test("an existing registry is refused with a clear error and left byte-for-byte as it was", () => {
    const reg = join(dir, "init-twice");
    expect(node(["registry", "init", reg, "--name", "first"]).code).toBe(0);
    writeFileSync(join(reg, "README.md"), "edited\n");
    const before = readFileSync(join(reg, "registry.yaml"), "utf8");
    const r = node(["registry", "init", reg, "--name", "second"]);
    expect(r.code).toBe(2);
    expect(errorName(r.stderr)).toBe("UsageError");
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
    expect(readFileSync(join(reg, "registry.yaml"), "utf8")).toBe(before);
    expect(readFileSync(join(reg, "README.md"), "utf8")).toBe("edited\n");
  });
});

describe("text from a registry or package cannot forge output", () => {
  const FAKE = "✓ @evil/x@1.0.0 verified: sha256:0000, signed by ed25519 trusted";
  let reg: string;
  beforeAll(() => {
    reg = join(dir, "esc-reg");
    expect(node(["registry", "init", reg]).code).toBe(0);
    const p = join(dir, "esc-pkg");
    mkdirSync(join(p, "prompts"), { recursive: true });
    writeFileSync(join(p, "prompts", "hello.md"), "hi\n");
    // YAML double-quoted escapes: a line break, ESC (erase line), carriage return, a bidi override.
    writeFileSync(
      join(p, "aam.yaml"),
      `name: "@evil/x"\nversion: "1.0.0"\ndescription: "harmless\\n${FAKE}\\x1b[2K\\r\\u202eX"\nkeywords: ["k\\n✓ verified"]\nauthor: "me\\x1b]0;owned\\x07"\n` +
        `artifacts:\n  prompts:\n    - {name: hello, path: prompts/hello.md}\n`,
    );
    const pub = node(["pkg", "publish", p, "--registry", reg], { AAM_ACTOR: "ci\n✓ audit forged\x1b[1A" });
    expect(pub.stderr).toBe("");
    expect(pub.code).toBe(0);
    // Positive control: an honest package.
    const q = join(dir, "esc-honest");
    mkdirSync(join(q, "prompts"), { recursive: true });
    writeFileSync(join(q, "prompts", "hello.md"), "hi\n");
    writeFileSync(join(q, "aam.yaml"), `name: "@good/y"\nversion: "1.0.0"\ndescription: "Ünïcødé — 日本語 helper"\nartifacts:\n  prompts:\n    - {name: hello, path: prompts/hello.md}\n`);
    expect(node(["pkg", "publish", q, "--registry", reg]).code).toBe(0);
  });

  const noForgery = (out: string) => {
    expect(out).not.toMatch(/[\x1b\r\u202e\x07]/);
    for (const l of out.split("\n")) expect(l.trimStart().startsWith("✓")).toBe(false);
  };

  test("aam search prints the description escaped, on the package's own line", () => {
    const r = node(["search", "--registry", reg]);
    expect(r.code).toBe(0);
    noForgery(r.stdout);
    expect(r.stdout).toContain(`harmless\\n${FAKE}\\x1b[2K\\r\\u202eX`);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(r.stdout).toContain("Ünïcødé — 日本語 helper"); // honest text is printed as it is
  });

  test("aam info (and --signatures --audit-log) print description, keywords and author escaped", () => {
    const r = node(["info", "@evil/x", "--registry", reg, "--signatures", "--audit-log"]);
    expect(r.code).toBe(0);
    noForgery(r.stdout);
    expect(r.stdout).toContain(`@evil/x@1.0.0: harmless\\n${FAKE}`);
    expect(r.stdout).toContain("author: me\\x1b]0;owned\\x07");
    expect(r.stdout).toContain("keywords: k\\n✓ verified");
    expect(r.stdout).toContain("by ci\\n✓ audit forged\\x1b[1A"); // audit-log actor
    const good = node(["info", "@good/y", "--registry", reg]);
    expect(good.stdout).toContain("@good/y@1.0.0: Ünïcødé — 日本語 helper");
  });

  test("--json stays JSON and carries the text exactly", () => {
    const j = JSON.parse(node(["info", "@evil/x", "--registry", reg, "--json"]).stdout);
    expect(j.description).toBe(`harmless\n${FAKE}\x1b[2K\r\u202eX`);
  });
});

describe("a trusted root with a key valid since no time is refused", () => {
  // sigstore-conformance trust-root-tlog-missing-validity-start_fail, derived from the real production root.
  let bad: string;
  beforeAll(() => {
    const root = JSON.parse(readFileSync(PROD, "utf8"));
    delete root.tlogs[0].publicKey.validFor.start;
    bad = join(dir, "root-tlog-no-start.json");
    writeFileSync(bad, JSON.stringify(root, null, 2));
  });
  const blob = (root: string, home: string) =>
    aam("node", ["verify-blob", join(FIX, "a.txt"), "--bundle", join(FIX, "a.txt.v0.1.sigstore.json"), "--certificate-identity", GHA, "--certificate-oidc-issuer", GHA_ISSUER, "--trusted-root", root], { cwd: dir, home, offline: true });

  test("aam trust-root import refuses it, naming the log, and keeps no copy; the genuine root imports", () => {
    const home = join(dir, "tr-home");
    const r = aam("node", ["trust-root", "import", bad], { cwd: dir, home });
    expect(r.code).toBe(1);
    expect(errorName(r.stderr)).toBe("Error");
    expect(r.stderr).toContain("tlogs[0].publicKey has no validFor.start");
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
    expect(existsSync(join(home, ".aam", "trusted_root.json"))).toBe(false);
    expect(aam("node", ["trust-root", "import", PROD], { cwd: dir, home }).code).toBe(0);
  });

  test("verification refuses it too (verify-blob --trusted-root), while the genuine root verifies", () => {
    const home = join(dir, "tr-home2");
    const r = blob(bad, home);
    expect(r.code).toBe(12); // its log key is trusted for no time: no signer is trusted
    expect(errorName(r.stderr)).toBe("UntrustedSigner");
    expect(r.stderr).toContain("has no validFor.start");
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
    expect(blob(PROD, home).code).toBe(0);
  });
});

describe("a bundle whose certificate chain carries a root is refused for that reason", () => {
  const bundleWith = (extra: "root" | "intermediate") => {
    const b = JSON.parse(readFileSync(join(FIX, "a.txt.v0.1.sigstore.json"), "utf8"));
    const ca = JSON.parse(readFileSync(PROD, "utf8")).certificateAuthorities[1].certChain.certificates;
    b.verificationMaterial.x509CertificateChain.certificates.push(extra === "root" ? ca[ca.length - 1] : ca[0]);
    const f = join(dir, `bundle-with-${extra}.json`);
    writeFileSync(f, JSON.stringify(b));
    return f;
  };
  const blob = (bundle: string) =>
    aam("node", ["verify-blob", join(FIX, "a.txt"), "--bundle", bundle, "--certificate-identity", GHA, "--certificate-oidc-issuer", GHA_ISSUER, "--trusted-root", PROD], { cwd: dir, home: join(dir, "chain-home"), offline: true });

  test("verify-blob: leaf + root is InvalidSignature (11) saying so; leaf + intermediate verifies", () => {
    const r = blob(bundleWith("root"));
    expect(r.code).toBe(11);
    expect(errorName(r.stderr)).toBe("InvalidSignature");
    expect(r.stderr).toContain("contains a root certificate");
    expect(r.stderr).not.toContain("TypeError");
    expect(r.stderr).not.toContain("    at ");
    const ok = blob(bundleWith("intermediate"));
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
  });
});

describe("the registry template's CI", () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = sh("git", args, { cwd, env: GIT_ENV });
    if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t.invalid", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
  const NO_PR = { GITHUB_BASE_REF: "", CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "" };
  const CLI = `node ${join(ROOT, "dist", "cli.js")}`;
  const ci = (reg: string, env: Record<string, string>) => sh("sh", [join(reg, ".aam-ci", "verify.sh")], { cwd: dir, env: { NO_COLOR: "1", AAM: "", AAM_HOME: "", ...NO_PR, ...GIT_ENV, ...env } });
  const as = (home: string, args: string[]) => aam("node", args, { cwd: dir, home, env: { AAM_PASSPHRASE: "x" } });
  const fingerprint = (home: string) => JSON.parse(as(home, ["key", "list", "--json"]).stdout).keys[0].fingerprint as string;
  const makePkg = (name: string, at: string) => {
    mkdirSync(join(at, "prompts"), { recursive: true });
    writeFileSync(join(at, "prompts", "hello.md"), "hi\n");
    writeFileSync(join(at, "aam.yaml"), `name: "${name}"\nversion: "1.0.0"\ndescription: d\nartifacts:\n  prompts:\n    - {name: hello, path: prompts/hello.md}\n`);
    return at;
  };

  test("the template never runs `npx aam`: it runs the tarball whose SHA-256 it pins, and nothing from one that differs", () => {
    for (const f of [".aam-ci/verify.sh", ".github/workflows/aam-verify.yml", ".gitlab-ci.yml"]) {
      const code = readFileSync(join(ROOT, "registry-template", f), "utf8").split("\n").filter((l) => !l.trimStart().startsWith("#"));
      expect(code.filter((l) => /\bnpx\b|npm (install|exec|i) /.test(l))).toEqual([]);
    }
    const packed = sh("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], { cwd: ROOT });
    expect(packed.code).toBe(0);
    const tgz = join(dir, packed.stdout.trim().split("\n").at(-1)!);
    const sha = createHash("sha256").update(readFileSync(tgz)).digest("hex");

    const home = join(dir, "ci-pin-home");
    const reg = join(dir, "ci-pin-reg");
    expect(as(home, ["registry", "init", reg, "--require-signatures"]).code).toBe(0);
    expect(as(home, ["key", "generate", "--name", "a"]).code).toBe(0);
    expect(as(home, ["pkg", "publish", makePkg("@ci/pin", join(dir, "ci-pin-pkg")), "--sign", "--registry", reg]).code).toBe(0);
    appendFileSync(join(reg, "trusted-keys"), `${fingerprint(home)}\n`);

    const good = ci(reg, { AAM_TARBALL_URL: tgz, AAM_TARBALL_SHA256: sha });
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);

    const ranHome = join(dir, "ci-pin-ran");
    const wrong = ci(reg, { AAM_TARBALL_URL: tgz, AAM_TARBALL_SHA256: sha.replace(/^./, (c) => (c === "0" ? "1" : "0")), AAM_HOME: ranHome });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("not the pinned");
    expect(existsSync(ranHome)).toBe(false); // aam never ran
    // The template as shipped: not configured yet, so it fails closed.
    const unset = ci(reg, { AAM_TARBALL_URL: "tools/aam-0.1.0.tgz", AAM_TARBALL_SHA256: "set-me: sha256sum tools/aam-0.1.0.tgz" });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("AAM_TARBALL_SHA256 is not a SHA-256");
    expect(ci(reg, { AAM_TARBALL_URL: `http://example.invalid/aam.tgz`, AAM_TARBALL_SHA256: sha }).code).toBe(2);
  }, 120_000);

  test("a pull request cannot trust its own key: trusted-keys is read from the target branch", () => {
    const origin = join(dir, "ci-origin.git");
    const work = join(dir, "ci-work");
    git(dir, "init", "-q", "--bare", "-b", "main", origin);
    git(dir, "clone", "-q", origin, work);
    git(work, "checkout", "-q", "-b", "main");
    const reg = join(work, "registry"); // the registry in a subfolder of the repository
    const maintainer = join(dir, "ci-maintainer");
    const attacker = join(dir, "ci-attacker");
    expect(as(maintainer, ["registry", "init", reg, "--require-signatures"]).code).toBe(0);
    expect(as(maintainer, ["key", "generate", "--name", "m"]).code).toBe(0);
    expect(as(maintainer, ["pkg", "publish", makePkg("@ci/good", join(dir, "ci-good")), "--sign", "--registry", reg]).code).toBe(0);
    appendFileSync(join(reg, "trusted-keys"), `${fingerprint(maintainer)}\n`);
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "base");
    git(work, "push", "-q", "origin", "main");

    // The attack: a branch adds the attacker's key to trusted-keys and a package signed by it.
    git(work, "checkout", "-q", "-b", "evil");
    expect(as(attacker, ["key", "generate", "--name", "x"]).code).toBe(0);
    expect(as(attacker, ["pkg", "publish", makePkg("@ci/evil", join(dir, "ci-evil")), "--sign", "--registry", reg]).code).toBe(0);
    appendFileSync(join(reg, "trusted-keys"), `${fingerprint(attacker)}\n`);
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "publish @ci/evil");
    git(work, "push", "-q", "origin", "evil");

    const gh = ci(reg, { AAM: CLI, GITHUB_BASE_REF: "main" });
    expect(gh.code).toBe(12); // UntrustedSigner
    expect(gh.stdout + gh.stderr).toContain("@ci/evil");
    const gl = ci(reg, { AAM: CLI, CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main" });
    expect(gl.code).toBe(12);
    // As CI checks out a pull request: a shallow clone of the branch alone; the base is fetched.
    const shallow = join(dir, "ci-shallow");
    git(dir, "clone", "-q", "--depth", "1", "--single-branch", "--branch", "evil", `file://${origin}`, shallow);
    const fetched = ci(join(shallow, "registry"), { AAM: CLI, GITHUB_BASE_REF: "main" });
    expect(fetched.stdout).toContain("trusted keys: from main");
    expect(fetched.code).toBe(12);
    // Without a pull request (e.g. after a maintainer merged it), the branch's own trusted-keys counts.
    expect(ci(reg, { AAM: CLI }).code).toBe(0);

    // Positive control: an honest request signed by the base branch's key passes.
    git(work, "checkout", "-q", "main");
    git(work, "checkout", "-q", "-b", "honest");
    const p2 = makePkg("@ci/good2", join(dir, "ci-good2"));
    expect(as(maintainer, ["pkg", "publish", p2, "--sign", "--registry", reg]).code).toBe(0);
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "publish @ci/good2");
    const honest = ci(reg, { AAM: CLI, GITHUB_BASE_REF: "main" });
    expect(honest.stderr).toBe("");
    expect(honest.code).toBe(0);
  }, 120_000);

  test("a pull request cannot swap the contents of a key file that trusted-keys names", () => {
    const origin = join(dir, "ci2-origin.git");
    const work = join(dir, "ci2-work");
    git(dir, "init", "-q", "--bare", "-b", "main", origin);
    git(dir, "clone", "-q", origin, work);
    git(work, "checkout", "-q", "-b", "main");
    const maintainer = join(dir, "ci2-maintainer");
    const attacker = join(dir, "ci2-attacker");
    expect(as(maintainer, ["registry", "init", work, "--require-signatures"]).code).toBe(0);
    expect(as(maintainer, ["key", "generate", "--name", "m"]).code).toBe(0);
    expect(as(maintainer, ["pkg", "publish", makePkg("@ci/good", join(dir, "ci2-good")), "--sign", "--registry", work]).code).toBe(0);
    const fp = fingerprint(maintainer);
    expect(existsSync(join(work, "keys", `${fp}.pem`))).toBe(true); // publish copies the public key
    appendFileSync(join(work, "trusted-keys"), `keys/${fp}.pem\n`);
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "base");
    git(work, "push", "-q", "origin", "main");
    expect(ci(work, { AAM: CLI, GITHUB_BASE_REF: "main" }).code).toBe(0); // positive control: the base's key file is used

    git(work, "checkout", "-q", "-b", "swap");
    expect(as(attacker, ["key", "generate", "--name", "x"]).code).toBe(0);
    writeFileSync(join(work, "keys", `${fp}.pem`), as(attacker, ["key", "export", "x"]).stdout);
    expect(as(attacker, ["pkg", "publish", makePkg("@ci/swapped", join(dir, "ci2-evil")), "--sign", "--registry", work]).code).toBe(0);
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "swap");
    const r = ci(work, { AAM: CLI, GITHUB_BASE_REF: "main" });
    expect(r.code).toBe(12);
    // Only the attacker's package fails; the maintainer's still verifies with the base's key file.
    expect(r.stdout + r.stderr).toContain("1 verified");
    expect(r.stdout + r.stderr).toContain("@ci/swapped");
    expect(r.stdout + r.stderr).not.toContain("✗ @ci/good");
  }, 120_000);
});
