/**
 * `aam registry verify` (SPEC §4, §6, §7): every version through the one pipeline, plus the
 * consistency of metadata, archives, index and the audit-log chain.
 */
import { AamError, type ErrorCode } from "../errors.ts";
import type { PackageVersion, RegistryReader } from "../registry/reader.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import type { LocalTrust } from "./local_trust.ts";
import { registryInput } from "./inputs.ts";
import { parseMetadata, type Metadata } from "../registry/metadata.ts";
import { verifyPackage, type VerifyOptions } from "./pipeline.ts";
import { isArchiveBytes, type ArchiveInput } from "./archive_source.ts";
import { verifyAuditChain } from "../registry/audit_log.ts";
import { indexEntryFor } from "../registry/index_file.ts";
import { toFsName } from "../manifest/name.ts";
import { JOURNAL_FILE, PACKAGES_DIR } from "../registry/layout.ts";
import { checkRegistrySnapshot, type SnapshotSummary } from "./snapshot_check.ts";
import { checkRegistryOwners } from "./owners_check.ts";
import { metasThroughView, pendingView } from "../registry/pending_view.ts";

export interface RegistryFailure {
  subject: string;
  code: ErrorCode;
  message: string;
  file?: string;
}

export interface RegistryReport {
  registry: string;
  ok: boolean;
  packages: number;
  versions: number;
  verified: number;
  unsigned: number;
  /** Versions the registry rejected (metadata.yaml or its snapshot): never counted as verified, nor as failures for their signatures. */
  rejected: number;
  failures: RegistryFailure[];
  warnings: string[];
  audit_log: { ok: boolean; events: number; broken_line?: number; reason?: string };
  /** The signed snapshot (SPEC §5a), when the registry has one. */
  snapshot?: SnapshotSummary;
}

// A remote (HTTP) registry: versions in flight at once, to overlap network round trips.
const REMOTE_CONCURRENCY = 8;
/** Failures that still count for a rejected version: its files are not what the registry says. */
const INTEGRITY = new Set<ErrorCode>(["TamperedPackage", "UnsafeArchive", "NotFound", "Error"]);
/**
 * A local registry runs versions in batches. A batch's archives are read one after another, then
 * the whole batch goes on to its signatures, so WebCrypto's thread-pool jobs mostly run while the
 * main thread waits rather than alongside its reads. On the 2-vCPU bench machine, overlapping the two
 * (a pool of 8 starting a version whenever one ended) slowed both down: 1,000 versions took ~0.64 s
 * and ~0.92 s of CPU against ~0.54 s and ~0.79 s in batches, for the same work. A batch also ends at
 * BATCH_ARCHIVE_BYTES of archives (their sizes on disk), which bounds memory where a verifier holds
 * whole archives (OpenPGP, Sigstore).
 */
const BATCH_VERSIONS = 64;
const BATCH_ARCHIVE_BYTES = 16 << 20;

type ReadGate = NonNullable<VerifyOptions["readGate"]>;

/**
 * Read gates for a batch of `n` versions, one each: archives are read one at a time (the memory of
 * one pass, however many versions are in flight), and a version's first read is handed back only
 * once every version of the batch is past its own, so the batch goes on to its signatures together
 * (see BATCH_VERSIONS). `leave` marks a version done; it counts as read if it never read.
 */
