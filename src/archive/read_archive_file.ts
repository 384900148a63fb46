/**
 * Reading one member of an archive into memory (SPEC §3), e.g. its `aam.yaml`, on top of the
 * streaming reader in tar_read.ts, which validates the whole archive on the way.
 */
import type { ArchiveLimits } from "./limits.ts";
import { type ArchiveEntry, type EntrySink, readArchive } from "./tar_read.ts";
import { normaliseEntryName } from "./_entry_name.ts";
import { unsafeArchive } from "./_unsafe.ts";

/**
 * A sink that gathers one member's bytes, refusing a member larger than `maxBytes` before allocating.
 * Its close() hands them to `done` and answers what `done` answers (a promise is awaited).
 * @throws {AamError} UnsafeArchive naming the member when it is too large
 */
export function collectEntry(entry: ArchiveEntry, maxBytes: number, done: (bytes: Uint8Array) => void | Promise<void>): EntrySink {
  if (entry.size > maxBytes) {
    throw unsafeArchive(`Cannot read "${entry.name}" from the archive: it is larger than ${maxBytes} bytes`, { entry: entry.name });
  }
  const buf = new Uint8Array(entry.size);
  let fill = 0;
  return {
    write(chunk) {
      buf.set(chunk, fill);
      fill += chunk.length;
    },
    close() {
      return done(buf);
    },
  };
}

/**
 * Reads one file from an archive (e.g. its `aam.yaml`), validating the whole archive on the way.
 * @returns its bytes, or null when the archive has no such file
 * @throws {AamError} UnsafeArchive for an unsafe or corrupt archive, or when the file is larger than `maxBytes`
 */
export async function readArchiveFile(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  maxBytes: number,
  limits?: Partial<ArchiveLimits>,
): Promise<Uint8Array | null> {
  const wanted = normaliseEntryName(name, false);
  let found: Uint8Array | null = null;
  await readArchive(
    chunks,
    {
      entry(entry): EntrySink | void {
        if (entry.type !== "file" || entry.name !== wanted) return;
        return collectEntry(entry, maxBytes, (bytes) => {
          found = bytes;
        });
      },
    },
    limits,
  );
  return found;
}
