/**
 * Many machines, one git registry (SPEC §4): writes to a `git+<url>` registry commit in the cached
 * clone and push, one commit per change; a push refused because someone pushed first is made again
 * on the new head. Real git, a bare repository on file://, one AAM_HOME per "machine".
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, RUNTIMES, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";
import { GIT_ENV, cachedClones, checkout, expectClean, expectNoLocalWork, makeBareRegistry, publishAtOnce, subjects } from "../helpers/git_registry.ts";

const WRITERS = 4;
const VERSIONS = 5;

/** Commits everything in a plain checkout (another machine's change, not pushed yet). */
function commitIn(checkoutDir: string, message: string): void {
  sh("git", ["add", "-A"], { cwd: checkoutDir });
  expect(sh("git", ["commit", "--quiet", "-m", message], { cwd: checkoutDir, env: GIT_ENV }).code).toBe(0);
}

/**
 * Makes the next push from `clone` lose a race: its pre-push hook (after aam fetched and made its
 * change, before the push lands) first pushes `other`'s commit, once. @returns the marker file the
 * hook leaves when it has run
 */
function loseNextRace(clone: string, other: string, marker: string): string {
  const hook = join(clone, ".git", "hooks", "pre-push");
  writeFileSync(hook, `#!/bin/sh\n[ -e "${marker}" ] && exit 0\ntouch "${marker}"\nenv -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE git -C "${other}" push --quiet origin HEAD:refs/heads/main >&2\n`);
  chmodSync(hook, 0o755);
  return marker;
}

describe.each(RUNTIMES)("git registry writes under %s", (rt: RuntimeName) => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  test(`${WRITERS} machines publish ${VERSIONS} versions each at once: every version lands, one commit each, verify clean`, async () => {
    const { bare, url } = makeBareRegistry(rt, dir);
    await publishAtOnce(rt, dir, bare, url, WRITERS, VERSIONS);
  }, 600_000);
});