function batchGates(n: number): { gate: ReadGate; leave: () => void }[] {
  let queue: Promise<unknown> = Promise.resolve();
  let left = n;
  let openGate!: () => void;
  const allRead = new Promise<void>((resolve) => (openGate = resolve));
  const arrive = () => {
    if (--left === 0) openGate();
  };
  return Array.from({ length: n }, () => {
    let first = true;
    const leave = () => {
      if (first) arrive();
      first = false;
    };
    const gate: ReadGate = (read) => {
      const r = queue.then(read);
      queue = r.catch(() => undefined);
      if (!first) return r; // later reads (after allRead) pass straight through
      first = false;
      void r.then(arrive, arrive);
      return r.then(
        (v) => allRead.then(() => v),
        (e) => allRead.then(() => Promise.reject(e)),
      );
    };
    return { gate, leave };
  });
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

export async function verifyRegistry(
  reader: RegistryReader,
  policy: TrustPolicy,
  progress?: (done: number, total: number) => void,
  trust?: LocalTrust,
  now: Date = new Date(),
): Promise<RegistryReport> {
  const report: RegistryReport = {
    registry: reader.location,
    ok: true,
    packages: 0,
    versions: 0,
    verified: 0,
    unsigned: 0,
    rejected: 0,
    failures: [],
    warnings: [],
    audit_log: { ok: true, events: 0 },
  };
  const failure = (subject: string, e: unknown): RegistryFailure => {
    const err = e instanceof AamError ? e : new AamError("Error", String((e as Error)?.message ?? e));
    return { subject, code: err.code, message: err.message, ...(err.details.file ? { file: err.details.file } : {}) };
  };
  const fail = (subject: string, e: unknown) => report.failures.push(failure(subject, e));
  await reader.info();
  // Metadata, package by package, so one broken file does not hide the others.
  const metas: Metadata[] = [];
  const dirs = await reader.source.listDir(PACKAGES_DIR);
  if (dirs !== null) {
    for (const d of dirs.sort()) {
      const rel = `${PACKAGES_DIR}/${d}/metadata.yaml`;
      const text = await reader.source.readText(rel);
      if (text === null) {
        report.warnings.push(`${rel}: missing (folder without metadata)`);
        continue;
      }
      try {
        const m = parseMetadata(text, `${reader.location}/${rel}`);
        if (toFsName(m.name) !== d) throw new AamError("TamperedPackage", `${rel} names "${m.name}", which belongs in packages/${toFsName(m.name)}`);
        metas.push(m);
      } catch (e) {
        fail(rel, e);
      }
    }
  } else {
    for (const p of (await reader.index()).packages) {
      try {
        metas.push(await reader.metadata(p.name));
      } catch (e) {
        fail(p.name, e);
      }
    }
  }
  report.packages = metas.length;
  let done = 0;
  const jobs = metas.flatMap((m) => m.versions.map((v) => ({ m, v }))).map((j, index) => ({ ...j, index }));
  report.versions = jobs.length;
  // Failures are reported in version order, whatever order the checks end in (the first one sets
  // the exit code).
  const versionFailures = new Array<RegistryFailure | undefined>(jobs.length);
  const outcomes = new Array<"verified" | "unsigned" | undefined>(jobs.length);
  type Job = (typeof jobs)[number];
  interface Opened extends Job {
    pv: PackageVersion;
    archive: ArchiveInput;
    sigText: string | null;
  }
  const open = async ({ m, v, index }: Job): Promise<Opened | null> => {
    try {
      const pv = await reader.versionOf(m, v);
      const [archive, sigText] = await Promise.all([reader.archiveSource(pv), reader.sig(pv)]);
      return { m, v, index, pv, archive, sigText };
    } catch (e) {
      versionFailures[index] = failure(`${m.name}@${v.version}`, e);
      progress?.(++done, jobs.length);
      return null;
    }
  };
  const check = async ({ m, v, index, pv, archive, sigText }: Opened, gate?: { gate: ReadGate; leave: () => void }): Promise<void> => {
    try {
      const r = await verifyPackage(
        registryInput(reader, pv, archive, sigText, trust),
        // require_registry_attestation is a consumer's rule; this is the maintainer's tool: the snapshot
        // check below verifies every attestation and reports unattested versions as pending instead.
        { ...policy, onSignatureFailure: policy.onSignatureFailure === "ignore" ? "ignore" : "error", requireRegistryAttestation: false },
        // An audit: every archive's structure is checked, whoever signed it.
        { checkWholeArchive: true, readGate: gate?.gate, now },
      );
      if (r.outcome === "verified" || r.outcome === "unsigned") outcomes[index] = r.outcome;
    } catch (e) {
      versionFailures[index] = failure(`${m.name}@${v.version}`, e);
    }
    gate?.leave();
    progress?.(++done, jobs.length);
  };
  if (reader.source.root === undefined) {
    await pool(jobs, REMOTE_CONCURRENCY, async (j) => {
      const o = await open(j);
      if (o) await check(o);
    });
  } else {
    for (let i = 0; i < jobs.length; ) {
      const batch: Opened[] = [];
      let bytes = 0;
      while (i < jobs.length && batch.length < BATCH_VERSIONS && bytes < BATCH_ARCHIVE_BYTES) {
        const o = await open(jobs[i++]);
        if (o === null) continue;
        batch.push(o);
        bytes += isArchiveBytes(o.archive) ? o.archive.length : (o.archive.size ?? BATCH_ARCHIVE_BYTES);
      }
      const gates = batchGates(batch.length);
      await Promise.all(batch.map((o, k) => check(o, gates[k])));
    }
  }
  // The snapshot check runs now (its failures are reported in their place below): a rejection it holds counts too.
  const auditText = await reader.auditLog();
  // The snapshot and owners checks pair metadata with audit events: both read through a pending
  // journal, so a writer killed between renaming metadata.yaml and appending its event is not tampering.
  const view = await pendingView(reader.source, auditText);
  const snapshotFailures: RegistryFailure[] = [];
  const current = metasThroughView(view, metas, reader.location, (e) => snapshotFailures.push(failure(JOURNAL_FILE, e)));
  const snapshot = await checkRegistrySnapshot(reader, current, view, { fail: (subject, e) => snapshotFailures.push(failure(subject, e)), warn: (m) => report.warnings.push(m) });
  const rejected = new Set([...jobs.filter((j) => j.v.rejected).map((j) => `${j.m.name}@${j.v.version}`), ...(snapshot?.rejected ?? [])]);
  for (const j of jobs) {
    const f = versionFailures[j.index];
    if (rejected.has(`${j.m.name}@${j.v.version}`)) {
      // Nobody may use it, so its signatures no longer matter; its files must still be the ones metadata.yaml names.
      report.rejected++;
      if (f && INTEGRITY.has(f.code)) report.failures.push(f);
    } else if (f) report.failures.push(f);
    else if (outcomes[j.index]) report[outcomes[j.index]!]++;
  }
  // Archives nobody references: left by an interrupted publish, or dropped in by hand.
  if (dirs !== null) {
    for (const m of metas) {
      const fsName = toFsName(m.name);
      const names = (await reader.source.listDir(`${PACKAGES_DIR}/${fsName}`)) ?? [];
      const known = new Set(m.versions.map((v) => `${v.version}.aam`));
      for (const n of names) if (n.endsWith(".aam") && !known.has(n)) report.warnings.push(`${PACKAGES_DIR}/${fsName}/${n}: not listed in metadata.yaml (an interrupted publish?)`);
    }
  }
  // The index is derived data; a stale one is repaired by the next write.
  try {
    const idx = await reader.index();
    const byName = new Map(idx.packages.map((p) => [p.name, p]));
    for (const m of metas) {
      const want = indexEntryFor(m);
      const have = byName.get(m.name);
      if (!have) report.warnings.push(`index.yaml: "${m.name}" is missing (rebuilt by the next publish)`);
      else if (have.latest !== want.latest || have.signed !== want.signed) report.warnings.push(`index.yaml: "${m.name}" is stale (rebuilt by the next publish)`);
      byName.delete(m.name);
    }
    for (const extra of byName.keys()) report.warnings.push(`index.yaml: lists "${extra}", which has no metadata.yaml`);
  } catch (e) {
    fail("index.yaml", e);
  }
  // A publish killed after its commit point: readers see the state before it until a write finishes it.
  if (reader.source.kind !== "http" && (await reader.source.readText(JOURNAL_FILE)) !== null) {
    report.warnings.push(`${JOURNAL_FILE}: an interrupted write is pending (the next publish, yank or dist-tag completes it)`);
  }
  report.failures.push(...snapshotFailures);
  if (snapshot) report.snapshot = snapshot;
  if (policy.requireRegistryAttestation) {
    const pending = snapshot ? snapshot.pending.length : jobs.length - rejected.size;
    if (pending > 0) report.warnings.push(`${pending} version(s) not attested yet: machines with security.require_registry_attestation refuse them until \`aam registry attest\``);
  }
  await checkRegistryOwners(reader, current, view.audit, { fail }, { trust, now });
  const chain = verifyAuditChain(auditText);
  report.audit_log = { ok: chain.ok, events: chain.events, ...(chain.brokenLine ? { broken_line: chain.brokenLine, reason: chain.reason } : {}) };
  if (!chain.ok) report.failures.push({ subject: "audit.log", code: "TamperedPackage", message: `line ${chain.brokenLine}: ${chain.reason}` });
  report.ok = report.failures.length === 0;
  return report;
}
