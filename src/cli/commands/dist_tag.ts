/** `aam dist-tag add <pkg>@<v> <tag> | rm <pkg> <tag> | ls <pkg>` (SPEC §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { setDistTag, removeDistTag } from "../../registry/writer.ts";
import { openForRead, actor } from "./_shared.ts";
import { openForWrite } from "./_write.ts";

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("add <ref> <tag>", "Point a tag at a version")
    .option("--registry <registry>", "Registry name or folder")
    .option("--branch <branch>", "Git registry: push to this branch (default: the default branch)")
    .example("aam dist-tag add @me/my-package@1.2.0 stable")
    .action(async (raw: string, tag: string, o: { registry?: string; branch?: string }) => {
      const ref = parsePackageRef(raw);
      if (!ref.version) throw new AamError("UsageError", `Cannot tag "${raw}": name an exact version`, { hint: `aam dist-tag add ${ref.name}@<version> ${tag}` });
      if (!/^[a-z][a-z0-9._-]*$/i.test(tag) || /^v?\d/.test(tag)) {
        throw new AamError("UsageError", `Invalid dist-tag "${tag}"`, { hint: "a tag starts with a letter and is not a version, e.g. stable, next, beta" });
      }
      const version = ref.version;
      const target = await openForWrite(ctx, o.registry, o.branch);
      await target.write(`dist-tag add ${ref.name}@${version} ${tag}`, (root) => setDistTag(root, ref.name, version, tag, { now: ctx.now(), actor: actor() }));
      if (ctx.out.json) ctx.out.data({ ok: true, package: ref.name, tag, version: ref.version });
      else ctx.out.line(`${ref.name}: ${tag} → ${ref.version}`);
    });
  cli
    .command("rm <package> <tag>", "Remove a tag")
    .option("--registry <registry>", "Registry name or folder")
    .option("--branch <branch>", "Git registry: push to this branch (default: the default branch)")
    .action(async (name: string, tag: string, o: { registry?: string; branch?: string }) => {
      const ref = parsePackageRef(name);
      const target = await openForWrite(ctx, o.registry, o.branch);
      await target.write(`dist-tag rm ${ref.name} ${tag}`, (root) => removeDistTag(root, ref.name, tag, { now: ctx.now(), actor: actor() }));
      if (ctx.out.json) ctx.out.data({ ok: true, package: ref.name, removed: tag });
      else ctx.out.line(`${ref.name}: removed ${tag}`);
    });
  cli
    .command("ls <package>", "List tags")
    .option("--registry <registry>", "Registry name or location")
    .action(async (name: string, o: { registry?: string }) => {
      const ref = parsePackageRef(name);
      const meta = await (await openForRead(ctx, o.registry)).reader.metadata(ref.name);
      if (ctx.out.json) return ctx.out.data({ ok: true, package: ref.name, dist_tags: meta.dist_tags });
      for (const [t, v] of Object.entries(meta.dist_tags)) ctx.out.line(`${u(t)}: ${u(v)}`);
    });
}
