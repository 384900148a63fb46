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
