/**
 * What the registry's attestation keys sign (SPEC §5a). Each message starts with its own prefix, so
 * a signature made for one purpose (a package, a snapshot, an author's `aam-signature-v1:`) can never
 * be replayed as another.
 */
import { canonicalBytes } from "../encoding/jcs.ts";
import { isChecksum, sha256Hex } from "../encoding/sha256.ts";
import { isValidName } from "../manifest/name.ts";
import { isValidVersion } from "../manifest/semver.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { unsignedPart } from "./snapshot_doc.ts";
import type { UnsignedSnapshot } from "./types.ts";

export const ATTESTATION_MESSAGE_PREFIX = "aam-registry-attestation-v1:";
export const SNAPSHOT_MESSAGE_PREFIX = "aam-snapshot-v1:";
export const OWNERSHIP_MESSAGE_PREFIX = "aam-ownership-v1:";

/**
 * The UTF-8 bytes of `aam-registry-attestation-v1:<registry>:<package>@<version>:<package_hash>`.
 * The registry name is signed in, so an attestation copied to another registry, package or version
 * does not verify there. Names cannot hold `:` (registry) or `@` past the scope (package), so the
 * text splits one way only.
 * @throws {TypeError} for an invalid registry name, package name, version or hash (programmer error: validate first).
 */
export function attestationMessage(registry: string, pkg: string, version: string, packageHash: string): Uint8Array {
  if (!isValidRegistryName(registry)) throw new TypeError(`not a registry name: ${String(registry).slice(0, 80)}`);
  if (!isValidName(pkg)) throw new TypeError(`not a package name: ${String(pkg).slice(0, 80)}`);
  if (!isValidVersion(version)) throw new TypeError(`not a version: ${String(version).slice(0, 80)}`);
  if (!isChecksum(packageHash)) throw new TypeError(`not a sha256:<hex> package hash: ${String(packageHash).slice(0, 80)}`);
  return new TextEncoder().encode(`${ATTESTATION_MESSAGE_PREFIX}${registry}:${pkg}@${version}:${packageHash}`);
}

/** Lowercase hex SHA-256 of the RFC 8785 form of the snapshot without its signatures. */
export function snapshotDigest(s: UnsignedSnapshot): string {
  return sha256Hex(canonicalBytes(unsignedPart(s)));
}

/**
 * The UTF-8 bytes of `aam-snapshot-v1:<snapshotDigest(s)>`: what each snapshot signature signs.
 * OpenSSL alone can check one: write these bytes to a file and run
 * `openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in msg -sigfile sig.bin`.
 */
export function snapshotMessage(s: UnsignedSnapshot): Uint8Array {
  return new TextEncoder().encode(SNAPSHOT_MESSAGE_PREFIX + snapshotDigest(s));
}

/**
 * The UTF-8 bytes of `aam-ownership-v1:<registry>:<package>:<owners sorted, comma-joined>` (SPEC §4):
 * what an `ownership.transfer` event's signature signs. Owners hold no `,` (trust/owners.ts).
 * @throws {TypeError} for an invalid registry or package name, or an owner holding `,` or a line break.
 */
export function ownershipMessage(registry: string, pkg: string, owners: readonly string[]): Uint8Array {
  if (!isValidRegistryName(registry)) throw new TypeError(`not a registry name: ${String(registry).slice(0, 80)}`);
  if (!isValidName(pkg)) throw new TypeError(`not a package name: ${String(pkg).slice(0, 80)}`);
  if (owners.some((o) => typeof o !== "string" || /[,\s]/.test(o))) throw new TypeError("an owner holds a comma or white space");
  return new TextEncoder().encode(`${OWNERSHIP_MESSAGE_PREFIX}${registry}:${pkg}:${[...new Set(owners)].sort().join(",")}`);
}
