/**
 * The next snapshot (SPEC §5a): serial + 1, fresh times, and only the bins whose packages changed
 * rewritten, so an attest costs the same in a registry of any size. Pure: the shell reads the
 * current root and the bins the change touches, and writes what this answers.
 */
import { AamError } from "../errors.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { isoSeconds } from "../encoding/iso_seconds.ts";
import { fromFsName } from "../manifest/name.ts";
import { binOf } from "./bin.ts";
import { serializeBin } from "./bin_doc.ts";
import { expiresAt, MAX_EXPIRES_DAYS } from "./expires.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import type { AuditHead, BinDoc, PackageRecord, UnsignedSnapshot } from "./types.ts";

export interface NextSnapshotInput {
  /** The current root and the current contents of (at least) every bin that `changes` touch; null for the first snapshot. */
  previous: { root: UnsignedSnapshot; bins: ReadonlyMap<string, BinDoc> } | null;
  /** File-system name → the package's new record, or null when it leaves the snapshot. */
  changes: ReadonlyMap<string, PackageRecord | null>;
  /** registry.yaml's `name`. */
  registry: string;
  /** `sha256:<hex>` of registry.yaml's bytes. */
  registryYaml: string;
  /** The audit log's head before the `snapshot.sign` event of this snapshot. */
  auditHead: AuditHead;
  now: Date;
  expiresDays: number;
}

export interface BinFile {
  id: string;
  doc: BinDoc;
  /** The file's text; `checksum` is of its UTF-8 bytes. */
  text: string;
  checksum: string;
}

export interface NextSnapshot {
  root: UnsignedSnapshot;
  /** The bins to write: only those whose bytes changed. */
  bins: BinFile[];
}

/**
 * Builds the next (unsigned) snapshot.
 * @throws {AamError} PolicyViolation when registry.yaml's name differs from the current snapshot's
 * (every pin names it). TypeError for a bin of `changes` not supplied, an invalid file-system name
 * or duration (programmer errors).
 */
export function nextSnapshot(input: NextSnapshotInput): NextSnapshot {
  const { previous, changes, registry } = input;
  if (!isValidRegistryName(registry)) throw new TypeError(`not a registry name: ${registry}`);
  if (!Number.isInteger(input.expiresDays) || input.expiresDays < 1 || input.expiresDays > MAX_EXPIRES_DAYS) throw new TypeError("expiresDays must be 1..365");
  if (previous && previous.root.registry !== registry) {
    throw new AamError("PolicyViolation", `Cannot sign a snapshot for "${registry}": the current snapshot is for "${previous.root.registry}"`, {
      expected: previous.root.registry,
      actual: registry,
      hint: "clients pin the signed registry name; restore registry.yaml's name, or start a new registry under the new name",
    });
  }
  const byBin = new Map<string, [string, PackageRecord | null][]>();
  for (const [fsName, rec] of changes) {
    if (fromFsName(fsName) === null) throw new TypeError(`not a file-system name: ${fsName}`);
    const id = binOf(fsName);
    byBin.set(id, [...(byBin.get(id) ?? []), [fsName, rec]]);
  }
  const bins: Record<string, string> = { ...(previous?.root.bins ?? {}) };
  const written: BinFile[] = [];
  for (const id of [...byBin.keys()].sort()) {
    const listed = Object.hasOwn(bins, id);
    const base = previous?.bins.get(id);
    if (listed && !base) throw new TypeError(`the current contents of bin ${id} are needed to change it`);
    const doc: BinDoc = { ...(base ?? {}) };
    for (const [fsName, rec] of byBin.get(id)!) {
      if (rec) doc[fsName] = rec;
      else delete doc[fsName];
    }
    if (!listed && Object.keys(doc).length === 0) continue; // nothing was there and nothing is
    const text = serializeBin(doc);
    const checksum = checksumOf(new TextEncoder().encode(text));
    if (listed && bins[id] === checksum) continue; // same bytes: not rewritten
    bins[id] = checksum;
    written.push({ id, doc, text, checksum });
  }
  const sortedBins: Record<string, string> = {};
  for (const id of Object.keys(bins).sort()) sortedBins[id] = bins[id];
  return {
    root: {
      version: 1,
      registry,
      serial: (previous?.root.serial ?? 0) + 1,
      created_at: isoSeconds(input.now),
      expires_at: isoSeconds(expiresAt(input.now, input.expiresDays)),
      registry_yaml: input.registryYaml,
      audit_head: { ...input.auditHead },
      bins: sortedBins,
    },
    bins: written,
  };
}
