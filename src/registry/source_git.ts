/**
 * A registry kept in a git repository (`git+<url>`, SPEC §4): cloned with the real git program into
 * `$AAM_HOME/cache/git/`, read-only. `aam registry update` fetches the newest commit.
 */
import { fs } from "../runtime/index.ts";
import { git } from "./git_run.ts";
import { withLock } from "./lock.ts";
import { sha256Hex } from "../encoding/sha256.ts";
import { fileSource } from "./source_fs.ts";
import { gitRemoteOf } from "./location.ts";
import type { RegistrySource } from "./source.ts";

export function gitCacheDir(url: string, home: string): string {
  return fs.path.join(home, "cache", "git", sha256Hex(new TextEncoder().encode(url)).slice(0, 16));
}

/** Held while anything moves the clone's HEAD (a write, an update), so none undoes another's work. */
export function cloneLock(dir: string): string {
  return `${dir}.write.lock`;
}

/** Clones on first use; later uses read the clone as it is (run `aam registry update` to fetch). */
export async function gitSource(url: string, home: string): Promise<RegistrySource> {
  return fileSource(await ensureClone(url, home), url, "git");
}

/** Clones the registry into the cache unless it is there. @returns the clone's folder */
export async function ensureClone(url: string, home: string): Promise<string> {
  const dir = gitCacheDir(url, home);
  if (!(await fs.stat(fs.path.join(dir, ".git")))) await cloneInto(gitRemoteOf(url), dir);
  return dir;
}

async function cloneInto(remote: string, dir: string): Promise<void> {
  await fs.mkdirp(fs.path.dirname(dir));
  const tmp = fs.tempNameFor(dir);
  try {
    await git(["clone", "--quiet", "--depth", "1", "--", remote, tmp]);
    // Another process of this home may have cloned meanwhile and be using its clone: keep that one.
    if (await fs.stat(fs.path.join(dir, ".git"))) return;
    await fs.remove(dir);
    await fs.rename(tmp, dir).catch(async (e) => {
      if (!(await fs.stat(fs.path.join(dir, ".git")))) throw e;
    });
  } finally {
    await fs.remove(tmp);
  }
}

/** Fetches the newest commit of the clone's branch (or clones it anew). */
export async function updateGitSource(url: string, home: string): Promise<string> {
  const remote = gitRemoteOf(url);
  const dir = gitCacheDir(url, home);
  if (!(await fs.stat(fs.path.join(dir, ".git")))) await cloneInto(remote, dir);
  else {
    await withLock(cloneLock(dir), async () => {
      await git(["fetch", "--quiet", "--depth", "1", "origin"], dir);
      await git(["reset", "--quiet", "--hard", "FETCH_HEAD"], dir);
    });
  }
  return (await git(["rev-parse", "HEAD"], dir)).trim();
}
