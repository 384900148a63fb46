/**
 * git_write.ts against real git: the retry bound, and a clone left as the remote has it after a
 * failed write. (The CLI paths and the many-writer race are in test/e2e/git_publish_test.ts.)
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { fs, run } from "../runtime/index.ts";
import { AamError } from "../errors.ts";
import { initRegistry } from "./init.ts";
import { withGitWrite } from "./git_write.ts";
import { gitCacheDir } from "./source_git.ts";
import { yankVersion } from "./writer.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" };

async function git(args: string[], cwd: string): Promise<string> {
  const r = await run("git", args, { cwd, env: { ...process.env, ...GIT_ENV } });
  if (r === null || r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r?.stderr}`);
  return new TextDecoder().decode(r.stdout).trim();
}

let dir: string;
let bare: string;
let url: string;
beforeEach(async () => {
  dir = await fs.makeTempDir("aam-git-write-");
  const seed = fs.path.join(dir, "seed");
  await initRegistry(seed, { name: "t", now: new Date("2024-01-01T00:00:00Z") });
  bare = fs.path.join(dir, "bare.git");
  await git(["init", "--bare", "--quiet", "--initial-branch", "main", bare], dir);
  await git(["init", "--quiet"], seed);
  await git(["add", "-A"], seed);
  await git(["commit", "--quiet", "-m", "registry"], seed);
  await git(["push", "--quiet", bare, "HEAD:refs/heads/main"], seed);
  url = `git+file://${bare}`;
});
afterEach(async () => await fs.remove(dir));

describe("withGitWrite()", () => {
  test("gives up after maxTries pushes that all lose a race, leaving the clone as the remote has it", async () => {
    const home = fs.path.join(dir, "home");
    const other = fs.path.join(dir, "other");
    await git(["clone", "--quiet", bare, other], dir);
    // Clone first, then make every push from it lose: its pre-push hook lands another commit first.
    await withGitWrite(url, home, { actor: "t@example.org", action: "noop" }, async () => undefined);
    const clone = gitCacheDir(url, home);
    const count = fs.path.join(dir, "count");
    await fs.writeFileAtomic(
      fs.path.join(clone, ".git", "hooks", "pre-push"),
      `#!/bin/sh\necho x >> "${count}"\ncd "${other}" && env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE sh -c 'git commit --quiet --allow-empty -m other && git push --quiet origin HEAD:refs/heads/main' >&2\n`,
    );
    await run("chmod", ["+x", fs.path.join(clone, ".git", "hooks", "pre-push")]);
    let changes = 0;
    const err = await withGitWrite(url, home, { actor: "t@example.org", action: "touch x", maxTries: 3 }, async (root) => {
      changes++;
      await fs.writeFileAtomic(fs.path.join(root, "x"), `${changes}`);
    }).catch((e) => e);
    expect(err).toBeInstanceOf(AamError);
    expect((err as AamError).code).toBe("Error");
    expect((err as AamError).message).toContain("moved under this change 3 times");
    expect((err as AamError).details.hint).toBeTruthy();
    expect(changes).toBe(3); // made again on each new head
    expect((await fs.readText(count, DOCUMENT_LIMIT)).trim().split("\n").length).toBe(3);
    expect((await git(["log", "--format=%s", "main"], bare)).split("\n")).toEqual(["other", "other", "other", "registry"]);
    expect(await git(["status", "--porcelain", "--ignored"], clone)).toBe("");
  });

  test("a change that throws leaves nothing in the clone and pushes nothing", async () => {
    const home = fs.path.join(dir, "home");
    const err = await withGitWrite(url, home, { actor: "t", action: "yank @a/b@1.0.0" }, (root) => yankVersion(root, "@a/b", "1.0.0", { now: new Date(), actor: "t" })).catch((e) => e);
    expect((err as AamError).code).toBe("NotFound");
    const clone = gitCacheDir(url, home);
    expect(await git(["status", "--porcelain", "--ignored"], clone)).toBe("");
    expect(await git(["rev-parse", "HEAD"], clone)).toBe(await git(["rev-parse", "main"], bare));
    expect(await git(["rev-list", "--count", "main"], bare)).toBe("1");
  });
});
