/**
 * Trust boundary, the small ones: each attack through the CLI next to a positive control
 * (the honest case still works).
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, errorName, ROOT } from "../helpers.ts";

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
    const pub = node(["pkg", "publish", p, "--registry", reg]);
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
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has no validFor.start");
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
