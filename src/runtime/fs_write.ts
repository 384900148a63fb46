/**
 * Writing: every write that replaces a file goes through writeFileAtomic (temp name, flush,
 * rename); lock files through createExclusiveComplete; extraction creates new files only (`wx`).
 */
import type * as NodePath from "node:path";
import { builtin } from "./builtin.ts";
import { fsp, isAlreadyExists } from "./_fs_shared.ts";
import { tempNameFor } from "./temp_name.ts";

// Required, not imported: see fs_read.ts.
const nodePath = builtin<typeof NodePath>("node:path");

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
