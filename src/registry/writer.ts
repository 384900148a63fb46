/**
 * Every write to a folder registry (SPEC §4, §7): under the registry lock, each file written to a temp
 * name, flushed and renamed into place. Archives, .sig files and keys go first; then a journal holding the
 * new metadata.yaml, index.yaml and audit.log (the commit point); then those three files.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { toFsName } from "../manifest/name.ts";
import { compareVersions } from "../manifest/semver.ts";
import { withLock } from "./lock.ts";
import { appendEvents, type NewEvent } from "./audit_log.ts";
import { parseMetadata, serializeMetadata, type Metadata, type SignatureSummary } from "./metadata.ts";
import { buildIndex, indexEntryFor, parseIndex, serializeIndex } from "./index_file.ts";
import { RegistryReader } from "./reader.ts";
import { fileSource } from "./source_fs.ts";
import { archivePath, sigPath, metadataPath, AUDIT_LOG_FILE, INDEX_FILE, KEYS_DIR, LOCK_FILE, packageDir } from "./layout.ts";
import { commitJournal, join, recoverJournal, sweepTempFiles, type JournalFile } from "./_journal.ts";
import { DOCUMENT_LIMIT, INDEX_LIMIT } from "../read_limits.ts";

export interface WriteOptions {
  now: Date;
  actor: string;
  lockTimeoutMs?: number;
}

interface Change {
  /** Files to put in place before metadata.yaml (archive, .sig, keys), relative to the root. */
  files: { rel: string; data: Uint8Array | string; mustNotExist?: boolean }[];
  metadata: Metadata;
  events: NewEvent[];
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
  const files: JournalFile[] = [
    { rel: metadataPath(fsName), text: serializeMetadata(change.metadata) },
    { rel: INDEX_FILE, text: await nextIndex(root, change.metadata) },
  ];
  if (change.events.length > 0) {
    const log = (await fs.readTextIfExists(join(root, AUDIT_LOG_FILE), INDEX_LIMIT)) ?? "";
    files.push({ rel: AUDIT_LOG_FILE, text: appendEvents(log, change.events, now) });
  }
  await commitJournal(root, files);
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

/** Runs one package's change under the registry lock. `fn` gets the current metadata (or null). */
async function transact(
  root: string,
  name: string,
  opts: WriteOptions,
  fn: (current: Metadata | null) => Promise<Change> | Change,
): Promise<void> {
  await ensureRegistry(root);
  await withLock(join(root, LOCK_FILE), async () => {
    const fsName = toFsName(name);
    await sweepTempFiles(root);
    await sweepTempFiles(join(root, packageDir(fsName)));
    await sweepTempFiles(join(root, KEYS_DIR));
    await recoverJournal(root);
    const metaFile = join(root, metadataPath(fsName));
    const text = await fs.readTextIfExists(metaFile, DOCUMENT_LIMIT);
    const current = text === null ? null : parseMetadata(text, metaFile);
    if (current && current.name !== name) {
      // `@a/b` and `a--b` share the folder a--b (SPEC §1): the second is refused and nothing changes.
      throw new AamError("PolicyViolation", `Cannot change "${name}" in registry "${root}": its folder ${packageDir(fsName)} belongs to "${current.name}"`, {
        package: name,
        expected: current.name,
        actual: name,
        file: metaFile,
        hint: `"${name}" and "${current.name}" share a file-system name; publish under another name`,
      });
    }
    const change = await fn(current);
    await applyChange(root, name, change, opts.now);
  }, { timeoutMs: opts.lockTimeoutMs });
}

/** Throws NotFound unless `root` holds a registry. */
async function ensureRegistry(root: string): Promise<void> {
  await new RegistryReader(fileSource(root)).info();
}

