/** A registry folder made into a bare git repository (its `main` branch), and what git registry tests check of it. */
import { expect } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, makePackage, run, type RuntimeName } from "../helpers.ts";

export const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" };

/**
 * Commits the registry folder `seed` and pushes it to a new bare repository `<dir>/bare.git`.
 * @returns the bare repository's path and its `git+file://` registry location.
 * @throws {Error} when a git step fails.
 */
export function pushToBare(seed: string, dir: string): { bare: string; url: string } {
  const bare = join(dir, "bare.git");
  const steps: [string, string[]][] = [
    [dir, ["init", "--bare", "--quiet", "--initial-branch", "main", bare]],
    [seed, ["init", "--quiet"]],
    [seed, ["add", "-A"]],
    [seed, ["commit", "--quiet", "-m", "registry"]],
    [seed, ["push", "--quiet", bare, "HEAD:refs/heads/main"]],
  ];
  for (const [cwd, args] of steps) {
    const r = run("git", args, { cwd, env: GIT_ENV });
    if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
  }
  return { bare, url: `git+file://${bare}` };
}

/** A fresh registry (from the template, made by `aam registry init` under `rt`) in a bare repository `<repoDir>/bare.git`. */
export function makeBareRegistry(rt: RuntimeName, dir: string, repoDir = dir): { bare: string; url: string } {
  const seed = join(dir, "seed");
  expect(aam(rt, ["registry", "init", seed], { cwd: dir, home: join(dir, "seed-home") }).code).toBe(0);
  return pushToBare(seed, repoDir);
}

/** The commit subjects on a branch of the bare repository, newest first. */
export function subjects(bare: string, branch = "main"): string[] {
  return run("git", ["log", "--format=%s", branch], { cwd: bare }).stdout.trim().split("\n");
}

/** A fresh checkout of the bare repository's branch, to read as a folder registry. */
export function checkout(bare: string, dest: string, branch = "main"): string {
  expect(run("git", ["clone", "--quiet", "--branch", branch, bare, dest]).code).toBe(0);
  return dest;
}

/** Every cached clone under a home (none when nothing was cloned), each of which must hold no uncommitted or unpushed work. */
export function cachedClones(home: string): string[] {
  const root = join(home, ".aam", "cache", "git");
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((n) => !n.startsWith(".") && !n.endsWith(".lock")).map((n) => join(root, n));
}

/** No uncommitted or unpushed work in a clone: its tree is its HEAD, and its HEAD is on the remote's branch. */
export function expectNoLocalWork(clone: string, bare: string, branch = "main"): void {
  expect(run("git", ["status", "--porcelain", "--ignored"], { cwd: clone }).stdout).toBe("");
  const head = run("git", ["rev-parse", "HEAD"], { cwd: clone }).stdout.trim();
  expect(run("git", ["merge-base", "--is-ancestor", head, branch], { cwd: bare }).code).toBe(0);
}

/** As expectNoLocalWork, and the clone is at the remote branch's head. */
export function expectClean(clone: string, bare: string, branch = "main"): void {
  expectNoLocalWork(clone, bare, branch);
  expect(run("git", ["rev-parse", "HEAD"], { cwd: clone }).stdout).toBe(run("git", ["rev-parse", branch], { cwd: bare }).stdout);
}

/**
 * Many machines, one git registry: `writers` machines (each its own home `<dir>/m<w>`, prepared by
 * `setupHome`) publish `versions` versions of @acme/shared each to `url` at the same time; then
 * every version landed in `bare` with one commit each, and the audit chain, index and `registry
 * verify` agree. Runs the CLI asynchronously only, so a server in this process stays responsive.
 */
export async function publishAtOnce(rt: RuntimeName, dir: string, bare: string, url: string, writers: number, versions: number, setupHome: (home: string) => void = () => undefined): Promise<void> {
  const writer = async (w: number) => {
    const home = join(dir, `m${w}`);
    setupHome(home);
    for (let i = 0; i < versions; i++) {
      const pkg = makePackage(join(home, `p${i}`), "@acme/shared", `${w + 1}.${i}.0`);
      const r = await aamAsync(rt, ["pkg", "publish", pkg, "--registry", url], { cwd: home, home });
      expect(`${r.code} ${r.stderr}`).toBe("0 ");
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));

  const expected = Array.from({ length: writers * versions }, (_, n) => `${Math.floor(n / versions) + 1}.${n % versions}.0`).sort();
  const log = subjects(bare);
  expect(log.length).toBe(1 + writers * versions); // the seed commit, then one per publish
  expect(log.at(-1)).toBe("registry");
  expect(log.slice(0, -1).map((s) => /^aam: publish @acme\/shared@(\S+)$/.exec(s)?.[1]).sort()).toEqual(expected);

  const reg = checkout(bare, join(dir, "check"));
  const o = { cwd: dir, home: join(dir, "checker") };
  const verify = aam(rt, ["registry", "verify", reg, "--json"], o);
  expect(verify.code).toBe(0);
  expect(JSON.parse(verify.stdout).ok).toBe(true);
  const info = JSON.parse(aam(rt, ["info", "@acme/shared", "--registry", reg, "--json"], o).stdout);
  expect(info.versions.map((v: { version: string }) => v.version).sort()).toEqual(expected);
  expect(info.dist_tags.latest).toBe(`${writers}.${versions - 1}.0`);
  const events = readFileSync(join(reg, "audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  expect(events.filter((e) => e.event === "package.publish").map((e) => e.version).sort()).toEqual(expected);
  const index = aam(rt, ["search", "shared", "--registry", reg, "--json"], o);
  expect(JSON.parse(index.stdout).results.map((r: { name: string }) => r.name)).toEqual(["@acme/shared"]);
  for (let w = 0; w < writers; w++) for (const c of cachedClones(join(dir, `m${w}`))) expectNoLocalWork(c, bare);
}
