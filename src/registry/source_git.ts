/**
 * A registry kept in a git repository (`git+<url>`, SPEC §4): cloned with the real git program into
 * `$AAM_HOME/cache/git/`, read-only. `aam registry update` fetches the newest commit.
 */
import { AamError } from "../errors.ts";
import { fs, proc, run } from "../runtime/index.ts";
import { sha256Hex } from "../encoding/sha256.ts";
import { fileSource } from "./source_fs.ts";
import { gitRemoteOf } from "./location.ts";
import type { RegistrySource } from "./source.ts";

export function gitCacheDir(url: string, home: string): string {
  return fs.path.join(home, "cache", "git", sha256Hex(new TextEncoder().encode(url)).slice(0, 16));
}

/**
 * The transports git may use (SPEC §4), whatever GIT_ALLOW_PROTOCOL or git's configuration says:
 * GIT_ALLOW_PROTOCOL, which git lets override protocol.allow, is replaced with ours, and the same
 * list is repeated as `-c protocol.*` for a git that reads only the configuration.
 */
const ALLOWED_PROTOCOLS = ["file", "https", "ssh"];
const PROTOCOL_CONFIG = ["-c", "protocol.allow=never", ...ALLOWED_PROTOCOLS.flatMap((p) => ["-c", `protocol.${p}.allow=always`])];

async function git(args: string[], cwd?: string): Promise<string> {
  const env = { ...proc.envAll(), GIT_TERMINAL_PROMPT: "0", GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS.join(":") };
  const r = await run("git", [...PROTOCOL_CONFIG, ...args], { cwd, env });
  if (r === null) {
    throw new AamError("NotFound", "Cannot use a git registry: the git program is not installed", {
      hint: "install git (e.g. apt-get install git), or use a folder or http(s) registry",
    });
  }
  if (r.code !== 0) {
    throw new AamError("Error", `Cannot run git ${args[0]}: ${r.stderr.trim().split("\n").at(-1) ?? ""}`, {
      hint: "check the repository URL and your access to it",
    });
  }
  return new TextDecoder().decode(r.stdout);
}

/** Clones on first use; later uses read the clone as it is (run `aam registry update` to fetch). */
export async function gitSource(url: string, home: string): Promise<RegistrySource> {
  const remote = gitRemoteOf(url);
  const dir = gitCacheDir(url, home);
  if (!(await fs.stat(fs.path.join(dir, ".git")))) await cloneInto(remote, dir);
  return fileSource(dir, url, "git");
}

async function cloneInto(remote: string, dir: string): Promise<void> {
  await fs.mkdirp(fs.path.dirname(dir));
  const tmp = fs.tempNameFor(dir);
  try {
    await git(["clone", "--quiet", "--depth", "1", "--", remote, tmp]);
    await fs.remove(dir);
    await fs.rename(tmp, dir);
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
    await git(["fetch", "--quiet", "--depth", "1", "origin"], dir);
    await git(["reset", "--quiet", "--hard", "FETCH_HEAD"], dir);
  }
  return (await git(["rev-parse", "HEAD"], dir)).trim();
}
