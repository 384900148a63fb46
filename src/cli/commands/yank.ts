/** `aam yank <pkg>@<v>` (SPEC §10): the version stays for existing users but is never picked by a range. */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { yankVersion } from "../../registry/writer.ts";
import { requireWritable } from "../../registry/location.ts";
import { openFromOptions, actor } from "./_shared.ts";

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("<ref>", "Mark a version as yanked")
    .option("--registry <registry>", "Registry name or folder")
    .example("aam yank @me/my-package@1.0.1")
    .action(async (raw: string, o: { registry?: string }) => {
      const ref = parsePackageRef(raw);
      if (!ref.version) throw new AamError("UsageError", `Cannot yank "${raw}": name an exact version`, { hint: `aam yank ${ref.name}@<version>` });
      const root = requireWritable(await openFromOptions(ctx, o.registry));
      await yankVersion(root, ref.name, ref.version, { now: ctx.now(), actor: actor() });
      if (ctx.out.json) ctx.out.data({ ok: true, package: ref.name, version: ref.version, yanked: true });
      else ctx.out.line(`Yanked ${ref.name}@${ref.version}`);
    });
}
