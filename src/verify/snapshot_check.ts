/**
 * `aam registry verify` on a registry's signed snapshot (SPEC §5a, §7): the root's own signatures
 * (integrity; trust comes from pinned keys, which registry verify does not need), `registry_yaml`,
 * every bin's hash and record against metadata.yaml (mix-and-match, deletion), `audit_head` and the
 * serial of the last `snapshot.sign` event, and every attestation of this registry in the `.sig`s.
 */
import { AamError } from "../errors.ts";
import { toFsName } from "../manifest/name.ts";
import type { Metadata } from "../registry/metadata.ts";
import { viewBytes, type PendingView } from "../registry/pending_view.ts";
import type { RegistryReader } from "../registry/reader.ts";
import { parseAuditEvents } from "../registry/audit_log.ts";
import { sha256Hex } from "../encoding/sha256.ts";
import { parseSigFile } from "../signing/sig_file.ts";
import { verifyAttestationEntry } from "../attest/attestation_entry.ts";
import { binPath } from "../attest/bin.ts";
import { parseBin } from "../attest/bin_doc.ts";
import { mergeWithBin } from "../attest/merge.ts";
import { parseSnapshot } from "../attest/snapshot_doc.ts";
import { verifyBoundBytes, verifySnapshotSignatures } from "../attest/snapshot_verify.ts";

export interface SnapshotSummary {
  serial: number;
  expires_at: string;
  /** Keys whose signatures on the root verify (not a statement of trust). */
  signed_by: string[];
  /** Versions published since the snapshot: not attested yet. */
  pending: string[];
  /** Versions the snapshot marks rejected (metadata.yaml may have lost the mark: the snapshot's applies). */
  rejected: string[];
}

export interface SnapshotSink {
  fail(subject: string, e: unknown): void;
  warn(message: string): void;
}

const SNAPSHOT_FILE = "snapshot.json";

/**
 * Checks the snapshot, if the registry has one, against `metas` and the audit log as `view` has them
 * (a pending journal applied: see registry/pending_view.ts); answers its summary, or null without
 * one (or when unreadable: then a failure is reported).
 */
export async function checkRegistrySnapshot(reader: RegistryReader, metas: readonly Metadata[], view: PendingView, out: SnapshotSink): Promise<SnapshotSummary | null> {
  const auditText = view.audit;
  const readText = async (rel: string) => view.files.get(rel) ?? (await reader.source.readText(rel));
  const readBytes = viewBytes(reader.source, view);
  const text = await readText(SNAPSHOT_FILE);
  if (text === null) return null;
  const file = `${reader.location}/${SNAPSHOT_FILE}`;
  try {
    const root = parseSnapshot(text, file);
    const info = await reader.info();
    if (root.registry !== info.name) out.fail(SNAPSHOT_FILE, new AamError("TamperedPackage", `snapshot.json is signed for registry "${root.registry}", but registry.yaml names "${info.name}"`, { file }));
    const signedBy = await verifySnapshotSignatures(root, { name: root.registry, keys: root.signatures.map((s) => s.key_fingerprint) }, file).catch((e) => {
      out.fail(SNAPSHOT_FILE, e);
      return [] as string[];
    });
    const registryYaml = await reader.source.readBytes("registry.yaml");
    try {
      verifyBoundBytes(root, "registry.yaml", registryYaml ?? new Uint8Array(), `${reader.location}/registry.yaml`);
    } catch (e) {
      out.fail("registry.yaml", e);
    }
    const byFsName = new Map(metas.map((m) => [toFsName(m.name), m]));
    /** Package name → its versions in the snapshot, and those of them not rejected. */
    const listed = new Map<string, { all: Set<string>; active: Set<string> }>();
    const mixed = new Set<string>();
    for (const id of Object.keys(root.bins).sort()) {
      const rel = binPath(id);
      try {
        const bytes = await readBytes(rel);
        verifyBoundBytes(root, id, bytes ?? new Uint8Array(), `${reader.location}/${rel}`);
        for (const [fsName, record] of Object.entries(parseBin(new TextDecoder().decode(bytes!), `${reader.location}/${rel}`, id))) {
          const meta = byFsName.get(fsName);
          if (!meta) {
            out.fail(`packages/${fsName}`, new AamError("TamperedPackage", `the snapshot lists "${fsName}", which has no metadata.yaml (a deleted package)`, { file: `${reader.location}/${rel}` }));
            continue;
          }
          // Listed before the merge: a version the snapshot vouches for is never also pending, whatever metadata.yaml says.
          const versions = Object.entries(record.versions);
          listed.set(meta.name, { all: new Set(versions.map(([v]) => v)), active: new Set(versions.filter(([, st]) => st.rejected === null).map(([v]) => v)) });
          try {
            mergeWithBin(meta, record, `${reader.location}/packages/${fsName}/metadata.yaml`);
          } catch (e) {
            // Reported once: its attestations are not checked against a metadata.yaml the snapshot disowns.
            mixed.add(meta.name);
            throw e;
          }
        }
      } catch (e) {
        out.fail(rel, e);
      }
    }
    checkAuditHead(root.serial, root.audit_head, auditText, file, out);
    const pending: string[] = [];
    const rejected: string[] = [];
    for (const m of metas) {
      const inSnapshot = listed.get(m.name);
      for (const v of m.versions) {
        if (!inSnapshot?.all.has(v.version)) {
          if (!v.rejected) pending.push(`${m.name}@${v.version}`);
          continue;
        }
        if (!inSnapshot.active.has(v.version)) rejected.push(`${m.name}@${v.version}`);
        else if (!v.rejected && !mixed.has(m.name)) await checkAttestations(reader, m, v.version, v.checksum, root.registry, signedBy, out);
      }
    }
    return { serial: root.serial, expires_at: root.expires_at, signed_by: signedBy, pending, rejected };
  } catch (e) {
    out.fail(SNAPSHOT_FILE, e);
    return null;
  }
}

