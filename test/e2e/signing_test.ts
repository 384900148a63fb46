/** Signing and trust end to end (SPEC §5, §6): each error with its exit code, replay, rotation, policy, OpenSSL both ways. */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, existsSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { createHash } from "node:crypto";
import { aam, RUNTIMES, ROOT, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";

const PASS = { AAM_PASSPHRASE: "correct horse battery staple" };

describe.each(RUNTIMES)("signing and trust under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[], o: { cwd?: string; home?: string; env?: Record<string, string> } = {}) =>
    aam(rt, args, { cwd: o.cwd ?? dir, home: o.home ?? dir, env: { ...PASS, ...o.env } });
  const sigDir = () => join(dir, "reg", "packages", "acme--signed");
  beforeEach(() => {
    dir = tempDir();
    expect(run(["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "k1"]).code).toBe(0);
    makePackage(join(dir, "p1"), "@acme/signed", "1.0.0");
    makePackage(join(dir, "p2"), "@acme/signed", "1.1.0");
  });
  afterEach(() => removeDir(dir));

  test("sign, publish and verify with a trusted key", () => {
    expect(run(["pkg", "publish", "p1", "--sign"]).code).toBe(0);
    expect(existsSync(join(dir, "reg", "packages", "acme--signed", "1.0.0.sig"))).toBe(true);
    const v = run(["verify", "@acme/signed", "--json", "--require-signature"]);
    expect(v.code).toBe(0);
    const r = JSON.parse(v.stdout).results[0];
    expect(r.outcome).toBe("verified");
    expect(r.signers[0]).toMatchObject({ algorithm: "ed25519", valid: true, trusted: true });
    const idx = readFileSync(join(dir, "reg", "index.yaml"), "utf8");
    expect((parseYaml(idx) as { packages: { signed: boolean }[] }).packages[0].signed).toBe(true);
    expect(JSON.parse(run(["search", "--filter", "signed", "--json"]).stdout).results.length).toBe(1);
    expect(run(["registry", "verify"]).code).toBe(0);
  });

  test("a wrong passphrase is a clear error, not a crash", () => {
    const r = run(["pkg", "publish", "p1", "--sign"], { env: { AAM_PASSPHRASE: "wrong" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
  });

  test("an untrusted signer is UntrustedSigner (12) under on_signature_failure=error and a warning under warn", () => {
    run(["pkg", "publish", "p1", "--sign"]);
    const other = join(dir, "other");
    mkdirSync(other);
    expect(run(["registry", "add", "r", join(dir, "reg"), "--default"], { home: other, cwd: other }).code).toBe(0);
    const warned = run(["verify", "@acme/signed"], { home: other, cwd: other });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain("warning:");
    run(["config", "set", "security.on_signature_failure", "error"], { home: other, cwd: other });
    const err = run(["verify", "@acme/signed"], { home: other, cwd: other });
    expect(err.code).toBe(12);
    expect(errorName(err.stderr)).toBe("UntrustedSigner");
  });

  test("an unsigned package with --require-signature is SignatureNotFound (13)", () => {
    run(["pkg", "publish", "p1"]);
    const r = run(["verify", "@acme/signed", "--require-signature"]);
    expect(r.code).toBe(13);
    expect(errorName(r.stderr)).toBe("SignatureNotFound");
  });

  test("a .sig that is not JSON of the schema is MalformedSignature (14)", () => {
    run(["pkg", "publish", "p1", "--sign"]);
    writeFileSync(join(sigDir(), "1.0.0.sig"), "{ not json");
    const r = run(["verify", "@acme/signed", "--require-signature"]);
    expect(r.code).toBe(14);
    expect(errorName(r.stderr)).toBe("MalformedSignature");
  });

  test("a signature that does not verify is InvalidSignature (11)", () => {
    run(["pkg", "publish", "p1", "--sign"]);
    const f = join(dir, "reg", "packages", "acme--signed", "1.0.0.sig");
    const sig = JSON.parse(readFileSync(f, "utf8"));
    const raw = Buffer.from(sig.signatures[0].signature, "base64");
    raw[5] ^= 0x40;
    sig.signatures[0].signature = raw.toString("base64");
    writeFileSync(f, JSON.stringify(sig));
    const r = run(["verify", "@acme/signed", "--require-signature"]);
    expect(r.code).toBe(11);
    expect(errorName(r.stderr)).toBe("InvalidSignature");
  });

  test("a .sig copied onto another version never verifies", () => {
    run(["pkg", "publish", "p1", "--sign"]);
    run(["pkg", "publish", "p2", "--sign"]);
    const base = join(dir, "reg", "packages", "acme--signed");
    copyFileSync(join(base, "1.0.0.sig"), join(base, "1.1.0.sig"));
    const r = run(["verify", "@acme/signed@1.1.0"]);
    expect(r.code).toBe(10);
    expect(errorName(r.stderr)).toBe("TamperedPackage");
  });

  test("rotation: two keys sign one version; with one revoked it still verifies; with both revoked it fails", () => {
    expect(run(["pkg", "sign", "p1/dist/acme--signed-1.0.0.aam"]).code).not.toBe(0); // not packed yet: NotFound
    expect(run(["pkg", "pack", "p1"]).code).toBe(0);
    const archive = "p1/dist/acme--signed-1.0.0.aam";
    expect(run(["key", "generate", "--name", "k2"]).code).toBe(0);
    expect(run(["pkg", "sign", archive, "--key", "k1"]).code).toBe(0);
    expect(run(["pkg", "sign", archive, "--key", "k2"]).code).toBe(0);
    const sig = JSON.parse(readFileSync(join(dir, `${archive}.sig`), "utf8"));
    expect(sig.signatures.length).toBe(2);
    expect(run(["pkg", "publish", archive]).code).toBe(0);
    run(["config", "set", "security.on_signature_failure", "error"]);
    const keys = JSON.parse(run(["key", "list", "--json"]).stdout).keys;
    const fp1 = keys.find((k: { name: string }) => k.name === "k1").fingerprint;
    const fp2 = keys.find((k: { name: string }) => k.name === "k2").fingerprint;
    expect(run(["key", "revoke", fp1]).code).toBe(0);
    expect(run(["verify", "@acme/signed"]).code).toBe(0);
    expect(run(["key", "revoke", fp2]).code).toBe(0);
    const r = run(["verify", "@acme/signed"]);
    expect(r.code).toBe(12);
  });

  test("a registry that requires signatures refuses an unsigned publish with PolicyViolation (15) and writes nothing", () => {
    run(["registry", "init", "strict", "--require-signatures"]);
    const r = run(["pkg", "publish", "p1", "--registry", join(dir, "strict")]);
    expect(r.code).toBe(15);
    expect(errorName(r.stderr)).toBe("PolicyViolation");
    expect(existsSync(join(dir, "strict", "packages", "acme--signed"))).toBe(false);
    writeFileSync(join(dir, "reg", ".env"), "REQUIRE_SIGNATURES=true\n");
    expect(run(["pkg", "publish", "p1"]).code).toBe(15);
    expect(run(["pkg", "publish", "p1", "--sign"]).code).toBe(0);
  });

  test("--no-verify skips signatures but never the checksum", () => {
    run(["pkg", "publish", "p1", "--sign"]);
    const f = join(dir, "reg", "packages", "acme--signed", "1.0.0.sig");
    writeFileSync(f, "garbage");
    const project = join(dir, "proj");
    mkdirSync(project);
    run(["config", "set", "security.on_signature_failure", "error"]);
    expect(run(["install", "@acme/signed"], { cwd: project }).code).toBe(14);
    const skipped = run(["install", "@acme/signed", "--no-verify"], { cwd: project });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain("--no-verify");
    const a = join(dir, "reg", "packages", "acme--signed", "1.0.0.aam");
    const b = readFileSync(a);
    b[b.length - 30] ^= 1;
    writeFileSync(a, b);
    expect(run(["install", "@acme/signed", "--no-verify", "--force"], { cwd: project }).code).toBe(10);
  });

  test("OpenSSL verifies an AAM signature, and an OpenSSL key and signature verify in AAM after key trust", () => {
    run(["pkg", "publish", "p1", "--sign"]);
    const sig = JSON.parse(readFileSync(join(dir, "reg", "packages", "acme--signed", "1.0.0.sig"), "utf8"));
    writeFileSync(join(dir, "msg"), `aam-signature-v1:${sig.package_hash}`);
    writeFileSync(join(dir, "sig.bin"), Buffer.from(sig.signatures[0].signature, "base64"));
    const pem = run(["key", "export", "k1", "--format", "pem"]).stdout;
    writeFileSync(join(dir, "k1.pem"), pem);
    const ok = sh("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", "k1.pem", "-rawin", "-in", "msg", "-sigfile", "sig.bin"], { cwd: dir });
    expect(ok.code).toBe(0);
    writeFileSync(join(dir, "msg2"), `aam-signature-v1:sha256:${"0".repeat(64)}`);
    expect(sh("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", "k1.pem", "-rawin", "-in", "msg2", "-sigfile", "sig.bin"], { cwd: dir }).code).not.toBe(0);

    // The other direction: key and signature made by OpenSSL.
    expect(sh("openssl", ["genpkey", "-algorithm", "ed25519", "-out", "ossl.key"], { cwd: dir }).code).toBe(0);
    expect(sh("openssl", ["pkey", "-in", "ossl.key", "-pubout", "-out", "ossl.pub"], { cwd: dir }).code).toBe(0);
    run(["pkg", "pack", "p2"]);
    const archive = join(dir, "p2", "dist", "acme--signed-1.1.0.aam");
    const hash = `sha256:${createHash("sha256").update(readFileSync(archive)).digest("hex")}`;
    writeFileSync(join(dir, "m3"), `aam-signature-v1:${hash}`);
    expect(sh("openssl", ["pkeyutl", "-sign", "-inkey", "ossl.key", "-rawin", "-in", "m3", "-out", "s3.bin"], { cwd: dir }).code).toBe(0);
    const spki = require("node:child_process").spawnSync("openssl", ["pkey", "-pubin", "-in", "ossl.pub", "-outform", "DER"], { cwd: dir });
    const raw = Buffer.from(spki.stdout).subarray(-32);
    const fp = createHash("sha256").update(raw).digest("hex");
    writeFileSync(
      `${archive}.sig`,
      JSON.stringify({
        version: 1,
        package: "@acme/signed",
        package_version: "1.1.0",
        package_hash: hash,
        signatures: [{ algorithm: "ed25519", key_fingerprint: fp, public_key: raw.toString("base64"), signature: readFileSync(join(dir, "s3.bin")).toString("base64"), signed_at: "2026-11-21T00:00:00Z" }],
      }),
    );
    run(["config", "set", "security.on_signature_failure", "error"]);
    expect(run(["verify", "--file", archive]).code).toBe(12);
    expect(run(["key", "trust", "ossl.pub"]).code).toBe(0);
    const v = run(["verify", "--file", archive, "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0].signers[0]).toMatchObject({ key_fingerprint: fp, trusted: true });
  });

  test("pkg sign <pkg>@<version> adds a second signature to a published version, logged once", () => {
    run(["pkg", "publish", "p1", "--sign"]);
    expect(run(["key", "generate", "--name", "k2"]).code).toBe(0);
    const r = run(["pkg", "sign", "@acme/signed@1.0.0", "--key", "k2", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).signatures.length).toBe(2);
    const keys = JSON.parse(run(["key", "list", "--json"]).stdout).keys;
    const fp1 = keys.find((k: { name: string }) => k.name === "k1").fingerprint;
    const fp2 = keys.find((k: { name: string }) => k.name === "k2").fingerprint;
    const events = JSON.parse(run(["info", "@acme/signed", "--audit-log", "--json"]).stdout).audit_log;
    const adds = events.filter((e: { event: string }) => e.event === "signature.add").map((e: { details: { key_fingerprint: string } }) => e.details.key_fingerprint);
    expect(adds).toEqual([fp1, fp2]);
    expect(existsSync(join(dir, "reg", "keys", `${fp2}.pem`))).toBe(true);
    run(["config", "set", "security.on_signature_failure", "error"]);
    run(["key", "revoke", fp1]);
    expect(run(["verify", "@acme/signed", "--require-signature"]).code).toBe(0);
    expect(run(["registry", "verify"]).code).toBe(0);
    expect(run(["pkg", "sign", "@acme/signed"]).code).toBe(2);
  });
});


// verifyEd25519's WebCrypto path screens key bytes only (canonical, not small order) and leaves
// "is it a curve point at all" to the runtime's own decoding: this proves each runtime refuses.
test("WebCrypto Ed25519 on Node, Bun and Deno refuses public keys that are not curve points", () => {
  const dir = tempDir();
  try {
    const script = join(dir, "off_curve.mjs");
    writeFileSync(
      script,
      `const hex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
const keys = [2, 7, 12].map((y) => new Uint8Array([y, ...new Uint8Array(31)]));
const sig = hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
const sigs = [sig, new Uint8Array([...hex("58" + "66".repeat(31)), ...new Uint8Array(32)])];
const out = [];
for (const k of keys) for (const s of sigs) {
  try {
    const key = await crypto.subtle.importKey("raw", k, { name: "Ed25519" }, false, ["verify"]);
    out.push(String(await crypto.subtle.verify("Ed25519", key, s, new Uint8Array(0))));
  } catch { out.push("refused"); }
}
console.log(out.join(" "));
`,
    );
    const BIN = join(ROOT, "node_modules", ".bin");
    for (const cmd of [["node", script], [join(BIN, "bun"), script], [join(BIN, "deno"), "run", "--quiet", script]]) {
      const r = sh(cmd[0], cmd.slice(1));
      expect(r.code).toBe(0);
      const answers = r.stdout.trim().split(" ");
      expect(answers).toHaveLength(6);
      for (const a of answers) expect(["false", "refused"]).toContain(a);
    }
  } finally {
    removeDir(dir);
  }
});
