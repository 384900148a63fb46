/**
 * `aam pkg pack`'s archive builder (SPEC §3): a package folder to reproducible `.aam` bytes.
 *
 * The same folder gives byte-identical output on Node, Deno and Bun, on any day: entries sorted by
 * UTF-8 bytes, every header field fixed (tar_header.ts), gzip header fixed and the tar stream
 * deflated in fixed blocks (gzip_encoder.ts), on worker threads when it is large (deflate_parallel.ts), with
 * the same bytes either way. Only regular files and directories go in; a symlink, device, FIFO or
 * socket is refused with its path. File contents stream into the compressor; nothing is
 * concatenated until the final archive.
 */
import { AamError } from "../errors.ts";
import { createSha256, fs } from "../runtime/index.ts";
import { ParallelGzipEncoder } from "./deflate_parallel.ts";
import { createIgnoreFilter, IGNORE_FILE, type IgnoreFilter } from "./ignore.ts";
import { type ArchiveLimits, resolveLimits } from "./limits.ts";
import type { EntryType } from "./tar_header.ts";
import { TarWriter } from "./tar_writer.ts";
import { normaliseEntryName } from "./_entry_name.ts";
import { unsafeArchive } from "./_unsafe.ts";
import { DOCUMENT_LIMIT, PACKAGE_FILE_LIMIT } from "../read_limits.ts";
import { concatBytes } from "../encoding/bytes.ts";

export interface PackOptions {
  /** Called as entries are written, with the number written so far. */
  onProgress?: (files: number) => void;
  /** Smaller limits, for tests. */
  limits?: Partial<ArchiveLimits>;
}

export interface PackResult {
  bytes: Uint8Array;
  /** `sha256:<hex>` of `bytes`. */
  checksum: string;
  /** Archive bytes. */
  size: number;
  /** Files and directories in the archive. */
  entries: number;
  /** Sum of the file sizes. */
  unpackedSize: number;
}

interface SourceEntry {
  name: string; // archive name; directories end with "/"
  sortKey: Uint8Array;
  abs: string;
  type: EntryType;
  size: number;
  mode: number;
}

const enc = new TextEncoder();
/** Files up to this size are read whole (and read ahead); larger ones are streamed in chunks. */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;
const READ_AHEAD_FILES = 32;
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function refuseSource(rel: string, why: string): AamError {
  return unsafeArchive(`Cannot pack "${rel}": it ${why}`, {
    entry: rel,
    hint: `remove it or add it to ${IGNORE_FILE}; an .aam archive holds only regular files and directories`,
  });
}

/** Walks the folder, applying the exclusions and refusing what cannot go into an archive. */
async function collect(root: string, skip: IgnoreFilter, limits: ArchiveLimits): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  let unpacked = 0;
  const walk = async (absDir: string, relDir: string): Promise<void> => {
    const children = await fs.readDir(absDir);
    const files: { rel: string; abs: string }[] = [];
    const dirs: { rel: string; abs: string }[] = [];
    for (const d of children) {
      const rel = relDir === "" ? d.name : `${relDir}/${d.name}`;
      const abs = fs.path.join(absDir, d.name);
      // A symlink is neither file nor folder: it is left out if a pattern for either names it.
      if (d.isSymlink ? skip(rel, false) || skip(rel, true) : skip(rel, d.isDirectory)) continue;
      if (d.isSymlink) throw refuseSource(rel, "is a symbolic link");
      if (d.isDirectory) dirs.push({ rel, abs });
      else if (d.isFile) files.push({ rel, abs });
      else throw refuseSource(rel, "is a special file (device, FIFO or socket)");
    }
    // lstat in parallel: one round trip per folder instead of one per file.
    const infos = await Promise.all(files.map((f) => fs.stat(f.abs)));
    files.forEach((f, i) => {
      const info = infos[i];
      if (!info || !info.isFile) throw changed(f.rel);
      add(f.rel, f.abs, "file", info.size, (info.mode & 0o111) !== 0 ? 0o755 : 0o644);
      unpacked += info.size;
      if (unpacked > limits.maxUnpackedBytes) {
        throw unsafeArchive(`Cannot pack "${root}": the files add up to more than ${limits.maxUnpackedBytes} bytes`, {
          hint: `an .aam package unpacks to at most 256 MiB; leave large files out with ${IGNORE_FILE}`,
        });
      }
    });
    for (const d of dirs) {
      add(`${d.rel}/`, d.abs, "directory", 0, 0o755);
      await walk(d.abs, d.rel);
    }
  };
  const add = (name: string, abs: string, type: EntryType, size: number, mode: number) => {
    // A name the reader would refuse (a backslash, an over-long path) is refused here already.
    let ok = false;
    try {
      ok = normaliseEntryName(name, type === "directory") === name;
    } catch {
      // ok stays false: the reader refuses this name, so pack does too, below
    }
    if (!ok) throw refuseSource(name, "has a name an archive cannot hold (a backslash, or a path too long)");
    out.push({ name, sortKey: enc.encode(name), abs, type, size, mode });
    if (out.length > limits.maxEntries) {
      throw unsafeArchive(`Cannot pack "${root}": it has more than ${limits.maxEntries} files and folders`, {
        hint: `an .aam archive holds at most 20,000 entries; leave some out with ${IGNORE_FILE}`,
      });
    }
  };
  await walk(root, "");
  return out;
}

