/**
 * `aam registry attest` on a registry folder (SPEC §5a): each chosen version is checked under the
 * registry's own policy as `on_signature_failure: error` (the §6 pipeline with the attestor's trust,
 * `require_signatures`, owners); one that passes gets a `registry-attestation` entry in its `.sig`.
 * Then history-undoing changes are refused unless allowed, and the next snapshot (serial + 1, the
 * changed bins) is signed and written with the `version.approve` and `snapshot.sign` events, all
 * under the registry lock through the write journal: a kill at any instant leaves the old snapshot
 * or the new one, and bins always match the root that names them once the journal is applied.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { fromFsName, toFsName } from "../manifest/name.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { parseMetadata, type Metadata } from "../registry/metadata.ts";
import { RegistryReader } from "../registry/reader.ts";
import { fileSource } from "../registry/source_fs.ts";
import { checkFolderOwner } from "../registry/plan.ts";
import { underRegistryLock } from "../registry/writer.ts";
import { KEYS_DIR, metadataPath, PACKAGES_DIR, REGISTRY_FILE } from "../registry/layout.ts";
import { withAttestationKeys } from "../registry/registry_file.ts";
import { ed25519PublicKeyToPem } from "../encoding/pem.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import type { NewEvent } from "../registry/audit_log.ts";
import { parseSigFile, serializeSigFile, type SigFile } from "../signing/sig_file.ts";
import type { Ed25519KeyAccess } from "../signing/signer.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import { readRegistryVersion } from "../verify/inputs.ts";
import type { LocalTrust } from "../verify/local_trust.ts";
import { verifyPackage } from "../verify/pipeline.ts";
import { createAttestationEntry, withAttestation } from "../attest/attestation_entry.ts";
import { binOf } from "../attest/bin.ts";
import { nextRecord } from "../attest/next_record.ts";
import { assertNoRewinds, findRewinds, type Rewind } from "../attest/rewind.ts";
import type { PackageRecord } from "../attest/types.ts";
import { assertOwnSnapshot, commitSnapshot, readSnapshotState, unlockOnce, type SnapshotState } from "./_snapshot_write.ts";
import { assertOwnershipBacked } from "./_ownership_check.ts";
import { ownerOf } from "../trust/owners.ts";
import { DOCUMENT_LIMIT, SIG_LIMIT } from "../read_limits.ts";

export interface AttestRegistryOptions {
  root: string;
  /** The attestation keys; each signs every attestation and the snapshot. */
  keys: readonly Ed25519KeyAccess[];
  /** `--all`, or the packages (a version each, or their pending versions); [] re-signs the snapshot only. */
  select: "all" | readonly { name: string; version?: string }[];
  allowRewind: ReadonlySet<string>;
  expiresDays: number;
  /** The attestor's policy, with the registry's `require_signatures` folded in. Applied as `error`. */
  policy: TrustPolicy;
  trust: LocalTrust;
  now: Date;
  actor: string;
  lockTimeoutMs?: number;
}

export interface AttestFailure {
  package: string;
  version: string;
  code: string;
  reason: string;
}

export interface AttestRegistryResult {
  registry: string;
  serial: number;
  expires_at: string;
  attested: { package: string; version: string }[];
  failed: AttestFailure[];
  /** Bins rewritten. */
  bins: string[];
}

const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));
const enc = new TextEncoder();

/**
 * Attests, then writes the next snapshot.
 * @throws {AamError} NotFound without a registry or for an unknown package or version; Error for a
 * registry.yaml whose name is not a registry name; TamperedPackage when the current snapshot's bins
 * do not match it; PolicyViolation for history undone without `--allow-rewind`.
 */