export interface PublishInput {
  archive: Uint8Array;
  name: string;
  version: string;
  description: string;
  author?: string;
  license?: string;
  keywords?: string[];
  artifactTypes: string[];
  dependencies: Record<string, string>;
  sigText?: string | null;
  signatures?: SignatureSummary[];
  /** Public keys to publish into keys/ for convenience (never trusted by presence). */
  keys?: { fileName: string; text: string; fingerprint: string }[];
  tag?: string;
}

export interface PublishResult {
  checksum: string;
  size: number;
  archiveFile: string;
  sigFile?: string;
}

export async function publishVersion(root: string, input: PublishInput, opts: WriteOptions): Promise<PublishResult> {
  const info = await new RegistryReader(fileSource(root)).info();
  const signed = Boolean(input.sigText);
  if (info.require_signatures && !signed) {
    throw new AamError("PolicyViolation", `Cannot publish "${input.name}@${input.version}": registry "${root}" requires signatures`, {
      package: input.name,
      version: input.version,
      hint: `aam pkg publish --sign (generate a key first with \`aam key generate\`)`,
    });
  }
  const checksum = checksumOf(input.archive);
  const fsName = toFsName(input.name);
  const result: PublishResult = { checksum, size: input.archive.length, archiveFile: archivePath(fsName, input.version) };
  await transact(root, input.name, opts, (current) => {
    if (current?.versions.some((v) => v.version === input.version)) {
      throw new AamError("PolicyViolation", `Cannot publish "${input.name}@${input.version}": that version is already published`, {
        package: input.name,
        version: input.version,
        hint: "published versions are immutable; bump the version in aam.yaml and publish again",
      });
    }
    const tag = input.tag ?? "latest";
    const versions = [
      ...(current?.versions ?? []),
      {
        version: input.version,
        published: opts.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
        checksum,
        size: input.archive.length,
        dependencies: input.dependencies,
        yanked: false,
        ...(input.signatures && input.signatures.length > 0 ? { signatures: input.signatures } : {}),
      },
    ].sort((a, b) => compareVersions(a.version, b.version));
    const distTags = { ...(current?.dist_tags ?? {}) };
    // `latest` only moves forward, as npm does, unless the user names the tag.
    if (tag !== "latest" || !distTags.latest || compareVersions(input.version, distTags.latest) > 0 || input.tag === "latest") {
      distTags[tag] = input.version;
    }
    const isLatest = distTags.latest === input.version;
    const metadata: Metadata = {
      name: input.name,
      description: isLatest || !current ? input.description : current.description,
      ...(input.author ? { author: input.author } : current?.author ? { author: current.author } : {}),
      ...(input.license ? { license: input.license } : current?.license ? { license: current.license } : {}),
      keywords: isLatest || !current ? (input.keywords ?? []) : current.keywords,
      artifact_types: isLatest || !current ? input.artifactTypes : (current.artifact_types ?? []),
      dist_tags: distTags,
      versions,
    };
    const files: Change["files"] = [{ rel: result.archiveFile, data: input.archive }];
    const events: NewEvent[] = [
      { event: "package.publish", package: input.name, version: input.version, actor: opts.actor, details: { checksum, size: input.archive.length, tag } },
    ];
    if (input.sigText) {
      result.sigFile = sigPath(fsName, input.version);
      files.push({ rel: result.sigFile, data: input.sigText });
      for (const s of input.signatures ?? []) {
        events.push({ event: "signature.add", package: input.name, version: input.version, actor: opts.actor, details: { ...s } });
      }
    }
    for (const k of input.keys ?? []) {
      files.push({ rel: `${KEYS_DIR}/${k.fileName}`, data: k.text });
      events.push({ event: "key.publish", package: input.name, version: input.version, actor: opts.actor, details: { key_fingerprint: k.fingerprint } });
    }
    return { files, metadata, events };
  });
  return result;
}

function requireVersion(meta: Metadata | null, name: string, version: string): Metadata {
  if (!meta) throw new AamError("NotFound", `Cannot find package "${name}"`, { package: name, hint: "aam search" });
  if (!meta.versions.some((v) => v.version === version)) {
    throw new AamError("NotFound", `Cannot find version ${version} of "${name}"`, {
      package: name,
      version,
      hint: `aam info ${name} lists the published versions`,
    });
  }
  return meta;
}

