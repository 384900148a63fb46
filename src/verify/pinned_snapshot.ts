/**
 * A pinned registry's signed snapshot on the read paths (SPEC §5a steps 1–4): the root once per
 * command (signature by a pinned key and the pinned name, serial and expiry against
 * `$AAM_HOME/state/`, registry.yaml's hash), then per package its bin's hash and the merge with
 * metadata.yaml. Reads only snapshot.json, registry.yaml and the package's bin, through the
 * registry's source (folder, git and HTTP alike), so a read costs the same in a registry of any
 * size. None of its failures is softened by `warn`, `ignore` or `--no-verify`.
 *
 * Use: `new PinnedSnapshot(source, pin, {home, now, trusted})`, attach it to a RegistryReader
 * (`reader.guard`); the reader then answers effective metadata. `attestation()` and `isPending()`
 * answer per version afterwards. For the offline cache: `rootText()` is the exact root that passed,
 * `binText(name)` the exact bin a package's state came from.
 */
import { AamError } from "../errors.ts";
import { toFsName } from "../manifest/name.ts";
import { metadataPath, REGISTRY_FILE } from "../registry/layout.ts";
import type { Metadata, VersionRecord } from "../registry/metadata.ts";
import { parseMetadata } from "../registry/metadata.ts";
import { pendingView, viewBytes, type PendingView } from "../registry/pending_view.ts";
import type { GuardedReport, ReadGuard } from "../registry/read_guard.ts";
import type { RegistrySource } from "../registry/source.ts";
import { parseSigFile } from "../signing/sig_file.ts";
import { binOf, binPath } from "../attest/bin.ts";
import { parseBin } from "../attest/bin_doc.ts";
import { checkFreshness } from "../attest/freshness.ts";
import { checkSigners, mergeWithBin, type EffectiveState } from "../attest/merge.ts";
import { snapshotDigest } from "../attest/messages.ts";
import { parseSnapshot } from "../attest/snapshot_doc.ts";
import { verifyBoundBytes, verifySnapshotSignatures } from "../attest/snapshot_verify.ts";
import type { PackageRecord, Snapshot } from "../attest/types.ts";
import { ownValue } from "../encoding/json_fields.ts";
import { raiseSeenSnapshot, readSeenSnapshot } from "../config/snapshot_serials.ts";

export const SNAPSHOT_FILE = "snapshot.json";

/** A registry entry's `attestation` (config.yaml), with the entry's alias. */
export interface RegistryPin {
  alias: string;
  /** The signed registry name. */
  name: string;
  /** Pinned attestation key fingerprints (lowercase hex). */
  keys: string[];
  min_serial?: number;
}

export interface PinnedOptions {
  home: string;
  now: Date;
  /** The alias is in `security.trusted_registries`: its attestations may count (SPEC §6). */
  trusted: boolean;
  /** Called after a newer root raised the saved serial, with its bytes and the reader it came through (the offline cache follows it). */
  onRaised?: (rootBytes: Uint8Array, read: (rel: string) => Promise<Uint8Array | null>) => Promise<void>;
}

/** What the pipeline takes for a version of a trusted pinned registry (VerifyInput.attestation). */
export interface AttestationInput {
  registry: string;
  keys: string[];
  /** The valid snapshot lists this version, and not as rejected. */
  listed: boolean;
}

interface CheckedRoot {
  root: Snapshot;
  text: string;
  view: PendingView;
  warnings: string[];
}

export class PinnedSnapshot implements ReadGuard {
  readonly source: RegistrySource;
  readonly pin: RegistryPin;
  readonly #opts: PinnedOptions;
  #root?: Promise<CheckedRoot>;
  readonly #states = new Map<string, EffectiveState & { record: PackageRecord | undefined }>();
  /** Package name → the exact bin text its record came from (undefined: its bin is not listed). */
  readonly #binTexts = new Map<string, string | undefined>();

  constructor(source: RegistrySource, pin: RegistryPin, opts: PinnedOptions) {
    this.source = source;
    this.pin = { ...pin, keys: pin.keys.map((k) => k.toLowerCase()) };
    this.#opts = opts;
  }

