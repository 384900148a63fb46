/** Listing an archive's entries (SPEC §3) on top of the streaming reader in tar_read.ts. */
import type { ArchiveLimits } from "./limits.ts";
import { type ArchiveEntry, readArchive } from "./tar_read.ts";

/**
 * Lists an archive's entries (in archive order) after validating all of it.
 * @throws {AamError} UnsafeArchive for an unsafe or corrupt archive
 */
export async function listArchive(
  chunks: AsyncIterable<Uint8Array>,
  limits?: Partial<ArchiveLimits>,
): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  await readArchive(chunks, { entry: (e) => void entries.push(e) }, limits);
  return entries;
}