export async function setDistTag(root: string, name: string, version: string, tag: string, opts: WriteOptions): Promise<void> {
  await transact(root, name, opts, (current) => {
    const meta = requireVersion(current, name, version);
    return {
      files: [],
      metadata: { ...meta, dist_tags: { ...meta.dist_tags, [tag]: version } },
      events: [{ event: "tag.set", package: name, version, actor: opts.actor, details: { tag } }],
    };
  });
}

export async function removeDistTag(root: string, name: string, tag: string, opts: WriteOptions): Promise<void> {
  if (tag === "latest") {
    throw new AamError("UsageError", `Cannot remove dist-tag "latest" of "${name}"`, {
      package: name,
      hint: `point it elsewhere instead: aam dist-tag add ${name}@<version> latest`,
    });
  }
  await transact(root, name, opts, (current) => {
    if (!current || !(tag in current.dist_tags)) {
      throw new AamError("NotFound", `Cannot find dist-tag "${tag}" of "${name}"`, { package: name, hint: `aam dist-tag ls ${name}` });
    }
    const { [tag]: removed, ...rest } = current.dist_tags;
    return {
      files: [],
      metadata: { ...current, dist_tags: rest },
      events: [{ event: "tag.remove", package: name, version: removed, actor: opts.actor, details: { tag } }],
    };
  });
}

export async function yankVersion(root: string, name: string, version: string, opts: WriteOptions): Promise<void> {
  await transact(root, name, opts, (current) => {
    const meta = requireVersion(current, name, version);
    return {
      files: [],
      metadata: { ...meta, versions: meta.versions.map((v) => (v.version === version ? { ...v, yanked: true } : v)) },
      events: [{ event: "version.yank", package: name, version, actor: opts.actor, details: {} }],
    };
  });
}

export interface SignatureUpdate {
  /** The whole new .sig, holding the old entries and the new ones. */
  sigText: string;
  /** The archive checksum the .sig signs; must still be the published one. */
  packageHash: string;
  /** Summaries of every entry, for metadata.yaml. */
  signatures: SignatureSummary[];
  /** Summaries of the entries this update adds, for the audit log. */
  added: SignatureSummary[];
  keys?: { fileName: string; text: string; fingerprint: string }[];
}

/** Adds signatures to an already published version (a second signer, key rotation). */
export async function addSignatures(root: string, name: string, version: string, update: SignatureUpdate, opts: WriteOptions): Promise<void> {
  await transact(root, name, opts, (current) => {
    const meta = requireVersion(current, name, version);
    const rec = meta.versions.find((v) => v.version === version)!;
    // Checked under the lock: the archive must not have changed since the caller signed it.
    if (rec.checksum !== update.packageHash) {
      throw new AamError("TamperedPackage", `Cannot add a signature to "${name}@${version}": the signed bytes are not the published archive`, {
        package: name,
        version,
        expected: rec.checksum,
        actual: update.packageHash,
        hint: `verify it first: aam verify ${name}@${version}`,
      });
    }
    const files: Change["files"] = [{ rel: sigPath(toFsName(name), version), data: update.sigText }];
    const events: NewEvent[] = update.added.map((s) => ({ event: "signature.add", package: name, version, actor: opts.actor, details: { ...s } }));
    for (const k of update.keys ?? []) {
      files.push({ rel: `${KEYS_DIR}/${k.fileName}`, data: k.text });
      events.push({ event: "key.publish", package: name, version, actor: opts.actor, details: { key_fingerprint: k.fingerprint } });
    }
    return {
      files,
      metadata: { ...meta, versions: meta.versions.map((v) => (v.version === version ? { ...v, signatures: update.signatures } : v)) },
      events,
    };
  });
}

export { archivePath, sigPath };