export async function attestRegistry(o: AttestRegistryOptions): Promise<AttestRegistryResult> {
  const reader = new RegistryReader(fileSource(o.root));
  const info = await reader.info();
  if (!isValidRegistryName(info.name)) {
    throw new AamError("Error", `Cannot attest registry "${o.root}": its name ${JSON.stringify(info.name)} is not a registry name`, {
      file: join(o.root, REGISTRY_FILE),
      field: "name",
      hint: "set registry.yaml's name to lowercase letters, digits, '.', '_' or '-' (at most 64), before the first attest: clients pin it",
    });
  }
  const keys = unlockOnce(o.keys);
  try {
    return await underRegistryLock(o.root, ["snapshot/bins", KEYS_DIR], o, () => attestLocked(o, reader, info.name, keys));
  } finally {
    keys.wipe();
  }
}

async function attestLocked(o: AttestRegistryOptions, reader: RegistryReader, registry: string, keys: ReturnType<typeof unlockOnce>): Promise<AttestRegistryResult> {
  const state = await readSnapshotState(o.root);
  const attestorKeys = (await keys.all()).map((k) => fingerprint(k.publicKey));
  await assertOwnSnapshot(o.root, state, registry, attestorKeys);
  const chosen = await choosePackages(o, state);
  const failed: AttestFailure[] = [];
  const attested: { package: string; version: string }[] = [];
  const rewinds: Rewind[] = [];
  const sigWrites: { rel: string; text: string }[] = [];
  const changes = new Map<string, PackageRecord | null>();
  const events: NewEvent[] = [];
  for (const { fsName, version } of chosen) {
    const before = (await state.bin(binOf(fsName)))[fsName];
    const metaFile = join(o.root, metadataPath(fsName));
    const text = await fs.readTextIfExists(metaFile, DOCUMENT_LIMIT);
    const meta = text === null ? null : parseMetadata(text, metaFile);
    if (meta) checkFolderOwner(meta, meta.name, { root: o.root, file: metaFile });
    if (!meta && !before) {
      throw new AamError("NotFound", `Cannot attest "${fromFsName(fsName) ?? fsName}": no such package in registry "${o.root}"`, { file: metaFile, hint: "aam search --registry <r>" });
    }
    // A package gone from the tree is known to the snapshot by its file-system name only.
    const name = meta?.name ?? fromFsName(fsName) ?? fsName;
    rewinds.push(...findRewinds(name, before, meta));
    if (!meta) {
      changes.set(fsName, null);
      continue;
    }
    await assertOwnershipBacked({ root: o.root, registry, previous: state.previous, attestorKeys }, meta, before);
    const targets = version !== undefined ? [version] : meta.versions.filter((v) => before?.versions[v.version]?.checksum !== v.checksum).map((v) => v.version);
    const ok = new Map<string, string[]>();
    for (const v of targets) {
      const r = await attestVersion(o, reader, meta, v, registry, keys);
      if ("failure" in r) failed.push(r.failure);
      else {
        ok.set(v, r.signers);
        sigWrites.push({ rel: r.sigRel, text: r.sigText });
        attested.push({ package: meta.name, version: v });
        events.push({ event: "version.approve", package: meta.name, version: v, actor: o.actor, details: { registry, key_fingerprints: r.keyFingerprints, signers: r.signers } });
      }
    }
    changes.set(fsName, nextRecord(meta, ok, before));
  }
  assertNoRewinds(rewinds, o.allowRewind);
  // The attestation keys, for convenience: listed in registry.yaml and published in keys/ (never trusted by presence).
  const publicKeys = (await keys.all()).map((k) => ({ fp: fingerprint(k.publicKey), pem: ed25519PublicKeyToPem(k.publicKey) }));
  const ryFile = join(o.root, REGISTRY_FILE);
  const registryYaml = withAttestationKeys(await fs.readText(ryFile, DOCUMENT_LIMIT), publicKeys.map((k) => k.fp), ryFile) ?? undefined;
  const early: { rel: string; text: string }[] = [...sigWrites];
  for (const k of publicKeys) {
    const rel = `${KEYS_DIR}/${k.fp}.pem`;
    if ((await fs.stat(join(o.root, rel))) !== null) continue;
    early.push({ rel, text: k.pem });
    events.push({ event: "key.publish", package: null, version: null, actor: o.actor, details: { key_fingerprint: k.fp, purpose: "registry-attestation" } });
  }
  const { snapshot, bins } = await commitSnapshot({
    root: o.root,
    registry,
    state,
    changes,
    events,
    keys: keys.access(),
    expiresDays: o.expiresDays,
    now: o.now,
    actor: o.actor,
    early,
    metadata: [],
    index: false,
    registryYaml,
  });
  return { registry, serial: snapshot.serial, expires_at: snapshot.expires_at, attested, failed, bins };
}

