/** `aam config get|set|unset|add|list` (SPEC §9). Writes go to the user's file unless --project. */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { getKey, setKey, unsetKey, addToList, listKeys } from "../../config/keys.ts";
import { updateConfigFile } from "../../config/save.ts";
import { fs } from "../../runtime/index.ts";

function show(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(",");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function register(cli: CAC, ctx: Context): void {
  const target = async (project?: boolean) => (project ? fs.path.join(ctx.cwd, ".aam", "config.yaml") : (await ctx.config()).userFile);

  cli.command("get <key>", "Print a value (merged: flags > project > user > defaults)").action(async (key: string) => {
    const v = getKey((await ctx.config()).merged, key);
    if (ctx.out.json) ctx.out.data({ ok: true, key, value: v ?? null });
    else ctx.out.essential(show(v));
  });

  cli
    .command("set <key> <value>", "Set a value; list keys take a comma-separated value")
    .option("--project", "Write .aam/config.yaml of this project instead of the user's file")
    .example("aam config set security.on_signature_failure error")
    .example("aam config set security.trusted_keys <fp1>,<fp2>")
    .action(async (key: string, value: string, o: { project?: boolean }) => {
      const file = await target(o.project);
      await updateConfigFile(file, (cfg) => setKey(cfg, key, String(value)));
      if (ctx.out.json) ctx.out.data({ ok: true, key, file });
      else ctx.out.line(`Set ${key} in ${file}`);
    });

  cli
    .command("unset <key>", "Remove a value (back to the default)")
    .option("--project", "Write .aam/config.yaml of this project")
    .action(async (key: string, o: { project?: boolean }) => {
      const file = await target(o.project);
      await updateConfigFile(file, (cfg) => unsetKey(cfg, key));
      if (ctx.out.json) ctx.out.data({ ok: true, key, file });
      else ctx.out.line(`Unset ${key} in ${file}`);
    });

  cli
    .command("add <key> <value>", "Append a value to a list key")
    .option("--project", "Write .aam/config.yaml of this project")
    .example("aam config add security.trusted_identities '*@example.com'")
    .action(async (key: string, value: string, o: { project?: boolean }) => {
      const file = await target(o.project);
      await updateConfigFile(file, (cfg) => addToList(cfg, key, String(value)));
      if (ctx.out.json) ctx.out.data({ ok: true, key, file });
      else ctx.out.line(`Added to ${key} in ${file}`);
    });

  cli.command("list", "Print every key with its merged value").action(async () => {
    const flat = listKeys((await ctx.config()).merged);
    if (ctx.out.json) return ctx.out.data({ ok: true, config: flat });
    for (const [k, v] of Object.entries(flat)) ctx.out.line(`${k} = ${show(v)}`);
  });
}
