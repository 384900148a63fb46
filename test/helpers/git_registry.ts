/** A registry folder made into a bare git repository on file:// (its `main` branch), for git+ registry tests. */
import { join } from "node:path";
import { run } from "../helpers.ts";

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
