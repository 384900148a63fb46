/**
 * Writes to a git registry (SPEC §4): in the cached clone, reset to the remote branch's head, make
 * the change with the folder writer, commit it alone and push. When the push is refused because
 * someone pushed first, the change is made again on the new head (so a version published meanwhile
 * is refused as it would be locally), up to MAX_TRIES times with jittered backoff. Any other failure
 * leaves the clone at the remote head it started from: nothing half-written stays behind.
 */
import { AamError } from "../errors.ts";
import { proc, type RunResult } from "../runtime/index.ts";
import { withLock } from "./lock.ts";
import { git, gitComplaint, gitTry } from "./git_run.ts";
import { cloneLock, ensureClone } from "./source_git.ts";
import { gitRemoteOf } from "./location.ts";

export const MAX_TRIES = 20;

export interface GitWriteOptions {
  /** Push to this branch instead of the default one (a pull-request flow); made from the default branch when new. */
  branch?: string;
  /** The commit's author when git's configuration names none. */
  actor: string;
  /** What the commit message says after `aam: `, e.g. `publish @a/b@1.0.0`. */
  action: string;
  maxTries?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** @throws {AamError} UsageError for a name git would not take as a branch (or would read as an option). */
export async function assertBranchName(branch: string, cwd?: string): Promise<void> {
  if (branch.startsWith("-") || (await gitTry(["check-ref-format", `refs/heads/${branch}`], cwd)).code !== 0) {
    throw new AamError("UsageError", `Invalid branch name "${branch}"`, { hint: "name a git branch, e.g. --branch publish/my-package" });
  }
}

/** The remote ref to start from and the branch to push: `--branch` when it exists, else the default branch. */
async function remoteTarget(dir: string, url: string, branch: string | undefined): Promise<{ from: string; to: string }> {
  const out = await git(["ls-remote", "--symref", "origin", "HEAD", ...(branch ? [`refs/heads/${branch}`] : [])], dir);
  const lines = out.split("\n");
  const head = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(lines.find((l) => l.startsWith("ref: ")) ?? "")?.[1];
  if (branch && lines.some((l) => l.endsWith(`\trefs/heads/${branch}`))) return { from: `refs/heads/${branch}`, to: branch };
  if (!head || !lines.some((l) => l.endsWith("\tHEAD") && !l.startsWith("ref: "))) {
    throw new AamError("NotFound", `Cannot write to git registry "${url}": it has no default branch with a commit`, {
      hint: "initialise it first: aam registry init <dir>, then commit the folder and push it to the repository",
    });
  }
  return { from: `refs/heads/${head}`, to: branch ?? head };
}

/** Makes the clone exactly the remote ref's tree. @returns the commit */
async function resetToRemote(dir: string, ref: string): Promise<string> {
  await git(["fetch", "--quiet", "--no-tags", "--depth", "1", "origin", ref], dir);
  await restore(dir, "FETCH_HEAD");
  return (await git(["rev-parse", "HEAD"], dir)).trim();
}

/** Drops every change in the clone, committed or not, back to `commit` (local only: works offline). */
async function restore(dir: string, commit: string): Promise<void> {
  await git(["reset", "--quiet", "--hard", commit], dir);
  await git(["clean", "--quiet", "-ffdx"], dir);
}

/** `-c user.*` for whatever git's configuration and environment leave unset (a CI box, a test home). */
async function identity(dir: string, actor: string): Promise<string[]> {
  const set = async (key: string, envName: string) => Boolean(proc.env(envName)) || text((await gitTry(["config", key], dir)).stdout).trim() !== "";
  const out: string[] = [];
  if (!(await set("user.name", "GIT_AUTHOR_NAME"))) out.push("-c", `user.name=${actor}`);
  if (!(await set("user.email", "GIT_AUTHOR_EMAIL"))) out.push("-c", `user.email=${actor.includes("@") ? actor : `${actor}@localhost`}`);
  return out;
}

/** Stages everything and commits it. @returns false when the change left the tree as it was */
async function commitAll(dir: string, message: string, ident: string[]): Promise<boolean> {
  await git(["add", "-A"], dir);
  if ((await gitTry(["diff", "--cached", "--quiet"], dir)).code === 0) return false;
  await git([...ident, "commit", "--quiet", "-m", message], dir);
  return true;
}

/** A push refused only because the branch moved since we fetched it (or moved while we pushed). */
function lostRace(out: string): boolean {
  return /\[rejected\][^\n]*\((fetch first|non-fast-forward|stale info)\)/.test(out) || /\[remote rejected\][^\n]*\((cannot lock ref|failed to update ref|incorrect old value)/.test(out);
}

/** Brings the clone to the remote head of `branch` when it exists, else of the default branch. */
export async function refreshClone(url: string, home: string, branch?: string): Promise<void> {
  gitRemoteOf(url);
  if (branch !== undefined) await assertBranchName(branch);
  const dir = await ensureClone(url, home);
  await withLock(cloneLock(dir), async () => {
    await resetToRemote(dir, (await remoteTarget(dir, url, branch)).from);
  });
}

/** Why a push was refused, with what the remote said (a hook's message), for the error. */
function pushComplaint(r: RunResult): string {
  const all = `${text(r.stdout)}\n${r.stderr}`;
  const why = /\[(?:remote )?rejected\][^\n(]*(\([^)\n]*\))/.exec(all)?.[1];
  const said = r.stderr.split("\n").filter((l) => /^remote: \S/.test(l)).map((l) => l.slice(8).trim()).slice(0, 3);
  if (!why && said.length === 0) return gitComplaint(r);
  return `refused ${why ?? ""}${said.length > 0 ? `: ${said.join(" ")}` : ""}`.trim();
}

/**
 * Runs `change` on the clone of the git registry `url` and pushes it as one commit.
 * @param change Makes the change in the folder it is given (a writer.ts function); run again on each retry.
 * @throws {AamError} whatever `change` throws; Error when the push is refused for another reason
 * (permission, network, a hook) or the branch kept moving for MAX_TRIES tries.
 */
export async function withGitWrite<T>(url: string, home: string, opts: GitWriteOptions, change: (root: string) => Promise<T>): Promise<T> {
  const remote = gitRemoteOf(url);
  if (opts.branch !== undefined) await assertBranchName(opts.branch);
  const dir = await ensureClone(url, home);
  const tries = opts.maxTries ?? MAX_TRIES;
  // One writer per clone on this machine; writers elsewhere are ordered by the remote.
  return await withLock(cloneLock(dir), async () => {
    const ident = await identity(dir, opts.actor);
    for (let attempt = 1; ; attempt++) {
      const target = await remoteTarget(dir, url, opts.branch);
      const base = await resetToRemote(dir, target.from);
      let pushed;
      try {
        const result = await change(dir);
        if (!(await commitAll(dir, `aam: ${opts.action}`, ident))) return result;
        pushed = await gitTry(["push", "--porcelain", "origin", `HEAD:refs/heads/${target.to}`], dir);
        if (pushed.code === 0) {
          // A pull-request branch is not the registry: reads go on seeing the default branch.
          if (opts.branch) await resetToRemote(dir, "HEAD").catch(() => undefined);
          return result;
        }
      } catch (e) {
        await restore(dir, base);
        throw e;
      }
      await restore(dir, base);
      const out = `${text(pushed.stdout)}\n${pushed.stderr}`;
      if (!lostRace(out)) {
        throw new AamError("Error", `Cannot push to git registry "${url}": ${pushComplaint(pushed)}`, {
          hint: `check that you may push to ${remote}${opts.branch ? ` (branch ${opts.branch})` : ""}: permissions, network, branch protection. The local clone is back, unchanged, at the remote's ${base.slice(0, 12)}`,
        });
      }
      if (attempt >= tries) {
        throw new AamError("Error", `Cannot push to git registry "${url}": the branch ${target.to} moved under this change ${tries} times`, {
          hint: "others are pushing to the registry right now; run the command again",
        });
      }
      await sleep(Math.random() * Math.min(2000, 100 * 2 ** attempt));
    }
  });
}
