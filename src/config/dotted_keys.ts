/**
 * `aam config get|set|unset|add|list` as pure operations on a configuration object (SPEC §9).
 * Every function returns a new object; the input is never changed.
 *
 * Value syntax for `set`:
 * - booleans: `true` or `false`; enums: one of the listed values (both case-insensitive);
 * - list keys: a comma-separated value, `a,b,c` (spaces around items are dropped; `""` is the
 *   empty list, which in a project file replaces the user's list);
 * - `security.signing_delegates`: the whole map as `who=pattern,pattern;who2=pattern` (who: a key
 *   fingerprint or a Sigstore identity pattern), or one entry
 *   with the key `security.signing_delegates.<fp>` and value `pattern,pattern`;
 * - `registries` is managed by `aam registry add|remove` and cannot be set here.
 * `add` appends ONE value verbatim (no comma splitting), so a value containing a comma can be added.
 */
import { AamError } from "../errors.ts";
import { closest } from "../suggest.ts";
import { REQUIRE_CHECKSUM, canonicalKey, checksumOffError } from "./aliases.ts";
import { CONFIG_KEYS, KEY_NAMES, checkDelegateKey, keySpec, normalizeDelegateKey, type Config, type KeySpec } from "./schema.ts";

const DELEGATES = "security.signing_delegates";
const GROUPS = ["security", "security.sigstore"];

/** A key resolved against the table: a plain key, or one entry of signing_delegates. */
interface Target {
  spec: KeySpec;
  /** The fingerprint of a `security.signing_delegates.<fp>` key. */
  entry?: string;
}

function unknownKey(key: string): AamError {
  const guess = closest(key, KEY_NAMES);
  return new AamError("UsageError", `Unknown configuration key "${key}"`, {
    field: key,
    hint: guess ? `did you mean "${guess}"? \`aam config list\` shows every key` : "`aam config list` shows every key",
  });
}

function badValue(key: string, raw: string, expected: string, why?: string): AamError {
  return new AamError("UsageError", `Invalid value "${raw}" for "${key}"${why ? `: ${why}` : ""}`, {
    field: key,
    actual: raw,
    expected,
    hint: `aam config set ${key} <${expected}>`,
  });
}

function target(key: string): Target {
  if (key === REQUIRE_CHECKSUM) throw new AamError("UsageError", `"${key}" is not stored: checksums are always verified`, { field: key, hint: `aam config get ${key} prints true` });
  key = canonicalKey(key);
  const spec = keySpec(key);
  if (spec) return { spec };
  if (key.startsWith(`${DELEGATES}.`)) {
    const fp = key.slice(DELEGATES.length + 1);
    const why = checkDelegateKey(fp);
    if (why) throw badValue(key, fp, "fingerprint-or-identity", `the part after "${DELEGATES}." ${why}`);
    return { spec: keySpec(DELEGATES)!, entry: normalizeDelegateKey(fp) };
  }
  throw unknownKey(key);
}

function expectedOf(spec: KeySpec): string {
  switch (spec.type) {
    case "bool":
      return "true|false";
    case "enum":
      return spec.values!.join("|");
    case "list":
      return "value,value,...";
    case "map":
      return "fingerprint-or-identity=pattern,...;...";
    default:
      return "value";
  }
}

function clone(cfg: Config): Config {
  // Config is plain data (it came from YAML or defaults), so a structured clone is exact.
  const c = structuredClone(cfg) as Config;
  c.security ??= {};
  return c;
}

