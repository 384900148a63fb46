/**
 * Every write to a folder registry (SPEC §4, §7): the I/O half; what changes is planned in plan.ts.
 * Under the registry lock, each file written to a temp name, flushed and renamed into place. Archives, .sig files and keys go first; then a journal holding the
 * new metadata.yaml, index.yaml and audit.log (the commit point); then those three files.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { toFsName } from "../manifest/name.ts";
import { isLockCandidate, withLock } from "./lock.ts";
import { appendEvents } from "./audit_log.ts";
import { parseMetadata, serializeMetadata, type Metadata } from "./metadata.ts";
import type { RegistryInfo } from "./registry_file.ts";
import {
  assertRemovableTag,
  checkFolderOwner,
  planAddSignatures,
  planDistTagAdd,
  planDistTagRemove,
  planPublish,
  planYank,
  type Change,
  type PublishInput,
  type SignatureUpdate,
} from "./plan.ts";
import { buildIndex, indexEntryFor, parseIndex, serializeIndex } from "./index_file.ts";
import { RegistryReader } from "./reader.ts";
import { fileSource } from "./source_fs.ts";
import { archivePath, sigPath, metadataPath, AUDIT_LOG_FILE, INDEX_FILE, JOURNAL_FILE, KEYS_DIR, LOCK_FILE, packageDir } from "./layout.ts";
import { DOCUMENT_LIMIT, INDEX_LIMIT } from "../read_limits.ts";

export interface WriteOptions {
  now: Date;
  actor: string;
  lockTimeoutMs?: number;
}

const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));

/**
 * The write-ahead journal: the new metadata.yaml, index.yaml and audit.log, whole. Renaming it into
 * place is the commit point of a change; applying it is idempotent, so a writer killed after the
 * commit leaves work the next writer finishes (roll forward), and one killed before leaves nothing
 * but unreferenced archives (which `registry verify` reports as warnings and a retry overwrites).
 */
const JOURNAL_FORMAT = 1;

