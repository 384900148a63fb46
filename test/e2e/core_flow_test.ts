/** End to end, as a user would: init → pack → publish → search → info → install → tamper → verify fails. */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aam, ALL_RUNTIMES, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";

describe.each(RUNTIMES)("core flow under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[], cwd = dir) => aam(rt, args, { cwd, home: dir });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  test("--version and --help answer with exit 0", () => {
    expect(run(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("registry");
    const sub = run(["pkg", "pack", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("--output");
  });

  test("an unknown command is a UsageError with a suggestion", () => {
    const r = run(["instal", "x"]);
    expect(r.code).toBe(2);
    expect(errorName(r.stderr)).toBe("UsageError");
    expect(r.stderr).toContain('"install"');
    expect(r.stderr).toContain("hint:");
  });

  test("an unknown option is a UsageError, never a stack trace", () => {
    const r = run(["pkg", "pack", "--outptu", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--output");
    expect(r.stderr).not.toContain("    at ");
  });

  test("init, pack, publish, search, info, install, then a tampered archive fails with exit 10", () => {
    expect(run(["registry", "init", "reg", "--name", "t", "--default"]).code).toBe(0);
    makePackage(join(dir, "pkg"), "@acme/hello", "1.0.0", { description: "Greets people" });
    const pack = run(["pkg", "pack", "pkg"]);
    expect(pack.code).toBe(0);
    expect(pack.stdout).toMatch(/sha256:[0-9a-f]{64}/);
    expect(existsSync(join(dir, "pkg", "dist", "acme--hello-1.0.0.aam"))).toBe(true);

    const pub = run(["pkg", "publish", "pkg"]);
    expect(pub.code).toBe(0);
    expect(existsSync(join(dir, "reg", "packages", "acme--hello", "1.0.0.aam"))).toBe(true);
    const meta = readFileSync(join(dir, "reg", "packages", "acme--hello", "metadata.yaml"), "utf8");
    expect(meta).toContain("latest: 1.0.0");

    const search = run(["search", "greets", "--json"]);
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results.map((p: { name: string }) => p.name)).toEqual(["@acme/hello"]);

    const info = run(["info", "@acme/hello", "--json"]);
    expect(JSON.parse(info.stdout).versions[0].version).toBe("1.0.0");

    const project = join(dir, "project");
    require("node:fs").mkdirSync(project);
    const inst = run(["install", "@acme/hello"], project);
    expect(inst.code).toBe(0);
    expect(readFileSync(join(project, ".aam", "packages", "acme--hello", "prompts", "hello.md"), "utf8")).toContain("@acme/hello@1.0.0");
    expect(readFileSync(join(project, ".aam", "aam-lock.yaml"), "utf8")).toContain("checksum: sha256:");

    const archive = join(dir, "reg", "packages", "acme--hello", "1.0.0.aam");
    const bytes = readFileSync(archive);
    bytes[bytes.length - 30] ^= 0x01;
    writeFileSync(archive, bytes);
    const v = run(["verify", "@acme/hello"]);
    expect(v.code).toBe(10);
    expect(errorName(v.stderr)).toBe("TamperedPackage");
    expect(v.stderr).toContain("expected: sha256:");
    expect(v.stderr).toContain("actual: sha256:");

    const project2 = join(dir, "project2");
    require("node:fs").mkdirSync(project2);
    const bad = run(["install", "@acme/hello"], project2);
    expect(bad.code).toBe(10);
    expect(existsSync(join(project2, ".aam", "packages"))).toBe(false);
  });

  test("publishing an existing version is refused and changes nothing", () => {
    run(["registry", "init", "reg", "--default"]);
    makePackage(join(dir, "pkg"), "dup", "1.0.0");
    expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
    const metaFile = join(dir, "reg", "packages", "dup", "metadata.yaml");
    const before = readFileSync(metaFile, "utf8");
    writeFileSync(join(dir, "pkg", "prompts", "hello.md"), "changed\n");
    const again = run(["pkg", "publish", "pkg", "--json"]);
    expect(again.code).toBe(15);
    expect(JSON.parse(again.stdout).error.code).toBe("PolicyViolation");
    expect(readFileSync(metaFile, "utf8")).toBe(before);
  });

  test("install resolves dependencies to the highest version satisfying every range", () => {
    run(["registry", "init", "reg", "--default"]);
    for (const v of ["1.0.0", "1.2.0", "2.0.0"]) {
      makePackage(join(dir, `base-${v}`), "@acme/base", v);
      expect(run(["pkg", "publish", `base-${v}`]).code).toBe(0);
    }
    makePackage(join(dir, "app"), "@acme/app", "1.0.0", { deps: { "@acme/base": "^1.0.0" } });
    expect(run(["pkg", "publish", "app"]).code).toBe(0);
    const project = join(dir, "project");
    require("node:fs").mkdirSync(project);
    const r = run(["install", "@acme/app", "--json"], project);
    expect(r.code).toBe(0);
    const installed = JSON.parse(r.stdout).installed.map((i: { name: string; version: string }) => `${i.name}@${i.version}`).sort();
    expect(installed).toEqual(["@acme/app@1.0.0", "@acme/base@1.2.0"]);
  });

  test("dist-tag add, ls and rm, and yank", () => {
    run(["registry", "init", "reg", "--default"]);
    makePackage(join(dir, "p1"), "tagged", "1.0.0");
    makePackage(join(dir, "p2"), "tagged", "1.1.0");
    run(["pkg", "publish", "p1"]);
    run(["pkg", "publish", "p2"]);
    expect(run(["dist-tag", "add", "tagged@1.0.0", "stable"]).code).toBe(0);
    expect(JSON.parse(run(["dist-tag", "ls", "tagged", "--json"]).stdout).dist_tags).toEqual({ latest: "1.1.0", stable: "1.0.0" });
    expect(run(["dist-tag", "rm", "tagged", "stable"]).code).toBe(0);
    expect(run(["yank", "tagged@1.1.0"]).code).toBe(0);
    const meta = JSON.parse(run(["info", "tagged", "--json"]).stdout);
    expect(meta.versions.find((v: { version: string }) => v.version === "1.1.0").yanked).toBe(true);
  });

  test("pkg validate reports every problem with its field path", () => {
    require("node:fs").mkdirSync(join(dir, "bad"));
    writeFileSync(join(dir, "bad", "aam.yaml"), 'name: "Bad Name"\nversion: "one"\ndescription: "x"\nartifacts:\n  skills: [{name: s, path: skills/missing/}]\n');
    const r = run(["pkg", "validate", "bad", "--json"]);
    expect(r.code).toBe(1);
    const paths = JSON.parse(r.stdout).problems.map((p: { path: string }) => p.path);
    expect(paths).toContain("name");
    expect(paths).toContain("version");
    expect(paths.some((p: string) => p.startsWith("artifacts.skills[0]"))).toBe(true);
  });
});

test("the same folder packs to byte-identical archives under Node, Bun and Deno", () => {
  const dir = tempDir();
  try {
    makePackage(join(dir, "pkg"), "@acme/same", "1.0.0");
    require("node:fs").writeFileSync(join(dir, "pkg", "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    // All three always: under an extra Node version this compares that Node with Bun and Deno.
    const sums = ALL_RUNTIMES.map((rt) => {
      const r = aam(rt, ["pkg", "pack", "pkg", "--output", `out-${rt}.aam`, "--json"], { cwd: dir, home: dir });
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).checksum;
    });
    expect(new Set(sums).size).toBe(1);
    const files = readdirSync(dir).filter((f) => f.startsWith("out-"));
    expect(files.length).toBe(3);
  } finally {
    removeDir(dir);
  }
});
