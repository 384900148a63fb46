/**
 * SPEC §5a steps 1 and 3 on a parsed root: a valid signature by a pinned key, the pinned registry
 * name, and the hashes that bind registry.yaml and each bin to it. Keys are trusted only because
 * they are pinned locally, never because the root or registry.yaml carries them.
 */
import { AamError } from "../errors.ts";
import { fromBase64 } from "../encoding/base64.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { verifyEd25519 } from "../signing/ed25519/verify.ts";
import { snapshotMessage } from "./messages.ts";
import type { Snapshot } from "./types.ts";

export interface SnapshotPin {
  /** The signed registry name recorded when the keys were pinned. */
  name: string;
  /** Pinned attestation key fingerprints (lowercase hex). */
  keys: readonly string[];
}

const HINT = "the registry's snapshot.json is not signed by a key you pinned for it; if its attestation key was rotated, check the new key with its maintainers, then `aam registry trust` it";

/**
 * Checks that `root` names the pinned registry and carries at least one valid signature by a pinned
 * key (signatures by other keys are ignored).
 * @returns the fingerprints of the pinned keys whose signatures verify.
 * @throws {AamError} TamperedPackage for another registry name or no valid pinned signature.
 */
export async function verifySnapshotSignatures(root: Snapshot, pin: SnapshotPin, file: string): Promise<string[]> {
  if (root.registry !== pin.name) {
    throw new AamError("TamperedPackage", `Cannot trust registry snapshot "${file}": it is signed for registry "${root.registry}", not the pinned "${pin.name}"`, {
      file,
      expected: pin.name,
      actual: root.registry,
      hint: "a snapshot from another registry was put in place of this one's; do not use this registry until its maintainers answer",
    });
  }
  const pinned = new Set(pin.keys.map((k) => k.toLowerCase()));
  const message = snapshotMessage(root);
  const valid: string[] = [];
  for (const s of root.signatures) {
    if (!pinned.has(s.key_fingerprint) || valid.includes(s.key_fingerprint)) continue;
    const pub = fromBase64(s.public_key);
    const sig = fromBase64(s.signature);
    // parseSnapshot has checked the fingerprint is the SHA-256 of this public key.
    if (pub && sig && (await verifyEd25519(pub, message, sig))) valid.push(s.key_fingerprint);
  }
  if (valid.length === 0) {
    throw new AamError("TamperedPackage", `Cannot trust registry snapshot "${file}": no valid signature by a pinned key`, {
      file,
      expected: [...pinned].join(", "),
      actual: root.signatures.map((s) => s.key_fingerprint).join(", ") || "(no signature)",
      hint: HINT,
    });
  }
  return valid;
}

/**
 * Checks bytes the root binds by hash: registry.yaml (`registry_yaml`) or a bin (`bins[id]`).
 * @param what `"registry.yaml"` or a bin id.
 * @throws {AamError} TamperedPackage when the hash differs, or a bin the root does not list is given.
 */
export function verifyBoundBytes(root: Snapshot, what: string, bytes: Uint8Array, file: string): void {
  const expected = what === "registry.yaml" ? root.registry_yaml : Object.hasOwn(root.bins, what) ? root.bins[what] : "(not listed in snapshot.json)";
  const actual = checksumOf(bytes);
  if (actual === expected) return;
  throw new AamError("TamperedPackage", `Cannot trust "${file}": it is not the ${what === "registry.yaml" ? "registry.yaml" : `bin ${what}`} the registry's signed snapshot names`, {
    file,
    expected,
    actual,
    hint: "the registry's files disagree with its signed snapshot.json; do not use this registry until its maintainers run `aam registry verify`",
  });
}
