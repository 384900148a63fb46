/**
 * `$AAM_HOME/state/snapshot-serials.json` (SPEC §5a step 2): the highest snapshot serial seen per
 * registry name and pinned key set, with that snapshot's digest. Raised under a lock and written
 * atomically (a kill leaves the old file or the new one), never lowered. Unlike a trust record, a
 * damaged file is not read as empty: that would forget every serial and let a roll-back through.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { withLock } from "../registry/lock.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";
import type { SeenSnapshot } from "../attest/freshness.ts";

export const SNAPSHOT_SERIALS_FILE = "snapshot-serials.json";

interface Entry extends SeenSnapshot {
  seen_at: string;
}

export function snapshotSerialsFile(home: string): string {
  return fs.path.join(home, "state", SNAPSHOT_SERIALS_FILE);
}

/** The record's key: the signed name and the pinned fingerprints, sorted (a new key set starts afresh, bounded by min_serial). */
export function serialKey(name: string, keys: readonly string[]): string {
  return `${name} ${[...keys].map((k) => k.toLowerCase()).sort().join(",")}`;
}

/** Sets an own member, so a key such as `__proto__` is data, never the object's prototype. */
function put(o: Record<string, Entry>, key: string, value: Entry): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function damaged(file: string, why: string): AamError {
  return new AamError("Error", `Cannot read the snapshot serials in "${file}": ${why}`, {
    file,
    hint: `restore "${file}" from a backup; deleting it forgets the serials seen, so the next contact with each pinned registry is trusted as a first one`,
  });
}

async function readAll(file: string): Promise<Record<string, Entry>> {
  const text = await fs.readTextIfExists(file, DOCUMENT_LIMIT);
  if (text === null) return {};
  let doc: { version?: unknown; registries?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw damaged(file, "not JSON");
  }
  if (doc?.version !== 1 || typeof doc.registries !== "object" || doc.registries === null || Array.isArray(doc.registries)) throw damaged(file, "not a version 1 document");
  const out: Record<string, Entry> = {};
  for (const [k, v] of Object.entries(doc.registries as Record<string, Entry>)) {
    if (typeof v?.serial !== "number" || !Number.isSafeInteger(v.serial) || v.serial < 1 || typeof v.digest !== "string" || !/^[0-9a-f]{64}$/.test(v.digest)) throw damaged(file, `entry "${k}" is not {serial, digest}`);
    put(out, k, { serial: v.serial, digest: v.digest, seen_at: String(v.seen_at ?? "") });
  }
  return out;
}

/** What was last accepted for this name and key set, or null at first contact. @throws {AamError} Error for a damaged file. */
export async function readSeenSnapshot(home: string, name: string, keys: readonly string[]): Promise<SeenSnapshot | null> {
  const all = await readAll(snapshotSerialsFile(home));
  const key = serialKey(name, keys);
  const e = Object.hasOwn(all, key) ? all[key] : undefined;
  return e ? { serial: e.serial, digest: e.digest } : null;
}

/**
 * Records `seen` when it is above what is stored; a lower serial never replaces a higher one.
 * @throws {AamError} StaleMetadata when another process stored this serial with another digest;
 * Error for a damaged file or a lock not obtained.
 */
export async function raiseSeenSnapshot(home: string, name: string, keys: readonly string[], seen: SeenSnapshot, now: Date): Promise<SeenSnapshot> {
  const file = snapshotSerialsFile(home);
  await fs.mkdirp(fs.path.dirname(file), 0o700);
  return await withLock(`${file}.lock`, async () => {
    const all = await readAll(file);
    const key = serialKey(name, keys);
    const stored = Object.hasOwn(all, key) ? all[key] : undefined;
    if (stored && stored.serial === seen.serial && stored.digest !== seen.digest) {
      throw new AamError("StaleMetadata", `Cannot trust registry "${name}": its snapshot serial ${seen.serial} was seen before with other content`, {
        file,
        expected: stored.digest,
        actual: seen.digest,
        hint: "two different snapshots carry one serial: the attestation key may be misused; ask the registry's maintainers",
      });
    }
    if (stored && stored.serial >= seen.serial) return { serial: stored.serial, digest: stored.digest };
    put(all, key, { serial: seen.serial, digest: seen.digest, seen_at: now.toISOString() });
    await fs.writeFileAtomic(file, JSON.stringify({ version: 1, registries: all }, null, 2) + "\n", { mode: 0o600 });
    return seen;
  });
}
