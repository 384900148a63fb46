/**
 * `index.yaml` (SPEC §4): a flat search index, updated on each change. AAM writes it in the line
 * form of index_lines.ts; the block YAML of the Python AAM and of earlier AAM versions is read too.
 */
import type { Metadata } from "./metadata.ts";
import { MAX_YAML_BYTES, parseYaml } from "../encoding/yaml.ts";
import { AamError } from "../errors.ts";
import { MAX_INDEX_ENTRIES } from "../read_limits.ts";
import { INDEX_OPEN, entryBody, entryLine, indexText, type IndexEntry } from "./index_lines.ts";

export type { IndexEntry };

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

const byName = (a: IndexEntry, b: IndexEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function buildIndex(all: Metadata[]): IndexFile {
  return { packages: all.map(indexEntryFor).sort(byName) };
}

/** The index in AAM's line form, sorted by name. */
export function serializeIndex(idx: IndexFile): string {
  return indexText([...idx.packages].sort(byName).map(entryLine));
}

/** True when the first line that is not blank or a comment opens AAM's line form. */
function isLineForm(text: string): boolean {
  const m = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*([^\n]*)/.exec(text);
  return m !== null && m[1].replace(/\r$/, "") === INDEX_OPEN;
}

/** An entry line's package, or null for a line that is not one (skipped, as malformed entries are). */
export function parseEntryLine(line: string): IndexEntry | null {
  const body = entryBody(line);
  if (body === null) return null;
  try {
    return toIndexEntry(JSON.parse(body));
  } catch {
    return null;
  }
}

export function parseIndex(text: string, file: string): IndexFile {
  if (isLineForm(text)) {
    // JSON is a subset of YAML: the line form parses as JSON once the comment lines are dropped.
    try {
      const doc = JSON.parse(text.replace(/^[ \t]*#[^\n]*$/gm, "")) as { packages?: unknown };
      if (Array.isArray(doc?.packages)) return { packages: doc.packages.map(toIndexEntry).filter((e): e is IndexEntry => e !== null) };
    } catch {
      // not JSON after all (a hand edit): the YAML reader below decides
    }
  }
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
    const e = toIndexEntry(p);
    if (e) packages.push(e);
  }
  return { packages };
}

function toIndexEntry(p: unknown): IndexEntry | null {
  if (typeof p !== "object" || p === null) return null;
  const e = p as Record<string, unknown>;
  if (typeof e.name !== "string") return null;
  return {
    name: e.name,
    description: typeof e.description === "string" ? e.description : "",
    latest: typeof e.latest === "string" ? e.latest : String(e.latest ?? ""),
    keywords: Array.isArray(e.keywords) ? e.keywords.filter((k): k is string => typeof k === "string") : [],
    artifact_types: Array.isArray(e.artifact_types) ? e.artifact_types.filter((k): k is string => typeof k === "string") : [],
    signed: e.signed === true,
    updated_at: typeof e.updated_at === "string" ? e.updated_at : "",
  };
}

/** Entries are parsed in batches of about this many characters. */
const BATCH_CHARS = 256 * 1024;

/**
 * Parses index.yaml as it streams in (SPEC §10: up to 256 MiB, read as a stream; the source bounds
 * the bytes). The form AAM writes (`packages:` then `  - ` items) is parsed a batch of whole items at
 * a time, so the text is never held whole; any other form is parsed whole, and only up to the 16 MiB
 * every YAML document is allowed. At most MAX_INDEX_ENTRIES packages are kept, which bounds memory.
 * @throws {AamError} Error when the index is malformed, lists too many packages, or is larger than
 *   16 MiB and not in AAM's form
 */
export async function parseIndexStream(chunks: AsyncIterable<Uint8Array>, file: string): Promise<IndexFile> {
  const decoder = new TextDecoder();
  let whole: string[] | null = []; // the text so far, kept for the fallback while it is small
  let wholeChars = 0;
  let pending: string[] = []; // a line not yet ended
  let pendingChars = 0;
  let state = "start" as "start" | "items" | "lines" | "other";
  const packages: IndexEntry[] = [];
  let batch: string[] = [];
  let batchChars = 0;
  const flush = () => {
    if (batch.length === 0) return;
    for (const p of parseIndex("packages:\n" + batch.join("\n"), file).packages) packages.push(p);
    if (packages.length > MAX_INDEX_ENTRIES) throw tooMany();
    batch = [];
    batchChars = 0;
  };
  const tooMany = () =>
    new AamError("Error", `Cannot read "${file}": it lists more than ${MAX_INDEX_ENTRIES} packages`, {
      file,
      expected: `at most ${MAX_INDEX_ENTRIES} packages`,
      hint: "the index is not one AAM wrote, or was tampered with; restore it from version control",
    });
  const tooLarge = () =>
    new AamError("Error", `Cannot read "${file}": larger than ${MAX_YAML_BYTES} bytes and not in the form AAM writes`, {
      file,
      hint: "rebuild it with any write (publish, dist-tag), or restore it from version control",
    });
  const line = (l: string) => {
    if (state === "start") {
      if (l.trim() === "" || l.startsWith("#")) return;
      state = l === "packages:" ? "items" : l === INDEX_OPEN ? "lines" : "other";
      if (state === "lines") whole = null; // read line by line: the fallback is not needed
      return;
    }
    if (state === "lines") {
      const e = parseEntryLine(l);
      if (e === null) return;
      packages.push(e);
      if (packages.length > MAX_INDEX_ENTRIES) throw tooMany();
      return;
    }
    if (state !== "items") return;
    if (l.startsWith("  - ")) {
      if (batchChars >= BATCH_CHARS) flush();
    } else if (!(l.startsWith("    ") || l.trim() === "")) {
      state = "other";
      return;
    }
    batch.push(l);
    batchChars += l.length + 1;
    // A batch is whole items of about BATCH_CHARS; one item alone may not pass the document limit.
    if (batchChars > BATCH_CHARS + MAX_YAML_BYTES) throw tooLarge();
  };
  const take = (text: string) => {
    if (whole) {
      whole.push(text);
      wholeChars += text.length;
      if (wholeChars > MAX_YAML_BYTES) whole = null; // only the item form can go on from here
    }
    // Pieces of an unfinished line are joined once it ends: joining per chunk would copy a long line
    // over and over (an endless line cost seconds and hundreds of MiB that way).
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      pending.push(text.slice(start, nl));
      const l = pending.join("");
      pending = [];
      pendingChars = 0;
      line(l.endsWith("\r") ? l.slice(0, -1) : l);
      start = nl + 1;
    }
    if (start < text.length) {
      pending.push(text.slice(start));
      pendingChars += text.length - start;
    }
    if ((state === "other" && whole === null) || pendingChars > MAX_YAML_BYTES) throw tooLarge();
  };
  for await (const c of chunks) take(decoder.decode(c, { stream: true }));
  take(decoder.decode());
  if (pending.length > 0) line(pending.join(""));
  if (state === "items" || state === "lines") {
    flush();
    return { packages };
  }
  if (whole === null) throw tooLarge();
  return parseIndex(whole.join(""), file);
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