  #file(rel: string): string {
    return `${this.source.location}/${rel}`;
  }

  async checkRoot(): Promise<void> {
    await this.#checked();
  }

  /** The checked root (steps 1–3 for the root), read and judged once. */
  async root(): Promise<Snapshot> {
    return (await this.#checked()).root;
  }

  #checked(): Promise<CheckedRoot> {
    return (this.#root ??= this.#checkRoot());
  }

  async #checkRoot(): Promise<CheckedRoot> {
    const view = await pendingView(this.source);
    const read = viewBytes(this.source, view);
    const file = this.#file(SNAPSHOT_FILE);
    const bytes = await read(SNAPSHOT_FILE);
    if (bytes === null) {
      throw new AamError("StaleMetadata", `Cannot trust registry "${this.pin.alias}": it has no ${SNAPSHOT_FILE}, and you pinned its attestation keys`, {
        file,
        expected: `a snapshot signed for "${this.pin.name}"`,
        actual: "(missing)",
        hint: "a registry you pinned must serve its signed snapshot; ask its maintainers to run `aam registry attest`, or unpin it by removing `attestation` from its entry in config.yaml",
      });
    }
    const text = new TextDecoder().decode(bytes);
    const root = parseSnapshot(text, file);
    await verifySnapshotSignatures(root, this.pin, file);
    const { home, now } = this.#opts;
    const digest = snapshotDigest(root);
    const seen = await readSeenSnapshot(home, this.pin.name, this.pin.keys);
    const fresh = checkFreshness({ root, digest, seen, minSerial: this.pin.min_serial ?? 0, now, offline: false, file });
    verifyBoundBytes(root, "registry.yaml", (await read(REGISTRY_FILE)) ?? new Uint8Array(), this.#file(REGISTRY_FILE));
    // Raised only once the root passed: a refused snapshot never moves the state.
    if (fresh.save) {
      await raiseSeenSnapshot(home, this.pin.name, this.pin.keys, fresh.save, now);
      await this.#opts.onRaised?.(bytes, read);
    }
    return { root, text, view, warnings: fresh.warnings };
  }

  /**
   * Steps 3 (the bin) and 4 (the merge) for one package; the journal's metadata.yaml is taken over
   * `meta` when a write is pending, as the snapshot in the journal belongs with it.
   * @throws {AamError} TamperedPackage for a bin not matching the root, or metadata.yaml undoing what the bin vouches for.
   */
  async effective(meta: Metadata): Promise<EffectiveState> {
    const known = this.#states.get(meta.name);
    if (known) return known;
    const { root, view } = await this.#checked();
    const fsName = toFsName(meta.name);
    const rel = metadataPath(fsName);
    const current = view.files.has(rel) ? parseMetadata(view.files.get(rel)!, this.#file(rel)) : meta;
    const record = await this.#record(root, view, fsName, meta.name);
    const state = { ...mergeWithBin(current, record, this.#file(rel)), record };
    this.#states.set(meta.name, state);
    return state;
  }

  async #record(root: Snapshot, view: PendingView, fsName: string, name?: string): Promise<PackageRecord | undefined> {
    const id = binOf(fsName);
    if (!Object.hasOwn(root.bins, id)) return undefined; // no package of this bin is listed
    const rel = binPath(id);
    const bytes = await viewBytes(this.source, view)(rel);
    verifyBoundBytes(root, id, bytes ?? new Uint8Array(), this.#file(rel));
    const text = new TextDecoder().decode(bytes!);
    if (name !== undefined) this.#binTexts.set(name, text);
    return ownValue(parseBin(text, this.#file(rel), id), fsName);
  }

  /** The exact snapshot.json text that passed the checks. */
  async rootText(): Promise<string> {
    return (await this.#checked()).text;
  }

  /** The exact bin text a package's effective state came from; undefined when its bin is not listed or it was not read. */
  binText(name: string): string | undefined {
    return this.#binTexts.get(name);
  }

  async metadata(meta: Metadata): Promise<Metadata> {
    return effectiveMetadata(meta, await this.effective(meta));
  }

  /** A `.sig` must name every key the bin lists as a signer of the version (checked again with the pipeline's valid signers: afterVerify). */
  sig(name: string, version: string, text: string | null, file: string): void {
    const listed = this.#listedSigners(name, version);
    if (listed.length === 0) return;
    let present: string[] = [];
    if (text !== null) {
      try {
        const sig = parseSigFile(text, file);
        present = sig.signatures.map((e) => ("key_fingerprint" in e ? e.key_fingerprint : "")).filter(Boolean);
      } catch {
        present = []; // an unreadable .sig names no signer: the check below reports it
      }
    }
    // Sigstore identities are named inside the certificate: the pipeline's report checks those.
    checkSigners(name, version, listed.filter(isFingerprint), present, file);
  }

  /**
   * After the pipeline: the signers the bin lists must be among the `.sig`'s valid entries (a
   * report without signers, under `ignore` or `--no-verify`, was checked by `sig()` only).
   * @returns a note when the version is pending.
   */
  afterVerify(report: GuardedReport, sigFile: string): string[] {
    if (report.signers.length > 0) {
      const valid = report.signers.filter((s) => s.valid).map((s) => s.key_fingerprint ?? s.identity ?? "");
      checkSigners(report.package, report.version, this.#listedSigners(report.package, report.version), valid, sigFile);
    }
    return this.isPending(report.package, report.version) ? [`${report.package}@${report.version} is pending: registry "${this.pin.name}" has not attested it yet (its signed snapshot does not list it)`] : [];
  }

  async missing(name: string): Promise<void> {
    const { root, view } = await this.#checked();
    const fsName = toFsName(name);
    if ((await this.#record(root, view, fsName)) === undefined) return;
    throw new AamError("TamperedPackage", `Cannot trust registry "${this.pin.alias}": "${name}" is listed in its signed snapshot, but its metadata.yaml is gone`, {
      package: name,
      file: this.#file(metadataPath(fsName)),
      expected: "metadata.yaml",
      actual: "(missing)",
      hint: "a package was deleted or hidden after the registry vouched for it; do not use this registry until its maintainers run `aam registry verify`",
    });
  }

  #listedSigners(name: string, version: string): string[] {
    const rec = this.#states.get(name)?.record;
    return (rec ? ownValue(rec.versions, version)?.signers : undefined) ?? [];
  }

  /** Published after the last attest: not vouched for by the snapshot yet. */
  isPending(name: string, version: string): boolean {
    return this.#states.get(name)?.pending.includes(version) ?? false;
  }

  /** The pipeline's `attestation` input, set only when the registry is in `security.trusted_registries`. */
  attestation(name: string, version: string): AttestationInput | undefined {
    if (!this.#opts.trusted) return undefined;
    const st = this.#states.get(name)?.record;
    const v = st ? ownValue(st.versions, version) : undefined;
    return { registry: this.pin.name, keys: [...this.pin.keys], listed: v !== undefined && v.rejected === null };
  }

  /** Warnings of the root check (none here: online, an expired root is refused; freshness warns only offline). */
  async warnings(): Promise<string[]> {
    return (await this.#checked()).warnings;
  }
}

function isFingerprint(s: string): boolean {
  return /^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(s);
}

/** metadata.yaml with the effective dist-tags, yanks and rejections (SPEC §5a step 4). */
export function effectiveMetadata(meta: Metadata, st: EffectiveState): Metadata {
  const byVersion = new Map(st.versions.map((v) => [v.version, v]));
  const versions = meta.versions.map((v): VersionRecord => {
    const e = byVersion.get(v.version);
    if (!e) return v;
    const { rejected: _old, ...rest } = v;
    return { ...rest, yanked: e.yanked, ...(e.rejected ? { rejected: { ...e.rejected } } : {}) };
  });
  return { ...meta, dist_tags: { ...st.dist_tags }, versions };
}
