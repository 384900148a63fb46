/**
 * `ownership.transfer` audit events (SPEC §4, §7): each carries the new owner list and an Ed25519
 * signature over `aam-ownership-v1:<registry>:<package>:<owners sorted, comma-joined>` by a key that
 * was allowed to change it: a current owner's key, or, while the package has no owners, a registry
 * attestation key. Replaying a package's events from a known owner list tells whether the list in
 * metadata.yaml was reached that way, and which owners each later publish answered to.
 */
import { fromBase64, toBase64 } from "../encoding/base64.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { signChecked } from "../signing/ed25519/sign_checked.ts";
import { verifyEd25519 } from "../signing/ed25519/verify.ts";
import type { AuditEvent } from "../registry/audit_log.ts";
import { canonicalOwner, sortedOwners } from "../trust/owners.ts";
import { ownershipMessage } from "./messages.ts";

export const OWNERSHIP_EVENT = "ownership.transfer";

export interface TransferDetails {
  registry: string;
  owners: string[];
  previous_owners: string[];
  key_fingerprint: string;
  /** base64 of the raw 32-byte Ed25519 public key. */
  public_key: string;
  /** base64 of the 64-byte signature over ownershipMessage(registry, package, owners). */
  signature: string;
}

/** Signs the new owner list (checked and verified before it is returned, see signChecked). */
export async function signTransfer(registry: string, pkg: string, owners: readonly string[], previous: readonly string[], key: { seed: Uint8Array; publicKey: Uint8Array }): Promise<TransferDetails> {
  const list = sortedOwners(owners);
  const signature = await signChecked(key.seed, key.publicKey, ownershipMessage(registry, pkg, list));
  return { registry, owners: list, previous_owners: sortedOwners(previous), key_fingerprint: fingerprint(key.publicKey), public_key: toBase64(key.publicKey), signature: toBase64(signature) };
}

/** The key fingerprint that may change the owners of a package that has `current` (by key, not by identity). */
export function mayChangeOwners(signerFp: string, current: readonly string[], attestationKeys: ReadonlySet<string>): boolean {
  const fp = signerFp.toLowerCase();
  return current.length > 0 ? current.some((o) => o.toLowerCase() === fp && /^[0-9a-f]{64}$/.test(fp)) : attestationKeys.has(fp);
}

/** Checks one event's form and signature; answers its owners and signer, or why not. */
export async function verifyTransfer(registry: string, pkg: string, details: unknown): Promise<{ owners: string[]; signer: string } | { reason: string }> {
  const d = details as Partial<TransferDetails> | null;
  if (typeof d !== "object" || d === null) return { reason: "details are not an object" };
  if (d.registry !== registry) return { reason: `signed for registry ${JSON.stringify(d.registry)}, not "${registry}"` };
  if (!Array.isArray(d.owners) || !d.owners.every((o) => typeof o === "string" && canonicalOwner(o) === o)) return { reason: "owners is not a list of owners" };
  if (typeof d.key_fingerprint !== "string" || typeof d.public_key !== "string" || typeof d.signature !== "string") return { reason: "key_fingerprint, public_key or signature is missing" };
  const pub = fromBase64(d.public_key);
  const sig = fromBase64(d.signature);
  if (!pub || !sig || pub.length !== 32 || fingerprint(pub) !== d.key_fingerprint.toLowerCase()) return { reason: "key_fingerprint does not match public_key" };
  let message: Uint8Array;
  try {
    message = ownershipMessage(registry, pkg, d.owners);
  } catch (e) {
    if (e instanceof TypeError) return { reason: e.message };
    throw e;
  }
  const ok = await verifyEd25519(pub, message, sig);
  return ok ? { owners: sortedOwners(d.owners), signer: d.key_fingerprint.toLowerCase() } : { reason: "signature does not verify" };
}

export interface OwnershipReplay {
  /** The owners after the last event that verified and was allowed. */
  owners: string[];
  /** Events that did not verify or whose signer was not allowed then (not applied). */
  problems: { seq: number; reason: string }[];
  /** Each version published while the package had owners → those owners. */
  publishedUnder: Map<string, string[]>;
}

/**
 * Replays one package's events (in log order) from `start`.
 * @param attestationKeys Lowercase fingerprints allowed to set the first owners.
 */
export async function replayOwnership(registry: string, pkg: string, start: readonly string[], events: readonly AuditEvent[], attestationKeys: ReadonlySet<string>): Promise<OwnershipReplay> {
  let owners = sortedOwners(start);
  const problems: OwnershipReplay["problems"] = [];
  const publishedUnder = new Map<string, string[]>();
  for (const ev of events) {
    if (ev.package !== pkg) continue;
    if (ev.event === "package.publish" && typeof ev.version === "string" && owners.length > 0) publishedUnder.set(ev.version, owners);
    if (ev.event !== OWNERSHIP_EVENT) continue;
    const r = await verifyTransfer(registry, pkg, ev.details);
    if ("reason" in r) problems.push({ seq: ev.seq, reason: r.reason });
    else if (!mayChangeOwners(r.signer, owners, attestationKeys)) {
      problems.push({ seq: ev.seq, reason: `signed by ${r.signer}, which is ${owners.length > 0 ? "not an owner's key" : "not a registry attestation key"} at that point` });
    } else owners = r.owners;
  }
  return { owners, problems, publishedUnder };
}
