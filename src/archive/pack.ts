/**
 * `aam pkg pack`'s archive builder (SPEC §3): a package folder to reproducible `.aam` bytes.
 *
 * The same folder gives byte-identical output on Node, Deno and Bun, on any day: entries sorted by
 * UTF-8 bytes, every header field fixed (tar_header.ts), gzip header fixed and the tar stream
 * deflated in fixed blocks (gzip_encoder.ts), on worker threads when it is large (deflate_parallel.ts), with
 * the same bytes either way. Only regular files and directories go in; a symlink, device, FIFO or
 * socket is refused with its path. Files are read through one reused buffer into the compressor,
 * and the archive goes to its sink as it is produced: memory does not grow with the package.
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
import { DOCUMENT_LIMIT } from "../read_limits.ts";
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
async function collect(root: string, skip: IgnoreFilter, limits: ArchiveLimits, onBytes: (n: number) => void): Promise<SourceEntry[]> {
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
      onBytes(unpacked);
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

function changed(rel: string): AamError {
  return new AamError("Error", `Cannot pack "${rel}": the file changed while it was being packed`, {
    entry: rel,
    hint: "pack again once nothing is writing to the package folder",
  });
}

/** Where the compressed bytes go, in order: memory (packDirectory) or a temp file (packToFile). */
interface ArchiveSink {
  /** Takes a chunk; the sink copies or keeps it. */
  append(chunk: Uint8Array): void;
  /** Lets the sink write out what it holds (awaited between writes, so memory stays bounded). */
  flush(): Promise<void>;
}

type PackCounts = Omit<PackResult, "bytes">;

/**
 * Packs a package folder into `.aam` bytes held in memory. `aam pkg pack` streams to a file instead
 * (packToFile); both give the same bytes.
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
  const parts: Uint8Array[] = [];
  const counts = await packInto(dir, opts, false, async () => ({ append: (c) => parts.push(c), flush: async () => {} }));
  return { bytes: concatBytes(parts), ...counts };
}

/**
 * Packs a package folder straight into the file `target`: the archive is written as it is produced
 * to a temp file beside `target`, renamed over it once complete, so memory does not grow with the
 * package and a failure leaves `target` as it was. The folder of `target` must exist.
 * @returns the checksum and counts (the bytes are in `target`)
 * @throws {AamError} as packDirectory
 * @example
 * ```ts
 * const { checksum } = await packToFile("./my-package", "./dist/me--my-package-1.0.0.aam");
 * ```
 */
export async function packToFile(dir: string, target: string, opts: PackOptions = {}): Promise<PackCounts> {
  let out: fs.AtomicWriter | null = null;
  try {
    // append() copies into the writer's buffer
    const counts = await packInto(dir, opts, true, async () => {
      out = await fs.openAtomicWriter(target);
      return { append: (c) => out!.append(c), flush: () => out!.flush() };
    });
    await (out as fs.AtomicWriter | null)?.commit();
    return counts;
  } catch (e) {
    await (out as fs.AtomicWriter | null)?.abort();
    throw e;
  }
}

/** Files are read through one buffer of this size, reused for every file. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Checks the folder, collects its entries, then opens the sink (after the walk: a temp file in the
 * package folder is never packed) and streams the archive into it. `sinkCopies`: the sink's
 * append() copies and keeps nothing, so the encoder may reuse a chunk's buffer once it returns.
 */
async function packInto(dir: string, opts: PackOptions, sinkCopies: boolean, open: () => Promise<ArchiveSink>): Promise<PackCounts> {
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

  const hash = createSha256();
  let size = 0;
  let sink: ArchiveSink | null = null; // opened after the walk; no output comes before
  const gz = new ParallelGzipEncoder((chunk) => {
    size += chunk.length;
    if (size > limits.maxArchiveBytes) {
      throw unsafeArchive(`Cannot pack "${dir}": the archive would be larger than ${limits.maxArchiveBytes} bytes`, {
        hint: `an .aam archive is at most 50 MiB; leave large files out with ${IGNORE_FILE}`,
      });
    }
    hash.update(chunk);
    sink!.append(chunk);
  }, { chunksCopied: sinkCopies });
  try {
    // A large package starts the compression workers during the walk, once it has seen a MiB of
    // files: a Node worker takes 50-200 ms to start, time the walk would otherwise leave unused.
    const entries = await collect(root, createIgnoreFilter(ignoreText), limits, (n) => gz.expect(n));
    entries.sort((a, b) => compareBytes(a.sortKey, b.sortKey));
    sink = await open();
    return await writeArchive(entries, sink, gz, opts, () => ({ checksum: `sha256:${hash.digestHex()}`, size, entries: entries.length }));
  } finally {
    gz.close(); // after a failure: stop the workers, or they keep the process alive
  }
}

/** Streams the sorted entries through tar and gzip into the sink. */
async function writeArchive(
  entries: SourceEntry[],
  sink: ArchiveSink,
  gz: ParallelGzipEncoder,
  opts: PackOptions,
  counts: () => Omit<PackCounts, "unpackedSize">,
): Promise<PackCounts> {
  // The encoder copies what it is given, so the read buffer is reused at once.
  const tar = new TarWriter(async (chunk) => {
    await gz.write(chunk);
    await sink.flush();
  });
  const buf = new Uint8Array(READ_BUFFER_BYTES);
  let unpackedSize = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    await tar.header({ name: e.name, type: e.type, mode: e.mode, size: e.size });
    if (e.type === "file") {
      // One byte past the size is read to notice a file that grew; only the header's size goes in.
      let written = 0;
      const read = await fs.readThrough(e.abs, buf, e.size + 1, (chunk) => {
        const take = Math.min(chunk.length, e.size - written);
        written += take;
        return take > 0 ? tar.data(chunk.subarray(0, take)) : undefined;
      });
      // The header already holds the size: a file that changed since must not corrupt the archive.
      if (read !== e.size) throw changed(e.name);
      await tar.endEntry();
      unpackedSize += e.size;
    }
    opts.onProgress?.(i + 1);
  }
  await tar.end();
  await gz.end();
  await sink.flush();
  return { ...counts(), unpackedSize };
}
