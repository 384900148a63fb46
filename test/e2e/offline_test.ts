/** Offline and air-gapped (SPEC §8): prepare from HTTP on 127.0.0.1, stop it, delete the registry, verify and install offline. */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, existsSync, mkdirSync, rmSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";
import { serveStatic } from "../../scripts/static_server.mjs";

const PASS = { AAM_PASSPHRASE: "offline test passphrase" };

describe.each(RUNTIMES)("offline under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[], o: { cwd?: string; offline?: boolean } = {}) => aam(rt, args, { cwd: o.cwd ?? dir, home: dir, env: PASS, offline: o.offline });
  beforeEach(() => {
    dir = tempDir();
    run(["registry", "init", "reg", "--default"]);
    run(["key", "generate", "--name", "k"]);
    makePackage(join(dir, "p1"), "@acme/air", "1.0.0");
    makePackage(join(dir, "p2"), "@acme/air", "1.1.0");
    expect(run(["pkg", "publish", "p1", "--sign"]).code).toBe(0);
    expect(run(["pkg", "publish", "p2", "--sign"]).code).toBe(0);
  });
  afterEach(() => removeDir(dir));

  test("prepare over HTTP, stop the server, delete the registry, then verify and install with no network", async () => {
    const server = await serveStatic(join(dir, "reg"));
    let prep;
    try {
      prep = await aamAsync(rt, ["verify", "--offline-prepare", "@acme/air@1.0.0", "@acme/air", "--registry", server.url], { cwd: dir, home: dir, env: PASS });
    } finally {
      await server.close();
    }
    expect(prep.code).toBe(0);
    rmSync(join(dir, "reg"), { recursive: true, force: true });
    const v = run(["verify", "--offline", "@acme/air", "--json", "--require-signature"], { offline: true });
    expect(v.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(v.code).toBe(0);
    const r = JSON.parse(v.stdout).results[0];
    expect(r).toMatchObject({ package: "@acme/air", version: "1.1.0", outcome: "verified" });
    expect(run(["verify", "--offline", "@acme/air@1.0.0"], { offline: true }).code).toBe(0);

    const project = join(dir, "proj");
    mkdirSync(project);
    const inst = run(["install", "--offline", "@acme/air"], { cwd: project, offline: true });
    expect(inst.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(inst.code).toBe(0);
    expect(readFileSync(join(project, ".aam", "packages", "acme--air", "prompts", "hello.md"), "utf8")).toContain("1.1.0");
  });

  test("a package never prepared is OfflineCacheMiss (16)", () => {
    const r = run(["verify", "--offline", "@acme/other"], { offline: true });
    expect(r.code).toBe(16);
    expect(errorName(r.stderr)).toBe("OfflineCacheMiss");
    expect(r.stderr).toContain("--offline-prepare");
  });

  test("a tampered cache entry is TamperedPackage (10) and a failing verification caches nothing", () => {
    expect(run(["verify", "--offline-prepare", "@acme/air"]).code).toBe(0);
    const entryDir = join(dir, ".aam", "cache", "offline", "acme--air", "1.1.0");
    const f = join(entryDir, "package.aam");
    const b = readFileSync(f);
    b[b.length - 40] ^= 2;
    writeFileSync(f, b);
    const r = run(["verify", "--offline", "@acme/air"], { offline: true });
    expect(r.code).toBe(10);
    expect(errorName(r.stderr)).toBe("TamperedPackage");

    const a = join(dir, "reg", "packages", "acme--air", "1.0.0.aam");
    const c = readFileSync(a);
    c[c.length - 40] ^= 2;
    writeFileSync(a, c);
    expect(run(["verify", "--offline-prepare", "@acme/air@1.0.0"]).code).toBe(10);
    expect(existsSync(join(dir, ".aam", "cache", "offline", "acme--air", "1.0.0"))).toBe(false);
    expect(readdirSync(join(dir, ".aam", "cache", "offline", "acme--air"))).toEqual(["1.1.0"]);
  });

  test("bundle export, then import on another machine: verified with its own trust, nothing added on failure", () => {
    expect(run(["verify", "--offline-prepare", "@acme/air@1.0.0", "@acme/air@1.1.0"]).code).toBe(0);
    expect(run(["bundle", "export", "@acme/air@1.0.0", "@acme/air@1.1.0", "--output", "air.bundle"]).code).toBe(0);
    expect(run(["bundle", "export", "@acme/none", "--output", "x.bundle"]).code).toBe(16);
    const fp = JSON.parse(run(["key", "list", "--json"]).stdout).keys[0].fingerprint;

    // The air-gapped machine: its own home, no registry, no network.
    const far = join(dir, "far");
    mkdirSync(far);
    const farRun = (args: string[]) => aam(rt, args, { cwd: far, home: far, env: PASS, offline: true });
    const cacheOf = () => join(far, ".aam", "cache", "offline");
    farRun(["config", "set", "security.on_signature_failure", "error"]);
    const untrusted = farRun(["bundle", "import", join(dir, "air.bundle")]);
    expect(untrusted.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(untrusted.code).toBe(12);
    expect(existsSync(cacheOf())).toBe(false);

    const tampered = readFileSync(join(dir, "air.bundle"));
    tampered[tampered.length - 100] ^= 4;
    writeFileSync(join(dir, "bad.bundle"), tampered);
    expect(farRun(["key", "trust", fp]).code).toBe(0);
    const bad = farRun(["bundle", "import", join(dir, "bad.bundle")]);
    expect([10, 17]).toContain(bad.code);
    expect(existsSync(cacheOf())).toBe(false);

    const ok = farRun(["bundle", "import", join(dir, "air.bundle")]);
    expect(ok.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(ok.code).toBe(0);
    const v = farRun(["verify", "--offline", "@acme/air", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0]).toMatchObject({ version: "1.1.0", outcome: "verified" });
  });
});