// The race is the runtime-dependent part (above); the rest is git's behaviour: Node (the shipped bin) and Bun (the source).
describe.each(["node", "bun"] as RuntimeName[])("git registry write paths under %s", (rt: RuntimeName) => {
  let dir: string;
  let bare: string;
  let url: string;
  const at = (machine: string) => {
    const home = join(dir, machine);
    return (args: string[], env: Record<string, string> = {}) => aam(rt, args, { cwd: dir, home, env });
  };
  beforeEach(() => {
    dir = tempDir();
    ({ bare, url } = makeBareRegistry(rt, dir));
    makePackage(join(dir, "p1"), "@acme/tool", "1.0.0");
    makePackage(join(dir, "p2"), "@acme/tool", "1.1.0");
  });
  afterEach(() => removeDir(dir));

  test("yank and dist-tag commit and push; a stale clone is brought up to date before it writes", () => {
    const a = at("a");
    const b = at("b");
    expect(b(["registry", "add", "g", url, "--default"]).code).toBe(0);
    expect(b(["search", "--json"]).code).toBe(0); // b's clone now predates everything below
    expect(a(["pkg", "publish", join(dir, "p1"), "--registry", url]).code).toBe(0);
    expect(a(["pkg", "publish", join(dir, "p2"), "--registry", url]).code).toBe(0);
    expect(a(["dist-tag", "add", "@acme/tool@1.0.0", "stable", "--registry", url]).code).toBe(0);
    const yank = b(["yank", "@acme/tool@1.1.0"]);
    expect(`${yank.code} ${yank.stderr}`).toBe("0 ");
    expect(b(["dist-tag", "rm", "@acme/tool", "stable"]).code).toBe(0);
    // Re-planned on the current head, as locally: b cannot publish a version a already published.
    const again = b(["pkg", "publish", join(dir, "p1")]);
    expect(again.code).toBe(15);
    expect(errorName(again.stderr)).toBe("PolicyViolation");
    expect(subjects(bare)).toEqual([
      "aam: dist-tag rm @acme/tool stable",
      "aam: yank @acme/tool@1.1.0",
      "aam: dist-tag add @acme/tool@1.0.0 stable",
      "aam: publish @acme/tool@1.1.0",
      "aam: publish @acme/tool@1.0.0",
      "registry",
    ]);
    const info = JSON.parse(b(["info", "@acme/tool", "--json"]).stdout);
    expect(info.dist_tags).toEqual({ latest: "1.1.0" });
    expect(info.versions.find((v: { version: string }) => v.version === "1.1.0").yanked).toBe(true);
    const reg = checkout(bare, join(dir, "check"));
    expect(at("checker")(["registry", "verify", reg]).code).toBe(0);
    for (const c of cachedClones(join(dir, "b"))) expectClean(c, bare);
    for (const c of cachedClones(join(dir, "a"))) expectNoLocalWork(c, bare);
  }, 120_000);

  test("a push that loses a race is made again on the new head: a version published meanwhile is refused", () => {
    const a = at("a");
    expect(a(["pkg", "publish", join(dir, "p1"), "--registry", url]).code).toBe(0);
    // Another machine's commit of 1.1.0, pushed by a's own pre-push hook: after a fetched, before a's push lands.
    const other = checkout(bare, join(dir, "other"));
    expect(at("o")(["pkg", "publish", join(dir, "p2"), "--registry", other]).code).toBe(0);
    commitIn(other, "other machine: 1.1.0");
    const [clone] = cachedClones(join(dir, "a"));
    const marker = loseNextRace(clone, other, join(dir, "raced"));
    const r = a(["pkg", "publish", join(dir, "p2"), "--registry", url]);
    expect(r.code).toBe(15);
    expect(errorName(r.stderr)).toBe("PolicyViolation");
    expect(readFileSync(marker, "utf8")).toBe(""); // the race did happen
    expect(subjects(bare)).toEqual(["other machine: 1.1.0", "aam: publish @acme/tool@1.0.0", "registry"]);
    expectClean(clone, bare);
    // A change that still applies on the new head is pushed on the retry.
    rmSync(marker);
    writeFileSync(join(dir, "other", "x"), "");
    commitIn(other, "other machine: x");
    const y = a(["yank", "@acme/tool@1.1.0", "--registry", url]);
    expect(`${y.code} ${y.stderr}`).toBe("0 ");
    expect(subjects(bare).slice(0, 2)).toEqual(["aam: yank @acme/tool@1.1.0", "other machine: x"]);
    expectClean(clone, bare);
  }, 120_000);

  test("pkg sign <pkg>@<v> commits the new .sig; a signature another machine pushed meanwhile is kept", () => {
    const a = at("a");
    const o = at("o");
    expect(a(["key", "generate", "--name", "ka", "--no-passphrase"]).code).toBe(0);
    expect(o(["key", "generate", "--name", "ko", "--no-passphrase"]).code).toBe(0);
    expect(a(["pkg", "publish", join(dir, "p1"), "--registry", url]).code).toBe(0);
    // The other machine signs in its own checkout and commits; a's pre-push hook pushes that first.
    const other = checkout(bare, join(dir, "other"));
    expect(o(["pkg", "sign", "@acme/tool@1.0.0", "--registry", other, "--key", "ko"]).code).toBe(0);
    commitIn(other, "other machine: sign");
    const [clone] = cachedClones(join(dir, "a"));
    const marker = loseNextRace(clone, other, join(dir, "raced"));
    const r = a(["pkg", "sign", "@acme/tool@1.0.0", "--registry", url, "--key", "ka"]);
    expect(`${r.code} ${r.stderr}`).toBe("0 ");
    expect(readFileSync(marker, "utf8")).toBe("");
    expect(subjects(bare)).toEqual(["aam: sign @acme/tool@1.0.0", "other machine: sign", "aam: publish @acme/tool@1.0.0", "registry"]);
    const reg = checkout(bare, join(dir, "check"));
    const sig = JSON.parse(readFileSync(join(reg, "packages", "acme--tool", "1.0.0.sig"), "utf8"));
    const fps = (home: string) => JSON.parse(aam(rt, ["key", "list", "--json"], { cwd: dir, home }).stdout).keys.map((k: { fingerprint: string }) => k.fingerprint);
    const [fa, fo] = [fps(join(dir, "a")), fps(join(dir, "o"))];
    expect(sig.signatures.map((e: { key_fingerprint: string }) => e.key_fingerprint).sort()).toEqual([...fa, ...fo].sort());
    expect(a(["key", "trust", fo[0]]).code).toBe(0);
    const verify = a(["registry", "verify", reg]);
    expect(`${verify.code} ${verify.stderr}`).toBe("0 ");
    expectClean(clone, bare);
  }, 120_000);

  test("--branch pushes to a pull-request branch made from the default branch; reads stay on the default branch", () => {
    const a = at("a");
    expect(a(["pkg", "publish", join(dir, "p1"), "--registry", url]).code).toBe(0);
    expect(a(["pkg", "publish", join(dir, "p2"), "--registry", url, "--branch", "publish/tool-1.1.0"]).code).toBe(0);
    expect(a(["dist-tag", "add", "@acme/tool@1.1.0", "next", "--registry", url, "--branch", "publish/tool-1.1.0"]).code).toBe(0);
    expect(subjects(bare, "publish/tool-1.1.0")).toEqual(["aam: dist-tag add @acme/tool@1.1.0 next", "aam: publish @acme/tool@1.1.0", "aam: publish @acme/tool@1.0.0", "registry"]);
    expect(subjects(bare)).toEqual(["aam: publish @acme/tool@1.0.0", "registry"]);
    expect(JSON.parse(a(["info", "@acme/tool", "--registry", url, "--json"]).stdout).dist_tags.latest).toBe("1.0.0");
    const reg = checkout(bare, join(dir, "check"), "publish/tool-1.1.0");
    expect(at("checker")(["registry", "verify", reg]).code).toBe(0);
    for (const bad of ["-x", "a..b", "x.lock"]) {
      const r = a(["yank", "@acme/tool@1.0.0", "--registry", url, `--branch=${bad}`]);
      expect(r.code).toBe(2);
      expect(errorName(r.stderr)).toBe("UsageError");
    }
    const folder = a(["yank", "@acme/tool@1.0.0", "--registry", reg, "--branch", "x"]);
    expect(folder.code).toBe(2);
    expect(errorName(folder.stderr)).toBe("UsageError");
  }, 120_000);

  test("writers sharing one AAM_HOME (and its clone), started before the clone exists, all land; updates meanwhile lose nothing", async () => {
    const home = join(dir, "shared");
    expect(aam(rt, ["registry", "add", "g", url, "--default"], { cwd: dir, home }).code).toBe(0); // does not clone
    const runs = [0, 1, 2].map((i) => {
      const pkg = makePackage(join(dir, `s${i}`), "@acme/tool", `2.${i}.0`);
      return aamAsync(rt, ["pkg", "publish", pkg], { cwd: dir, home });
    });
    const updates = (async () => {
      for (let i = 0; i < 4; i++) await aamAsync(rt, ["registry", "update"], { cwd: dir, home });
    })();
    for (const r of await Promise.all(runs)) expect(`${r.code} ${r.stderr}`).toBe("0 ");
    await updates;
    expect(subjects(bare).slice(0, 3).sort()).toEqual(["aam: publish @acme/tool@2.0.0", "aam: publish @acme/tool@2.1.0", "aam: publish @acme/tool@2.2.0"]);
    expect(cachedClones(home).length).toBe(1);
    for (const c of cachedClones(home)) expectNoLocalWork(c, bare);
  }, 120_000);

  test("a push refused for another reason (a hook, a vanished remote) is a clear error and leaves nothing behind", () => {
    const a = at("a");
    expect(a(["pkg", "publish", join(dir, "p1"), "--registry", url]).code).toBe(0);
    const hook = join(bare, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'pushes are closed for maintenance' >&2\nexit 1\n");
    chmodSync(hook, 0o755);
    const r = a(["pkg", "publish", join(dir, "p2"), "--registry", url]);
    expect(r.code).toBe(1);
    expect(errorName(r.stderr)).toBe("Error");
    expect(r.stderr).toContain("pushes are closed for maintenance");
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const [clone] = cachedClones(join(dir, "a"));
    expectClean(clone, bare);
    expect(JSON.parse(a(["info", "@acme/tool", "--registry", url, "--json"]).stdout).versions.length).toBe(1);

    renameSync(bare, `${bare}.away`); // the network is down
    const gone = a(["yank", "@acme/tool@1.0.0", "--registry", url]);
    expect(gone.code).toBe(1);
    expect(errorName(gone.stderr)).toBe("Error");
    expect(gone.stderr).toContain("hint:");
    renameSync(`${bare}.away`, bare);
    expectClean(clone, bare);

    rmSync(hook); // fixed: the same commands now work, with no trace of the failed attempts
    expect(a(["pkg", "publish", join(dir, "p2"), "--registry", url]).code).toBe(0);
    expect(subjects(bare)).toEqual(["aam: publish @acme/tool@1.1.0", "aam: publish @acme/tool@1.0.0", "registry"]);
    expectClean(clone, bare);
  }, 120_000);
});
