/**
 * What a project's `.aam/config.yaml` may change (SPEC §9, the trust boundary). A cloned
 * repository controls its project file, so before `aam config trust-project` the file can only
 * tighten security: each key is judged against the user's value by the table below, settings that
 * would trust more, or send keys, tokens or signing to places the project picks, are left out and
 * reported. A trusted project file (its real path and SHA-256 recorded) applies whole.
 *
 * Pure: no I/O. load.ts reads the files and decides `trusted`; the CLI prints `ignored`.
 */
import { CONFIG_KEYS, FAILURE_MODES, type Config, type OnSignatureFailure, type RegistryEntry, type ResolvedConfig } from "./schema.ts";
import { mergeConfigs } from "./merge.ts";
import { matchesPackagePattern } from "../trust/policy.ts";

/** A project setting left out, with why (for the warning and `aam config list`). */
export interface IgnoredSetting {
  /** Dotted key; `registries[<name>]` or `security.signing_delegates.<fp>` for one entry. */
  key: string;
  reason: string;
}

export interface ProjectPolicyResult {
  /** Defaults < user < what the project may change (< flags, applied by each command). */
  effective: ResolvedConfig;
  ignored: IgnoredSetting[];
}

/**
 * How each key of an untrusted project file is judged (SPEC §9 table). A key that is not here
 * is never taken from an untrusted project (deny by default): a key added to the schema later
 * stays on the safe side until someone decides it only tightens.
 */
type Rule = "when-true" | "when-false" | "stricter-mode" | "subset" | "issuers" | "union" | "delegates" | "always";

const RULES: Record<string, Rule> = {
  "security.require_signature": "when-true",
  "security.require_registry_attestation": "when-true",
  "security.verify_transparency_log": "when-true",
  "security.trust_registry_attestations": "when-false",
  "security.on_signature_failure": "stricter-mode",
  "security.trusted_keys": "subset",
  "security.trusted_identities": "subset",
  "security.trusted_registries": "subset",
  "security.allowed_issuers": "issuers",
  "security.revoked_keys": "union",
  "security.signing_delegates": "delegates",
  // Which method `--sign` uses trusts nothing by itself; the key and servers it uses stay the user's.
  "security.signing_method": "always",
};

/** Why a key is never taken from an untrusted project (`gpg_home`, `gpg_key`, `signing_key`, `sigstore.*`). */
const NEVER: Record<string, string> = {
  "security.gpg_home": "a project may not pick the GnuPG home: its gpg.conf can run programs",
  "security.gpg_key": "a project may not pick which gpg key signs",
  "security.signing_key": "a project may not pick which key signs",
};
const SIGSTORE_NEVER = "a project may not pick Sigstore servers: your OIDC token and signatures would go there";

const STRICTNESS: Record<OnSignatureFailure, number> = { ignore: 0, warn: 1, error: 2 };

function getPath(obj: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, key: string, v: unknown): void {
  const parts = key.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]] = v;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function quoteList(xs: string[]): string {
  const shown = xs.slice(0, 3).map((x) => `"${x}"`).join(", ");
  return xs.length > 3 ? `${shown} and ${xs.length - 3} more` : shown;
}

/** One key of an untrusted project file: the value to apply, or why it is ignored. */
type Verdict = { apply: unknown } | { ignore: string };

function judge(key: string, value: unknown, user: ResolvedConfig): Verdict {
  if (key.startsWith("security.sigstore.")) return { ignore: SIGSTORE_NEVER };
  if (NEVER[key]) return { ignore: NEVER[key] };
  const mine = getPath(user, key);
  switch (RULES[key]) {
    case "when-true":
      return value === true ? { apply: true } : { ignore: `would turn ${key.slice("security.".length)} off` };
    case "when-false":
      return value === false ? { apply: false } : { ignore: `would turn ${key.slice("security.".length)} on` };
    case "stricter-mode": {
      const theirs = value as OnSignatureFailure;
      const ours = (FAILURE_MODES.includes(mine as OnSignatureFailure) ? mine : "warn") as OnSignatureFailure;
      return STRICTNESS[theirs] >= STRICTNESS[ours] ? { apply: theirs } : { ignore: `"${theirs}" is looser than your "${ours}"` };
    }
    case "subset": {
      const extra = strings(value).filter((x) => !strings(mine).includes(x));
      return extra.length === 0 ? { apply: value } : { ignore: `would trust ${quoteList(extra)}, which you do not` };
    }
    case "issuers": {
      // An empty allowed_issuers means "any issuer": a project may narrow "any" to a list, never widen a list to "any".
      const ours = strings(mine);
      if (ours.length === 0) return { apply: value };
      if (strings(value).length === 0) return { ignore: "an empty list would allow any issuer" };
      const extra = strings(value).filter((x) => !ours.includes(x));
      return extra.length === 0 ? { apply: value } : { ignore: `would allow ${quoteList(extra)}, which you do not` };
    }
    case "union":
      return { apply: [...new Set([...strings(mine), ...strings(value)])] };
    case "always":
      return { apply: value };
    case "delegates": // handled entry by entry in delegates()
    default:
      return { ignore: "not a setting a project may change before `aam config trust-project`" };
  }
}

