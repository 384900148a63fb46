/**
 * The changes a registry write makes (SPEC §4, §7), planned without I/O: each `plan…` function takes
 * the package's current metadata (null: not yet published), its input, the time and the actor, and
 * answers the files to add, the new metadata.yaml and the audit events. writer.ts applies them under
 * the registry lock.
 */
import { AamError } from "../errors.ts";
import { toFsName } from "../manifest/name.ts";
import { compareVersions } from "../manifest/semver.ts";
import { isoSeconds } from "../encoding/iso_seconds.ts";
import type { NewEvent } from "./audit_log.ts";
import type { Metadata, SignatureSummary } from "./metadata.ts";
import { archivePath, sigPath, KEYS_DIR, packageDir } from "./layout.ts";

export interface Change {
  /** Files to put in place before metadata.yaml (archive, .sig, keys), relative to the root. */
  files: { rel: string; data: Uint8Array | string }[];
  metadata: Metadata;
  events: NewEvent[];
}

/** A public key published into keys/ for convenience (never trusted by presence). */
export interface KeyToPublish {
  fileName: string;
  text: string;
  fingerprint: string;
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
  keys?: KeyToPublish[];
  tag?: string;
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
  keys?: KeyToPublish[];
}

/**
 * `@a/b` and `a--b` share the folder a--b (SPEC §1): a change to one refuses the other's folder.
 * @throws {AamError} PolicyViolation when `current` belongs to another name.
 */
export function checkFolderOwner(current: Metadata | null, name: string, where: { root: string; file: string }): void {
  if (current && current.name !== name) {
    throw new AamError("PolicyViolation", `Cannot change "${name}" in registry "${where.root}": its folder ${packageDir(toFsName(name))} belongs to "${current.name}"`, {
      package: name,
      expected: current.name,
      actual: name,
      file: where.file,
      hint: `"${name}" and "${current.name}" share a file-system name; publish under another name`,
    });
  }
}

function keyFiles(keys: KeyToPublish[] | undefined, name: string, version: string, actor: string, change: Pick<Change, "files" | "events">): void {
  for (const k of keys ?? []) {
    change.files.push({ rel: `${KEYS_DIR}/${k.fileName}`, data: k.text });
    change.events.push({ event: "key.publish", package: name, version, actor, details: { key_fingerprint: k.fingerprint } });
  }
}

/**
 * A new version: refused when already published; `latest` moves only forward unless named.
 * @param input With `checksum`, the archive's `sha256:<hex>`, computed once by the caller.
 * @throws {AamError} PolicyViolation for a version already published.
 */
export function planPublish(current: Metadata | null, input: PublishInput & { checksum: string }, now: Date, actor: string): Change {
  if (current?.versions.some((v) => v.version === input.version)) {
    throw new AamError("PolicyViolation", `Cannot publish "${input.name}@${input.version}": that version is already published`, {
      package: input.name,
      version: input.version,
      hint: "published versions are immutable; bump the version in aam.yaml and publish again",
    });
  }
  const { checksum } = input;
  const size = input.archive.length;
  const tag = input.tag ?? "latest";
  const versions = [
    ...(current?.versions ?? []),
    {
      version: input.version,
      published: isoSeconds(now),
      checksum,
      size,
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
    // Owners stay: a publish never changes who may publish (`aam owner` does, signed).
    ...(current?.owners ? { owners: current.owners } : {}),
  };
  const fsName = toFsName(input.name);
  const change: Change = {
    files: [{ rel: archivePath(fsName, input.version), data: input.archive }],
    metadata,
    events: [{ event: "package.publish", package: input.name, version: input.version, actor, details: { checksum, size, tag } }],
  };
  if (input.sigText) {
    change.files.push({ rel: sigPath(fsName, input.version), data: input.sigText });
    for (const s of input.signatures ?? []) {
      change.events.push({ event: "signature.add", package: input.name, version: input.version, actor, details: { ...s } });
    }
  }
  keyFiles(input.keys, input.name, input.version, actor, change);
  return change;
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

/** @throws {AamError} NotFound for an unknown package or version. */
export function planDistTagAdd(current: Metadata | null, input: { name: string; version: string; tag: string }, _now: Date, actor: string): Change {
  const { name, version, tag } = input;
  const meta = requireVersion(current, name, version);
  return {
    files: [],
    metadata: { ...meta, dist_tags: { ...meta.dist_tags, [tag]: version } },
    events: [{ event: "tag.set", package: name, version, actor, details: { tag } }],
  };
}

/** @throws {AamError} UsageError for `latest`, which is moved, never removed. */
export function assertRemovableTag(name: string, tag: string): void {
  if (tag === "latest") {
    throw new AamError("UsageError", `Cannot remove dist-tag "latest" of "${name}"`, {
      package: name,
      hint: `point it elsewhere instead: aam dist-tag add ${name}@<version> latest`,
    });
  }
}

/** @throws {AamError} UsageError for `latest`; NotFound for a tag the package does not have. */
export function planDistTagRemove(current: Metadata | null, input: { name: string; tag: string }, _now: Date, actor: string): Change {
  const { name, tag } = input;
  assertRemovableTag(name, tag);
  if (!current || !(tag in current.dist_tags)) {
    throw new AamError("NotFound", `Cannot find dist-tag "${tag}" of "${name}"`, { package: name, hint: `aam dist-tag ls ${name}` });
  }
  const { [tag]: removed, ...rest } = current.dist_tags;
  return {
    files: [],
    metadata: { ...current, dist_tags: rest },
    events: [{ event: "tag.remove", package: name, version: removed, actor, details: { tag } }],
  };
}

/** @throws {AamError} NotFound for an unknown package or version. */
export function planYank(current: Metadata | null, input: { name: string; version: string }, _now: Date, actor: string): Change {
  const { name, version } = input;
  const meta = requireVersion(current, name, version);
  return {
    files: [],
    metadata: { ...meta, versions: meta.versions.map((v) => (v.version === version ? { ...v, yanked: true } : v)) },
    events: [{ event: "version.yank", package: name, version, actor, details: {} }],
  };
}

/**
 * Signatures added to a published version (a second signer, key rotation).
 * @throws {AamError} NotFound for an unknown version; TamperedPackage when the signed bytes are not the published archive.
 */
export function planAddSignatures(current: Metadata | null, input: { name: string; version: string; update: SignatureUpdate }, _now: Date, actor: string): Change {
  const { name, version, update } = input;
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
  const change: Change = {
    files: [{ rel: sigPath(toFsName(name), version), data: update.sigText }],
    metadata: { ...meta, versions: meta.versions.map((v) => (v.version === version ? { ...v, signatures: update.signatures } : v)) },
    events: update.added.map((s) => ({ event: "signature.add", package: name, version, actor, details: { ...s } })),
  };
  keyFiles(update.keys, name, version, actor, change);
  return change;
}
