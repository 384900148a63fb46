/**
 * Schema check of a parsed `config.yaml` (SPEC §9), reporting every problem with its key path.
 *
 * Unknown keys are errors, not warnings (npm only warns): a misspelt security key such as
 * `require_signatures: true` would otherwise be silently ignored and leave the user believing a
 * protection is on. A key set to nothing (`signing_key:`) counts as not set.
 */
import { AamError, type Problem } from "../errors.ts";
import { closest } from "../suggest.ts";
import { resolveAliases } from "./aliases.ts";
import { CONFIG_KEYS, KEY_NAMES, checkDelegateKey, normalizeDelegateKey, type AttestationPin, type Config, type KeySpec, type RegistryEntry } from "./schema.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a mapping" : `a ${typeof v}`;
}

function checkString(spec: KeySpec, path: string, v: string, problems: Problem[]): string | undefined {
  const why = spec.check?.(v);
  if (why) {
    problems.push({ path, message: `"${v}" ${why}` });
    return undefined;
  }
  return spec.normalize ? spec.normalize(v) : v;
}

function checkValue(spec: KeySpec, v: unknown, problems: Problem[]): unknown {
  const path = spec.key;
  switch (spec.type) {
    case "bool":
      if (typeof v === "boolean") return v;
      problems.push({ path, message: `must be true or false, not ${typeName(v)}${typeof v === "string" ? ` "${v}"` : ""}` });
      return undefined;
    case "enum":
      if (typeof v === "string" && spec.values!.includes(v)) return v;
      problems.push({ path, message: `must be one of ${spec.values!.join(", ")}` });
      return undefined;
    case "string":
      if (typeof v === "string") return checkString(spec, path, v, problems);
      problems.push({ path, message: `must be a string, not ${typeName(v)}` });
      return undefined;
    case "list": {
      if (!Array.isArray(v)) {
        problems.push({ path, message: `must be a list of strings, not ${typeName(v)}` });
        return undefined;
      }
      const out: string[] = [];
      v.forEach((x, i) => {
        if (typeof x !== "string") problems.push({ path: `${path}[${i}]`, message: `must be a string, not ${typeName(x)}` });
        else {
          const s = checkString(spec, `${path}[${i}]`, x, problems);
          if (s !== undefined && !out.includes(s)) out.push(s);
        }
      });
      return out;
    }
    case "map":
      return checkDelegates(spec, Array.isArray(v) ? delegatesFromList(v, problems) : v, problems);
    case "registries":
      return checkRegistries(v, problems);
  }
}

