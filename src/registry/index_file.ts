/** `index.yaml` (SPEC §4): a flat search index rebuilt from every metadata.yaml on each change. */
import type { Metadata } from "./metadata.ts";
import { parseYaml, stringifyYaml } from "../encoding/yaml.ts";
import { AamError } from "../errors.ts";

export interface IndexEntry {
  name: string;
  description: string;
  latest: string;
  keywords: string[];
  artifact_types: string[];
  signed: boolean;
  updated_at: string;
}

export interface IndexFile {
  packages: IndexEntry[];
}

export function indexEntryFor(m: Metadata): IndexEntry {
  const latest = m.dist_tags.latest ?? "";
  const rec = m.versions.find((v) => v.version === latest);
  const updated = m.versions.reduce((acc, v) => (v.published > acc ? v.published : acc), "");
  return {
    name: m.name,
    description: m.description,
    latest,
    keywords: m.keywords,
    artifact_types: m.artifact_types ?? [],
    signed: Boolean(rec?.signatures && rec.signatures.length > 0),
    updated_at: updated,
  };
}

export function buildIndex(all: Metadata[]): IndexFile {
  const packages = all.map(indexEntryFor).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { packages };
}

export function serializeIndex(idx: IndexFile): string {
  return stringifyYaml(idx);
}

export function parseIndex(text: string, file: string): IndexFile {
  const doc = parseYaml(text, file) as { packages?: unknown } | null;
  if (doc === null || doc === undefined) return { packages: [] };
  if (typeof doc !== "object" || (doc.packages !== undefined && doc.packages !== null && !Array.isArray(doc.packages))) {
    throw new AamError("Error", `Invalid registry file "${file}": packages must be a list`, {
      file,
      field: "packages",
      hint: "rebuild it with any write (publish, dist-tag), or restore it from version control",
    });
  }
  const packages: IndexEntry[] = [];
  for (const p of (doc.packages as unknown[]) ?? []) {
    if (typeof p !== "object" || p === null) continue;
    const e = p as Record<string, unknown>;
    if (typeof e.name !== "string") continue;
    packages.push({
      name: e.name,
      description: typeof e.description === "string" ? e.description : "",
      latest: typeof e.latest === "string" ? e.latest : String(e.latest ?? ""),
      keywords: Array.isArray(e.keywords) ? e.keywords.filter((k): k is string => typeof k === "string") : [],
      artifact_types: Array.isArray(e.artifact_types) ? e.artifact_types.filter((k): k is string => typeof k === "string") : [],
      signed: e.signed === true,
      updated_at: typeof e.updated_at === "string" ? e.updated_at : "",
    });
  }
  return { packages };
}

/** Case-insensitive match on name, description and keywords. */
export function searchIndex(idx: IndexFile, query: string | undefined, filter?: "signed" | "unsigned"): IndexEntry[] {
  const q = (query ?? "").toLowerCase();
  return idx.packages.filter((p) => {
    if (filter === "signed" && !p.signed) return false;
    if (filter === "unsigned" && p.signed) return false;
    if (!q) return true;
    return (
      p.name.toLowerCase().includes(q) ||
      p.description.toLowerCase().includes(q) ||
      p.keywords.some((k) => k.toLowerCase().includes(q))
    );
  });
}