function getPath(obj: unknown, parts: string[]): unknown {
  let cur = obj;
  for (const p of parts) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, parts: string[], value: unknown): void {
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== "object" || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** Drops `security.sigstore: {}` left behind by unset, so saved files stay minimal. */
function prune(cfg: Config): Config {
  if (cfg.security.sigstore && Object.keys(cfg.security.sigstore).length === 0) delete cfg.security.sigstore;
  return cfg;
}

function item(spec: KeySpec, key: string, raw: string, value: string): string {
  const v = value.trim();
  const why = spec.check?.(v);
  if (why) throw badValue(key, raw, expectedOf(spec), `"${v}" ${why}`);
  return spec.normalize ? spec.normalize(v) : v;
}

function splitList(raw: string): string[] {
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function parseMap(spec: KeySpec, key: string, raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of raw.split(";").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw badValue(key, raw, expectedOf(spec), `"${part}" has no "fingerprint=" or "identity=" before its patterns`);
    const fp = part.slice(0, eq).trim();
    const why = checkDelegateKey(fp);
    if (why) throw badValue(key, raw, expectedOf(spec), `"${fp}" ${why}`);
    const fpn = normalizeDelegateKey(fp);
    out[fpn] = unique([...(out[fpn] ?? []), ...splitList(part.slice(eq + 1)).map((p) => item(spec, key, raw, p))]);
  }
  return out;
}

/** Parses a command-line value for a key by its type. Exported for `--flag` overrides. */
export function parseValue(key: string, raw: string): unknown {
  const { spec, entry } = target(key);
  if (entry) return unique(splitList(raw).map((p) => item(spec, key, raw, p)));
  switch (spec.type) {
    case "bool": {
      const v = raw.trim().toLowerCase();
      if (v === "true") return true;
      if (v === "false") return false;
      throw badValue(key, raw, expectedOf(spec));
    }
    case "enum": {
      const v = raw.trim().toLowerCase();
      if (!spec.values!.includes(v)) throw badValue(key, raw, expectedOf(spec));
      return v;
    }
    case "list":
      return unique(splitList(raw).map((v) => item(spec, key, raw, v)));
    case "map":
      return parseMap(spec, key, raw);
    case "registries":
      throw new AamError("UsageError", `Cannot set "${key}" with aam config`, { field: key, hint: "aam registry add <name> <location> [--default]" });
    default: {
      if (raw.trim() === "") throw badValue(key, raw, expectedOf(spec), `use \`aam config unset ${key}\` to clear it`);
      return item(spec, key, raw, raw);
    }
  }
}

/**
 * The value of a key as `cfg` holds it (undefined when not set). Also answers the groups
 * `security` and `security.sigstore`, and `security.signing_delegates.<fp>`.
 * @throws {AamError} UsageError for an unknown key, with a "did you mean".
 */
export function getKey(cfg: Config, key: string): unknown {
  if (key === REQUIRE_CHECKSUM) return true;
  if (GROUPS.includes(key)) return getPath(cfg, key.split("."));
  const { spec, entry } = target(key);
  const v = getPath(cfg, spec.key.split("."));
  return entry ? (v as Record<string, string[]> | undefined)?.[entry] : v;
}

/**
 * Sets a key from its command-line text (see the module comment for the syntax).
 * @throws {AamError} UsageError for an unknown key or a bad value, naming the key, the value and
 * what is allowed.
 */
export function setKey(cfg: Config, key: string, rawValue: string): Config {
  if (key === REQUIRE_CHECKSUM) {
    const v = rawValue.trim().toLowerCase();
    if (v === "true") return clone(cfg); // already so, and never stored
    if (v === "false") throw checksumOffError("the configuration");
    throw badValue(key, rawValue, "true");
  }
  const { spec, entry } = target(key);
  const value = parseValue(key, rawValue);
  const out = clone(cfg);
  if (entry) {
    const map = { ...((getPath(out, spec.key.split(".")) as Record<string, string[]>) ?? {}) };
    map[entry] = value as string[];
    setPath(out as unknown as Record<string, unknown>, spec.key.split("."), map);
  } else setPath(out as unknown as Record<string, unknown>, spec.key.split("."), value);
  return out;
}

/**
 * Removes a key (it falls back to the next file, then the default).
 * @throws {AamError} UsageError for an unknown key.
 */
export function unsetKey(cfg: Config, key: string): Config {
  const { spec, entry } = target(key);
  const out = clone(cfg);
  const parts = spec.key.split(".");
  if (entry) {
    const map = { ...((getPath(out, parts) as Record<string, string[]>) ?? {}) };
    delete map[entry];
    setPath(out as unknown as Record<string, unknown>, parts, Object.keys(map).length > 0 ? map : undefined);
  } else setPath(out as unknown as Record<string, unknown>, parts, undefined);
  return prune(out);
}

/**
 * Appends one value to a list key (or patterns to a signing_delegates entry); a value already
 * present is not added twice. `security.signing_delegates` takes `fp=pattern[,pattern]`.
 * @throws {AamError} UsageError for an unknown key, a key that is not a list, or a bad value.
 */
export function addToList(cfg: Config, key: string, value: string): Config {
  const { spec, entry } = target(key);
  const parts = spec.key.split(".");
  const out = clone(cfg);
  if (spec.type === "map") {
    const add = entry ? { [entry]: parseValue(key, value) as string[] } : parseMap(spec, key, value);
    const map = { ...((getPath(out, parts) as Record<string, string[]>) ?? {}) };
    for (const [fp, pats] of Object.entries(add)) map[fp] = unique([...(map[fp] ?? []), ...pats]);
    setPath(out as unknown as Record<string, unknown>, parts, map);
    return out;
  }
  if (spec.type === "registries") {
    throw new AamError("UsageError", `Cannot add to "${key}" with aam config`, { field: key, hint: "aam registry add <name> <location> [--default]" });
  }
  if (spec.type !== "list") {
    throw new AamError("UsageError", `Cannot add to "${key}": it is not a list`, { field: key, hint: `aam config set ${key} <${expectedOf(spec)}>` });
  }
  if (value.trim() === "") throw badValue(key, value, "value", "the value is empty");
  const v = item(spec, key, value, value);
  const list = (getPath(out, parts) as string[] | undefined) ?? [];
  setPath(out as unknown as Record<string, unknown>, parts, unique([...list, v]));
  return out;
}

/** Every key, dotted, with its value in `cfg` (null when not set), in the table's order; then `require_checksum`, always true. */
export function listKeys(cfg: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of CONFIG_KEYS) out[spec.key] = getPath(cfg, spec.key.split(".")) ?? null;
  out[REQUIRE_CHECKSUM] = true;
  return out;
}
