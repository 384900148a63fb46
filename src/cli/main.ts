/**
 * The command line (SPEC §10): dispatches on the first word to a command group, each with its own
 * cac instance (cac matches only one word), and ends every run in one place.
 */
import type { CAC } from "cac";
import { AamError, toAamError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { Output, processWriter, type Writer } from "./output.ts";
import { makeContext, type Context } from "./context.ts";
import { closest as suggest } from "../suggest.ts";
import { proc } from "../runtime/index.ts";
import { COMMAND_ALIASES, checkRepeats, describeAliases, keepValuesAsText, normaliseBooleanFlags, rewriteAliases } from "./flags.ts";

export interface CommandGroup {
  register(cli: CAC, ctx: Context): void;
}

interface GroupSpec {
  summary: string;
  load: () => Promise<CommandGroup>;
}

const GROUPS: Record<string, GroupSpec> = {
  registry: { summary: "Create, add and check registries", load: () => import("./commands/registry.ts") },
  pkg: { summary: "Create, validate, pack, sign and publish packages", load: () => import("./commands/pkg.ts") },
  key: { summary: "Generate, import, trust and revoke signing keys", load: () => import("./commands/key.ts") },
  config: { summary: "Read and change configuration", load: () => import("./commands/config.ts") },
  verify: { summary: "Verify packages (checksum, identity, signatures, trust)", load: () => import("./commands/verify.ts") },
  install: { summary: "Install a package and its dependencies into .aam/", load: () => import("./commands/install.ts") },
  info: { summary: "Show a package's versions, tags and signatures", load: () => import("./commands/info.ts") },
  search: { summary: "Search a registry's index", load: () => import("./commands/search.ts") },
  "dist-tag": { summary: "Add, remove and list dist-tags", load: () => import("./commands/dist_tag.ts") },
  yank: { summary: "Mark a published version as yanked", load: () => import("./commands/yank.ts") },
  owner: { summary: "Add, remove and list who may publish a package", load: () => import("./commands/owner.ts") },
  doctor: { summary: "Check this machine's setup and say what to fix", load: () => import("./commands/doctor.ts") },
  bundle: { summary: "Carry prepared packages across an air gap in one file", load: () => import("./commands/bundle.ts") },
  "verify-blob": { summary: "Verify a Sigstore bundle over any file, offline", load: () => import("./commands/verify_blob.ts") },
  "trust-root": { summary: "Import or update the Sigstore trusted root", load: () => import("./commands/trust_root.ts") },
};

const GLOBAL_FLAGS = new Set(["--json", "--quiet", "-q", "--verbose"]);

function topHelp(): string {
  const width = Math.max(...Object.keys(GROUPS).map((g) => g.length));
  const rows = Object.entries(GROUPS).map(([g, s]) => `  ${g.padEnd(width)}  ${s.summary}`);
  return [
    `aam ${VERSION}: sign, publish, verify and carry AI agent packages, offline first`,
    "",
    "Usage: aam <command> [options]",
    "",
    "Commands:",
    ...rows,
    "",
    `Aliases: ${Object.entries(COMMAND_ALIASES).map(([a, [g, c]]) => `${a} = ${g} ${c}`).join(", ")}`,
    "",
    "Global options: --json, --quiet, --verbose, --help, --version",
    "Run `aam help <command>` or `aam <command> --help` for a command's options and examples.",
    "",
  ].join("\n");
}

/** Runs the CLI with `args` (without the program name) and answers the exit code. */
export async function main(args: string[], writer: Writer = processWriter()): Promise<number> {
  const out = new Output(writer, {
    json: args.includes("--json"),
    quiet: args.includes("--quiet") || args.includes("-q"),
    verbose: args.includes("--verbose"),
  });
  try {
    return await dispatch(args, out);
  } catch (e) {
    const err = toAamError(e);
    out.error(err);
    return err.exitCode;
  }
}

async function dispatch(args: string[], out: Output): Promise<number> {
  const first = args.find((a) => !GLOBAL_FLAGS.has(a));
  if (first === undefined || first === "--help" || first === "-h") {
    out.essential(topHelp());
    return 0;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    if (out.json) out.data({ ok: true, version: VERSION });
    else out.essential(VERSION);
    return 0;
  }
  let group = first;
  let rest = args.slice(args.indexOf(first) + 1);
  if (group === "help") {
    const target = rest.find((a) => !a.startsWith("-"));
    if (!target) {
      out.essential(topHelp());
      return 0;
    }
    const i = rest.indexOf(target);
    group = target;
    rest = [...rest.slice(i + 1).filter((a) => !a.startsWith("-")), "--help"];
  }
  const alias = COMMAND_ALIASES[group];
  if (alias) {
    rest = [alias[1], ...rest];
    group = alias[0];
  }
  const spec = GROUPS[group];
  if (!spec) {
    const guess = suggest(group, [...Object.keys(GROUPS), ...Object.keys(COMMAND_ALIASES)]);
    throw new AamError("UsageError", `Unknown command "${group}"${guess ? `; did you mean "${guess}"?` : ""}`, {
      hint: guess ? `aam ${guess} --help` : "aam --help lists the commands",
    });
  }
  // Loaded only past --version and --help: start-up compiles just this file and output.ts (see BENCHMARKS.md).
  const [mod, { cac }, { aamHome }] = await Promise.all([spec.load(), import("cac"), import("../config/load.ts")]);
  const ctx = makeContext(out, aamHome(), proc.cwd());
  const cli = cac(`aam ${group}`);
  cli.option("--json", "Print one JSON document on stdout");
  cli.option("--quiet, -q", "Print only errors and essential output");
  cli.option("--verbose", "Print more detail");
  mod.register(cli, ctx);
  describeAliases(cli, group);
  cli.help();
  return await runGroup(cli, group, rest);
}

async function runGroup(cli: CAC, group: string, rest: string[]): Promise<number> {
  let args = normaliseBooleanFlags(cli, rest);
  try {
    cli.parse(["aam", group, ...args], { run: false });
    // Flag aliases belong to a command, known only once parsed: rewrite them and parse again.
    const aliased = rewriteAliases(group, cli.matchedCommand, args);
    if (!cli.options.help && aliased.some((a, i) => a !== args[i])) {
      args = normaliseBooleanFlags(cli, aliased);
      cli.parse(["aam", group, ...args], { run: false });
    }
  } catch (e) {
    throw usageFrom(e, cli, group, rest);
  }
  if (cli.options.help || cli.options.h) return 0;
  if (!cli.matchedCommand) {
    const word = rest.find((a) => !a.startsWith("-"));
    const names = cli.commands.map((c) => c.name).filter((n) => n !== "");
    const guess = word ? suggest(word, names) : undefined;
    throw new AamError(
      "UsageError",
      word ? `Unknown command "aam ${group} ${word}"${guess ? `; did you mean "${guess}"?` : ""}` : `Missing a subcommand for "aam ${group}"`,
      { hint: `aam ${group} --help lists: ${names.join(", ")}` },
    );
  }
  checkRepeats(cli, args, rest, group);
  keepValuesAsText(cli, args);
  try {
    await cli.runMatchedCommand();
  } catch (e) {
    throw usageFrom(e, cli, group, rest);
  }
  return 0;
}

/** cac's own errors (unknown option, missing argument) are usage errors with a suggestion. */
function usageFrom(e: unknown, cli: CAC, group: string, rest: string[]): unknown {
  if (!(e instanceof Error) || e.name !== "CACError") return e;
  const m = /Unknown option `(--?[^`]+)`/.exec(e.message);
  const sub = cli.matchedCommand?.name ? ` ${cli.matchedCommand.name}` : "";
  if (m) {
    const cmd = cli.matchedCommand;
    // cac reports and stores options camelCased; the user typed (and should be told) kebab-case.
    const kebab = (n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    // cac strips a "--no-" prefix before reporting; put it back when that is what was typed.
    const bare = kebab(m[1]);
    const typed = rest.some((a) => a.split("=")[0] === `--no-${bare.slice(2)}`) ? `--no-${bare.slice(2)}` : bare;
    const known = [...(cmd?.options ?? []), ...cli.globalCommand.options].flatMap((o) =>
      o.names.map((n) => (n.length === 1 ? `-${n}` : o.negated ? `--no-${kebab(n)}` : `--${kebab(n)}`)),
    );
    const guess = suggest(typed, known);
    return new AamError("UsageError", `Unknown option "${typed}"${guess ? `; did you mean "${guess}"?` : ""}`, {
      hint: `aam ${group}${sub} --help`,
    });
  }
  return new AamError("UsageError", e.message.replace(/`/g, '"'), { hint: `aam ${group}${sub} --help` });
}

