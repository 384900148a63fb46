/**
 * `aam config get|set|unset|add|list|trust-project` (SPEC §9). Writes go to the user's file unless
 * --project. `get` and `list` show the values in effect; `list` marks project settings left out.
 */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { getKey, setKey, unsetKey, addToList, listKeys } from "../../config/dotted_keys.ts";
import { updateConfigFile } from "../../config/save.ts";
import { REQUIRE_CHECKSUM, canonicalKey } from "../../config/aliases.ts";
import { CONFIG_FILE, projectConfigFile, readConfigFile, readProjectFile } from "../../config/load.ts";
import { applyProjectConfig, type IgnoredSetting } from "../../config/project_policy.ts";
import { isTrustedProject, readTrustedProjects, recordTrustedProject } from "../../config/trusted_projects.ts";
import { AamError } from "../../errors.ts";
import { fs, proc } from "../../runtime/index.ts";

/** A key as the user typed it and, for an alias, the name AAM stores and shows it under. */
function named(key: string): string {
  const stored = canonicalKey(key);
  return stored === key ? key : `${stored} (as ${key})`;
}

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
      if (key === REQUIRE_CHECKSUM) {
        setKey({ security: {} }, key, String(value)); // true is accepted, false refused; nothing is stored
        if (ctx.out.json) ctx.out.data({ ok: true, key, file: null });
        else ctx.out.line(`${key} is always true: checksums are always verified (nothing written)`);
        return;
      }
      await updateConfigFile(file, (cfg) => setKey(cfg, key, String(value)));
      if (ctx.out.json) ctx.out.data({ ok: true, key: canonicalKey(key), file });
      else ctx.out.line(`Set ${named(key)} in ${file}`);
    });

  cli
    .command("unset <key>", "Remove a value (back to the default)")
    .option("--project", "Write .aam/config.yaml of this project")
    .action(async (key: string, o: { project?: boolean }) => {
      const file = await target(o.project);
      await updateConfigFile(file, (cfg) => unsetKey(cfg, key));
      if (ctx.out.json) ctx.out.data({ ok: true, key: canonicalKey(key), file });
      else ctx.out.line(`Unset ${named(key)} in ${file}`);
    });

  cli
    .command("add <key> <value>", "Append a value to a list key")
    .option("--project", "Write .aam/config.yaml of this project")
    .example("aam config add security.trusted_identities '*@example.com'")
    .action(async (key: string, value: string, o: { project?: boolean }) => {
      const file = await target(o.project);
      await updateConfigFile(file, (cfg) => addToList(cfg, key, String(value)));
      if (ctx.out.json) ctx.out.data({ ok: true, key: canonicalKey(key), file });
      else ctx.out.line(`Added to ${named(key)} in ${file}`);
    });

  cli.command("list", "Print every key with the value in effect").action(async () => {
    const { merged, ignored } = await ctx.config();
    const flat = listKeys(merged);
    if (ctx.out.json) return ctx.out.data({ ok: true, config: flat, ignored });
    const of = (k: string) => ignored.filter((i) => i.key === k || i.key.startsWith(`${k}.`) || i.key.startsWith(`${k}[`));
    for (const [k, v] of Object.entries(flat)) {
      const left = of(k);
      ctx.out.line(`${k} = ${show(v)}${k === REQUIRE_CHECKSUM ? " (always)" : ""}${left.length > 0 ? `  # project value ignored (not trusted): ${left.map((i) => i.reason).join("; ")}` : ""}`);
    }
  });

  cli
    .command("trust-project [dir]", "Let this project's .aam/config.yaml apply whole, loosening included, until it changes")
    .option("--yes, -y", "Do not ask (needed when not on a terminal)")
    .example("aam config trust-project")
    .example("aam config trust-project ../other-project --yes")
    .action(async (dirArg: string | undefined, o: { yes?: boolean }) => await trustProject(ctx, dirArg, Boolean(o.yes)));
}

/**
 * Records a project file as trusted: its real path and the SHA-256 of the bytes that were read,
 * parsed and judged here (one read). Lists what it would loosen, then asks on a terminal; elsewhere
 * it needs --yes, as `gpg --batch` needs `--yes` to do anything it would ask about.
 */
async function trustProject(ctx: Context, dirArg: string | undefined, yes: boolean): Promise<void> {
  const dir = fs.path.resolve(ctx.cwd, dirArg ?? ".");
  const file = projectConfigFile(dir);
  const userFile = fs.path.join(ctx.home, CONFIG_FILE);
  const pf = await readProjectFile(file, userFile);
  if (pf === null) {
    throw new AamError("NotFound", `Cannot trust "${file}": there is no project configuration there`, {
      file,
      hint: "run this in the project's folder, or pass it: aam config trust-project <dir>",
    });
  }
  const user = (await readConfigFile(userFile)) ?? { security: {} };
  const loosens: IgnoredSetting[] = applyProjectConfig(user, pf.config, false).ignored;
  const doc = { ok: true, file: pf.realPath, sha256: `sha256:${pf.sha256}`, loosens };
  if (isTrustedProject(await readTrustedProjects(ctx.home), pf.realPath, pf.sha256)) {
    if (ctx.out.json) return ctx.out.data({ ...doc, recorded: false, already_trusted: true });
    ctx.out.line(`${pf.realPath} (sha256:${pf.sha256}) is already trusted; nothing to do`);
    return;
  }
  if (!ctx.out.json) {
    ctx.out.line(`${pf.realPath} (sha256:${pf.sha256})`);
    if (loosens.length === 0) ctx.out.line("  loosens nothing: every setting in it already applies");
    else {
      ctx.out.line("  once trusted, these settings apply although they loosen security:");
      for (const l of loosens) ctx.out.line(`  - ${l.key}: ${l.reason}`);
    }
  }
  if (!yes) {
    if (ctx.out.json || !proc.isStdinTTY()) {
      throw new AamError("UsageError", `Cannot trust "${pf.realPath}" without confirmation: not asked on a terminal`, {
        file: pf.realPath,
        hint: `review the file, then run \`aam config trust-project ${dirArg ?? "."} --yes\``,
      });
    }
    const answer = (await proc.prompt(`Trust this file until it changes? [y/N] `)).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      throw new AamError("Error", `Did not trust "${pf.realPath}": not confirmed`, { file: pf.realPath, hint: "nothing was recorded; its loosening settings stay ignored" });
    }
  }
  const state = await recordTrustedProject(ctx.home, pf.realPath, pf.sha256, ctx.now());
  if (ctx.out.json) return ctx.out.data({ ...doc, recorded: true, state_file: state });
  ctx.out.line(`Trusted ${pf.realPath}: it applies whole until its content changes (recorded in ${state})`);
}
