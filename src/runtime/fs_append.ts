/**
 * Writes whose cost does not grow with the file: reading a file's tail, replacing a file's tail in
 * place (append-only logs), and writing a large file as a stream that is renamed into place whole.
 */
import type * as Fs from "node:fs";
import { fsp, isNotFound } from "./_fs_shared.ts";
import { builtin } from "./builtin.ts";
import { tempNameFor } from "./temp_name.ts";
import { ByteSink } from "../encoding/byte_sink.ts";
import { notRegularFileError } from "../read_limits.ts";

// Required, not imported (as in fs_read.ts): an ESM import of node:fs runs its lazy getters at start-up.
const fss = builtin<typeof Fs>("node:fs");

/** The last `maxBytes` bytes of a regular file and its size, or null when it does not exist. */
export function readTail(p: string, maxBytes: number): { size: number; bytes: Uint8Array } | null {
  let fd: number;
  try {
    fd = fss.openSync(p, fss.constants.O_RDONLY | (fss.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  try {
    const st = fss.fstatSync(fd);
    if (!st.isFile()) throw notRegularFileError(p, st.isDirectory());
    const n = Math.min(maxBytes, st.size);
    const bytes = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = fss.readSync(fd, bytes, got, n - got, st.size - n + got);
      if (r === 0) break;
      got += r;
    }
    return { size: st.size, bytes: bytes.subarray(0, got) };
  } finally {
    fss.closeSync(fd);
  }
}

/**
 * Cuts `p` to `offset` bytes and writes `data` there, flushed: what an append becomes when it is
 * replayed from a journal (idempotent, unlike O_APPEND). Creates `p` when missing and offset is 0.
 */
export async function replaceTail(p: string, offset: number, data: Uint8Array): Promise<void> {
  const h = await fsp().open(p, fss.existsSync(p) ? "r+" : "wx", 0o644);
  try {
    await h.truncate(offset);
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await h.write(data, off, data.length - off, offset + off);
      off += bytesWritten;
    }
    await h.sync();
  } finally {
    await h.close();
  }
}

/** A file written as a stream under a temp name and renamed over its target by commit(). */
export interface AtomicWriter {
  /** Copies `data` into the writer's buffer (the caller may reuse its bytes at once). */
  append(data: Uint8Array | string): void;
  /** Writes the buffer out once it holds enough to be worth a syscall. */
  flush(): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

const FLUSH_BYTES = 256 * 1024;

/** Appends gather in one reused buffer: a syscall per line cost more than the copying. */
export async function openAtomicWriter(p: string): Promise<AtomicWriter> {
  const tmp = tempNameFor(p);
  const h = await fsp().open(tmp, "wx", 0o644);
  const enc = new TextEncoder();
  const sink = new ByteSink(FLUSH_BYTES * 2);
  const drain = async () => {
    const bytes = sink.view();
    let off = 0;
    while (off < bytes.length) off += (await h.write(bytes, off, bytes.length - off)).bytesWritten;
    sink.clear();
  };
  let closed = false;
  return {
    append(data) {
      sink.push(typeof data === "string" ? enc.encode(data) : data);
    },
    async flush() {
      if (sink.length >= FLUSH_BYTES) await drain();
    },
    async commit() {
      try {
        await drain();
        await h.sync();
      } finally {
        closed = true;
        await h.close();
      }
      await fsp().rename(tmp, p);
    },
    async abort() {
      if (!closed) await h.close().catch(() => {});
      closed = true;
      await fsp().rm(tmp, { force: true });
    },
  };
}
