/**
 * The snapshot half of `registry attest` and `registry reject` (SPEC §5a), run under the registry
 * lock: reading the current root and (hash-checked) bins, and committing the next signed root, its
 * changed bins, `.sig` and metadata.yaml updates and the audit events as one journal. A kill at any
 * instant leaves the old state or, once the journal is committed, the new one at the next write.
 */
import { fs } from "../runtime/index.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { planAuditAppend } from "../registry/audit_tail.ts";
import type { NewEvent } from "../registry/audit_log.ts";
import { applyJournal, commitJournal, type Journal } from "../registry/journal.ts";
import { AUDIT_LOG_FILE, REGISTRY_FILE } from "../registry/layout.ts";
import type { Ed25519KeyAccess } from "../signing/signer.ts";
import { binPath } from "../attest/bin.ts";
import { parseBin } from "../attest/bin_doc.ts";
import { nextSnapshot } from "../attest/next_snapshot.ts";
import { parseSnapshot, serializeSnapshot } from "../attest/snapshot_doc.ts";
import { signSnapshot } from "../attest/snapshot_sign.ts";
import { verifyBoundBytes, verifySnapshotSignatures } from "../attest/snapshot_verify.ts";
import { AamError } from "../errors.ts";
import type { BinDoc, PackageRecord, Snapshot } from "../attest/types.ts";
import { DOCUMENT_LIMIT, INDEX_LIMIT } from "../read_limits.ts";

export const SNAPSHOT_FILE = "snapshot.json";

const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));
const enc = new TextEncoder();

/** Unlocks each key once for the whole run; `wipe` clears the seeds. */
export function unlockOnce(keys: readonly Ed25519KeyAccess[]) {
  const unlocked: { seed: Uint8Array; publicKey: Uint8Array }[] = [];
  const all = async () => {
    if (unlocked.length === 0) for (const k of keys) unlocked.push(await k.unlock());
    return unlocked;
  };
  return { all, access: (): Ed25519KeyAccess[] => unlocked.map((k) => ({ unlock: async () => ({ seed: k.seed.slice(), publicKey: k.publicKey }) })), wipe: () => unlocked.forEach((k) => k.seed.fill(0)) };
}

/** The current snapshot of a registry folder, its bins read on demand and checked against it. */
export interface SnapshotState {
  previous: Snapshot | null;
  bins: Map<string, BinDoc>;
  /** The bin's current contents ({} for a bin the root does not list). @throws {AamError} TamperedPackage for a bin that does not match the root. */
  bin(id: string): Promise<BinDoc>;
}

export async function readSnapshotState(root: string): Promise<SnapshotState> {
  const file = join(root, SNAPSHOT_FILE);
  const text = await fs.readTextIfExists(file, DOCUMENT_LIMIT);
  const previous = text === null ? null : parseSnapshot(text, file);
  const bins = new Map<string, BinDoc>();
  return {
    previous,
    bins,
    async bin(id) {
      if (!previous || !Object.hasOwn(previous.bins, id)) return {};
      if (!bins.has(id)) {
        const binFile = join(root, binPath(id));
        const bytes = await fs.readFile(binFile, DOCUMENT_LIMIT);
        verifyBoundBytes(previous, id, bytes, binFile);
        bins.set(id, parseBin(new TextDecoder().decode(bytes), binFile, id));
      }
      return bins.get(id)!;
    },
  };
}

/**
 * The current snapshot must be signed by one of the keys now signing: the next one builds on its
 * bins, so a root put in place by someone else (a forged serial, bins of their making) would
 * otherwise be signed over. During a key rotation, sign with the old key and the new one.
 * @throws {AamError} TamperedPackage naming the keys that did sign it.
 */
export async function assertOwnSnapshot(root: string, state: SnapshotState, registry: string, fingerprints: readonly string[]): Promise<void> {
  if (!state.previous) return;
  const file = join(root, SNAPSHOT_FILE);
  try {
    await verifySnapshotSignatures(state.previous, { name: registry, keys: fingerprints }, file);
  } catch (e) {
    if (!(e instanceof AamError)) throw e;
    throw new AamError("TamperedPackage", `Cannot sign the next snapshot of "${registry}": the current one is not signed by the key(s) given (${e.message})`, {
      file,
      expected: fingerprints.join(", "),
      actual: state.previous.signatures.map((s) => s.key_fingerprint).join(", ") || "(no signature)",
      hint: "during a key rotation give the key that signed it too (--key <old> --key <new>); if snapshot.json was replaced by someone else, restore it from version control",
    });
  }
}

/** How a `snapshot.sign` line of audit.log starts its event: JSON escapes any quote inside a value, so no value holds this. */
const SIGN_EVENT = '"event":"snapshot.sign"';

/**
 * The snapshot being built on must be the newest the registry signed: an older snapshot.json put back
 * (a revert, a restored backup, a hostile pull request) would otherwise be signed over with a serial
 * already used, two different snapshots under one serial, which clients refuse as StaleMetadata.
 * The audit log's last `snapshot.sign` event says which serial is newest; it is found from the end.
 * @throws {AamError} TamperedPackage when snapshot.json is older (or missing) than that event says.
 */