/** The packages (file-system names) to look at, with the one version asked for when named. */
async function choosePackages(o: AttestRegistryOptions, state: SnapshotState): Promise<{ fsName: string; version?: string }[]> {
  if (o.select !== "all") return o.select.map((s) => ({ fsName: toFsName(s.name), version: s.version }));
  const names = new Set<string>();
  for (const e of await fs.readDirIfExists(join(o.root, PACKAGES_DIR))) if (e.isDirectory) names.add(e.name);
  // Packages the last snapshot lists but the tree no longer holds: removed (a rewind).
  for (const id of Object.keys(state.previous?.bins ?? {})) for (const fsName of Object.keys(await state.bin(id))) names.add(fsName);
  return [...names].sort().map((fsName) => ({ fsName }));
}

type VersionOutcome = { failure: AttestFailure } | { signers: string[]; sigRel: string; sigText: string; keyFingerprints: string[] };

/** Checks one version as `error`, with owners; on success answers its `.sig` with the attestations added. */
async function attestVersion(o: AttestRegistryOptions, reader: RegistryReader, meta: Metadata, version: string, registry: string, keys: ReturnType<typeof unlockOnce>): Promise<VersionOutcome> {
  const record = meta.versions.find((v) => v.version === version);
  const fail = (code: string, reason: string): VersionOutcome => ({ failure: { package: meta.name, version, code, reason } });
  if (!record) {
    throw new AamError("NotFound", `Cannot attest "${meta.name}@${version}": no such version`, { package: meta.name, version, hint: `aam info ${meta.name}` });
  }
  if (record.rejected) return fail("PolicyViolation", `rejected by the registry: ${record.rejected.reason}`);
  let signers: string[];
  let sig: SigFile;
  const pv = await reader.versionOf(meta, record);
  try {
    const input = await readRegistryVersion(reader, pv, o.trust);
    // The author side only: the attestation being made must not be needed (require_registry_attestation), nor an earlier one count.
    const report = await verifyPackage(input, { ...o.policy, onSignatureFailure: "error", trustRegistryAttestations: false, requireRegistryAttestation: false }, { now: o.now, checkWholeArchive: true });
    signers = report.signers.filter((s) => s.valid && s.trusted).map((s) => s.key_fingerprint ?? s.identity ?? "").filter((s) => s !== "");
    const owners = meta.owners ?? [];
    if (owners.length > 0 && !report.signers.some((s) => ownerOf(s, owners) !== undefined)) {
      return fail("PolicyViolation", `not signed by an owner (${owners.join(", ")})`);
    }
    sig = input.sigText === null ? { version: 1, package: meta.name, package_version: version, package_hash: report.checksum, signatures: [] } : parseSigFile(input.sigText, input.files.sig);
  } catch (e) {
    if (!(e instanceof AamError)) throw e;
    return fail(e.code, e.message);
  }
  const subject = { registry, package: meta.name, version, packageHash: record.checksum };
  for (const k of await keys.all()) sig = withAttestation(sig, await createAttestationEntry(subject, k, o.now));
  const text = serializeSigFile(sig);
  if (enc.encode(text).length > SIG_LIMIT.maxBytes) return fail("MalformedSignature", "the .sig would pass 1 MiB with the attestation");
  return { signers, sigRel: pv.sigFile, sigText: text, keyFingerprints: (sig.attestations ?? []).filter((a) => a.registry === registry).map((a) => a.key_fingerprint) };
}
