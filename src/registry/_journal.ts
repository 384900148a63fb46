/**
 * The registry's write-ahead journal (SPEC §4, §7), used by writer.ts: the new metadata.yaml,
 * index.yaml and audit.log of one change, whole, in one file whose rename into place commits it;
 * and the cleanup of what a killed writer leaves behind (a committed journal, temp files).
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { JOURNAL_FILE, LOCK_FILE } from "./layout.ts";
import { isLockCandidate } from "./lock.ts";
import { INDEX_LIMIT } from "../read_limits.ts";

/** A registry-relative "/"-separated path under `root`. */
export const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));

/**
 * The write-ahead journal: the new metadata.yaml, index.yaml and audit.log, whole. Renaming it into
 * place is the commit point of a change; applying it is idempotent, so a writer killed after the
 * commit leaves work the next writer finishes (roll forward), and one killed before leaves nothing
 * but unreferenced archives (which `registry verify` reports as warnings and a retry overwrites).
 */
const JOURNAL_FORMAT = 1;

/** One file a journal puts in place, relative to the registry root. */
export interface JournalFile {
  rel: string;
  text: string;
}

interface Journal {
  format: number;
  files: JournalFile[];
}

// Only these files may be named by a journal: a planted journal must not write elsewhere.
const JOURNAL_TARGET = /^(index\.yaml|audit\.log|packages\/[a-z0-9][a-z0-9_-]{0,140}\/metadata\.yaml)$/;

function parseJournal(text: string, file: string): Journal {
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
  const j = doc as Partial<Journal>;
  if (typeof j !== "object" || j === null || j.format !== JOURNAL_FORMAT) throw bad("format");
  if (!Array.isArray(j.files)) throw bad("files");
  j.files.forEach((f, i) => {
    if (typeof f !== "object" || f === null || typeof f.rel !== "string" || !JOURNAL_TARGET.test(f.rel)) throw bad(`files[${i}].rel`);
    if (typeof f.text !== "string") throw bad(`files[${i}].text`);
  });
  return j as Journal;
}

async function applyJournal(root: string, journal: Journal): Promise<void> {
  for (const f of journal.files) {
    const dest = join(root, f.rel);
    await fs.mkdirp(fs.path.dirname(dest));
    await fs.writeFileAtomic(dest, f.text);
  }
  await fs.remove(join(root, JOURNAL_FILE));
}

/** Finishes a change whose writer was killed after its commit point. Call under the lock. */
export async function recoverJournal(root: string): Promise<void> {
  const file = join(root, JOURNAL_FILE);
  const text = await fs.readTextIfExists(file, INDEX_LIMIT); // carries index.yaml: as large
  if (text !== null) await applyJournal(root, parseJournal(text, file));
}

/** Commits a change: writes the journal (the commit point), then applies it. Call under the lock. */
export async function commitJournal(root: string, files: JournalFile[]): Promise<void> {
  const journal: Journal = { format: JOURNAL_FORMAT, files };
  // The commit point: once the journal is in place, the change happens, now or at the next write.
  await fs.writeFileAtomic(join(root, JOURNAL_FILE), JSON.stringify(journal));
  await applyJournal(root, journal);
}

/** Removes temp files a killed writer left behind; readers already ignore them. Call under the lock. */
export async function sweepTempFiles(dir: string): Promise<void> {
  for (const e of await fs.readDirIfExists(dir)) {
    // The lock's own candidates belong to processes waiting for the lock; lock.ts sweeps them.
    if (fs.isTempName(e.name) && !isLockCandidate(e.name, LOCK_FILE)) await fs.remove(fs.path.join(dir, e.name));
  }
}
