/**
 * Registry attestations in trust (SPEC §5a, §6 table), end to end under Node, Bun and Deno, on a
 * real registry attested with `aam registry attest`: what `info --signatures` shows, that an
 * attestation never counts without a pin (not through trusted_keys, not for `verify --file`), the
 * required-attestation failures, and the library API with a pin. The cases that pin the registry in
 * config.yaml need the pinned read path (`aam registry trust`, SPEC §5a steps 1–4 filling
 * VerifyInput.attestation); they run when this build knows `security.trusted_registries`.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, RUNTIMES, aam, errorName, libScriptCommand, makePackage, removeDir, tempDir, type RuntimeName } from "../helpers.ts";

const LIB_SCRIPT = join(ROOT, "test", "e2e", "attestation_lib.mjs");

describe.each(RUNTIMES)("registry attestations in trust under %s", (rt: RuntimeName) => {
  let dir: string;
  const fp = { author: "", reg: "" };
  const run = (args: string[], cwd = dir) => aam(rt, args, { cwd, home: dir });
  const reg = (...p: string[]) => join(dir, "reg", ...p);
  const sigPath = (v: string) => reg("packages", "acme--hello", `${v}.sig`);
  /** Writes config.yaml whole: the registry (pinned when asked), both keys in trusted_keys, and `security`. */
  const configure = (security: Record<string, string | boolean>, pinned: boolean | "not trusted" = false) => {
    const pin = pinned ? `    attestation:\n      name: acme\n      keys: [${fp.reg}]\n` : "";
    const extra = Object.entries({ ...security, ...(pinned === true ? { trusted_registries: "[acme]" } : {}) }).map(([k, v]) => `  ${k}: ${v}\n`).join("");
    writeFileSync(join(dir, ".aam", "config.yaml"), `registries:\n  - name: acme\n    url: ${reg()}\n    default: true\n${pin}security:\n  trusted_keys:\n    - ${fp.author}\n    - ${fp.reg}\n${extra}`);
  };
  /** Does this build know registry pins (`security.trusted_registries`)? Asked while the tests are collected, in a home of its own. */
  beforeAll(() => {
    dir = tempDir("aam-att-trust-");
    expect(run(["registry", "init", "reg", "--name", "acme", "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "author", "--no-passphrase"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
    const keys = JSON.parse(run(["key", "list", "--json"]).stdout).keys as { name: string; fingerprint: string }[];
    fp.author = keys.find((k) => k.name === "author")!.fingerprint;
    fp.reg = keys.find((k) => k.name === "regkey")!.fingerprint;
    makePackage(join(dir, "pkg"), "@acme/hello", "1.0.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0);
    makePackage(join(dir, "pkg"), "@acme/hello", "1.1.0");
    expect(run(["pkg", "publish", "pkg"]).code).toBe(0); // unsigned: the registry's attestation is all it has
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    makePackage(join(dir, "pkg"), "@acme/hello", "1.2.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0); // pending: not attested
  });
  afterAll(() => removeDir(dir));

  test("info --signatures shows an attestation as the reference page does: registry, timestamp, status", () => {
    configure({});
    const r = run(["info", "@acme/hello@1.0.0", "--signatures"]);
    expect(r.code).toBe(0);
    const at = r.stdout.indexOf("- Type: registry-attestation");
    expect(at).toBeGreaterThan(r.stdout.indexOf("- Type: ed25519"));
    const block = r.stdout.slice(at).split("\n").slice(0, 4).map((l) => l.trim());
    expect(block[1]).toBe("Registry: acme");
    expect(block[2]).toMatch(/^Timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Unpinned (and its key in trusted_keys): valid, never trusted.
    expect(block[3]).toStartWith("Status: Valid, not trusted ⚠ (attestations count only for a registry pinned");
    // The author entry keeps its shape.
    expect(r.stdout).toContain(`Key: ${fp.author}`);
    const j = JSON.parse(run(["info", "@acme/hello@1.0.0", "--signatures", "--json"]).stdout);
    expect(j.signatures.map((s: { algorithm: string }) => s.algorithm)).toEqual(["ed25519", "registry-attestation"]);
    expect(j.signatures[1]).toMatchObject({ registry: "acme", key_fingerprint: fp.reg, valid: true, trusted: false });
  });

  test("an unpinned registry's attestation never counts, even with its key in trusted_keys", () => {
    configure({ trust_registry_attestations: true, require_signature: true });
    const r = run(["install", "@acme/hello@1.1.0"]);
    expect({ code: r.code, error: errorName(r.stderr) }).toEqual({ code: 12, error: "UntrustedSigner" });
    expect(r.stderr).toContain(`aam registry trust <alias> ${fp.reg}`);
    // Positive control: the author-signed version installs under the same settings.
    expect(run(["install", "@acme/hello@1.0.0"]).code).toBe(0);
    const v = JSON.parse(run(["verify", "@acme/hello@1.0.0", "--json"]).stdout);
    expect(v.results[0].outcome).toBe("verified");
    expect(v.results[0].signers).toMatchObject([
      { algorithm: "ed25519", key_fingerprint: fp.author, trusted: true },
      { algorithm: "registry-attestation", registry: "acme", key_fingerprint: fp.reg, trusted: false },
    ]);
  });

  test("verify --file never counts an attestation", () => {
    const loose = join(dir, "loose");
    mkdirSync(loose, { recursive: true });
    copyFileSync(reg("packages", "acme--hello", "1.1.0.aam"), join(loose, "hello.aam"));
    copyFileSync(sigPath("1.1.0"), join(loose, "hello.aam.sig"));
    configure({ trust_registry_attestations: true, require_registry_attestation: true, on_signature_failure: "error" }, true);
    const r = run(["verify", "--file", join(loose, "hello.aam")]);
    expect({ code: r.code, error: errorName(r.stderr) }).toEqual({ code: 12, error: "UntrustedSigner" });
    // With attestations not asked for, the same file reads as unsigned, as before.
    configure({});
    const plain = run(["verify", "--file", join(loose, "hello.aam")]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("(unsigned)");
  });

  test("require_registry_attestation: a version without one is SignatureNotFound, warn lets it through, --no-verify cannot skip it", () => {
    configure({ require_registry_attestation: true, on_signature_failure: "error" });
    const r = run(["verify", "@acme/hello@1.2.0"]);
    expect({ code: r.code, error: errorName(r.stderr) }).toEqual({ code: 13, error: "SignatureNotFound" });
    expect(r.stderr).toContain("security.require_registry_attestation");
    const nv = run(["install", "@acme/hello@1.2.0", "--no-verify"]);
    expect({ code: nv.code, error: errorName(nv.stderr) }).toEqual({ code: 15, error: "PolicyViolation" });
    configure({ require_registry_attestation: true });
    const warned = run(["verify", "@acme/hello@1.2.0"]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain("a registry attestation is required");
    // Unpinned, an attested version fails the requirement as UntrustedSigner (its key is not pinned).
    configure({ require_registry_attestation: true, on_signature_failure: "error" });
    expect(errorName(run(["verify", "@acme/hello@1.0.0"]).stderr)).toBe("UntrustedSigner");
  });

  test("a project file may not turn trust_registry_attestations on", () => {
    configure({});
    const proj = join(dir, "proj");
    mkdirSync(join(proj, ".aam"), { recursive: true });
    writeFileSync(join(proj, ".aam", "config.yaml"), "security:\n  trust_registry_attestations: true\n  require_registry_attestation: true\n");
    const r = run(["config", "get", "security.trust_registry_attestations"], proj);
    expect(r.stdout.trim()).toBe("false");
    expect(r.stderr).toContain("security.trust_registry_attestations (would turn trust_registry_attestations on)");
    expect(run(["config", "get", "security.require_registry_attestation"], proj).stdout.trim()).toBe("true");
  });

  test("library API: with a pin, the attestation counts exactly as the table says; copies and other keys do not", () => {
    const { cmd, args, lib } = libScriptCommand(rt, LIB_SCRIPT);
    const r = spawnSync(cmd, [...args, lib, reg(), fp.reg, fp.author], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      unsignedAttestedPinned: "verified",
      unsignedAttestedPinnedNoTra: "SignatureNotFound",
      unsignedAttestedUnpinned: "UntrustedSigner",
      otherKeyPinned: "UntrustedSigner",
      otherRegistryPinned: "UntrustedSigner",
      unlisted: "SignatureNotFound",
      bothRequiredAuthorAndAttestation: "verified",
      bothRequiredAttestationOnly: "SignatureNotFound",
      bothRequiredAuthorOnly: "SignatureNotFound",
      authorOnlyDefault: "verified",
      copiedFromOtherVersion: "InvalidSignature",
      relabelledRegistry: "InvalidSignature",
      signer: [{ algorithm: "registry-attestation", registry: "acme", key_fingerprint: fp.reg, trusted: true }],
    });
  });

  describe("with the registry pinned in config.yaml", () => {
    test("an unsigned-but-attested version installs with trust_registry_attestations, and is refused without", () => {
      configure({ trust_registry_attestations: true, require_signature: true }, true);
      expect(run(["install", "@acme/hello@1.1.0"]).code).toBe(0);
      configure({ require_signature: true }, true);
      const r = run(["install", "@acme/hello@1.1.0"]);
      expect({ code: r.code, error: errorName(r.stderr) }).toEqual({ code: 13, error: "SignatureNotFound" });
      configure({ trust_registry_attestations: true, require_signature: true }, true);
      const info = run(["info", "@acme/hello@1.1.0", "--signatures"]);
      expect(info.stdout).toMatch(/Type: registry-attestation\n\s+Registry: acme\n\s+Timestamp: \S+\n\s+Status: Valid ✓/);
    });

    test("both required: author and attestation pass; either alone is refused", () => {
      configure({ require_registry_attestation: true, require_signature: true }, true);
      expect(run(["install", "@acme/hello@1.0.0"]).code).toBe(0);
      expect(errorName(run(["install", "@acme/hello@1.1.0"]).stderr)).toBe("SignatureNotFound");
      expect(errorName(run(["install", "@acme/hello@1.2.0"]).stderr)).toBe("SignatureNotFound");
    });

    test("a forged attestation (another key) is UntrustedSigner; one copied from another version InvalidSignature", () => {
      const original = readFileSync(sigPath("1.1.0"), "utf8");
      try {
        // A real attestation by a key nobody pinned, made by attesting a copy of the registry with it
        // (under the default settings, so the unsigned version passes the attestor's own checks).
        configure({});
        expect(run(["key", "generate", "--name", "evil", "--no-passphrase"]).code).toBe(0);
        cpSync(reg(), join(dir, "evilreg"), { recursive: true });
        // Its own history from scratch: attest never continues a snapshot another key signed, nor
        // signs below a serial the audit log records.
        rmSync(join(dir, "evilreg", "snapshot.json"));
        rmSync(join(dir, "evilreg", "snapshot"), { recursive: true });
        rmSync(join(dir, "evilreg", "audit.log"));
        expect(run(["registry", "attest", "--registry", join(dir, "evilreg"), "--key", "evil", "--all"]).code).toBe(0);
        const evil = JSON.parse(readFileSync(join(dir, "evilreg", "packages", "acme--hello", "1.1.0.sig"), "utf8"));
        const sig = JSON.parse(original);
        const forged = evil.signatures.filter((s: { key_fingerprint: string }) => s.key_fingerprint !== fp.reg);
        writeFileSync(sigPath("1.1.0"), JSON.stringify({ ...sig, signatures: forged }));
        configure({ trust_registry_attestations: true, require_signature: true }, true);
        const r = run(["install", "@acme/hello@1.1.0"]);
        expect({ code: r.code, error: errorName(r.stderr) }).toEqual({ code: 12, error: "UntrustedSigner" });
        const from10 = JSON.parse(readFileSync(sigPath("1.0.0"), "utf8")).signatures.filter((s: { algorithm: string }) => s.algorithm === "registry-attestation");
        writeFileSync(sigPath("1.1.0"), JSON.stringify({ ...sig, signatures: from10 }));
        expect(errorName(run(["install", "@acme/hello@1.1.0"]).stderr)).toBe("InvalidSignature");
      } finally {
        writeFileSync(sigPath("1.1.0"), original);
      }
      // Positive control: the original attestation counts again.
      expect(run(["install", "@acme/hello@1.1.0"]).code).toBe(0);
    });

    // Last: it rejects 1.1.0 for good.
    test("info --signatures: the Status follows the pin (pinned and trusted: Valid ✓; untrusted registry or rejected version: says why)", () => {
      const statusOf = (v: string) => /Type: registry-attestation\n\s+Registry: acme\n\s+Timestamp: \S+\n\s+Status: (.*)/.exec(run(["info", `@acme/hello@${v}`, "--signatures"]).stdout)?.[1];
      configure({ trust_registry_attestations: true }, true);
      expect(statusOf("1.1.0")).toBe("Valid ✓");
      expect(statusOf("1.0.0")).toBe("Valid ✓");
      // Pinned but not in security.trusted_registries: the snapshot is checked, the attestation does not count.
      configure({ trust_registry_attestations: true }, "not trusted");
      expect(statusOf("1.1.0")).toStartWith("Valid, not trusted ⚠ (attestations count only for a registry pinned with `aam registry trust` and listed in security.trusted_registries");
      configure({ trust_registry_attestations: true }, true);
      const attested = readFileSync(sigPath("1.1.0"), "utf8");
      expect(run(["registry", "reject", "@acme/hello@1.1.0", "--reason", "bad prompt", "--key", "regkey"]).code).toBe(0);
      expect(statusOf("1.1.0")).toBeUndefined(); // reject takes the registry's attestation out of the .sig
      // Put back (by an attacker, or a reject killed before it rewrote the .sig): valid, but the snapshot rejects the version.
      writeFileSync(sigPath("1.1.0"), attested);
      expect(statusOf("1.1.0")).toBe(`Valid, not trusted ⚠ (registry "acme"'s snapshot does not list this version (pending, or rejected))`);
      // Positive control: the other attested version still counts under the new snapshot.
      expect(statusOf("1.0.0")).toBe("Valid ✓");
    });
  });
});