/** Is every package pattern of `theirs` within what `ours` already allows? (`null`: not limited.) */
function narrows(theirs: string[], ours: string[] | null): boolean {
  if (ours === null) return true;
  return theirs.every((p) => ours.includes(p) || ours.includes("*") || (!p.includes("*") && ours.some((o) => matchesPackagePattern(o, p))));
}

/**
 * `signing_delegates`: only entries that narrow a key or identity the user already trusts. The
 * user's entries stay (dropping one would widen that key back to every package).
 */
function delegates(value: Record<string, string[]>, user: ResolvedConfig, ignored: IgnoredSetting[]): Record<string, string[]> {
  const mine = user.security.signing_delegates;
  const trusted = new Set([...user.security.trusted_keys, ...user.security.trusted_identities]);
  const out: Record<string, string[]> = structuredClone(mine);
  for (const [who, patterns] of Object.entries(value)) {
    const key = `security.signing_delegates.${who}`;
    if (!trusted.has(who)) ignored.push({ key, reason: "names a key or identity you do not trust" });
    else if (!narrows(patterns, Object.hasOwn(mine, who) ? mine[who] : null)) ignored.push({ key, reason: `would let it sign ${quoteList(patterns)}, more than you allow` });
    else out[who] = [...patterns];
  }
  return out;
}

/**
 * `registries`: a project adds registries; it never moves one the user configured (same name,
 * other location) and never takes "default" from the user's default registry.
 */
function registries(value: RegistryEntry[], user: ResolvedConfig, ignored: IgnoredSetting[]): RegistryEntry[] {
  const mine = user.registries;
  const out = structuredClone(mine);
  const userHasDefault = mine.length > 0; // an explicit default, or the only registry (location.ts)
  for (const r of value) {
    const key = `registries[${r.name}]`;
    const same = mine.find((m) => m.name === r.name);
    if (same) {
      if (same.url !== r.url) ignored.push({ key, reason: `would move your registry "${r.name}" from ${same.url} to ${r.url}` });
      else if (r.default === true && same.default !== true) ignored.push({ key: `${key}.default`, reason: `would make "${r.name}" the default instead of yours` });
      if (same.url === r.url && JSON.stringify(r.attestation ?? null) !== JSON.stringify(same.attestation ?? null)) ignored.push({ key: `${key}.attestation`, reason: `would change the attestation keys you pinned for "${r.name}"` });
      continue;
    }
    if (r.default === true && userHasDefault) {
      ignored.push({ key: `${key}.default`, reason: `would make "${r.name}" the default instead of yours` });
      out.push({ name: r.name, url: r.url });
    } else out.push(structuredClone(r));
  }
  // Adding a registry must not unseat the user's only registry as the implicit default.
  if (mine.length === 1 && mine[0].default !== true && out.length > 1) out[0] = { ...out[0], default: true };
  return out;
}

/**
 * The configuration in effect for a project folder, and what of the project file is left out.
 *
 * @param user The user's file (only set keys); `{ security: {} }` when there is none.
 * @param project The project's file (only set keys), or null.
 * @param trusted Whether `aam config trust-project` recorded this exact file: then it applies whole.
 * @returns `effective` (defaults < user < allowed project settings) and `ignored`, in table order.
 *
 * @example Untrusted: turning signatures off is ignored, turning them on applies
 * ```ts
 * applyProjectConfig({ security: { require_signature: true } }, { security: { require_signature: false } }, false).ignored;
 * // [{ key: "security.require_signature", reason: "would turn require_signature off" }]
 * ```
 */
export function applyProjectConfig(user: Config, project: Config | null, trusted: boolean): ProjectPolicyResult {
  if (!project) return { effective: mergeConfigs(user), ignored: [] };
  if (trusted) return { effective: mergeConfigs(user, project), ignored: [] };
  const base = mergeConfigs(user);
  const ignored: IgnoredSetting[] = [];
  const allowed: Record<string, unknown> = { security: {} };
  for (const spec of CONFIG_KEYS) {
    const value = getPath(project, spec.key);
    if (value === undefined || value === null) continue;
    if (spec.key === "registries") setPath(allowed, spec.key, registries(value as RegistryEntry[], base, ignored));
    else if (RULES[spec.key] === "delegates") setPath(allowed, spec.key, delegates(value as Record<string, string[]>, base, ignored));
    else if (JSON.stringify(value) === JSON.stringify(getPath(base, spec.key))) continue; // the user's value already: changes nothing
    else {
      const v = judge(spec.key, value, base);
      if ("apply" in v) setPath(allowed, spec.key, v.apply);
      else ignored.push({ key: spec.key, reason: v.ignore });
    }
  }
  return { effective: mergeConfigs(user, allowed as unknown as Config), ignored };
}

/**
 * The one warning for ignored project settings, naming each key and the command that trusts the
 * file. Printed once per command, on stderr.
 */
export function ignoredProjectWarning(projectFile: string, ignored: IgnoredSetting[]): string {
  const keys = ignored.map((i) => `${i.key} (${i.reason})`).join("; ");
  return `${projectFile} is not trusted, so its settings that would loosen security are ignored: ${keys}. If you trust this project, review the file and run \`aam config trust-project\``;
}