/** The last `snapshot.sign` event names this serial, and `audit_head` names the line before it. */
function checkAuditHead(serial: number, head: { seq: number; sha256: string }, auditText: string, file: string, out: SnapshotSink): void {
  const events = parseAuditEvents(auditText);
  const signs = events.filter((e) => e.event === "snapshot.sign");
  const last = signs[signs.length - 1];
  const lastSerial = last && typeof last.details.serial === "number" ? last.details.serial : 0;
  if (lastSerial !== serial) {
    out.fail(SNAPSHOT_FILE, new AamError("TamperedPackage", `snapshot.json has serial ${serial}, but the audit log's last snapshot.sign event has serial ${lastSerial || "(none)"}: an older snapshot put back, or the log cut`, { file, expected: `serial ${lastSerial}`, actual: `serial ${serial}` }));
    return;
  }
  const lines = auditText.split("\n");
  const line = head.seq > 0 ? lines[head.seq - 1] : undefined;
  const actual = line === undefined ? "0".repeat(64) : sha256Hex(new TextEncoder().encode(line));
  if (actual !== head.sha256 || last.seq !== head.seq + 1) {
    out.fail(SNAPSHOT_FILE, new AamError("TamperedPackage", `snapshot.json's audit_head (line ${head.seq}) is not the audit log line before its snapshot.sign event`, { file, expected: head.sha256, actual }));
  }
}

/** Every attestation of this registry in the version's `.sig` verifies; a listed version without one by a snapshot key is reported. */
async function checkAttestations(reader: RegistryReader, m: Metadata, version: string, checksum: string, registry: string, keys: readonly string[], out: SnapshotSink): Promise<void> {
  const subject = `${m.name}@${version}`;
  try {
    const record = m.versions.find((v) => v.version === version)!;
    const pv = await reader.versionOf(m, record);
    const text = await reader.sig(pv);
    const mine = text === null ? [] : (parseSigFile(text, `${reader.location}/${pv.sigFile}`).attestations ?? []).filter((a) => a.registry === registry);
    let byKey = false;
    for (const a of mine) {
      if (!(await verifyAttestationEntry(a, { registry, package: m.name, version, packageHash: checksum }))) {
        out.fail(subject, new AamError("TamperedPackage", `the registry-attestation by ${a.key_fingerprint} does not verify for ${subject}`, { package: m.name, version, file: `${reader.location}/${pv.sigFile}` }));
      } else if (keys.includes(a.key_fingerprint)) byKey = true;
    }
    // Not a failure: a reject killed before its snapshot is written leaves this until it is run again.
    if (!byKey) out.warn(`${subject}: listed in the snapshot, but no attestation by a snapshot key is in its .sig`);
  } catch (e) {
    out.fail(subject, e);
  }
}
