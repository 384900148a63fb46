/**
 * SPEC §5a step 4: a package's effective state is its signed bin record merged with metadata.yaml.
 * metadata.yaml may add (new versions, pending until attested; a yank; a reject; a tag moved up) but
 * never take away what the snapshot vouches for: a listed version missing or with another checksum
 * is mix-and-match or deletion, a tag moved below the bin's is ignored, a yank or reject in either
 * applies. None of this is softened by `warn`, `ignore` or `--no-verify`.
 */
import { AamError } from "../errors.ts";
import { compareVersions, isValidVersion } from "../manifest/semver.ts";
import type { Metadata, Rejection } from "../registry/metadata.ts";
import { ownValue } from "./_fields.ts";
import type { PackageRecord } from "./types.ts";

export interface EffectiveVersion {
  version: string;
  checksum: string;
  yanked: boolean;
  rejected: Rejection | null;
  /** Not in the snapshot yet: published after the last attest. */
  pending: boolean;
  /** The author signers the snapshot lists ([] for a pending version). */
  signers: string[];
}

export interface EffectiveState {
  name: string;
  dist_tags: Record<string, string>;
  versions: EffectiveVersion[];
  /** The pending versions, in metadata.yaml's order. */
  pending: string[];
}

const HINT = "the registry's metadata.yaml disagrees with its signed snapshot (an old or swapped copy); do not use this registry until its maintainers run `aam registry verify`";

/**
 * Merges `meta` with its bin record (undefined: the snapshot lists no version of it).
 * @param file metadata.yaml's path or URL, for error details.
 * @throws {AamError} TamperedPackage when a version the record lists is missing from `meta` or has
 * another checksum there.
 */
export function mergeWithBin(meta: Metadata, record: PackageRecord | undefined, file: string): EffectiveState {
  const byVersion = new Map(meta.versions.map((v) => [v.version, v]));
  for (const [version, st] of Object.entries(record?.versions ?? {})) {
    const m = byVersion.get(version);
    if (!m || m.checksum !== st.checksum) {
      throw new AamError("TamperedPackage", `Cannot trust "${meta.name}@${version}": ${m ? "its checksum in metadata.yaml is not the one" : "metadata.yaml no longer lists the version"} the registry's signed snapshot vouches for`, {
        package: meta.name,
        version,
        file,
        expected: st.checksum,
        actual: m ? m.checksum : "(missing)",
        hint: HINT,
      });
    }
  }
  const versions: EffectiveVersion[] = meta.versions.map((m) => {
    const st = record ? ownValue(record.versions, m.version) : undefined;
    return {
      version: m.version,
      checksum: m.checksum,
      yanked: m.yanked === true || st?.yanked === true,
      rejected: st?.rejected ?? m.rejected ?? null,
      pending: st === undefined,
      signers: st ? [...st.signers] : [],
    };
  });
  return { name: meta.name, dist_tags: mergeTags(meta.dist_tags, record?.dist_tags ?? {}), versions, pending: versions.filter((v) => v.pending).map((v) => v.version) };
}

/** metadata.yaml's tag where it points at a version at least as high as the bin's; else the bin's. */
function mergeTags(fromMeta: Record<string, string>, fromBin: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of new Set([...Object.keys(fromBin), ...Object.keys(fromMeta)])) {
    const signed = ownValue(fromBin, tag);
    const claimed = ownValue(fromMeta, tag);
    if (signed === undefined) out[tag] = claimed!;
    else if (claimed !== undefined && isValidVersion(claimed) && compareVersions(claimed, signed) >= 0) out[tag] = claimed;
    else out[tag] = signed;
  }
  return out;
}

/** Key fingerprints compare case-insensitively (OpenPGP's are uppercase); identities exactly. */
function principal(s: string): string {
  return /^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(s) ? s.toLowerCase() : s;
}

/**
 * A `.sig` must still carry every signer the snapshot lists for the version (SPEC §5a step 4):
 * otherwise a signature was stripped or the `.sig` swapped for another.
 * @param sigSigners The signers of the `.sig`'s valid author entries (fingerprints or identities).
 * @throws {AamError} TamperedPackage naming the first missing signer.
 */
export function checkSigners(pkg: string, version: string, listed: readonly string[], sigSigners: readonly string[], file: string): void {
  const have = new Set(sigSigners.map(principal));
  const missing = listed.find((s) => !have.has(principal(s)));
  if (missing === undefined) return;
  throw new AamError("TamperedPackage", `Cannot trust "${pkg}@${version}": its .sig lacks a signature by ${missing}, which the registry's signed snapshot lists`, {
    package: pkg,
    version,
    file,
    expected: missing,
    actual: sigSigners.length > 0 ? sigSigners.join(", ") : "(no valid author signature)",
    hint: HINT,
  });
}
