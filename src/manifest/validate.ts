/**
 * Schema check of a parsed `aam.yaml` (SPEC §2). Reports every problem with its field path
 * (`artifacts.skills[0].path`, `dependencies["@a/b"]`), not only the first, as `aam pkg validate`
 * needs. The input is untrusted (it may come from a downloaded archive): nothing here throws.
 */
import type { Problem } from "../errors.ts";
import { isValidName } from "./name.ts";
import { isValidRange, isValidVersion } from "./semver.ts";
import { ARTIFACT_FIELDS, ARTIFACT_KINDS, LIMITS, MANIFEST_FIELDS, type Artifact, type ArtifactKind, type Manifest } from "./schema.ts";
import { closest } from "../suggest.ts";

export interface ManifestValidation {
  /**
   * The manifest. Valid only when `problems` is empty; otherwise a best-effort value (invalid
   * fields emptied, invalid artifacts left out) so callers can still run further checks such as
   * checkArtifactPaths and report everything at once. Absent when the document is not a mapping.
   */
  manifest?: Manifest;
  problems: Problem[];
  /** Unknown fields (ignored, as npm does) and an empty description. */
  warnings: Problem[];
}

const ARTIFACT_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
// SPDX ids (MIT, Apache-2.0, GPL-2.0-or-later, LicenseRef-x, DocumentRef-a:LicenseRef-b) and a trailing "+".
const SPDX_ID_RE = /^[A-Za-z0-9][A-Za-z0-9.:-]*\+?$/;
const URL_PROTOCOLS = new Set(["http:", "https:", "git:", "ssh:", "git+https:", "git+ssh:", "git+http:"]);

/** Where a map key goes in a field path: always bracketed and quoted, as in `dependencies["@a/b"]`. */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${JSON.stringify(key)}]`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "empty";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a mapping" : `a ${typeof v}`;
}

/** Problem text for an artifact path, or undefined when it is safe. Exported for tests and pack. */
export function artifactPathProblem(p: string): string | undefined {
  if (p === "") return "must not be empty";
  if (p.length > LIMITS.artifactPath) return `must be at most ${LIMITS.artifactPath} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return "must not contain control characters";
  if (p.includes("\\")) return "must use '/' as the separator, not '\\'";
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) return "must be relative to the package folder";
  const segments = p.replace(/\/$/, "").split("/");
  if (segments.includes("..")) return "must not contain a '..' segment";
  if (segments.some((s) => s === "")) return "must not contain an empty segment ('//')";
  return undefined;
}

/** A loose SPDX check: ids joined by AND / OR / WITH with balanced parentheses, or `SEE LICENSE IN <file>`. */
export function isLicenseExpression(s: string): boolean {
  if (/^SEE LICENSE IN \S+$/.test(s) || s === "UNLICENSED") return true;
  const tokens = s.replace(/([()])/g, " $1 ").trim().split(/\s+/);
  let depth = 0;
  let wantId = true;
  for (const t of tokens) {
    if (t === "(") {
      if (!wantId) return false;
      depth++;
    } else if (t === ")") {
      if (wantId || --depth < 0) return false;
    } else if (/^(AND|OR|WITH)$/i.test(t)) {
      if (wantId) return false;
      wantId = true;
    } else {
      if (!wantId || !SPDX_ID_RE.test(t)) return false;
      wantId = false;
    }
  }
  return depth === 0 && !wantId;
}

function isUrl(s: string): boolean {
  try {
    return URL_PROTOCOLS.has(new URL(s).protocol);
  } catch {
    // Not parseable as a URL: the answer is simply "no".
    return false;
  }
}

function optionalString(m: Record<string, unknown>, field: string, max: number, problems: Problem[]): string | undefined {
  const v = m[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    problems.push({ path: field, message: `must be a string, not ${typeName(v)}` });
    return undefined;
  }
  if (v.length > max) {
    problems.push({ path: field, message: `must be at most ${max} characters (it has ${v.length})` });
    return undefined;
  }
  return v;
}

function checkName(m: Record<string, unknown>, problems: Problem[]): string {
  const v = m.name;
  if (v === undefined || v === null) problems.push({ path: "name", message: "is required, e.g. name: \"@author/my-package\"" });
  else if (typeof v !== "string") problems.push({ path: "name", message: `must be a string, not ${typeName(v)}` });
  else if (!isValidName(v)) {
    const hint = isValidName(v.toLowerCase()) ? `; names are lowercase: "${v.toLowerCase()}"` : "";
    problems.push({ path: "name", message: `"${v}" is not a valid name: lowercase letters, digits and '-', optionally @scope/, each part at most 64 characters${hint}` });
  } else return v;
  return "";
}

