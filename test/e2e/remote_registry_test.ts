/** Registries over HTTP (static server on 127.0.0.1) and in git (a local bare repository), read-only. */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, RUNTIMES, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";
import { serveStatic } from "../../scripts/static_server.mjs";

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" };

describe.each(RUNTIMES)("remote registries under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[], cwd = dir) => aam(rt, args, { cwd, home: dir, env: GIT_ENV });
  beforeEach(() => {
    dir = tempDir();
    run(["registry", "init", "reg"]);
    makePackage(join(dir, "p1"), "@acme/remote", "1.0.0", { description: "Served remotely" });
    expect(run(["pkg", "publish", "p1", "--registry", join(dir, "reg")]).code).toBe(0);
  });
  afterEach(() => removeDir(dir));

  test("search, info, verify and install against a static HTTP server; a 404 is NotFound", async () => {
    const server = await serveStatic(join(dir, "reg"));
    try {
      const o = { cwd: dir, home: dir };
      expect((await aamAsync(rt, ["registry", "add", "web", server.url, "--default"], o)).code).toBe(0);
      const s = await aamAsync(rt, ["search", "remotely", "--json"], o);
      expect(JSON.parse(s.stdout).results[0].name).toBe("@acme/remote");
      expect((await aamAsync(rt, ["info", "@acme/remote"], o)).code).toBe(0);
      expect((await aamAsync(rt, ["verify", "@acme/remote"], o)).code).toBe(0);
      const proj = join(dir, "proj");
      mkdirSync(proj);
      expect((await aamAsync(rt, ["install", "@acme/remote"], { ...o, cwd: proj })).code).toBe(0);
      const missing = await aamAsync(rt, ["info", "@acme/nope"], o);
      expect(missing.code).toBe(3);
      expect(errorName(missing.stderr)).toBe("NotFound");
      const pub = await aamAsync(rt, ["pkg", "publish", "p1"], o);
      expect(pub.code).toBe(2); // read-only location
    } finally {
      await server.close();
    }
  });

  test("a git registry: add, install, and update after a new version is pushed", () => {
    const bare = join(dir, "bare.git");
    expect(sh("git", ["init", "--bare", "--quiet", bare]).code).toBe(0);
    const g = (args: string[]) => sh("git", args, { cwd: join(dir, "reg"), env: GIT_ENV });
    g(["init", "--quiet"]);
    g(["add", "-A"]);
    expect(g(["commit", "--quiet", "-m", "registry"]).code).toBe(0);
    expect(g(["push", "--quiet", bare, "HEAD:refs/heads/main"]).code).toBe(0);
    sh("git", ["symbolic-ref", "HEAD", "refs/heads/main"], { cwd: bare });
    expect(run(["registry", "add", "g", `git+file://${bare}`, "--default"]).code).toBe(0);
    const proj = join(dir, "proj");
    mkdirSync(proj);
    expect(run(["install", "@acme/remote"], proj).code).toBe(0);

    makePackage(join(dir, "p2"), "@acme/remote", "1.1.0");
    expect(run(["pkg", "publish", "p2", "--registry", join(dir, "reg")]).code).toBe(0);
    g(["add", "-A"]);
    g(["commit", "--quiet", "-m", "1.1.0"]);
    g(["push", "--quiet", bare, "HEAD:refs/heads/main"]);
    expect(JSON.parse(run(["info", "@acme/remote", "--json"]).stdout).dist_tags.latest).toBe("1.0.0");
    expect(run(["registry", "update", "g"]).code).toBe(0);
    expect(JSON.parse(run(["info", "@acme/remote", "--json"]).stdout).dist_tags.latest).toBe("1.1.0");
  });
});