interface Journal {
  format: number;
  files: { rel: string; text: string }[];
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
async function recoverJournal(root: string): Promise<void> {
  const file = join(root, JOURNAL_FILE);
  const text = await fs.readTextIfExists(file, INDEX_LIMIT); // carries index.yaml: as large
  if (text !== null) await applyJournal(root, parseJournal(text, file));
}

/** Removes temp files a killed writer left behind; readers already ignore them. Call under the lock. */
async function sweepTempFiles(dir: string): Promise<void> {
  for (const e of await fs.readDirIfExists(dir)) {
    // The lock's own candidates belong to processes waiting for the lock; lock.ts sweeps them.
    if (fs.isTempName(e.name) && !isLockCandidate(e.name, LOCK_FILE)) await fs.remove(fs.path.join(dir, e.name));
  }
}

async function applyChange(root: string, name: string, change: Change, now: Date): Promise<void> {
  const fsName = toFsName(name);
  await fs.mkdirp(join(root, packageDir(fsName)));
  // Archives, .sig files and keys first: until the journal names them, nothing refers to them.
  for (const f of change.files) {
    const dest = join(root, f.rel);
    await fs.mkdirp(fs.path.dirname(dest));
    await fs.writeFileAtomic(dest, typeof f.data === "string" ? new TextEncoder().encode(f.data) : f.data);
  }
  const files: Journal["files"] = [
    { rel: metadataPath(fsName), text: serializeMetadata(change.metadata) },
    { rel: INDEX_FILE, text: await nextIndex(root, change.metadata) },
  ];
  if (change.events.length > 0) {
    const log = (await fs.readTextIfExists(join(root, AUDIT_LOG_FILE), INDEX_LIMIT)) ?? "";
    files.push({ rel: AUDIT_LOG_FILE, text: appendEvents(log, change.events, now) });
  }
  const journal: Journal = { format: JOURNAL_FORMAT, files };
  // The commit point: once the journal is in place, the change happens, now or at the next write.
  await fs.writeFileAtomic(join(root, JOURNAL_FILE), JSON.stringify(journal));
  await applyJournal(root, journal);
}

async function nextIndex(root: string, meta: Metadata): Promise<string> {
  const file = join(root, INDEX_FILE);
  const text = await fs.readTextIfExists(file, INDEX_LIMIT);
  let idx;
  try {
    idx = text === null ? null : parseIndex(text, file);
  } catch {
    idx = null; // a damaged index is rebuilt from every metadata.yaml below
  }
  if (idx === null) idx = buildIndex(await new RegistryReader(fileSource(root)).allMetadata());
  const entry = indexEntryFor(meta);
  const others = idx.packages.filter((p) => p.name !== meta.name);
  idx = { packages: [...others, entry].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
  return serializeIndex(idx);
}

/**
 * Runs one package's change under the registry lock. `plan` gets the current metadata (or null).
 * The caller has checked that `root` holds a registry (registryInfo), once.
 */
async function transact(root: string, name: string, opts: WriteOptions, plan: (current: Metadata | null) => Change): Promise<void> {
  await withLock(join(root, LOCK_FILE), async () => {
    const fsName = toFsName(name);
    await sweepTempFiles(root);
    await sweepTempFiles(join(root, packageDir(fsName)));
    await sweepTempFiles(join(root, KEYS_DIR));
    await recoverJournal(root);
    const metaFile = join(root, metadataPath(fsName));
    const text = await fs.readTextIfExists(metaFile, DOCUMENT_LIMIT);
    const current = text === null ? null : parseMetadata(text, metaFile);
    checkFolderOwner(current, name, { root, file: metaFile });
    await applyChange(root, name, plan(current), opts.now);
  }, { timeoutMs: opts.lockTimeoutMs });
}

/** Reads registry.yaml. @throws {AamError} NotFound unless `root` holds a registry. */
async function registryInfo(root: string): Promise<RegistryInfo> {
  return await new RegistryReader(fileSource(root)).info();
}

export type { PublishInput, SignatureUpdate } from "./plan.ts";

export interface PublishResult {
  checksum: string;
  size: number;
  archiveFile: string;
  sigFile?: string;
}

/**
 * Publishes a version. `input.checksum`, when the caller already hashed the archive, is used as is.
 * @throws {AamError} NotFound without a registry; PolicyViolation for an unsigned version where
 * signatures are required, a version already published, or a name clash.
 */
export async function publishVersion(root: string, input: PublishInput & { checksum?: string }, opts: WriteOptions): Promise<PublishResult> {
  const info = await registryInfo(root);
  const signed = Boolean(input.sigText);
  if (info.require_signatures && !signed) {
    throw new AamError("PolicyViolation", `Cannot publish "${input.name}@${input.version}": registry "${root}" requires signatures`, {
      package: input.name,
      version: input.version,
      hint: `aam pkg publish --sign (generate a key first with \`aam key generate\`)`,
    });
  }
  const checksum = input.checksum ?? checksumOf(input.archive);
  const fsName = toFsName(input.name);
  const result: PublishResult = { checksum, size: input.archive.length, archiveFile: archivePath(fsName, input.version) };
  if (input.sigText) result.sigFile = sigPath(fsName, input.version);
  await transact(root, input.name, opts, (current) => planPublish(current, { ...input, checksum }, opts.now, opts.actor));
  return result;
}

export async function setDistTag(root: string, name: string, version: string, tag: string, opts: WriteOptions): Promise<void> {
  await registryInfo(root);
  await transact(root, name, opts, (current) => planDistTagAdd(current, { name, version, tag }, opts.now, opts.actor));
}

export async function removeDistTag(root: string, name: string, tag: string, opts: WriteOptions): Promise<void> {
  assertRemovableTag(name, tag);
  await registryInfo(root);
  await transact(root, name, opts, (current) => planDistTagRemove(current, { name, tag }, opts.now, opts.actor));
}

export async function yankVersion(root: string, name: string, version: string, opts: WriteOptions): Promise<void> {
  await registryInfo(root);
  await transact(root, name, opts, (current) => planYank(current, { name, version }, opts.now, opts.actor));
}

/** Adds signatures to an already published version (a second signer, key rotation). */
export async function addSignatures(root: string, name: string, version: string, update: SignatureUpdate, opts: WriteOptions): Promise<void> {
  await registryInfo(root);
  await transact(root, name, opts, (current) => planAddSignatures(current, { name, version, update }, opts.now, opts.actor));
}

export { archivePath, sigPath };
