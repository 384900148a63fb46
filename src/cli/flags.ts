/**
 * The command line's spelling rules, applied in one place for every command (SPEC §10): the AAM
 * documentation's command and flag names as aliases, kebab-case boolean flags, and options that take
 * one value given once.
 */
import type { CAC, Command } from "cac";
import { AamError } from "../errors.ts";

/** `aam publish|pack|validate` as the documentation writes them: the `pkg` command of that name. */
export const COMMAND_ALIASES: Record<string, [group: string, command: string]> = {
  publish: ["pkg", "publish"],
  pack: ["pkg", "pack"],
  validate: ["pkg", "validate"],
};

/** Flag spellings from the documentation, per `<group> <command>` (`install`'s command is the default, ""). */
const FLAG_ALIASES: Record<string, Record<string, string>> = {
  "pkg sign": { "--sign-type": "--signing-method" },
  "pkg publish": { "--sign-type": "--signing-method" },
  install: { "--verify": "--verify-signature", "--use-cached-verification": "--offline" },
};

const kebab = (n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (n: string) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function aliasesOf(group: string, command: Command | undefined): Record<string, string> {
  return FLAG_ALIASES[`${group} ${command?.name ?? ""}`.trim()] ?? {};
}

/** Names each alias in its target option's help line, so `--help` shows the documentation's spelling too. */
export function describeAliases(cli: CAC, group: string): void {
  for (const cmd of cli.commands) {
    for (const [alias, target] of Object.entries(aliasesOf(group, cmd))) {
      const o = cmd.options.find((x) => x.names.includes(camel(target.slice(2))));
      if (o && !o.description.includes(alias)) o.description += ` (alias: ${alias})`;
    }
  }
}

/** Rewrites the matched command's flag aliases (`--sign-type gpg`, `--sign-type=gpg`) to their SPEC names. */
export function rewriteAliases(group: string, command: Command | undefined, args: string[]): string[] {
  const table = aliasesOf(group, command);
  const dd = args.indexOf("--");
  return args.map((a, i) => {
    if (dd !== -1 && i > dd) return a;
    const eq = a.indexOf("=");
    const target = table[eq === -1 ? a : a.slice(0, eq)];
    return target === undefined ? a : eq === -1 ? target : `${target}${a.slice(eq)}`;
  });
}

/**
 * cac registers kebab-case boolean flags under their camelCased name only, so its parser lets
 * `--offline-prepare pkg` swallow `pkg` as the flag's value. Spelling such flags camelCase first avoids it.
 */
export function normaliseBooleanFlags(cli: CAC, args: string[]): string[] {
  const map = new Map<string, string>();
  for (const o of [...cli.globalCommand.options, ...cli.commands.flatMap((c) => c.options)]) {
    if (!o.isBoolean) continue;
    for (const raw of o.rawName.split(",")) {
      const name = raw.trim().replace(/^-{1,2}/, "");
      if (name.includes("-") && !name.startsWith("no-")) map.set(`--${name}`, `--${camel(name)}`);
    }
  }
  const dd = args.indexOf("--");
  return args.map((a, i) => (dd !== -1 && i > dd ? a : (map.get(a) ?? a)));
}

/** Each flag of `args` before `--`: its index, the option names it sets (mri reads `-ab` as `-a -b`), and its value text. */
function* flagTokens(args: string[]): Generator<{ index: number; names: string[]; value: string | undefined }> {
  const dd = args.indexOf("--");
  for (const [index, a] of args.entries()) {
    if (dd !== -1 && index >= dd) break;
    if (!a.startsWith("-") || a === "-") continue;
    const eq = a.indexOf("=");
    const body = a.replace(/^-{1,2}/, "").split("=")[0];
    const next = args[index + 1];
    const value = eq !== -1 ? a.slice(eq + 1) : next !== undefined && !next.startsWith("-") && (dd === -1 || index + 1 < dd) ? next : undefined;
    yield { index, names: a.startsWith("--") ? [camel(body)] : [...body], value };
  }
}

/**
 * A value is text as typed: cac's parser turns `--gpg-key 12345678` or `--tag 2` into a number
 * (dropping leading zeros, or a digit-only fingerprint's precision), which no command wants.
 */
export function keepValuesAsText(cli: CAC, args: string[]): void {
  const options = [...(cli.matchedCommand?.options ?? []), ...cli.globalCommand.options].filter((o) => !o.isBoolean);
  for (const { names, value } of flagTokens(args)) {
    const o = options.find((x) => x.names.some((n) => names.includes(n)));
    if (!o || value === undefined) continue;
    for (const n of o.names) if (typeof cli.options[n] === "number") cli.options[n] = value;
  }
}

/**
 * An option that takes one value, given twice (`--bundle a --bundle b`, `-o a --output b`), is a
 * usage error: cac would make an array of it (or keep one of the two), and the command would then
 * fail on a type or act on a value the user did not mean. Options declared with cac's
 * `{ type: [String] }` are the repeatable ones. Repeated boolean flags are harmless and kept as one.
 */
export function checkRepeats(cli: CAC, args: string[], typed: string[], group: string): void {
  const cmd = cli.matchedCommand;
  const options = [...(cmd?.options ?? []), ...cli.globalCommand.options];
  const seen = new Map<(typeof options)[number], string[]>();
  for (const { index, names } of flagTokens(args)) {
    for (const n of names) {
      const o = options.find((x) => x.names.includes(n));
      if (o) seen.set(o, [...(seen.get(o) ?? []), typed[index].split("=")[0]]);
    }
  }
  for (const [o, spellings] of seen) {
    if (spellings.length < 2) continue;
    const key = o.names[o.names.length - 1];
    if (o.isBoolean) {
      // `--sign --sign` means --sign: keep one value, not cac's [true, true].
      for (const n of o.names) if (Array.isArray(cli.options[n])) cli.options[n] = (cli.options[n] as unknown[]).at(-1);
      continue;
    }
    if (Array.isArray(o.config.type)) continue;
    const name = `--${kebab(key)}`;
    const given = [...new Set(spellings)];
    const sub = cmd?.name ? ` ${cmd.name}` : "";
    throw new AamError("UsageError", `Option "${name}" takes one value but was given ${spellings.length} times${given.length > 1 || given[0] !== name ? ` (as ${given.join(", ")})` : ""}`, {
      hint: `give ${name} once; aam ${group}${sub} --help`,
    });
  }
}