/** The documentation's list form, `- {user: bob@github, packages: ["@author/package1"]}`, as the map form. */
function delegatesFromList(v: unknown[], problems: Problem[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown[]> = {};
  const before = problems.length;
  v.forEach((e, i) => {
    const path = `security.signing_delegates[${i}]`;
    if (!isRecord(e) || typeof e.user !== "string" || !Array.isArray(e.packages)) {
      problems.push({ path, message: 'must be {user: <identity or fingerprint>, packages: ["@team/*", ...]}' });
      return;
    }
    for (const k of Object.keys(e)) if (k !== "user" && k !== "packages") problems.push({ path: `${path}.${k}`, message: "unknown field: use user and packages" });
    out[e.user] = [...(out[e.user] ?? []), ...e.packages];
  });
  return problems.length === before ? out : undefined;
}

function checkDelegates(spec: KeySpec, v: unknown, problems: Problem[]): Record<string, string[]> | undefined {
  const path = spec.key;
  if (v === undefined) return undefined;
  if (!isRecord(v)) {
    problems.push({ path, message: `must be a mapping of key fingerprint or identity to a list of package patterns, or a list of {user, packages}, not ${typeName(v)}` });
    return undefined;
  }
  const out: Record<string, string[]> = {};
  for (const [who, pats] of Object.entries(v)) {
    const p = `${path}[${JSON.stringify(who)}]`;
    const why = checkDelegateKey(who);
    if (why) problems.push({ path: p, message: `"${who}" ${why}` });
    if (!Array.isArray(pats) || pats.some((x) => typeof x !== "string")) {
      problems.push({ path: p, message: "must be a list of package patterns such as [\"@team/*\"]" });
      continue;
    }
    const list = pats.map((x, i) => checkString(spec, `${p}[${i}]`, x as string, problems)).filter((x): x is string => x !== undefined);
    if (!why) {
      const key = normalizeDelegateKey(who);
      out[key] = [...new Set([...(out[key] ?? []), ...list])];
    }
  }
  return out;
}

function checkRegistries(v: unknown, problems: Problem[]): RegistryEntry[] | undefined {
  if (!Array.isArray(v)) {
    problems.push({ path: "registries", message: `must be a list of {name, url, default}, not ${typeName(v)}` });
    return undefined;
  }
  const out: RegistryEntry[] = [];
  const names = new Set<string>();
  let defaults = 0;
  v.forEach((r, i) => {
    const path = `registries[${i}]`;
    if (!isRecord(r)) {
      problems.push({ path, message: `must be a mapping {name, url, default}, not ${typeName(r)}` });
      return;
    }
    const before = problems.length;
    if (typeof r.name !== "string" || r.name.trim() === "") problems.push({ path: `${path}.name`, message: "must be a non-empty string" });
    else if (names.has(r.name)) problems.push({ path: `${path}.name`, message: `"${r.name}" is configured twice` });
    else names.add(r.name);
    if (typeof r.url !== "string" || r.url.trim() === "") problems.push({ path: `${path}.url`, message: "must be a non-empty string (a folder, file://, http(s):// or git+ URL)" });
    if (r.default !== undefined && r.default !== null && typeof r.default !== "boolean") problems.push({ path: `${path}.default`, message: "must be true or false" });
    if (r.default === true && ++defaults === 2) problems.push({ path: `${path}.default`, message: "only one registry can be the default" });
    for (const k of Object.keys(r)) {
      if (!["name", "url", "default", "attestation"].includes(k)) problems.push({ path: `${path}.${k}`, message: "unknown field: use name, url, default and attestation" });
    }
    const pin = r.attestation === undefined || r.attestation === null ? undefined : checkPin(r.attestation, `${path}.attestation`, problems);
    if (problems.length === before) {
      const entry: RegistryEntry = r.default === true ? { name: r.name as string, url: r.url as string, default: true } : { name: r.name as string, url: r.url as string };
      out.push(pin ? { ...entry, attestation: pin } : entry);
    }
  });
  return out;
}

/** A registry's `attestation` pin (SPEC §5a): `{name, keys: [fp], min_serial}`. */
function checkPin(v: unknown, path: string, problems: Problem[]): AttestationPin | undefined {
  if (!isRecord(v)) {
    problems.push({ path, message: `must be a mapping {name, keys, min_serial}, not ${typeName(v)}` });
    return undefined;
  }
  const before = problems.length;
  if (!isValidRegistryName(v.name)) problems.push({ path: `${path}.name`, message: "must be a registry name (^[a-z0-9][a-z0-9._-]{0,63}$)" });
  const keys = Array.isArray(v.keys) ? v.keys : [];
  if (!Array.isArray(v.keys) || keys.length === 0) problems.push({ path: `${path}.keys`, message: "must be a non-empty list of Ed25519 key fingerprints" });
  keys.forEach((k, i) => {
    if (typeof k !== "string" || !/^[0-9a-fA-F]{64}$/.test(k)) problems.push({ path: `${path}.keys[${i}]`, message: "is not an Ed25519 key fingerprint (64 hex digits)" });
  });
  const min = v.min_serial;
  if (min !== undefined && min !== null && !(typeof min === "number" && Number.isSafeInteger(min) && min >= 0)) problems.push({ path: `${path}.min_serial`, message: "must be a non-negative integer" });
  for (const k of Object.keys(v)) if (!["name", "keys", "min_serial"].includes(k)) problems.push({ path: `${path}.${k}`, message: "unknown field: use name, keys and min_serial" });
  if (problems.length !== before) return undefined;
  const pin: AttestationPin = { name: v.name as string, keys: [...new Set((keys as string[]).map((k) => k.toLowerCase()))] };
  return typeof min === "number" ? { ...pin, min_serial: min } : pin;
}

function unknownKeys(obj: Record<string, unknown>, prefix: string, known: string[], problems: Problem[]): void {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    const full = prefix ? `${prefix}.${k}` : k;
    const guess = closest(full, KEY_NAMES);
    problems.push({ path: full, message: `unknown key${guess ? `; did you mean "${guess}"?` : ""}` });
  }
}

function childrenOf(prefix: string): string[] {
  const depth = prefix ? prefix.split(".").length : 0;
  const names = CONFIG_KEYS.filter((s) => !prefix || s.key.startsWith(`${prefix}.`)).map((s) => s.key.split(".")[depth]);
  return [...new Set(names)];
}

/**
 * Problems of a parsed config document, and the checked configuration (only set keys, under their
 * stored names: the documentation's aliases are mapped first, aliases.ts).
 * @throws {AamError} UsageError for an alias given with its target, or `require_checksum: false`.
 */
export function checkConfig(value: unknown, file = "the configuration"): { config: Config; problems: Problem[] } {
  const problems: Problem[] = [];
  const config: Config = { security: {} };
  value = resolveAliases(value, file, problems);
  if (value === null || value === undefined) return { config, problems }; // an empty file
  if (!isRecord(value)) {
    problems.push({ path: "(root)", message: `must be a mapping of keys (registries, security), not ${typeName(value)}` });
    return { config, problems };
  }
  unknownKeys(value, "", childrenOf(""), problems);
  for (const group of ["security", "security.sigstore"]) {
    const g = group.split(".").reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), value);
    if (g === undefined || g === null) continue;
    if (!isRecord(g)) problems.push({ path: group, message: `must be a mapping, not ${typeName(g)}` });
    else unknownKeys(g, group, childrenOf(group), problems);
  }
  for (const spec of CONFIG_KEYS) {
    const parts = spec.key.split(".");
    const raw = parts.reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), value);
    if (raw === undefined || raw === null) continue;
    const v = checkValue(spec, raw, problems);
    if (v === undefined) continue;
    let cur = config as unknown as Record<string, unknown>;
    for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    cur[parts[parts.length - 1]] = v;
  }
  return { config, problems };
}

/**
 * Checks a parsed configuration file.
 * @returns the configuration (only the keys the file sets; fingerprints in SPEC §5 spelling)
 * @throws {AamError} Error listing every problem with its key path, naming the file.
 */
export function validateConfig(value: unknown, file: string): Config {
  const { config, problems } = checkConfig(value, file);
  if (problems.length > 0) {
    const n = problems.length;
    throw new AamError("Error", `Invalid configuration "${file}": ${n} problem${n === 1 ? "" : "s"}`, {
      file,
      problems,
      hint: `edit ${file} to fix the keys named above (aam config cannot change a file it cannot read)`,
    });
  }
  return config;
}
