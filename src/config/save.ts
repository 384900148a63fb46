/**
 * Writing configuration files (SPEC §9): crash-safe (temp file, then rename), checked before
 * writing, and holding only the keys that are set, so defaults can change in later versions.
 * A value equal to the default is still written when set: in a project file it overrides the
 * user's value.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { stringifyYaml } from "../encoding/yaml.ts";
import { CONFIG_KEYS, type Config } from "./schema.ts";
import { checkConfig } from "./validate.ts";
import { readConfigFile } from "./load.ts";

const HEADER = "# AAM configuration (see `aam config list`). Change it with `aam config set|unset|add`.\n";

function get(obj: unknown, parts: string[]): unknown {
  return parts.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** The YAML text of a configuration: set keys only, in the table's order. */
export function formatConfig(cfg: Config): string {
  const doc: Record<string, unknown> = {};
  for (const spec of CONFIG_KEYS) {
    const parts = spec.key.split(".");
    const v = get(cfg, parts);
    if (v === undefined || v === null) continue;
    let cur = doc;
    for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    cur[parts[parts.length - 1]] = v;
  }
  return HEADER + (Object.keys(doc).length > 0 ? stringifyYaml(doc) : "");
}

/**
 * Writes a configuration file, creating its folder.
 * @throws {AamError} Error when `cfg` has schema problems (nothing is written).
 */
export async function saveConfig(file: string, cfg: Config): Promise<void> {
  const { problems } = checkConfig(JSON.parse(JSON.stringify(cfg)));
  if (problems.length > 0) {
    throw new AamError("Error", `Cannot write "${file}": the configuration has ${problems.length} problem(s)`, {
      file,
      problems,
      hint: "this is a bug in the command that changed the configuration; please report it",
    });
  }
  await fs.mkdirp(fs.path.dirname(file));
  await fs.writeFileAtomic(file, formatConfig(cfg));
}

/**
 * Reads a configuration file (or an empty one when it is missing), applies `fn`, and writes the
 * result. Returns what was written.
 * @throws {AamError} Error when the file is invalid, or UsageError from `fn` (e.g. setKey).
 */
export async function updateConfigFile(file: string, fn: (cfg: Config) => Config | Promise<Config>): Promise<Config> {
  const before = (await readConfigFile(file)) ?? { security: {} };
  const after = await fn(before);
  await saveConfig(file, after);
  return after;
}
