/**
 * `metadata.yaml` of one package (SPEC §4): parsed as untrusted input, schema-checked with field
 * paths, and updated through pure functions that return new documents.
 */
import { AamError, type Problem } from "../errors.ts";
import { isChecksum } from "../encoding/sha256.ts";
import { parseYaml, stringifyYaml } from "../encoding/yaml.ts";

export interface SignatureSummary {
  algorithm: string;
  key_fingerprint?: string;
  identity?: string;
  signed_at?: string;
}

/** A registry's refusal of a version (`aam registry reject`, SPEC §5a). */
export interface Rejection {
  reason: string;
  at: string;
}

export interface VersionRecord {
  version: string;
  published: string;
  checksum: string;
  size: number;
  dependencies: Record<string, string>;
  yanked: boolean;
  signatures?: SignatureSummary[];
  /** Present when the registry rejected the version: never installed, verified as good or prepared. */
  rejected?: Rejection;
}

export interface Metadata {
  name: string;
  description: string;
  author?: string;
  license?: string;
  keywords: string[];
  /** AAM addition: the artifact kinds of the latest version, so index.yaml is rebuilt without opening archives. */
  artifact_types?: string[];
  dist_tags: Record<string, string>;
  versions: VersionRecord[];
  /** Who may publish new versions (SPEC §4): key fingerprints or Sigstore identities. */
  owners?: string[];
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function stringMap(v: unknown, path: string, problems: Problem[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    problems.push({ path, message: "must be a mapping" });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!isStr(val)) problems.push({ path: `${path}.${k}`, message: "must be a string" });
    else out[k] = val;
  }
  return out;
}

/** Checks a parsed metadata document; every problem is collected with its field path. */
export function toMetadata(doc: unknown, file: string): Metadata {
  const problems: Problem[] = [];
  if (!isObj(doc)) {
    throw new AamError("Error", `Invalid registry file "${file}": not a mapping`, {
      file,
      hint: "restore metadata.yaml from version control, then run `aam registry verify`",
    });
  }
  if (!isStr(doc.name)) problems.push({ path: "name", message: "must be a string" });
  const versions: VersionRecord[] = [];
  if (!Array.isArray(doc.versions)) problems.push({ path: "versions", message: "must be a list" });
  else {
    doc.versions.forEach((v: unknown, i: number) => {
      const p = `versions[${i}]`;
      if (!isObj(v)) return problems.push({ path: p, message: "must be a mapping" });
      const version = typeof v.version === "number" ? String(v.version) : v.version;
      if (!isStr(version)) problems.push({ path: `${p}.version`, message: "must be a string" });
      if (!isChecksum(v.checksum)) problems.push({ path: `${p}.checksum`, message: "must be sha256:<64 lowercase hex>" });
      if (typeof v.size !== "number" || !Number.isSafeInteger(v.size) || v.size < 0)
        problems.push({ path: `${p}.size`, message: "must be a non-negative integer" });
      const published = v.published instanceof Date ? v.published.toISOString() : v.published;
      if (published !== undefined && !isStr(published)) problems.push({ path: `${p}.published`, message: "must be a string" });
      if (v.yanked !== undefined && typeof v.yanked !== "boolean") problems.push({ path: `${p}.yanked`, message: "must be true or false" });
      const signatures = v.signatures === undefined || v.signatures === null ? undefined : v.signatures;
      if (signatures !== undefined && !Array.isArray(signatures)) problems.push({ path: `${p}.signatures`, message: "must be a list" });
      // A YAML reader may give a timestamp as a Date, as for `published`.
      const rejected = v.rejected === undefined || v.rejected === null ? undefined : isObj(v.rejected) && v.rejected.at instanceof Date ? { ...v.rejected, at: v.rejected.at.toISOString().replace(/\.\d{3}Z$/, "Z") } : v.rejected;
      if (rejected !== undefined && !(isObj(rejected) && isStr(rejected.reason) && rejected.reason !== "" && isStr(rejected.at)))
        problems.push({ path: `${p}.rejected`, message: "must be {reason, at}" });
      versions.push({
        version: version as string,
        published: (published as string) ?? "",
        checksum: v.checksum as string,
        size: v.size as number,
        dependencies: stringMap(v.dependencies, `${p}.dependencies`, problems),
        yanked: v.yanked === true,
        ...(Array.isArray(signatures) ? { signatures: signatures.filter(isObj) as unknown as SignatureSummary[] } : {}),
        ...(isObj(rejected) && isStr(rejected.reason) && isStr(rejected.at) ? { rejected: { reason: rejected.reason, at: rejected.at } } : {}),
      });
    });
  }
  const keywords = Array.isArray(doc.keywords) ? doc.keywords.filter(isStr) : [];
  const seen = new Set<string>();
  for (const v of versions) {
    if (seen.has(v.version)) problems.push({ path: "versions", message: `version ${v.version} is listed twice` });
    seen.add(v.version);
  }
  const distTags = stringMap(doc.dist_tags, "dist_tags", problems);
  const owners = doc.owners === undefined || doc.owners === null ? undefined : doc.owners;
  if (owners !== undefined && !(Array.isArray(owners) && owners.every(isStr))) problems.push({ path: "owners", message: "must be a list of fingerprints or identities" });
  if (problems.length > 0) {
    throw new AamError("Error", `Invalid registry file "${file}": ${problems.length} problem(s)`, {
      file,
      problems,
      hint: "restore metadata.yaml from version control, then run `aam registry verify`",
    });
  }
  return {
    name: doc.name as string,
    description: isStr(doc.description) ? doc.description : "",
    ...(isStr(doc.author) ? { author: doc.author } : {}),
    ...(isStr(doc.license) ? { license: doc.license } : {}),
    keywords,
    ...(Array.isArray(doc.artifact_types) ? { artifact_types: doc.artifact_types.filter(isStr) } : {}),
    dist_tags: distTags,
    versions,
    ...(Array.isArray(owners) ? { owners: owners as string[] } : {}),
  };
}

export function parseMetadata(text: string, file: string): Metadata {
  return toMetadata(parseYaml(text, file), file);
}

export function serializeMetadata(m: Metadata): string {
  return stringifyYaml(m);
}

export function findVersion(m: Metadata, version: string): VersionRecord | undefined {
  return m.versions.find((v) => v.version === version);
}
