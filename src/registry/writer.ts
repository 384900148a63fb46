/**
 * Every write to a folder registry (SPEC §4, §7): the I/O half; what changes is planned in plan.ts.
 * Under the registry lock, each file written to a temp name, flushed and renamed into place. Archives,
 * .sig files and keys go first, then the next index.yaml under a staged name; then the journal
 * (journal.ts: the new metadata.yaml, the staged index, the audit.log append; the commit point);
 * then those three. No step reads or writes more of index.yaml or audit.log than a line's worth,
 * besides the streamed copy of the index, so a write costs about the same in any registry.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { toFsName } from "../manifest/name.ts";
import { isLockCandidate, withLock } from "./lock.ts";
import { planAuditAppend } from "./audit_tail.ts";
import { applyJournal, commitJournal, recoverJournal, type Journal } from "./journal.ts";
import { stageIndex } from "./index_update.ts";
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
import { RegistryReader } from "./reader.ts";
import { fileSource } from "./source_fs.ts";
import { archivePath, sigPath, metadataPath, AUDIT_LOG_FILE, KEYS_DIR, LOCK_FILE, packageDir } from "./layout.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export interface WriteOptions {
  now: Date;
  actor: string;
  lockTimeoutMs?: number;
}

const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));

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
  await stageIndex(root, change.metadata);
  const journal: Journal = {
    format: 2,
    files: [{ rel: metadataPath(fsName), text: serializeMetadata(change.metadata) }],
    index: true,
    audit: change.events.length > 0 ? await planAuditAppend(join(root, AUDIT_LOG_FILE), change.events, now) : null,
  };
  await commitJournal(root, journal);
  await applyJournal(root, journal);
}

/**
 * Runs one package's change under the registry lock. `plan` gets the current metadata (or null).
 * The caller has checked that `root` holds a registry (registryInfo), once.
 */
async function transact(root: string, name: string, opts: WriteOptions, plan: (current: Metadata | null) => Change | Promise<Change>): Promise<void> {
  const fsName = toFsName(name);
  await underRegistryLock(root, [packageDir(fsName), KEYS_DIR], opts, async () => {
    const metaFile = join(root, metadataPath(fsName));
    const text = await fs.readTextIfExists(metaFile, DOCUMENT_LIMIT);
    const current = text === null ? null : parseMetadata(text, metaFile);
    checkFolderOwner(current, name, { root, file: metaFile });
    await applyChange(root, name, await plan(current), opts.now);
  });
}

/**
 * Runs `fn` under the registry lock after the clean-up every writer does first: temp files a killed
 * writer left in the root and in `dirs` (registry-relative) are removed, and an interrupted change
 * is finished (journal.ts).
 */
export async function underRegistryLock<T>(root: string, dirs: readonly string[], opts: Pick<WriteOptions, "lockTimeoutMs">, fn: () => Promise<T>): Promise<T> {
  return await withLock(join(root, LOCK_FILE), async () => {
    await sweepTempFiles(root);
    for (const d of dirs) await sweepTempFiles(join(root, d));
    await recoverJournal(root);
    return await fn();
  }, { timeoutMs: opts.lockTimeoutMs });
}

/** Reads registry.yaml. @throws {AamError} NotFound unless `root` holds a registry. */
async function registryInfo(root: string): Promise<RegistryInfo> {
  return await new RegistryReader(fileSource(root)).info();
}

export type { Change, PublishInput, SignatureUpdate } from "./plan.ts";

export interface PublishResult {
  checksum: string;
  size: number;
  archiveFile: string;
  sigFile?: string;
}

/**
 * Publishes a version. `input.checksum`, when the caller already hashed the archive, is used as is.
 * `authorize`, when given, sees the current metadata under the lock, before anything is written
 * (the owners check, SPEC §4), and throws to refuse.
 * @throws {AamError} NotFound without a registry; PolicyViolation for an unsigned version where
 * signatures are required, a version already published, or a name clash.
 */
export async function publishVersion(root: string, input: PublishInput & { checksum?: string; authorize?: (current: Metadata | null) => Promise<void> }, opts: WriteOptions): Promise<PublishResult> {
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
  await transact(root, input.name, opts, async (current) => {
    await input.authorize?.(current);
    return planPublish(current, { ...input, checksum }, opts.now, opts.actor);
  });
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

/**
 * A change planned from the package's current metadata under the lock (owners: publish/owner_change.ts);
 * `plan` may read and sign, and throws to refuse.
 */
export async function changePackage(root: string, name: string, opts: WriteOptions, plan: (current: Metadata | null) => Promise<Change>): Promise<void> {
  await registryInfo(root);
  await transact(root, name, opts, plan);
}

/** Adds signatures to an already published version (a second signer, key rotation). */
export async function addSignatures(root: string, name: string, version: string, update: SignatureUpdate, opts: WriteOptions): Promise<void> {
  await registryInfo(root);
  await transact(root, name, opts, (current) => planAddSignatures(current, { name, version, update }, opts.now, opts.actor));
}

export { archivePath, sigPath };
