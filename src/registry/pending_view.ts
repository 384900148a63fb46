/**
 * The registry as it is once a pending journal is applied (a writer killed after its commit point:
 * the next write finishes it). Readers that check the signed snapshot (`registry verify`, a pinned
 * registry's read paths) take the journal's files and audit append, so a kill while bins and
 * snapshot.json are being renamed into place is not taken for tampering. Only the files a journal
 * may name are taken (journal.ts checks the same when applying it).
 */
import { JOURNAL_FILE } from "./layout.ts";
import { isJournalTarget } from "./journal.ts";
import type { RegistrySource } from "./source.ts";
import { toFsName } from "../manifest/name.ts";
import { parseMetadata, type Metadata } from "./metadata.ts";

export interface PendingView {
  /** Registry-relative path → text, for the files the journal will write. */
  files: Map<string, string>;
  /** The audit log with the journal's append applied. */
  audit: string;
  /** Registry-relative paths the journal removes. */
  removed: Set<string>;
}

/** The journal's view over `source` (none over HTTP: a static server has no writer mid-write). */
export async function pendingView(source: RegistrySource, audit = ""): Promise<PendingView> {
  const files = new Map<string, string>();
  const removed = new Set<string>();
  if (source.kind === "http") return { files, audit, removed };
  const text = await source.readText(JOURNAL_FILE);
  if (text === null) return { files, audit, removed };
  try {
    const j = JSON.parse(text) as { format?: number; files?: { rel?: unknown; text?: unknown }[]; audit?: { offset?: unknown; text?: unknown } | null; remove?: unknown[] };
    for (const f of j.files ?? []) if (typeof f.rel === "string" && typeof f.text === "string" && isJournalTarget(f.rel)) files.set(f.rel, f.text);
    for (const rel of Array.isArray(j.remove) ? j.remove : []) if (typeof rel === "string" && isJournalTarget(rel)) removed.add(rel);
    const a = j.audit;
    if (a && typeof a.offset === "number" && typeof a.text === "string") {
      const bytes = new TextEncoder().encode(audit);
      if (a.offset <= bytes.length) audit = new TextDecoder().decode(bytes.subarray(0, a.offset)) + a.text;
    }
  } catch {
    // A journal that does not parse is reported by the write that tries to finish it; read the files as they are.
  }
  return { files, audit, removed };
}

/** A reader of one file through the view: the journal's text when it names the file, else the source's bytes. */
export function viewBytes(source: RegistrySource, view: PendingView): (rel: string) => Promise<Uint8Array | null> {
  return async (rel) => (view.removed.has(rel) ? null : view.files.has(rel) ? new TextEncoder().encode(view.files.get(rel)!) : await source.readBytes(rel));
}

/**
 * Each package's metadata as the view has it (the journal's copy when it names the file), so checks
 * that pair metadata with the audit log read both from the same state. A journal copy that does not
 * parse is reported through `fail` and the file on disk is used.
 */
export function metasThroughView(view: PendingView, metas: readonly Metadata[], location: string, fail: (e: unknown) => void): Metadata[] {
  return metas.map((m) => {
    const rel = `packages/${toFsName(m.name)}/metadata.yaml`;
    try {
      return view.files.has(rel) ? parseMetadata(view.files.get(rel)!, `${location}/${rel}`) : m;
    } catch (e) {
      fail(e);
      return m;
    }
  });
}
