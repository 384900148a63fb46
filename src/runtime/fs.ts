/**
 * File-system access for all three runtimes through node:fs, which Node, Bun and Deno share.
 * Maps ENOENT/EEXIST once, here. Every write that replaces a file goes through writeFileAtomic.
 *
 * Whole-file reads, stat and directory listings are synchronous behind async signatures: AAM reads
 * many small files (a registry verify reads 3,000), and each async call is several round trips to
 * the runtime's I/O threads (Node's fs.promises.readFile: open, fstat, read, close) that cost more
 * than the read itself; sync calls took `registry verify` of 1,000 versions from 1.12 s to 0.88 s.
 * Large files stream through readChunks, which stays asynchronous. Every read is bounded by a
 * ReadLimit (read_limits.ts) and refuses folders, devices and pipes.
 */
import type * as FsPromises from "node:fs/promises";
import * as fss from "node:fs";
import * as nodePath from "node:path";
import { randomBytes } from "./hash.ts";
import { toHex } from "../encoding/hex.ts";
import { concatBytes } from "../encoding/bytes.ts";
import { builtin } from "./builtin.ts";
import { notRegularFileError, tooLargeError, type ReadLimit } from "../read_limits.ts";

// Loaded on first use: reads do not need it, and on Bun it costs ~2 ms of start-up.
let fspModule: typeof FsPromises | undefined;
const fsp = (): typeof FsPromises => (fspModule ??= builtin<typeof FsPromises>("node:fs/promises"));

export interface FileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mode: number;
  mtimeMs: number;
}

export interface DirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}

function errCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined;
}
export function isNotFound(e: unknown): boolean {
  return errCode(e) === "ENOENT" || errCode(e) === "ENOTDIR";
}
export function isAlreadyExists(e: unknown): boolean {
  return errCode(e) === "EEXIST";
}

export const path = {
  join: nodePath.join,
  resolve: nodePath.resolve,
  dirname: nodePath.dirname,
  basename: nodePath.basename,
  relative: nodePath.relative,
  isAbsolute: nodePath.isAbsolute,
  sep: nodePath.sep,
};

// Regular files open without blocking: O_NONBLOCK keeps open(2) of a FIFO with no writer from
// waiting forever, and has no effect on a regular file. fstat on the open descriptor then refuses
// anything else (folder, device, pipe) with no window for a swap between check and read.
const OPEN_READ = fss.constants.O_RDONLY | (fss.constants.O_NONBLOCK ?? 0);
const utf8 = new TextDecoder();

function openRegularSync(p: string): { fd: number; size: number } {
  const fd = fss.openSync(p, OPEN_READ);
  try {
    const st = fss.fstatSync(fd);
    if (!st.isFile()) throw notRegularFileError(p, st.isDirectory());
    return { fd, size: st.size };
  } catch (e) {
    fss.closeSync(fd);
    throw e;
  }
}

/**
 * Reads a whole regular file, never more than `limit.maxBytes`: a larger file is refused from its
 * size before anything is allocated, and one that grows while read stops one byte past the limit.
 * @throws {AamError} `limit.code` past the limit; UsageError for a folder, device or pipe
 */
export async function readFile(p: string, limit: ReadLimit): Promise<Uint8Array> {
  const { fd, size } = openRegularSync(p);
  try {
    if (size > limit.maxBytes) throw tooLargeError(limit, p);
    // One byte more than the size, to notice a file that grew since fstat without a second buffer.
    let buf = new Uint8Array(size + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > limit.maxBytes) throw tooLargeError(limit, p);
        const grown = new Uint8Array(Math.min(Math.max(n * 2, n + 65536), limit.maxBytes + 1));
        grown.set(buf);
        buf = grown;
      }
      const r = fss.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    if (n > limit.maxBytes) throw tooLargeError(limit, p);
    return buf.subarray(0, n);
  } finally {
    fss.closeSync(fd);
  }
}

/** readFile decoded as UTF-8 (malformed bytes become U+FFFD). */
export async function readText(p: string, limit: ReadLimit): Promise<string> {
  return utf8.decode(await readFile(p, limit));
}

