/** `aam registry verify` (SPEC §4, §6, §7) and reading the Python `aam` layout. */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, mkdirSync, renameSync, rmSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { aam, RUNTIMES, tempDir, removeDir, makePackage, type RuntimeName } from "../helpers.ts";

describe.each(RUNTIMES)("registry verify under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[], cwd = dir) => aam(rt, args, { cwd, home: dir, env: { AAM_PASSPHRASE: "p" } });
  const pkg = (...p: string[]) => join(dir, "reg", "packages", "acme--r", ...p);
  beforeEach(() => {
    dir = tempDir();
    run(["registry", "init", "reg", "--default"]);
    run(["key", "generate"]);
    makePackage(join(dir, "p1"), "@acme/r", "1.0.0");
    makePackage(join(dir, "p2"), "@acme/r", "1.1.0");
    run(["pkg", "publish", "p1", "--sign"]);
    run(["pkg", "publish", "p2", "--sign"]);
  });
  afterEach(() => removeDir(dir));

  const failures = () => {
    const r = run(["registry", "verify", "--json"]);
    const doc = JSON.parse(r.stdout);
    return { code: r.code, doc, subjects: doc.failures.map((f: { subject: string; code: string }) => `${f.subject}:${f.code}`) };
  };

  test("a clean registry passes, with a summary", () => {
    const { code, doc } = failures();
    expect(code).toBe(0);
    expect(doc).toMatchObject({ ok: true, packages: 1, versions: 2, verified: 2, audit_log: { ok: true } });
  });

  test("a version in metadata without its archive fails with NotFound", () => {
    rmSync(pkg("1.0.0.aam"));
    const { code, subjects } = failures();
    expect(code).not.toBe(0);
    expect(subjects).toContain("@acme/r@1.0.0:NotFound");
  });

  const keyFp = () => JSON.parse(run(["key", "list", "--json"]).stdout).keys[0].fingerprint as string;

  test("a rejected version is counted as rejected (not verified, not a failure); under require_registry_attestation pending versions are pending, not failures", () => {
    makePackage(join(dir, "p3"), "@acme/r", "1.2.0");
    expect(run(["pkg", "publish", "p3"]).code).toBe(0); // unsigned
    const fp = keyFp();
    expect(run(["registry", "attest", "--key", fp, "--all"]).code).toBe(0);
    const meta = readFileSync(pkg("metadata.yaml"), "utf8");
    // Positive control: before the reject, the unsigned version fails --require-signature.
    const before = JSON.parse(run(["registry", "verify", "--require-signature", "--json"]).stdout);
    expect(before.failures.map((f: { subject: string; code: string }) => `${f.subject}:${f.code}`)).toEqual(["@acme/r@1.2.0:SignatureNotFound"]);
    expect(run(["registry", "reject", "@acme/r@1.2.0", "--reason", "bad prompt", "--key", fp]).code).toBe(0);
    makePackage(join(dir, "p4"), "@acme/r", "1.3.0");
    expect(run(["pkg", "publish", "p4", "--sign"]).code).toBe(0); // pending
    const r = run(["registry", "verify", "--require-signature", "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(r.code).toBe(0);
    expect(doc).toMatchObject({ ok: true, versions: 4, verified: 3, unsigned: 0, rejected: 1, failures: [], snapshot: { pending: ["@acme/r@1.3.0"], rejected: ["@acme/r@1.2.0"] } });
    expect(run(["registry", "verify"]).stdout).toContain("3 verified, 0 unsigned, 1 rejected, 0 failure(s)");
    // The maintainer's tool reports what consumers requiring attestations would refuse, without failing on it.
    expect(run(["config", "set", "security.require_registry_attestation", "true"]).code).toBe(0);
    const req = failures();
    expect({ code: req.code, subjects: req.subjects, rejected: req.doc.rejected, pending: req.doc.snapshot.pending }).toEqual({ code: 0, subjects: [], rejected: 1, pending: ["@acme/r@1.3.0"] });
    expect(req.doc.warnings).toContain("1 version(s) not attested yet: machines with security.require_registry_attestation refuse them until `aam registry attest`");
    // metadata.yaml from before the reject put back: the snapshot's rejection still applies, never "verified".
    writeFileSync(pkg("metadata.yaml"), meta);
    const old = failures();
    expect({ code: old.code, verified: old.doc.verified, rejected: old.doc.rejected, pending: old.doc.snapshot.pending }).toEqual({ code: 0, verified: 2, rejected: 1, pending: [] });
  });

  test("an older metadata.yaml put back: the version it lost is one mix-and-match failure, and the listed ones are not pending", () => {
    const fp = keyFp();
    expect(run(["registry", "attest", "--key", fp, "--all"]).code).toBe(0);
    const meta = readFileSync(pkg("metadata.yaml"), "utf8");
    makePackage(join(dir, "p3"), "@acme/r", "1.2.0");
    expect(run(["pkg", "publish", "p3", "--sign"]).code).toBe(0);
    expect(run(["registry", "attest", "--key", fp, "--all"]).code).toBe(0);
    const current = readFileSync(pkg("metadata.yaml"), "utf8");
    writeFileSync(pkg("metadata.yaml"), meta);
    const { code, doc } = failures();
    expect(code).toBe(10);
    expect(doc.failures.map((f: { message: string; code: string }) => `${f.code}: ${f.message}`)).toEqual([
      `TamperedPackage: Cannot trust "@acme/r@1.2.0": metadata.yaml no longer lists the version the registry's signed snapshot vouches for`,
    ]);
    expect(doc.snapshot.pending).toEqual([]);
    // Positive control: the current metadata.yaml passes, nothing pending.
    writeFileSync(pkg("metadata.yaml"), current);
    const ok = failures();
    expect({ code: ok.code, pending: ok.doc.snapshot.pending, verified: ok.doc.verified }).toEqual({ code: 0, pending: [], verified: 3 });
  });

  test("a checksum mismatch fails with TamperedPackage and names the version", () => {
    writeFileSync(pkg("1.1.0.aam"), readFileSync(pkg("1.0.0.aam")));
    const { code, subjects } = failures();
    expect(code).toBe(10);
    expect(subjects).toEqual(["@acme/r@1.1.0:TamperedPackage"]);
  });

  test("an archive without metadata is reported as a warning", () => {
    writeFileSync(pkg("9.9.9.aam"), "x");
    const { code, doc } = failures();
    expect(code).toBe(0);
    expect(doc.warnings.some((w: string) => w.includes("9.9.9.aam"))).toBe(true);
  });

  test("an edited audit.log line is caught and named", () => {
    const f = join(dir, "reg", "audit.log");
    const lines = readFileSync(f, "utf8").split("\n");
    lines[0] = lines[0].replace('"package.publish"', '"version.yank"');
    writeFileSync(f, lines.join("\n"));
    const { code, doc } = failures();
    expect(code).not.toBe(0);
    expect(doc.audit_log).toMatchObject({ ok: false, broken_line: 2 });
    appendFileSync(f, "");
  });

  test("info --audit-log lists the package's events", () => {
    const r = run(["info", "@acme/r", "--audit-log", "--json"]);
    const events = JSON.parse(r.stdout).audit_log.map((e: { event: string }) => e.event);
    expect(events.filter((e: string) => e === "package.publish").length).toBe(2);
    expect(events).toContain("signature.add");
  });

  test("a registry in the Python aam layout (versions/<v>.aam) is searched, verified and installed from", () => {
    mkdirSync(pkg("versions"));
    for (const v of ["1.0.0", "1.1.0"]) {
      renameSync(pkg(`${v}.aam`), pkg("versions", `${v}.aam`));
      renameSync(pkg(`${v}.sig`), pkg("versions", `${v}.sig`));
    }
    expect(run(["verify", "@acme/r@1.0.0", "--require-signature"]).code).toBe(0);
    expect(failures().code).toBe(0);
    const proj = join(dir, "proj");
    mkdirSync(proj);
    expect(run(["install", "@acme/r"], proj).code).toBe(0);
    expect(readFileSync(join(proj, ".aam", "packages", "acme--r", "prompts", "hello.md"), "utf8")).toContain("1.1.0");
  });
});
