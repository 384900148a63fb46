/**
 * Where things live in a registry (SPEC §4). Two layouts are read: AAM's own
 * (`packages/<fs-name>/<version>.aam`) and the Python `aam` CLI's (`.../versions/<version>.aam`).
 */
export const REGISTRY_FILE = "registry.yaml";
export const INDEX_FILE = "index.yaml";
export const AUDIT_LOG_FILE = "audit.log";
export const LOCK_FILE = ".aam-registry.lock";
/** A committed change not yet fully applied (see journal.ts); the next write finishes it. */
export const JOURNAL_FILE = ".aam-journal.json";
/** The next index.yaml, written whole before the journal that renames it into place (journal.ts). */
export const STAGED_INDEX_FILE = ".aam-index-next.yaml";
export const ENV_FILE = ".env";
export const PACKAGES_DIR = "packages";
export const KEYS_DIR = "keys";

export type Layout = "aam" | "python";

export function packageDir(fsName: string): string {
  return `${PACKAGES_DIR}/${fsName}`;
}

export function metadataPath(fsName: string): string {
  return `${packageDir(fsName)}/metadata.yaml`;
}

function versionBase(fsName: string, layout: Layout): string {
  return layout === "python" ? `${packageDir(fsName)}/versions` : packageDir(fsName);
}

export function archivePath(fsName: string, version: string, layout: Layout = "aam"): string {
  return `${versionBase(fsName, layout)}/${version}.aam`;
}

export function sigPath(fsName: string, version: string, layout: Layout = "aam"): string {
  return `${versionBase(fsName, layout)}/${version}.sig`;
}