/** Reads a file within `limit`, or answers null when it does not exist. */
export async function readFileIfExists(p: string, limit: ReadLimit): Promise<Uint8Array | null> {
  try {
    return await readFile(p, limit);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

export async function readTextIfExists(p: string, limit: ReadLimit): Promise<string | null> {
  try {
    return await readText(p, limit);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/** The path with every symbolic link resolved, or null when it (or a link on the way) does not exist. */
export async function realPath(p: string): Promise<string | null> {
  try {
    return fss.realpathSync(p);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/**
 * Streams a regular file in chunks without holding it whole in memory; with `limit`, stops with its
 * error once more than `limit.maxBytes` were read.
 * @throws {AamError} UsageError for a folder, device or pipe
 */
export async function* readChunks(p: string, chunkSize = 1 << 20, limit?: ReadLimit): AsyncGenerator<Uint8Array> {
  const h = await fsp().open(p, OPEN_READ);
  try {
    const st = await h.stat();
    if (!st.isFile()) throw notRegularFileError(p, st.isDirectory());
    if (limit && st.size > limit.maxBytes) throw tooLargeError(limit, p);
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(chunkSize);
      const { bytesRead } = await h.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) return;
      total += bytesRead;
      if (limit && total > limit.maxBytes) throw tooLargeError(limit, p);
      yield bytesRead === chunkSize ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await h.close();
  }
}

export async function stat(p: string): Promise<FileInfo | null> {
  try {
    const s = fss.lstatSync(p);
    return {
      isFile: s.isFile(),
      isDirectory: s.isDirectory(),
      isSymlink: s.isSymbolicLink(),
      size: s.size,
      mode: s.mode,
      mtimeMs: s.mtimeMs,
    };
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

export async function readDir(p: string): Promise<DirEntry[]> {
  const entries = fss.readdirSync(p, { withFileTypes: true });
  return entries.map((d) => ({
    name: d.name,
    isFile: d.isFile(),
    isDirectory: d.isDirectory(),
    isSymlink: d.isSymbolicLink(),
  }));
}

/** Lists a directory, or answers [] when it does not exist. */
export async function readDirIfExists(p: string): Promise<DirEntry[]> {
  try {
    return await readDir(p);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

export async function mkdirp(p: string, mode?: number): Promise<void> {
  await fsp().mkdir(p, { recursive: true, mode });
}

export async function remove(p: string): Promise<void> {
  await fsp().rm(p, { recursive: true, force: true });
}

export async function rename(from: string, to: string): Promise<void> {
  await fsp().rename(from, to);
}

export async function chmod(p: string, mode: number): Promise<void> {
  await fsp().chmod(p, mode);
}

export async function copyFile(from: string, to: string): Promise<void> {
  await fsp().copyFile(from, to);
}

export async function makeTempDir(prefix: string): Promise<string> {
  const { tmpdir } = await import("node:os");
  return await fsp().mkdtemp(nodePath.join(tmpdir(), prefix));
}

/** A temporary name in the same folder as `p`, so a rename into place is atomic. */
export function tempNameFor(p: string): string {
  const dir = nodePath.dirname(p);
  const base = nodePath.basename(p);
  return nodePath.join(dir, `.${base}.${process.pid}.${toHex(randomBytes(6))}.tmp`);
}

/** True for names written by tempNameFor: readers skip them, writers clean them up. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

/** The pid of the process that made a temp name (see tempNameFor), or null for other names. */
export function tempNamePid(name: string): number | null {
  const m = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
  return m && isTempName(name) ? Number(m[1]) : null;
}

/**
 * Writes a whole file crash-safely: temp file in the same folder, flushed, then renamed over `p`.
 * A process killed at any instant leaves either the old file or the new one, never a mix.
 */
export async function writeFileAtomic(
  p: string,
  data: Uint8Array | string,
  opts: { mode?: number } = {},
): Promise<void> {
  const tmp = tempNameFor(p);
  const h = await fsp().open(tmp, "wx", opts.mode ?? 0o644);
  try {
    await h.writeFile(data);
    await h.sync();
  } catch (e) {
    await h.close().catch(() => {});
    await fsp().rm(tmp, { force: true });
    throw e;
  }
  await h.close();
  try {
    await fsp().rename(tmp, p);
  } catch (e) {
    await fsp().rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates `p` holding `data` only if nothing is there, and never lets anyone see it half-written:
 * the data goes to a flushed temp file in the same folder, which is then hard-linked to `p` (link(2)
 * fails with EEXIST like O_EXCL). Answers false when `p` exists. Used for lock files, whose readers
 * must not mistake a lock being written for a torn one.
 */
export async function createExclusiveComplete(p: string, data: string, mode = 0o644): Promise<boolean> {
  const tmp = tempNameFor(p);
  const h = await fsp().open(tmp, "wx", mode);
  try {
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await fsp().link(tmp, p);
    return true;
  } catch (e) {
    if (isAlreadyExists(e)) return false;
    throw e;
  } finally {
    await fsp().rm(tmp, { force: true });
  }
}

/** A file opened for sequential writing; used by extraction to stream entries to disk. */
export interface FileWriter {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates a new file holding `data`; fails (EEXIST) if anything is at `p`, never following a link.
 * No fsync: used by extraction into a staging folder that is renamed into place afterwards.
 */
export async function writeNewFile(p: string, data: Uint8Array, mode = 0o644): Promise<void> {
  await fsp().writeFile(p, data, { flag: "wx", mode });
}

export async function openWriter(p: string, mode = 0o644): Promise<FileWriter> {
  const h = await fsp().open(p, "wx", mode);
  return {
    async write(data: Uint8Array) {
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await h.write(data, off, data.length - off);
        off += bytesWritten;
      }
    },
    async close() {
      await h.close();
    },
  };
}

export { fileURLToPath as fromFileUrl, pathToFileURL as toFileUrl } from "node:url";
