/** `registry.yaml` and the optional `.env` (SPEC §4). */
import { parseYaml, stringifyYaml } from "../encoding/yaml.ts";
import { AamError } from "../errors.ts";

export interface RegistryInfo {
  name: string;
  description: string;
  api_version: number;
  created_at: string;
  require_signatures: boolean;
}

export function parseRegistryFile(text: string, envText: string | null, file: string): RegistryInfo {
  const doc = parseYaml(text, file);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new AamError("Error", `Invalid registry file "${file}": not a mapping`, {
      file,
      hint: "restore registry.yaml, or create a registry with `aam registry init <dir>`",
    });
  }
  const d = doc as Record<string, unknown>;
  if (d.api_version !== undefined && d.api_version !== 1) {
    throw new AamError("Error", `Cannot read registry "${file}": api_version ${String(d.api_version)} is not supported`, {
      file,
      field: "api_version",
      hint: "upgrade aam to a version that reads this registry",
    });
  }
  return {
    name: typeof d.name === "string" ? d.name : "",
    description: typeof d.description === "string" ? d.description : "",
    api_version: 1,
    created_at: d.created_at instanceof Date ? d.created_at.toISOString() : String(d.created_at ?? ""),
    require_signatures: d.require_signatures === true || envRequiresSignatures(envText),
  };
}

/** `.env` with REQUIRE_SIGNATURES=true (or 1/yes) makes the registry require signatures. */
export function envRequiresSignatures(envText: string | null): boolean {
  if (!envText) return false;
  for (const raw of envText.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?REQUIRE_SIGNATURES\s*=\s*["']?([^"'#\s]*)["']?/.exec(raw);
    if (m) return ["true", "1", "yes"].includes(m[1].toLowerCase());
  }
  return false;
}

export function serializeRegistryFile(info: RegistryInfo): string {
  return stringifyYaml(info);
}

/** registry.yaml's `attestation_keys`, lowercase (SPEC §5a: listed, never trusted by presence). */
export function attestationKeysOf(text: string, file: string): string[] {
  const doc = parseYaml(text, file) as Record<string, unknown> | null;
  return Array.isArray(doc?.attestation_keys) ? doc.attestation_keys.filter((k): k is string => typeof k === "string").map((k) => k.toLowerCase()) : [];
}

/**
 * registry.yaml's text with `fingerprints` added to `attestation_keys` (SPEC §5a: listed for
 * convenience, never trusted by presence), the rest of the file untouched; null when they are all
 * listed already, or when the list is not in the one-line form AAM writes (then it is left as it is).
 */
export function withAttestationKeys(text: string, fingerprints: readonly string[], file: string): string | null {
  const doc = parseYaml(text, file) as Record<string, unknown> | null;
  const listed = Array.isArray(doc?.attestation_keys) ? doc.attestation_keys.filter((k): k is string => typeof k === "string") : [];
  const all = [...new Set([...listed, ...fingerprints])].sort();
  if (all.length === listed.length) return null;
  const line = `attestation_keys: [${all.join(", ")}]`;
  const one = /^attestation_keys:[ \t]*\[[^\n\]]*\][ \t]*$/m;
  if (doc && Object.hasOwn(doc, "attestation_keys")) return one.test(text) ? text.replace(one, line) : null;
  return `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`;
}
