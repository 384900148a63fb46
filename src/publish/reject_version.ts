/**
 * `aam registry reject <pkg>@<v> --reason R` on a registry folder (SPEC §5a): the version is marked
 * rejected in metadata.yaml and in the snapshot (so the rejection cannot silently be undone), the
 * registry's attestations are taken out of its `.sig`, and the snapshot is re-signed for as long as
 * the previous one was, with the `version.reject` and `snapshot.sign` events.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { isoSeconds } from "../encoding/iso_seconds.ts";
import { toFsName } from "../manifest/name.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { parseMetadata, serializeMetadata, type Metadata, type VersionRecord } from "../registry/metadata.ts";
import { RegistryReader } from "../registry/reader.ts";
import { fileSource } from "../registry/source_fs.ts";
import { underRegistryLock } from "../registry/writer.ts";
import { stageIndex } from "../registry/index_update.ts";
import { metadataPath, packageDir, REGISTRY_FILE } from "../registry/layout.ts";
import { parseSigFile, serializeSigFile } from "../signing/sig_file.ts";
import type { Ed25519KeyAccess } from "../signing/signer.ts";
import { withoutAttestations } from "../attest/attestation_entry.ts";
import { binOf } from "../attest/bin.ts";
import { DEFAULT_EXPIRES_DAYS, durationDays } from "../attest/expires.ts";
import { nextRecord } from "../attest/next_record.ts";
import { assertNoRewinds, findRewinds } from "../attest/rewind.ts";
import { assertOwnSnapshot, commitSnapshot, readSnapshotState, unlockOnce, type SnapshotState } from "./_snapshot_write.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { DOCUMENT_LIMIT, SIG_LIMIT } from "../read_limits.ts";

export interface RejectOptions {
  root: string;
  name: string;
  version: string;
  reason: string;
  key: Ed25519KeyAccess;
  now: Date;
  actor: string;
  lockTimeoutMs?: number;
}

const MAX_REASON = 4096;
const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));

/**
 * Rejects a version and re-signs the snapshot.
 * @throws {AamError} UsageError for an empty, overlong or multi-line reason or a version already
 * rejected; NotFound for an unknown package or version; PolicyViolation for other history undone
 * in the package since the last snapshot (attest with `--allow-rewind` first).
 */
export async function rejectVersion(o: RejectOptions): Promise<{ registry: string; serial: number; expires_at: string }> {
  if (typeof o.reason !== "string" || o.reason.trim() === "" || o.reason.length > MAX_REASON || /[\u0000-\u001f\u007f]/.test(o.reason)) {
    throw new AamError("UsageError", `Cannot reject "${o.name}@${o.version}": --reason must be one line of 1 to ${MAX_REASON} characters`, { hint: `aam registry reject ${o.name}@${o.version} --reason "why" --key K` });
  }
  const info = await new RegistryReader(fileSource(o.root)).info();
  if (!isValidRegistryName(info.name)) {
    throw new AamError("Error", `Cannot reject in registry "${o.root}": its name ${JSON.stringify(info.name)} is not a registry name`, {
      file: join(o.root, REGISTRY_FILE),
      field: "name",
      hint: "set registry.yaml's name to lowercase letters, digits, '.', '_' or '-' (at most 64): clients pin it",
    });
  }
  const fsName = toFsName(o.name);
  return await underRegistryLock(o.root, [packageDir(fsName), "snapshot/bins"], o, async () => {
    const metaFile = join(o.root, metadataPath(fsName));
    const text = await fs.readTextIfExists(metaFile, DOCUMENT_LIMIT);
    const meta = text === null ? null : parseMetadata(text, metaFile);
    const record = meta?.name === o.name ? meta.versions.find((v) => v.version === o.version) : undefined;
    if (!meta || !record) {
      throw new AamError("NotFound", `Cannot reject "${o.name}@${o.version}": no such version in registry "${o.root}"`, { package: o.name, version: o.version, hint: `aam info ${o.name} --registry ${o.root}` });
    }
    if (record.rejected) {
      throw new AamError("UsageError", `Cannot reject "${o.name}@${o.version}": it was rejected already (${record.rejected.reason})`, { package: o.name, version: o.version, hint: "a rejection is final; publish a fixed version instead" });
    }
    const at = isoSeconds(o.now);
    const next: Metadata = { ...meta, versions: meta.versions.map((v) => (v === record ? { ...v, rejected: { reason: o.reason, at } } : v)) };
    const state = await readSnapshotState(o.root);
    const keys = unlockOnce([o.key]);
    try {
      await assertOwnSnapshot(o.root, state, info.name, (await keys.all()).map((k) => fingerprint(k.publicKey)));
      return await rejectLocked(o, info.name, fsName, record, next, state, keys.access());
    } finally {
      keys.wipe();
    }
  });
}

/** The change itself, under the lock, with the key unlocked once. */
async function rejectLocked(o: RejectOptions, registry: string, fsName: string, record: VersionRecord, next: Metadata, state: SnapshotState, keys: Ed25519KeyAccess[]) {
  const before = (await state.bin(binOf(fsName)))[fsName];
  assertNoRewinds(findRewinds(o.name, before, next), new Set());
  const pv = await new RegistryReader(fileSource(o.root)).versionOf(next, record);
  const sigFile = join(o.root, pv.sigFile);
  const sigText = await fs.readTextIfExists(sigFile, SIG_LIMIT);
  // Journaled with the rest: taken out before the commit point, a kill would leave the version
  // neither rejected nor attested.
  const sigs: { rel: string; text: string | null }[] = [];
  if (sigText !== null) {
    const sig = withoutAttestations(parseSigFile(sigText, sigFile), registry);
    // A .sig that only held this registry's attestations goes: an empty one would read as damaged.
    sigs.push({ rel: pv.sigFile, text: sig.signatures.length === 0 && !sig.attestations ? null : serializeSigFile(sig) });
  }
  await stageIndex(o.root, next);
  const { snapshot } = await commitSnapshot({
    root: o.root,
    registry,
    state,
    changes: new Map([[fsName, nextRecord(next, new Map(), before)]]),
    events: [{ event: "version.reject", package: o.name, version: o.version, actor: o.actor, details: { registry, reason: o.reason } }],
    keys,
    expiresDays: state.previous ? durationDays(state.previous) : DEFAULT_EXPIRES_DAYS,
    now: o.now,
    actor: o.actor,
    early: [],
    sigs,
    metadata: [{ rel: metadataPath(fsName), text: serializeMetadata(next) }],
    index: true,
  });
  return { registry, serial: snapshot.serial, expires_at: snapshot.expires_at };
}
