/**
 * SPEC §5a step 2: a pinned registry's snapshot must not be older than one already seen (roll-back)
 * nor past its `expires_at` (freeze). Pure: the caller keeps the highest serial seen, per registry
 * name and pinned key set, in `$AAM_HOME/state/` (raised under a lock, never lowered) and passes it in.
 */
import { AamError } from "../errors.ts";
import type { UnsignedSnapshot } from "./types.ts";

/** What was last accepted for this registry name and key set. */
export interface SeenSnapshot {
  serial: number;
  /** snapshotDigest() of that root: one serial has one content. */
  digest: string;
}

export interface FreshnessInput {
  root: Pick<UnsignedSnapshot, "registry" | "serial" | "expires_at">;
  /** snapshotDigest(root). */
  digest: string;
  /** null at first contact: what is seen is trusted, bounded below by `minSerial`. */
  seen: SeenSnapshot | null;
  /** The pin's `min_serial` (0 when not set). */
  minSerial: number;
  now: Date;
  /** `verify --offline`, `install --offline`, `bundle import`: an expired snapshot only warns. */
  offline: boolean;
  file: string;
}

export interface Freshness {
  /** The state to save when it moved forward (or at first contact); null when it stays. */
  save: SeenSnapshot | null;
  warnings: string[];
}

/**
 * Checks the root's serial and expiry against what was seen.
 * @throws {AamError} StaleMetadata for a serial below the one seen or below `minSerial` (roll-back),
 * the seen serial with other content, or an expired root when online (freeze). Never softened.
 */
export function checkFreshness(i: FreshnessInput): Freshness {
  const { root, seen } = i;
  const floor = Math.max(seen?.serial ?? 0, i.minSerial);
  const stale = (message: string, expected: string, hint: string) =>
    new AamError("StaleMetadata", `Cannot trust registry "${root.registry}": ${message}`, { file: i.file, expected, actual: `serial ${root.serial}`, hint });
  if (root.serial < floor) {
    throw stale(`its snapshot (serial ${root.serial}) is older than one already seen or pinned (serial ${floor}): a roll-back`, `serial ${floor} or later`, "the registry or a mirror serves old metadata; use another mirror, or ask its maintainers");
  }
  if (seen && root.serial === seen.serial && i.digest !== seen.digest) {
    throw stale(`its snapshot serial ${root.serial} was seen before with other content`, `the content seen for serial ${root.serial}`, "two different snapshots carry one serial: the attestation key may be misused; ask the registry's maintainers");
  }
  const warnings: string[] = [];
  if (Date.parse(root.expires_at) <= i.now.getTime()) {
    const message = `its snapshot expired at ${root.expires_at}: it may be frozen at an old state`;
    if (!i.offline) throw stale(message, `expires_at after ${i.now.toISOString()}`, "ask the registry's maintainers to run `aam registry attest` (it re-signs the snapshot)");
    warnings.push(`registry "${root.registry}": ${message}`);
  }
  const save = !seen || root.serial > seen.serial ? { serial: root.serial, digest: i.digest } : null;
  return { save, warnings };
}
