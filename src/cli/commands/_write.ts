/**
 * Opening a registry to write to (SPEC §4): a folder is written in place; a `git+<url>` registry is
 * written through its cached clone, one commit per change, pushed (registry/git_write.ts).
 */
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { requireWritable, type OpenedRegistry } from "../../registry/location.ts";
import { refreshClone, withGitWrite } from "../../registry/git_write.ts";
import { openFromOptions, actor } from "./_shared.ts";

export interface WriteTarget {
  opened: OpenedRegistry;
  /** Runs `change` on the registry's folder; `action` names it in a git commit (`publish @a/b@1.0.0`). */
  write<T>(action: string, change: (root: string) => Promise<T>): Promise<T>;
}

/**
 * @param readsFirst The command reads the registry before it writes (e.g. the archive it signs): a
 * git registry's clone is then first brought to the remote head (of `branch` when it exists). The
 * write itself always starts from the remote head.
 * @throws {AamError} UsageError for a read-only location, or `--branch` on a registry that is not git.
 */
export async function openForWrite(ctx: Context, registry: string | undefined, branch?: string, readsFirst = false): Promise<WriteTarget> {
  const opened = await openFromOptions(ctx, registry);
  const gitUrl = opened.gitUrl;
  if (gitUrl === undefined) {
    if (branch !== undefined) {
      throw new AamError("UsageError", `Cannot use --branch with registry "${opened.reader.location}": it is not a git registry`, {
        hint: "--branch names the branch of a git+<url> registry to push to",
      });
    }
    const root = requireWritable(opened);
    return { opened, write: (_action, change) => change(root) };
  }
  if (readsFirst) await refreshClone(gitUrl, ctx.home, branch);
  return { opened, write: (action, change) => withGitWrite(gitUrl, ctx.home, { branch, action, actor: actor() }, change) };
}