function checkVersion(m: Record<string, unknown>, problems: Problem[]): string {
  const v = m.version;
  if (v === undefined || v === null) problems.push({ path: "version", message: "is required, e.g. version: \"1.0.0\"" });
  else if (typeof v === "number") {
    // YAML reads `version: 1.0` as the number 1; the text the author typed is lost.
    problems.push({ path: "version", message: `must be a string: YAML read ${v} as a number; quote it and use three parts, e.g. version: "1.0.0"` });
  } else if (typeof v !== "string") problems.push({ path: "version", message: `must be a string, not ${typeName(v)}` });
  else if (!isValidVersion(v)) {
    const fix = /^v\d/.test(v) && isValidVersion(v.slice(1)) ? `; write "${v.slice(1)}"` : "";
    problems.push({ path: "version", message: `"${v}" is not a Semantic Versioning 2.0.0 version such as 1.0.0${fix}` });
  } else return v;
  return "0.0.0";
}

function checkKeywords(m: Record<string, unknown>, problems: Problem[]): string[] | undefined {
  const v = m.keywords;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    problems.push({ path: "keywords", message: `must be a list of strings, not ${typeName(v)}` });
    return undefined;
  }
  const out: string[] = [];
  v.forEach((k, i) => {
    const path = `keywords[${i}]`;
    if (typeof k !== "string" || k.trim() === "") problems.push({ path, message: "must be a non-empty string" });
    else if (k.length > LIMITS.keyword) problems.push({ path, message: `must be at most ${LIMITS.keyword} characters` });
    else out.push(k);
  });
  return out;
}

function checkArtifact(item: unknown, path: string, seen: Set<string>, problems: Problem[], warnings: Problem[]): Artifact | undefined {
  if (!isRecord(item)) {
    problems.push({ path, message: `must be a mapping {name, path, description}, not ${typeName(item)}` });
    return undefined;
  }
  const before = problems.length;
  const { name, path: p, description } = item;
  if (typeof name !== "string") problems.push({ path: `${path}.name`, message: name === undefined || name === null ? "is required" : `must be a string, not ${typeName(name)}` });
  else if (!ARTIFACT_NAME_RE.test(name)) problems.push({ path: `${path}.name`, message: `"${name}" is not a valid artifact name: lowercase letters, digits, '.', '_' and '-', at most 64 characters` });
  else if (seen.has(name)) problems.push({ path: `${path}.name`, message: `"${name}" is used by another artifact of this kind` });
  else seen.add(name);
  if (typeof p !== "string") problems.push({ path: `${path}.path`, message: p === undefined || p === null ? "is required" : `must be a string, not ${typeName(p)}` });
  else {
    const why = artifactPathProblem(p);
    if (why) problems.push({ path: `${path}.path`, message: `"${p}" ${why}` });
  }
  if (description !== undefined && description !== null) {
    if (typeof description !== "string") problems.push({ path: `${path}.description`, message: `must be a string, not ${typeName(description)}` });
    else if (description.length > LIMITS.description) problems.push({ path: `${path}.description`, message: `must be at most ${LIMITS.description} characters` });
  }
  for (const k of Object.keys(item)) {
    if (!(ARTIFACT_FIELDS as readonly string[]).includes(k)) warnings.push({ path: `${path}.${k}`, message: "unknown field (ignored)" });
  }
  if (problems.length > before) return undefined;
  return typeof description === "string" ? { name: name as string, path: p as string, description } : { name: name as string, path: p as string };
}

function checkArtifacts(m: Record<string, unknown>, problems: Problem[], warnings: Problem[]): Record<ArtifactKind, Artifact[]> {
  const out: Record<ArtifactKind, Artifact[]> = { skills: [], agents: [], prompts: [], instructions: [] };
  const v = m.artifacts;
  if (v === undefined || v === null) {
    problems.push({ path: "artifacts", message: "is required: list at least one of skills, agents, prompts, instructions" });
    return out;
  }
  if (!isRecord(v)) {
    problems.push({ path: "artifacts", message: `must be a mapping of skills, agents, prompts, instructions, not ${typeName(v)}` });
    return out;
  }
  let listed = 0;
  for (const [kind, list] of Object.entries(v)) {
    const path = `artifacts.${kind}`;
    if (!(ARTIFACT_KINDS as readonly string[]).includes(kind)) {
      const guess = closest(kind, ARTIFACT_KINDS);
      problems.push({ path, message: `unknown artifact kind "${kind}": use skills, agents, prompts or instructions${guess ? ` (did you mean "${guess}"?)` : ""}` });
      continue;
    }
    if (list === null) continue; // `agents:` with nothing after it: an empty list
    if (!Array.isArray(list)) {
      problems.push({ path, message: `must be a list, not ${typeName(list)}` });
      continue;
    }
    const seen = new Set<string>();
    list.forEach((item, i) => {
      listed++;
      const a = checkArtifact(item, `${path}[${i}]`, seen, problems, warnings);
      if (a) out[kind as ArtifactKind].push(a);
    });
  }
  if (listed === 0 && !problems.some((p) => p.path.startsWith("artifacts"))) {
    problems.push({ path: "artifacts", message: "must list at least one artifact (skills, agents, prompts or instructions)" });
  }
  return out;
}

