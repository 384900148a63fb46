/**
 * Package owners end to end (SPEC §4, §7): `aam owner add|rm|ls`, the signed `ownership.transfer`
 * event (checked with OpenSSL alone), publish refused for a non-owner with the owner's publish as
 * the positive control, attest and `registry verify` refusing owners changed by hand, and an owner
 * change on a git registry (a bare repository on file://).
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { pushToBare } from "../helpers/git_registry.ts";
import { aam, RUNTIMES, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";

const POLICY = 15;

describe.each(RUNTIMES)("owners under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir });
  const reg = (...p: string[]) => join(dir, "reg", ...p);
  const fp = (name: string) => JSON.parse(run(["key", "list", "--json"]).stdout).keys.find((k: { name: string }) => k.name === name).fingerprint as string;
  const events = () => readFileSync(reg("audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const metaFile = () => reg("packages", "acme--hello", "metadata.yaml");
  const publish = (version: string, ...flags: string[]) => {
    makePackage(join(dir, "pkg"), "@acme/hello", version);
    return run(["pkg", "publish", "pkg", ...flags]);
  };

  beforeEach(() => {
    dir = tempDir();
    expect(run(["registry", "init", "reg", "--name", "acme", "--default"]).code).toBe(0);
    for (const k of ["regkey", "alice", "bob"]) expect(run(["key", "generate", "--name", k, "--no-passphrase"]).code).toBe(0);
    expect(publish("1.0.0", "--sign", "--key", "alice").code).toBe(0);
    // The first attest lists regkey in registry.yaml's attestation_keys.
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
  });
  afterEach(() => removeDir(dir));

  test("the first owner needs an attestation key; then only an owner's signed publish and owner change go through", () => {
    const alice = fp("alice");
    const bob = fp("bob");
    expect(JSON.parse(run(["owner", "ls", "@acme/hello", "--json"]).stdout)).toEqual({ ok: true, package: "@acme/hello", owners: [] });
    // An author key is not an attestation key.
    const wrong = run(["owner", "add", "@acme/hello", alice, "--key", "alice"]);
    expect([wrong.code, errorName(wrong.stderr)]).toEqual([POLICY, "PolicyViolation"]);
    expect(readFileSync(metaFile(), "utf8")).not.toContain("owners");
    expect(run(["owner", "add", "@acme/hello", alice, "--key", "regkey"]).code).toBe(0);
    expect(JSON.parse(run(["owner", "ls", "@acme/hello", "--json"]).stdout).owners).toEqual([alice]);
    expect(run(["owner", "ls", "@acme/hello"]).stdout.trim()).toBe(alice);

    // Bob is not an owner: his signed publish and an unsigned one are refused before anything is written.
    const byBob = publish("1.1.0", "--sign", "--key", "bob");
    expect([byBob.code, errorName(byBob.stderr)]).toEqual([POLICY, "PolicyViolation"]);
    expect(byBob.stderr).toContain("not signed by an owner");
    const auditBefore = readFileSync(reg("audit.log"), "utf8");
    expect(publish("1.1.0").code).toBe(POLICY); // the .sig beside it is Bob's
    expect(readFileSync(reg("audit.log"), "utf8")).toBe(auditBefore);
    expect(JSON.parse(run(["info", "@acme/hello", "--json"]).stdout).versions.map((v: { version: string }) => v.version)).toEqual(["1.0.0"]);
    // Positive control: the owner's publish goes through, and the owners stay.
    expect(publish("1.1.0", "--sign", "--key", "alice").code).toBe(0);
    expect(JSON.parse(run(["owner", "ls", "@acme/hello", "--json"]).stdout).owners).toEqual([alice]);

    // With owners set, the attestation key no longer may change them; the owner may.
    expect(run(["owner", "add", "@acme/hello", bob, "--key", "regkey"]).code).toBe(POLICY);
    expect(run(["owner", "add", "@acme/hello", bob, "--key", "alice"]).code).toBe(0);
    expect(publish("1.2.0", "--sign", "--key", "bob").code).toBe(0);
    expect(run(["owner", "rm", "@acme/hello", alice, "--key", "bob"]).code).toBe(0);
    expect(JSON.parse(run(["owner", "ls", "@acme/hello", "--json"]).stdout).owners).toEqual([bob]);
    expect(publish("1.3.0", "--sign", "--key", "alice").code).toBe(POLICY);

    const transfers = events().filter((e) => e.event === "ownership.transfer");
    expect(transfers.map((e) => [e.details.owners, e.details.key_fingerprint])).toEqual([
      [[alice], fp("regkey")],
      [[alice, bob].sort(), alice],
      [[bob], bob],
    ]);
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    const v = run(["registry", "verify", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).failures).toEqual([]);
  });

  test("an ownership.transfer signature checks with OpenSSL alone", () => {
    const alice = fp("alice");
    expect(run(["owner", "add", "@acme/hello", alice, "--key", "regkey"]).code).toBe(0);
    const d = events().find((e) => e.event === "ownership.transfer").details;
    expect(d).toMatchObject({ registry: "acme", owners: [alice], previous_owners: [], key_fingerprint: fp("regkey") });
    // The PEM a reader makes from public_key: the fixed SPKI prefix of an Ed25519 key, then the raw 32 bytes.
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(d.public_key, "base64")]);
    writeFileSync(join(dir, "k.pem"), `-----BEGIN PUBLIC KEY-----\n${spki.toString("base64")}\n-----END PUBLIC KEY-----\n`);
    writeFileSync(join(dir, "sig.bin"), Buffer.from(d.signature, "base64"));
    const check = (msg: string) => {
      writeFileSync(join(dir, "msg"), msg);
      return sh("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", join(dir, "k.pem"), "-rawin", "-in", join(dir, "msg"), "-sigfile", join(dir, "sig.bin")]).code;
    };
    expect(check(`aam-ownership-v1:acme:@acme/hello:${alice}`)).toBe(0);
    expect(check(`aam-ownership-v1:acme:@acme/other:${alice}`)).not.toBe(0); // negative control
  });

  test("owners changed by hand: attest refuses, registry verify reports it and the non-owner's version", () => {
    expect(run(["owner", "add", "@acme/hello", fp("alice"), "--key", "regkey"]).code).toBe(0);
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    expect(run(["registry", "verify"]).code).toBe(0); // positive control
    // Someone with write access drops the owners line and publishes as Bob.
    writeFileSync(metaFile(), readFileSync(metaFile(), "utf8").replace(/\nowners:\n(  - .*\n)+/, "\n"));
    expect(publish("1.1.0", "--sign", "--key", "bob").code).toBe(0);
    const a = run(["registry", "attest", "--key", "regkey", "--all"]);
    expect([a.code, errorName(a.stderr)]).toEqual([POLICY, "PolicyViolation"]);
    expect(a.stderr).toContain("ownership.transfer");
    const v = run(["registry", "verify", "--json"]);
    expect(v.code).toBe(POLICY);
    const subjects = JSON.parse(v.stdout).failures.map((f: { subject: string; code: string }) => `${f.subject} ${f.code}`);
    expect(subjects).toEqual(expect.arrayContaining(["@acme/hello owners PolicyViolation", "@acme/hello@1.1.0 PolicyViolation"]));
  });

  test("a forged ownership.transfer (owners edited, chain re-hashed) fails registry verify", () => {
    const alice = fp("alice");
    const bob = fp("bob");
    expect(run(["owner", "add", "@acme/hello", alice, "--key", "regkey"]).code).toBe(0);
    expect(run(["registry", "verify"]).code).toBe(0); // positive control
    // Rewrite the event to name Bob and re-hash the chain, so only the signature can tell.
    let prev = "0".repeat(64);
    const lines = readFileSync(reg("audit.log"), "utf8").trim().split("\n").map((l) => {
      const e = JSON.parse(l);
      if (e.event === "ownership.transfer") e.details.owners = [bob];
      e.prev = prev;
      const out = JSON.stringify(e);
      prev = createHash("sha256").update(out).digest("hex");
      return out;
    });
    writeFileSync(reg("audit.log"), lines.join("\n") + "\n");
    writeFileSync(metaFile(), readFileSync(metaFile(), "utf8").replace(alice, bob));
    const v = run(["registry", "verify", "--json"]);
    expect(v.code).toBe(POLICY);
    const doc = JSON.parse(v.stdout);
    expect(doc.audit_log.ok).toBe(true);
    expect(doc.failures.map((f: { message: string }) => f.message).join("\n")).toContain("signature does not verify");
  });

  test("bad owners and keys are refused: an OpenPGP user id, a bare address, a missing key", () => {
    for (const bad of ["Alice <alice@example.org>", "alice@example.org", "*@example.org"]) {
      const r = run(["owner", "add", "@acme/hello", bad, "--key", "regkey"]);
      expect([r.code, errorName(r.stderr)]).toEqual([2, "UsageError"]);
    }
    expect(run(["owner", "add", "@acme/hello", "github:acme", "--key", "regkey"]).code).toBe(0);
    expect(run(["owner", "add", "@acme/hello", "alice@example.org|https://accounts.google.com"]).code).toBe(2);
    expect(run(["owner", "add", "@acme/nope", fp("alice"), "--key", "regkey"]).code).not.toBe(0);
    // Identity owners: no key may change them, so an owner with an identity only is fixed until a key owner is added.
    expect(run(["owner", "add", "@acme/hello", fp("alice"), "--key", "regkey"]).code).toBe(POLICY);
  });

  test("an owner change on a git registry commits and pushes", () => {
    const seed = join(dir, "seed");
    expect(aam(rt, ["registry", "init", seed, "--name", "gitreg"], { cwd: dir, home: join(dir, "seed-home") }).code).toBe(0);
    const { bare, url } = pushToBare(seed, dir);
    makePackage(join(dir, "gpkg"), "@acme/tool", "1.0.0");
    expect(run(["pkg", "publish", "gpkg", "--sign", "--key", "alice", "--registry", url]).code).toBe(0);
    expect(run(["registry", "attest", "--key", "regkey", "--all", "--registry", url]).code).toBe(0);
    const r = run(["owner", "add", "@acme/tool", fp("alice"), "--key", "regkey", "--registry", url]);
    expect(r.code).toBe(0);
    expect(sh("git", ["log", "--format=%s", "-1", "main"], { cwd: bare }).stdout.trim()).toBe(`aam: owner add @acme/tool ${fp("alice")}`);
    const co = join(dir, "co");
    expect(sh("git", ["clone", "--quiet", "--branch", "main", bare, co]).code).toBe(0);
    expect(readFileSync(join(co, "packages", "acme--tool", "metadata.yaml"), "utf8")).toContain(fp("alice"));
    expect(readFileSync(join(co, "audit.log"), "utf8")).toContain('"ownership.transfer"');
    expect(JSON.parse(run(["owner", "ls", "@acme/tool", "--registry", url, "--json"]).stdout).owners).toEqual([fp("alice")]);
    // --branch: a pull-request flow; the default branch is untouched until the branch is merged.
    expect(run(["owner", "add", "@acme/tool", fp("bob"), "--key", "alice", "--registry", url, "--branch", "owners/add-bob"]).code).toBe(0);
    expect(sh("git", ["log", "--format=%s", "-1", "owners/add-bob"], { cwd: bare }).stdout.trim()).toBe(`aam: owner add @acme/tool ${fp("bob")}`);
    expect(JSON.parse(run(["owner", "ls", "@acme/tool", "--registry", url, "--json"]).stdout).owners).toEqual([fp("alice")]);
    // The owner rule holds on the git registry too.
    makePackage(join(dir, "gpkg"), "@acme/tool", "1.1.0");
    expect(run(["pkg", "publish", "gpkg", "--sign", "--key", "bob", "--registry", url]).code).toBe(POLICY);
    expect(run(["pkg", "publish", "gpkg", "--sign", "--key", "alice", "--registry", url]).code).toBe(0);
  });
});
