/**
 * Unpacking (SPEC §3) on top of the streaming reader in tar_read.ts, which validates the whole
 * archive and refuses the same things as every other reader (UnsafeArchive).
 *
 * extractArchive writes only inside its target: names are checked before anything is written, only
 * files and directories are created (no links that a later entry could follow), files are created
 * exclusively, and on any failure what was written is removed. Files get mode 0644 or 0755 and
 * folders 0755, less the user's umask (as tar does for users other than root).
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import type { ArchiveLimits } from "./limits.ts";
import { type ArchiveEntry, type ArchiveSummary, type EntrySink, readArchive } from "./tar_read.ts";
import { collectEntry } from "./read_archive_file.ts";
import { unsafeArchive } from "./_unsafe.ts";

/** Files up to this size are buffered and written in parallel; larger ones are streamed. */
const SMALL_FILE_BYTES = 1024 * 1024;
const MAX_PARALLEL_WRITES = 16;

/**
 * Unpacks an archive into `targetDir`, which must not exist yet or be empty (it is created).
 * @returns the number of entries and the sum of the file sizes
 * @throws {AamError} UnsafeArchive for anything unsafe or corrupt (details.entry names the member);
 *   Error when the target is not empty or cannot be written. Nothing is left behind on failure.
 * @example
 * ```ts
 * await extractArchive(fs.readChunks("pkg.aam"), ".aam/staging/pkg");
 * ```
 */
export async function extractArchive(
  chunks: AsyncIterable<Uint8Array>,
  targetDir: string,
  limits?: Partial<ArchiveLimits>,
): Promise<ArchiveSummary> {
  const root = fs.path.resolve(targetDir);
  const existing = await fs.stat(root);
  if (existing && (!existing.isDirectory || (await fs.readDir(root)).length > 0)) {
    throw new AamError("Error", `Cannot extract into "${targetDir}": it exists and is not an empty folder`, {
      file: targetDir,
      hint: "extract into a new folder",
    });
  }
  await fs.mkdirp(root, 0o755);
  const made = new Set<string>([root]); // directories known to exist, so each is created once

  const ensureDir = async (abs: string) => {
    if (made.has(abs)) return;
    await fs.mkdirp(abs, 0o755);
    for (let d = abs; !made.has(d) && d.length > root.length; d = fs.path.dirname(d)) made.add(d);
  };
  const destOf = (entry: ArchiveEntry): string => {
    const abs = fs.path.join(root, ...entry.name.split("/").filter((s) => s !== ""));
    // Defence in depth: tar_read.ts already refused every name that could leave the target.
    const rel = fs.path.relative(root, abs);
    if (rel === "" || rel.split(fs.path.sep)[0] === ".." || fs.path.isAbsolute(rel)) {
      throw unsafeArchive(`Cannot extract entry "${entry.name}": it points outside the target folder`, { entry: entry.name });
    }
    return abs;
  };

  // Small files are buffered and written a few at a time: on slow disks the per-file system calls,
  // not the bytes, dominate. Memory stays bounded: MAX_PARALLEL_WRITES × SMALL_FILE_BYTES.
  const inflight = new Set<Promise<void>>();
  let writeError: { e: unknown } | null = null;
  const schedule = async (task: () => Promise<void>) => {
    const p: Promise<void> = task()
      .catch((e) => {
        writeError ??= { e };
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= MAX_PARALLEL_WRITES) await Promise.race(inflight);
    if (writeError) throw writeError.e;
  };

  try {
    const summary = await readArchive(
      chunks,
      {
        async entry(entry): Promise<EntrySink | void> {
          const abs = destOf(entry);
          if (entry.type === "directory") {
            await ensureDir(abs);
            return;
          }
          await ensureDir(fs.path.dirname(abs));
          if (entry.size <= SMALL_FILE_BYTES) {
            // "wx": never replace or follow anything already there.
            return collectEntry(entry, SMALL_FILE_BYTES, (buf) => schedule(() => fs.writeNewFile(abs, buf, entry.mode)));
          }
          const w = await fs.openWriter(abs, entry.mode); // "wx" too
          return { write: (chunk) => w.write(chunk), close: () => w.close(), abort: () => w.close() };
        },
      },
      limits,
    );
    await Promise.all(inflight);
    if (writeError) throw (writeError as { e: unknown }).e;
    return summary;
  } catch (e) {
    // Let every started write finish before removing the folder, so none lands after the cleanup.
    await Promise.allSettled([...inflight]);
    await cleanUp(root, !existing);
    if (e instanceof AamError) throw e;
    throw new AamError("Error", `Cannot extract into "${targetDir}": ${e instanceof Error ? e.message : String(e)}`, {
      file: targetDir,
      cause: e,
      hint: "check there is free space and that the folder is writable",
    });
  }
}

async function cleanUp(root: string, createdRoot: boolean): Promise<void> {
  try {
    if (createdRoot) {
      await fs.remove(root);
      return;
    }
    for (const d of await fs.readDir(root)) await fs.remove(fs.path.join(root, d.name));
  } catch {
    // Best effort: the error that stopped extraction is the one to report.
  }
}