function checkDependencies(m: Record<string, unknown>, self: string, problems: Problem[]): Record<string, string> | undefined {
  const v = m.dependencies;
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) {
    problems.push({ path: "dependencies", message: `must be a mapping of package name to version range, not ${typeName(v)}` });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [dep, range] of Object.entries(v)) {
    const path = keyPath("dependencies", dep);
    let ok = true;
    if (!isValidName(dep)) {
      problems.push({ path, message: `"${dep}" is not a valid package name` });
      ok = false;
    } else if (dep === self) {
      problems.push({ path, message: "a package cannot depend on itself" });
      ok = false;
    }
    if (typeof range === "number") {
      problems.push({ path, message: `must be a string: YAML read ${range} as a number; quote it, e.g. "^1.0.0"` });
    } else if (typeof range !== "string") {
      problems.push({ path, message: `must be a version range string such as "^1.0.0", not ${typeName(range)}` });
    } else if (!isValidRange(range)) {
      problems.push({ path, message: `"${range}" is not a version range: use 1.2.3, >=1.2.3, ^1.2.3, ~1.2.3 or *` });
    } else if (ok) out[dep] = range;
  }
  return out;
}

/**
 * Checks a parsed `aam.yaml` against SPEC §2 and gathers every problem.
 * @param value what parseYaml returned (untrusted)
 * @returns the manifest (valid when `problems` is empty), every problem and every warning
 */
export function validateManifest(value: unknown): ManifestValidation {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  if (!isRecord(value)) {
    problems.push({ path: "(root)", message: `aam.yaml must be a mapping with name, version, description and artifacts, not ${typeName(value)}` });
    return { problems, warnings };
  }
  const name = checkName(value, problems);
  const version = checkVersion(value, problems);
  let description = "";
  if (value.description === undefined || value.description === null) {
    problems.push({ path: "description", message: `is required: one line, at most ${LIMITS.description} characters` });
  } else description = optionalString(value, "description", LIMITS.description, problems) ?? "";
  if (typeof value.description === "string" && value.description.trim() === "") {
    warnings.push({ path: "description", message: "is empty: `aam search` and `aam info` show it" });
  }
  const author = optionalString(value, "author", LIMITS.author, problems);
  let license = optionalString(value, "license", LIMITS.license, problems);
  if (license !== undefined && !isLicenseExpression(license)) {
    problems.push({ path: "license", message: `"${license}" is not an SPDX license identifier or expression, e.g. MIT, Apache-2.0, "MIT OR Apache-2.0"` });
    license = undefined;
  }
  let repository = optionalString(value, "repository", LIMITS.repository, problems);
  if (repository !== undefined && !isUrl(repository)) {
    problems.push({ path: "repository", message: `"${repository}" is not a URL (http, https, git, ssh, git+https or git+ssh)` });
    repository = undefined;
  }
  const keywords = checkKeywords(value, problems);
  const artifacts = checkArtifacts(value, problems, warnings);
  const dependencies = checkDependencies(value, name, problems);
  for (const k of Object.keys(value)) {
    if ((MANIFEST_FIELDS as readonly string[]).includes(k)) continue;
    const guess = closest(k, MANIFEST_FIELDS);
    warnings.push({ path: k, message: `unknown field (ignored)${guess ? `; did you mean "${guess}"?` : ""}` });
  }
  const manifest: Manifest = { name, version, description, artifacts };
  if (author !== undefined) manifest.author = author;
  if (license !== undefined) manifest.license = license;
  if (repository !== undefined) manifest.repository = repository;
  if (keywords !== undefined) manifest.keywords = keywords;
  if (dependencies !== undefined) manifest.dependencies = dependencies;
  return { manifest, problems, warnings };
}
