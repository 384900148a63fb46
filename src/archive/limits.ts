/**
 * Archive limits (SPEC §3): at most 50 MiB packed, 256 MiB unpacked and 20,000 entries.
 * Pack and extraction both enforce them; tests pass smaller values through `ArchiveLimits`.
 */

export const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024;
export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
export const MAX_ENTRIES = 20_000;

/** Longest entry name accepted, in UTF-8 bytes (PATH_MAX on Linux). */
export const MAX_NAME_BYTES = 4096;
/**
 * Deepest folder nesting accepted, and the most name bytes one archive may carry in all. With the
 * entry limit they bound the memory the duplicate/collision check needs (a few tens of MiB at
 * worst) and its work per entry to the name's length.
 */
export const MAX_NAME_DEPTH = 64;
export const MAX_TOTAL_NAME_BYTES = 16 * 1024 * 1024;
/** Largest pax extended header or GNU long-name body read into memory. */
export const MAX_META_BYTES = 64 * 1024;

export interface ArchiveLimits {
  /** Compressed (.aam) bytes. */
  maxArchiveBytes: number;
  /** Sum of the sizes of all file entries. */
  maxUnpackedBytes: number;
  /** Files and directories together. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxArchiveBytes: MAX_ARCHIVE_BYTES,
  maxUnpackedBytes: MAX_UNPACKED_BYTES,
  maxEntries: MAX_ENTRIES,
});

/** Fills in the defaults for any limit not given. */
export function resolveLimits(partial?: Partial<ArchiveLimits>): ArchiveLimits {
  return { ...DEFAULT_LIMITS, ...(partial ?? {}) };
}

/**
 * The most decompressed tar bytes an archive within `limits` can need: file data plus, per entry,
 * room for a header, a pax header with its records, and block padding. Gunzip stops past this, so
 * a gzip bomb is cut off even where it hides in padding after the end-of-archive marker.
 */
export function maxTarBytes(limits: ArchiveLimits): number {
  return limits.maxUnpackedBytes + (limits.maxEntries + 1) * 4096 + 64 * 1024;
}
