/**
 * SPEC §5a "Offline": `verify --offline`, `install --offline` and `bundle import` check a pinned
 * registry's snapshot as carried in the cache or a bundle: a valid signature by a pinned key and the
 * pinned name (else TamperedPackage), a serial not below the saved state (else StaleMetadata; the
 * state is raised), the package's bin bound to the root (else TamperedPackage) and merged with the
 * entry's metadata.yaml as step 4 (a rejected version is PolicyViolation). Only expiry is softened,
 * to a warning: an air-gapped machine cannot fetch a fresh snapshot.
 */
import { AamError } from "../errors.ts";
import { rejectedError } from "../verify/rejected.ts";
import { toFsName } from "../manifest/name.ts";
import { parseMetadata, type Metadata } from "../registry/metadata.ts";
import { binOf } from "../attest/bin.ts";
import { parseBin } from "../attest/bin_doc.ts";
import { checkFreshness } from "../attest/freshness.ts";
import { mergeWithBin, checkSigners } from "../attest/merge.ts";
import { snapshotDigest } from "../attest/messages.ts";
import { parseSnapshot } from "../attest/snapshot_doc.ts";
import { verifyBoundBytes, verifySnapshotSignatures, type SnapshotPin } from "../attest/snapshot_verify.ts";
import type { PackageRecord, Snapshot } from "../attest/types.ts";
import { raiseSeenSnapshot, readSeenSnapshot } from "../config/snapshot_serials.ts";
import type { VerifyReport } from "../verify/pipeline.ts";

export interface OfflinePin extends SnapshotPin {
  min_serial?: number;
}

/** The snapshot as carried: the root's bytes and a reader of the bins it names. */
export interface CarriedSnapshot {
  rootBytes: Uint8Array | null;
  /** Where it lies (cache path or `bundle!...`), for messages. */
  file: string;
  bin(root: Snapshot, id: string): Promise<Uint8Array | null>;
}

export interface OfflineSnapshotCheck {
  warnings: string[];
  /** The version is in the snapshot and not rejected: an attestation of it may count (SPEC §6). */
  listed: boolean;
  /** Author signers the snapshot lists for the version; the .sig must still carry each (checkListedSigners). */
  signers: string[];
  /** Raises the saved serial to this root's (SPEC §5a step 2); the caller runs it once everything it checks passed. */
  raise(): Promise<void>;
}

const HINT = "prepare the package again while connected (aam verify --offline-prepare), or import a newer bundle";

/**
 * Runs the offline checks for `name@version` against a carried snapshot. The saved serial is raised
 * by the answer's `raise()`, so a bundle that fails half-way moves no state.
 * @throws {AamError} StaleMetadata (no snapshot, or one older than the saved state), TamperedPackage
 * (signature, name, bin), PolicyViolation (a rejected version). Never softened by policy.
 */
export async function checkCarriedSnapshot(home: string, pin: OfflinePin, snap: CarriedSnapshot, name: string, version: string, metadataText: string, now: Date): Promise<OfflineSnapshotCheck> {
  if (snap.rootBytes === null) {
    throw new AamError("StaleMetadata", `Cannot trust "${name}@${version}" offline: no snapshot of its pinned registry "${pin.name}" was carried with it`, {
      package: name,
      version,
      file: snap.file,
      hint: HINT,
    });
  }
  const root = parseSnapshot(new TextDecoder().decode(snap.rootBytes), snap.file);
  await verifySnapshotSignatures(root, pin, snap.file);
  const digest = snapshotDigest(root);
  const seen = await readSeenSnapshot(home, pin.name, pin.keys);
  const fresh = checkFreshness({ root, digest, seen, minSerial: pin.min_serial ?? 0, now, offline: true, file: snap.file });
  const record = await binRecord(root, snap, name);
  const meta = parseMetadata(metadataText, `${snap.file}!${name}/metadata.yaml`);
  const state = mergeWithBin(meta, onlyListedIn(record, meta), `${snap.file}!${name}/metadata.yaml`);
  const v = state.versions.find((x) => x.version === version);
  if (v?.rejected) throw rejectedError(name, version, v.rejected, pin.name);
  const save = fresh.save;
  const raise = async () => void (save && (await raiseSeenSnapshot(home, pin.name, pin.keys, save, now)));
  const warnings = [...fresh.warnings];
  const listed = v !== undefined && !v.pending;
  if (!listed) warnings.push(`${name}@${version} is pending in registry "${pin.name}": its snapshot (serial ${root.serial}) does not list it yet`);
  return { warnings, listed, signers: v?.signers ?? [], raise };
}

/** The package's record from its bin, after the bin's bytes are checked against the root. */
async function binRecord(root: Snapshot, snap: CarriedSnapshot, name: string): Promise<PackageRecord | undefined> {
  const fsName = toFsName(name);
  const id = binOf(fsName);
  if (!Object.hasOwn(root.bins, id)) return undefined; // no package of this bin was attested yet
  const file = `${snap.file}!bins/${id}.json`;
  const bytes = await snap.bin(root, id);
  if (bytes === null) {
    // Not carried (a newer root came with a bundle that did not hold this bin): prepare it again.
    throw new AamError("StaleMetadata", `Cannot trust "${name}" offline: bin ${id} of registry "${root.registry}", which its snapshot names, was not carried`, { file, package: name, hint: HINT });
  }
  verifyBoundBytes(root, id, bytes, file);
  const bin = parseBin(new TextDecoder().decode(bytes), file, id);
  return Object.hasOwn(bin, fsName) ? bin[fsName] : undefined;
}

/**
 * The record cut to the versions the entry's metadata.yaml lists. An entry keeps the metadata.yaml
 * it was prepared with, and a later prepare may bring a newer root listing versions published since:
 * those are not the entry's business. A version both list must agree (mergeWithBin checks it).
 */
function onlyListedIn(record: PackageRecord | undefined, meta: Metadata): PackageRecord | undefined {
  if (!record) return undefined;
  const known = new Set(meta.versions.map((v) => v.version));
  return { ...record, versions: Object.fromEntries(Object.entries(record.versions).filter(([v]) => known.has(v))) };
}

/**
 * After the pipeline: the `.sig` still carries every author signer the snapshot lists (SPEC §5a step 4).
 * @throws {AamError} TamperedPackage naming the first missing signer.
 */
export function checkListedSigners(report: VerifyReport, listedSigners: readonly string[], file: string): void {
  // --no-verify checks no signature, so no signer is known valid; what the bin lists cannot be compared.
  if (report.checks.signature === "skipped" && report.outcome === "skipped") return;
  const have = report.signers.filter((s) => s.valid && s.algorithm !== "registry-attestation").flatMap((s) => [s.key_fingerprint, s.identity].filter((x): x is string => typeof x === "string"));
  checkSigners(report.package, report.version, listedSigners, have, file);
}
