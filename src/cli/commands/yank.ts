/** `aam yank <pkg>@<v>` (SPEC §10): the version stays for existing users but is never picked by a range. */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { yankVersion } from "../../registry/writer.ts";
import { actor } from "./_shared.ts";
import { openForWrite } from "./_write.ts";

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("<ref>", "Mark a version as yanked")
    .option("--registry <registry>", "Registry name or folder")
    .option("--branch <branch>", "Git registry: push to this branch (default: the default branch)")
    .example("aam yank @me/my-package@1.0.1")
    .action(async (raw: string, o: { registry?: string; branch?: string }) => {
      const ref = parsePackageRef(raw);
      if (!ref.version) throw new AamError("UsageError", `Cannot yank "${raw}": name an exact version`, { hint: `aam yank ${ref.name}@<version>` });
      const version = ref.version;
      const target = await openForWrite(ctx, o.registry, o.branch);
      await target.write(`yank ${ref.name}@${version}`, (root) => yankVersion(root, ref.name, version, { now: ctx.now(), actor: actor() }));
      if (ctx.out.json) ctx.out.data({ ok: true, package: ref.name, version: ref.version, yanked: true });
      else ctx.out.line(`Yanked ${ref.name}@${ref.version}`);
    });
}
