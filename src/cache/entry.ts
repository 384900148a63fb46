/**
 * One offline cache entry (SPEC §8): the archive, its .sig, the package's metadata.yaml and whatever
 * trust material the verification needed, plus `entry.json` recording what was verified and how.
 */
import { AamError } from "../errors.ts";
import type { VerifyReport } from "../verify/pipeline.ts";

export const ENTRY_FORMAT = "aam-offline-v1";
export const ENTRY_FILE = "entry.json";
export const ARCHIVE_FILE = "package.aam";
export const SIG_FILE = "package.sig";
export const METADATA_FILE = "metadata.yaml";
export const TRUSTED_ROOT_FILE = "trusted_root.json";

export interface CacheEntry {
  format: typeof ENTRY_FORMAT;
  package: string;
  version: string;
  source: string;
  /** The signed name of the pinned registry it was prepared from (SPEC §5a); absent when unpinned (and in older entries). */
  registry?: string;
  prepared_at: string;
  checksum: string;
  /** sha256:<hex> of every other file in the entry folder, by name. */
  files: Record<string, string>;
  verification: {
    outcome: VerifyReport["outcome"];
    checks: VerifyReport["checks"];
    signers: { algorithm: string; key_fingerprint?: string; identity?: string; issuer?: string; trusted: boolean }[];
    warnings: string[];
  };
}

export function parseCacheEntry(text: string, file: string): CacheEntry {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = null; // reported below as a tampered entry
  }
  const e = v as Partial<CacheEntry> | null;
  if (!e || e.format !== ENTRY_FORMAT || typeof e.package !== "string" || typeof e.version !== "string" || typeof e.files !== "object" || e.files === null) {
    throw new AamError("TamperedPackage", `Cannot read offline cache entry "${file}": it is damaged or not an AAM cache entry`, {
      file,
      hint: "prepare it again while connected: aam verify --offline-prepare <pkg>@<version>",
    });
  }
  if (e.registry !== undefined && typeof e.registry !== "string") {
    throw new AamError("TamperedPackage", `Offline cache entry "${file}" names no valid registry`, { file, hint: "prepare it again while connected: aam verify --offline-prepare <pkg>@<version>" });
  }
  return e as CacheEntry;
}