async function assertNewestSnapshot(root: string, registry: string, serial: number): Promise<void> {
  const file = join(root, AUDIT_LOG_FILE);
  const text = (await fs.readTextIfExists(file, INDEX_LIMIT)) ?? "";
  const at = text.lastIndexOf(SIGN_EVENT);
  if (at < 0) return;
  const start = text.lastIndexOf("\n", at) + 1;
  const end = text.indexOf("\n", at);
  let logged = 0;
  try {
    const e = JSON.parse(text.slice(start, end < 0 ? undefined : end)) as { event?: unknown; details?: { serial?: unknown } };
    if (e.event === "snapshot.sign" && typeof e.details?.serial === "number") logged = e.details.serial;
  } catch {
    return; // a damaged log line is `registry verify`'s to report; the chain check finds it
  }
  if (serial < logged) {
    throw new AamError("TamperedPackage", `Cannot sign the next snapshot of "${registry}": snapshot.json has serial ${serial || "(none)"}, but the audit log says serial ${logged} was signed`, {
      file: join(root, SNAPSHOT_FILE),
      expected: `serial ${logged}`,
      actual: serial ? `serial ${serial}` : "(no snapshot.json)",
      hint: "an older snapshot.json (or none) was put back; restore the newest snapshot.json and snapshot/bins/ (e.g. from the commit that logged that snapshot.sign), then attest again",
    });
  }
}

export interface SnapshotCommit {
  root: string;
  registry: string;
  state: SnapshotState;
  changes: ReadonlyMap<string, PackageRecord | null>;
  /** Events of this change; `snapshot.sign` is appended after them. */
  events: NewEvent[];
  keys: Ed25519KeyAccess[];
  expiresDays: number;
  now: Date;
  actor: string;
  /** Files written before the journal (an extra attestation is harmless until the snapshot names it). */
  early: { rel: string; text: string | null }[];
  /** metadata.yaml files the journal replaces (with the staged index, when `index`). */
  metadata: { rel: string; text: string }[];
  /** `.sig` files the journal rewrites (text) or removes (null): changes that must not land without the rest. */
  sigs?: { rel: string; text: string | null }[];
  index: boolean;
  /** registry.yaml's next text, when the change rewrites it (the snapshot binds its hash). */
  registryYaml?: string;
}

/** Signs and writes the next snapshot with everything else of the change. @returns the signed root and the bins rewritten. */
export async function commitSnapshot(c: SnapshotCommit): Promise<{ snapshot: Snapshot; bins: string[] }> {
  await assertNewestSnapshot(c.root, c.registry, c.state.previous?.serial ?? 0);
  const registryYaml = checksumOf(c.registryYaml !== undefined ? enc.encode(c.registryYaml) : await fs.readFile(join(c.root, REGISTRY_FILE), DOCUMENT_LIMIT));
  const serial = (c.state.previous?.serial ?? 0) + 1;
  const events = [...c.events, { event: "snapshot.sign", package: null, version: null, actor: c.actor, details: { registry: c.registry, serial } }];
  const audit = await planAuditAppend(join(c.root, AUDIT_LOG_FILE), events, c.now);
  // The snapshot covers the log up to the line before its own snapshot.sign event.
  const signLine = JSON.parse(audit.text.trimEnd().split("\n").pop()!) as { seq: number; prev: string };
  const next = nextSnapshot({
    previous: c.state.previous ? { root: c.state.previous, bins: c.state.bins } : null,
    changes: c.changes,
    registry: c.registry,
    registryYaml,
    auditHead: { seq: signLine.seq - 1, sha256: signLine.prev },
    now: c.now,
    expiresDays: c.expiresDays,
  });
  const snapshot = await signSnapshot(next.root, c.keys);
  for (const w of c.early) {
    if (w.text === null) await fs.remove(join(c.root, w.rel));
    else {
      await fs.mkdirp(fs.path.dirname(join(c.root, w.rel)));
      await fs.writeFileAtomic(join(c.root, w.rel), enc.encode(w.text));
    }
  }
  const journal: Journal = {
    format: 2,
    files: [...(c.registryYaml !== undefined ? [{ rel: REGISTRY_FILE, text: c.registryYaml }] : []), ...c.metadata, ...next.bins.map((b) => ({ rel: binPath(b.id), text: b.text })), { rel: SNAPSHOT_FILE, text: serializeSnapshot(snapshot) }],
    index: c.index,
    audit,
  };
  for (const w of c.sigs ?? []) {
    if (w.text === null) (journal.remove ??= []).push(w.rel);
    else journal.files.push({ rel: w.rel, text: w.text });
  }
  await commitJournal(c.root, journal);
  await applyJournal(c.root, journal);
  return { snapshot, bins: next.bins.map((b) => b.id) };
}
