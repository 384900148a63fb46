/**
 * Reading: whole files, bounded by a ReadLimit (read_limits.ts) and refusing folders, devices and
 * pipes; large files in chunks; stat and directory listings.
 *
 * Whole-file reads, stat and directory listings are synchronous behind async signatures: AAM reads
 * many small files (a registry verify reads 3,000), and each async call is several round trips to
 * the runtime's I/O threads (Node's fs.promises.readFile: open, fstat, read, close) that cost more
 * than the read itself; sync calls took `registry verify` of 1,000 versions from 1.12 s to 0.88 s.
 * Large files stream through readChunks (asynchronous) or readChunksInto (one reused buffer).
 */
import type * as Fs from "node:fs";
import { concatBytes } from "../encoding/bytes.ts";
import { notRegularFileError, tooLargeError, type ReadLimit } from "../read_limits.ts";
import { fsp, isNotFound } from "./_fs_shared.ts";
import { builtin } from "./builtin.ts";

// Required, not imported: an ESM import of a built-in builds a facade that reads every export,
// running node:fs's lazy getters (streams: ~5 ms) at start-up; require() hands back the module.
const fss = builtin<typeof Fs>("node:fs");

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

/** readFileIfExists decoded as UTF-8. */
export async function readTextIfExists(p: string, limit: ReadLimit): Promise<string | null> {
  const bytes = await readFileIfExists(p, limit);
  return bytes === null ? null : utf8.decode(bytes);
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

/**
 * Streams a regular file through one caller-owned buffer: each chunk is a view of `buf`, valid only
 * until the next one is asked for (a consumer that keeps bytes copies them). Fresh 1 MiB chunks made
 * a 49 MiB verify peak ~30 MiB higher (freed buffers pile up in the allocator before the runtime
 * collects them) and cost ~60 ms of garbage collection; reads are synchronous, as for whole files:
 * from the page cache they take microseconds, less than a round trip to the I/O threads.
 * Reads stop with `limit`'s error once more than `limit.maxBytes` were read.
 * @throws {AamError} UsageError for a folder, device or pipe
 */
export async function* readChunksInto(p: string, buf: Uint8Array, limit?: ReadLimit): AsyncGenerator<Uint8Array> {
  const { fd, size } = openRegularSync(p);
  try {
    if (limit && size > limit.maxBytes) throw tooLargeError(limit, p);
    let total = 0;
    for (;;) {
      const n = fss.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      total += n;
      if (limit && total > limit.maxBytes) throw tooLargeError(limit, p);
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    fss.closeSync(fd);
  }
}

/**
 * Reads a regular file through the caller's `buf`, reused for every file (fresh memory is slow to
 * touch on some machines), with sync reads: from the page cache they cost less than a round trip to
 * the I/O threads. `onChunk` gets views of `buf`, valid until its promise settles. Reads at most
 * `maxBytes`; answers the bytes read.
 * @throws {AamError} UsageError for a folder, device or pipe
 */
export async function readThrough(p: string, buf: Uint8Array, maxBytes: number, onChunk: (chunk: Uint8Array) => void | Promise<void>): Promise<number> {
  const { fd } = openRegularSync(p);
  try {
    let total = 0;
    while (total < maxBytes) {
      const n = fss.readSync(fd, buf, 0, Math.min(buf.length, maxBytes - total), null);
      if (n === 0) break;
      total += n;
      await onChunk(buf.subarray(0, n));
    }
    return total;
  } finally {
    fss.closeSync(fd);
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
