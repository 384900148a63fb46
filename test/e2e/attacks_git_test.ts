/**
 * Trust boundary, git transports (SPEC §4): a `git+<url>` registry may only use https://, ssh://,
 * git@host:path, file:// and local paths. Remote helpers (`ext::` runs a command, `fd::` waits on a
 * file descriptor) are refused up front, and git itself runs with that allow-list even when the
 * environment or the user's git configuration allows more. Beside them, a git+file:// registry works.
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" };
/** What an attacker would like the environment to allow. */
const PERMISSIVE = { ...GIT_ENV, GIT_ALLOW_PROTOCOL: "ext:fd:file:https:ssh", GIT_PROTOCOL_FROM_USER: "1" };
const HANG_MS = 20_000;

// git behaves the same under every runtime: Node (the shipped bin) and Bun (the source) suffice.
describe.each(["node", "bun"] as RuntimeName[])("git transports under %s", (rt) => {
  let dir: string;
  const run = (args: string[], env: Record<string, string> = PERMISSIVE) => {
    const t = Date.now();
    const r = aam(rt, args, { cwd: dir, home: dir, env });
    expect(Date.now() - t).toBeLessThan(HANG_MS); // fd:: used to hang here
    return r;
  };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  test("git+ext:: and git+fd:: are refused with a UsageError before git runs, whatever GIT_ALLOW_PROTOCOL says", () => {
    const marker = join(dir, "pwned");
    for (const url of [`git+ext::sh -c touch% ${marker}`, "git+fd::3", "git+fd::0,1", "git+http://127.0.0.1:9/r", "git+git://127.0.0.1:9/r"]) {
      for (const args of [["info", "@acme/x", "--registry", url], ["registry", "add", "evil", url]]) {
        const r = run(args);
        expect(r.code).toBe(2);
        expect(errorName(r.stderr)).toBe("UsageError");
        expect(r.stderr).toContain("hint:");
      }
    }
    expect(existsSync(marker)).toBe(false);
    expect(run(["registry", "list", "--json"]).stdout).not.toContain("evil");
  });

  test("git runs with the allow-list even when git's configuration rewrites an https URL to ext::", () => {
    // The user's ~/.gitconfig (HOME is the test folder) maps an https URL onto the ext:: helper.
    const marker = join(dir, "pwned");
    writeFileSync(join(dir, ".gitconfig"), `[url "ext::sh -c touch% ${marker}% "]\n\tinsteadOf = https://evil.invalid/\n[protocol]\n\tallow = always\n`);
    const r = run(["info", "@acme/x", "--registry", "git+https://evil.invalid/r"]);
    expect(r.code).not.toBe(0);
    expect(errorName(r.stderr)).toBeDefined();
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(marker)).toBe(false);
  });

  test("a git+file:// registry still works (control)", () => {
    const opts = { cwd: dir, home: dir, env: GIT_ENV };
    expect(aam(rt, ["registry", "init", "reg"], opts).code).toBe(0);
    makePackage(join(dir, "p1"), "@acme/gitpkg", "1.0.0");
    expect(aam(rt, ["pkg", "publish", "p1", "--registry", join(dir, "reg")], opts).code).toBe(0);
    const bare = join(dir, "bare.git");
    expect(sh("git", ["init", "--bare", "--quiet", bare]).code).toBe(0);
    const g = (args: string[]) => sh("git", args, { cwd: join(dir, "reg"), env: GIT_ENV });
    g(["init", "--quiet"]);
    g(["add", "-A"]);
    expect(g(["commit", "--quiet", "-m", "registry"]).code).toBe(0);
    expect(g(["push", "--quiet", bare, "HEAD:refs/heads/main"]).code).toBe(0);
    sh("git", ["symbolic-ref", "HEAD", "refs/heads/main"], { cwd: bare });
    expect(run(["registry", "add", "g", `git+file://${bare}`, "--default"], PERMISSIVE).code).toBe(0);
    const proj = join(dir, "proj");
    mkdirSync(proj);
    expect(aam(rt, ["install", "@acme/gitpkg"], { ...opts, cwd: proj, env: PERMISSIVE }).code).toBe(0);
    expect(run(["registry", "update", "g"]).code).toBe(0);
  });
});
