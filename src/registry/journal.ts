/**
 * The write-ahead journal of a registry change (SPEC §4): the new metadata.yaml whole, the staged
 * index.yaml to rename into place, and the audit.log append as (offset, text). Renaming the journal
 * into place is the commit point; applying it is idempotent, so a writer killed after the commit
 * leaves work the next writer finishes (roll forward), and one killed before leaves nothing but
 * unreferenced archives (which `registry verify` reports as warnings and a retry overwrites).
 * Its size does not grow with the registry: neither the index nor the log is copied into it.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { applyAuditAppend, type AuditAppend } from "./audit_tail.ts";
import { AUDIT_LOG_FILE, INDEX_FILE, JOURNAL_FILE, STAGED_INDEX_FILE } from "./layout.ts";
import { INDEX_LIMIT } from "../read_limits.ts";

export interface Journal {
  format: 2;
  files: { rel: string; text: string }[];
  /** Set when the staged index (STAGED_INDEX_FILE) is to replace index.yaml. */
  index: boolean;
  audit: AuditAppend | null;
  /** `.sig` files to remove (a reject taking out a .sig that held only the registry's attestations). */
  remove?: string[];
}

/** Format 1 (earlier versions) carried index.yaml and audit.log whole; still finished when found. */
interface JournalV1 {
  format: 1;
  files: { rel: string; text: string }[];
}

// Only these files may be named by a journal: a planted journal must not write elsewhere.
const JOURNAL_TARGET = /^(index\.yaml|audit\.log|packages\/[a-z0-9][a-z0-9_-]{0,140}\/metadata\.yaml)$/;
/** Format 2 names metadata.yaml files, and registry.yaml and the signed snapshot (SPEC §5a): bins first, then the root. */
export const METADATA_TARGET = /^(registry\.yaml|packages\/[a-z0-9][a-z0-9_-]{0,140}\/metadata\.yaml|snapshot\.json|snapshot\/bins\/[0-9a-f]{2}\.json)$/;
/**
 * A version's `.sig` (either layout, SPEC §4). A reject rewrites it after the commit point, with the
 * rest: written before, a kill would leave a version neither rejected nor attested any more.
 */
const SIG_TARGET = /^packages\/[a-z0-9][a-z0-9_-]{0,140}\/(versions\/)?[0-9A-Za-z][0-9A-Za-z.+-]{0,127}\.sig$/;

/** Whether a format-2 journal may name `rel` (a planted journal must not write elsewhere). */
export function isJournalTarget(rel: string): boolean {
  return METADATA_TARGET.test(rel) || SIG_TARGET.test(rel);
}

const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));

function parseJournal(text: string, file: string): Journal | JournalV1 {
  const bad = (field: string) =>
    new AamError("Error", `Cannot finish the interrupted registry write in "${file}": ${field} is invalid`, {
      file,
      field,
      hint: `the journal was edited by hand; delete "${file}", then run \`aam registry verify\``,
    });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad("(document)"); // written atomically, so only a hand edit gets here
  }
  const j = doc as Partial<Journal> | Partial<JournalV1>;
  if (typeof j !== "object" || j === null || (j.format !== 1 && j.format !== 2)) throw bad("format");
  if (!Array.isArray(j.files)) throw bad("files");
  const target = j.format === 1 ? (rel: string) => JOURNAL_TARGET.test(rel) : isJournalTarget;
  j.files.forEach((f, i) => {
    if (typeof f !== "object" || f === null || typeof f.rel !== "string" || !target(f.rel)) throw bad(`files[${i}].rel`);
    if (typeof f.text !== "string") throw bad(`files[${i}].text`);
  });
  if (j.format === 2) {
    if (typeof j.index !== "boolean") throw bad("index");
    const a = j.audit;
    if (a !== null && (typeof a !== "object" || !Number.isSafeInteger(a?.offset) || a.offset < 0 || typeof a.text !== "string")) throw bad("audit");
    if (j.remove !== undefined && !(Array.isArray(j.remove) && j.remove.every((r) => typeof r === "string" && SIG_TARGET.test(r)))) throw bad("remove");
  }
  return j as Journal | JournalV1;
}

/** Applies a journal (again, if need be) and removes it. */
export async function applyJournal(root: string, journal: Journal | JournalV1): Promise<void> {
  for (const f of journal.files) {
    const dest = join(root, f.rel);
    await fs.mkdirp(fs.path.dirname(dest));
    await fs.writeFileAtomic(dest, f.text);
  }
  if (journal.format === 2) {
    for (const rel of journal.remove ?? []) await fs.remove(join(root, rel));
    // Renamed already when a killed writer got past this step: index.yaml is then the staged one.
    if (journal.index && (await fs.stat(join(root, STAGED_INDEX_FILE))) !== null) {
      await fs.rename(join(root, STAGED_INDEX_FILE), join(root, INDEX_FILE));
    }
    if (journal.audit) await applyAuditAppend(join(root, AUDIT_LOG_FILE), journal.audit);
  }
  await fs.remove(join(root, JOURNAL_FILE));
}

/** The commit point: from here on the change happens, now or at the next write. */
export async function commitJournal(root: string, journal: Journal): Promise<void> {
  await fs.writeFileAtomic(join(root, JOURNAL_FILE), JSON.stringify(journal));
}

/**
 * Finishes a change whose writer was killed after its commit point, and drops an index staged by
 * one killed before it. Call under the lock.
 */
export async function recoverJournal(root: string): Promise<void> {
  const file = join(root, JOURNAL_FILE);
  // A format-1 journal carries index.yaml whole: as large as it.
  const text = await fs.readTextIfExists(file, INDEX_LIMIT);
  if (text !== null) await applyJournal(root, parseJournal(text, file));
  await fs.remove(join(root, STAGED_INDEX_FILE));
}