async function readWhole(e: SourceEntry): Promise<Uint8Array> {
  return await fs.readFile(e.abs, PACKAGE_FILE_LIMIT);
}

function changed(rel: string): AamError {
  return new AamError("Error", `Cannot pack "${rel}": the file changed while it was being packed`, {
    entry: rel,
    hint: "pack again once nothing is writing to the package folder",
  });
}

/**
 * Packs a package folder into `.aam` bytes.
 * @param dir the package folder; `aam.yaml` must be at its root
 * @returns the archive, its checksum and counts
 * @throws {AamError} NotFound without a folder or `aam.yaml`; UnsafeArchive for a symlink or special
 *   file (named in details.entry) or a broken limit
 * @example
 * ```ts
 * const { bytes, checksum } = await packDirectory("./my-package");
 * ```
 */
export async function packDirectory(dir: string, opts: PackOptions = {}): Promise<PackResult> {
  const limits = resolveLimits(opts.limits);
  const root = fs.path.resolve(dir);
  const rootInfo = await fs.stat(root);
  if (!rootInfo || !rootInfo.isDirectory) {
    throw new AamError("NotFound", `Cannot pack "${dir}": folder not found`, {
      file: dir,
      hint: "give the path of a package folder, the one holding aam.yaml",
    });
  }
  const manifest = await fs.stat(fs.path.join(root, "aam.yaml"));
  if (!manifest) {
    throw new AamError("NotFound", `Cannot pack "${dir}": there is no aam.yaml at its root`, {
      file: fs.path.join(dir, "aam.yaml"),
      hint: "run `aam pkg init` in the folder to create one",
    });
  }
  if (!manifest.isFile) throw refuseSource("aam.yaml", manifest.isSymlink ? "is a symbolic link" : "is not a regular file");

  const ignoreInfo = await fs.stat(fs.path.join(root, IGNORE_FILE));
  if (ignoreInfo?.isSymlink) throw refuseSource(IGNORE_FILE, "is a symbolic link");
  const ignoreText = ignoreInfo?.isFile ? await fs.readText(fs.path.join(root, IGNORE_FILE), DOCUMENT_LIMIT) : null;

  const entries = await collect(root, createIgnoreFilter(ignoreText), limits);
  entries.sort((a, b) => compareBytes(a.sortKey, b.sortKey));

  const parts: Uint8Array[] = [];
  const hash = createSha256();
  let size = 0;
  // The file bytes are known by now: a large package starts the compression workers at once.
  const expectedBytes = entries.reduce((n, e) => n + e.size, 0);
  const gz = new ParallelGzipEncoder((chunk) => {
    size += chunk.length;
    if (size > limits.maxArchiveBytes) {
      throw unsafeArchive(`Cannot pack "${dir}": the archive would be larger than ${limits.maxArchiveBytes} bytes`, {
        hint: `an .aam archive is at most 50 MiB; leave large files out with ${IGNORE_FILE}`,
      });
    }
    hash.update(chunk);
    parts.push(chunk);
  }, { expectedBytes });
  const tar = new TarWriter((chunk) => gz.write(chunk));

  // Small files are read ahead (bounded in count and bytes) so disk reads overlap compression.
  const ahead = new Map<number, Promise<Uint8Array>>();
  let aheadBytes = 0;
  let next = 0; // first entry not yet considered for read-ahead
  const prefetch = () => {
    for (; next < entries.length && ahead.size < READ_AHEAD_FILES; next++) {
      const e = entries[next];
      if (e.type !== "file" || e.size > WHOLE_FILE_BYTES) continue;
      if (ahead.size > 0 && aheadBytes + e.size > READ_AHEAD_BYTES) break;
      const p = readWhole(e);
      p.catch(() => {}); // observed when its turn comes; avoids an unhandled-rejection crash meanwhile
      ahead.set(next, p);
      aheadBytes += e.size;
    }
  };
  let unpackedSize = 0;
  try {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      await tar.header({ name: e.name, type: e.type, mode: e.mode, size: e.size });
      if (e.type === "file") {
        let written = 0;
        if (e.size <= WHOLE_FILE_BYTES) {
          prefetch();
          const data = await (ahead.get(i) ?? readWhole(e));
          if (ahead.delete(i)) aheadBytes -= e.size;
          prefetch();
          await tar.data(data.subarray(0, e.size));
          written = data.length;
        } else {
          for await (const chunk of fs.readChunks(e.abs)) {
            if (written + chunk.length <= e.size) await tar.data(chunk);
            written += chunk.length;
          }
        }
        // The header already holds the size: a file that changed since must not corrupt the archive.
        if (written !== e.size) throw changed(e.name);
        await tar.endEntry();
        unpackedSize += e.size;
      }
      opts.onProgress?.(i + 1);
    }
    await tar.end();
    await gz.end();
  } finally {
    gz.close(); // after a failure: stop the workers, or they keep the process alive
    // Settle read-aheads left behind by a failure so none rejects unobserved.
    await Promise.allSettled(ahead.values());
  }

  const bytes = concatBytes(parts);
  return { bytes, checksum: `sha256:${hash.digestHex()}`, size, entries: entries.length, unpackedSize };
}
