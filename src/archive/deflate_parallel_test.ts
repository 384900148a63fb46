import { concatBytes } from "../encoding/bytes.ts";
import { describe, expect, test } from "bun:test";
import { inflateSync } from "fflate";
import { gunzipSync as zlibGunzip, inflateRawSync as zlibInflateRaw } from "node:zlib";
import { run } from "../runtime/index.ts";
import { startWorkerPool, TaskNotRunError } from "../runtime/workers.ts";
import { deflateBlock, type DeflateReply } from "./_deflate_block.ts";
import { ParallelGzipEncoder, PARALLEL_MIN_BYTES } from "./deflate_parallel.ts";
import { GZIP_BLOCK_BYTES, gzipBytes } from "./gzip_encoder.ts";

/** Text-like runs, repeats further back than a block, and noise: every kind of deflate block. */
function sample(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const zone = (i >> 15) % 4;
    out[i] = zone === 0 ? 97 + (i % 26) : zone === 1 ? x >>> 24 : zone === 2 && i > 200_000 ? out[i - 200_000] : (x >>> 28) + 48;
  }
  return out;
}

async function parallelGzip(data: Uint8Array, workers: number, step = 65_536, chunksCopied = false): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  // A consumer that copies lets the encoder write later blocks into the buffers it passed on.
  const gz = new ParallelGzipEncoder((c) => parts.push(chunksCopied ? c.slice() : c), { workers, expectedBytes: data.length, chunksCopied });
  try {
    for (let i = 0; i < data.length; i += step) await gz.write(data.subarray(i, i + step));
    await gz.end();
  } finally {
    gz.close();
  }
  return concatBytes(parts);
}

describe("ParallelGzipEncoder", () => {
  const data = sample(3 * 1024 * 1024 + 12_345);

  test("gives gzipBytes()'s bytes with 0, 1, 2 or 3 workers, whatever the write sizes", async () => {
    expect(data.length).toBeGreaterThan(PARALLEL_MIN_BYTES);
    const inline = gzipBytes(data);
    expect(await parallelGzip(data, 0)).toEqual(inline);
    expect(await parallelGzip(data, 1, 1000)).toEqual(inline);
    expect(await parallelGzip(data, 2)).toEqual(inline);
    expect(await parallelGzip(data, 3, 300_007)).toEqual(inline);
    expect(await parallelGzip(data, 1, 65_536, true)).toEqual(inline);
    expect(await parallelGzip(data, 0, 65_536, true)).toEqual(inline);
  });

  test("writes gzip that node:zlib, fflate and the system gzip read back", async () => {
    const gz = await parallelGzip(data, 2);
    expect(new Uint8Array(zlibGunzip(gz))).toEqual(data);
    expect(inflateSync(gz.subarray(10, -8)) as Uint8Array).toEqual(data);
    const t = await run("gzip", ["-t"], { input: gz });
    const back = await run("gzip", ["-dc"], { input: gz });
    if (t === null || back === null) return; // no gzip(1) here
    expect(t.code).toBe(0);
    expect(back.stdout).toEqual(data);
  });

  test("handles inputs around block boundaries: empty, one byte, n blocks, n blocks and one byte", async () => {
    for (const n of [0, 1, GZIP_BLOCK_BYTES - 1, GZIP_BLOCK_BYTES, GZIP_BLOCK_BYTES + 1, 9 * GZIP_BLOCK_BYTES, 9 * GZIP_BLOCK_BYTES + 1]) {
      const d = sample(n, n + 1);
      const gz = await parallelGzip(d, 2);
      expect(gz).toEqual(gzipBytes(d));
      expect(new Uint8Array(zlibGunzip(gz))).toEqual(d);
    }
  });

  test("passes on an error thrown by onChunk, with workers running, and stops them", async () => {
    const gz = new ParallelGzipEncoder(
      () => {
        throw new RangeError("too big");
      },
      { workers: 2, expectedBytes: data.length },
    );
    let err: unknown;
    try {
      for (let i = 0; i < data.length; i += 65_536) await gz.write(data.subarray(i, i + 65_536));
      await gz.end();
    } catch (e) {
      err = e;
    } finally {
      gz.close();
    }
    expect(err).toBeInstanceOf(RangeError);
  });
});

describe("deflateBlock()", () => {
  test("ends a block that is not the last byte-aligned, with an empty stored block, whatever bits were pending", () => {
    // 64 blocks of varied lengths and alphabets: their last deflate blocks end at varied bit
    // positions, so the marker follows every kind of partial byte.
    const blocks: Uint8Array[] = [];
    for (let k = 0; k < 64; k++) {
      const b = new Uint8Array(500 + ((k * 7919) % 5000));
      let x = k + 1;
      for (let i = 0; i < b.length; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        b[i] = ((x >>> 24) % (2 + ((k + 1) % 200))) + 32;
      }
      blocks.push(b);
    }
    const all = concatBytes(blocks);
    const parts: Uint8Array[] = [];
    let off = 0;
    blocks.forEach((block, k) => {
      const final = k === blocks.length - 1;
      const out = deflateBlock({ block, window: all.slice(Math.max(0, off - 32_768), off), final });
      if (!final) expect(Array.from(out.subarray(-4))).toEqual([0, 0, 0xff, 0xff]);
      parts.push(out);
      off += block.length;
    });
    const raw = concatBytes(parts);
    expect(inflateSync(raw) as Uint8Array).toEqual(all);
    expect(new Uint8Array(zlibInflateRaw(raw))).toEqual(all);
  });
});

describe("startWorkerPool() with the deflate worker", () => {
  const url = new URL("./deflate_worker.ts", import.meta.url);

  test("deflates in the worker to deflateBlock()'s bytes", async () => {
    const pool = startWorkerPool(url, 2);
    expect(pool).not.toBeNull();
    try {
      const block = sample(GZIP_BLOCK_BYTES, 3);
      const window = sample(32_768, 4);
      const inline = deflateBlock({ block, window, final: false });
      const inWorker = await pool!.run<DeflateReply>({ block: block.slice(), window: window.slice(), final: false });
      expect(inWorker.out).toEqual(inline);
      expect(inWorker.input.byteLength).toBe(block.length); // the input comes back, for reuse
    } finally {
      pool!.close();
    }
  });

  test("rejects a task whose handler throws, and runs the next", async () => {
    const pool = startWorkerPool(url, 1)!;
    try {
      await expect(pool.run({ block: null, window: null, final: true })).rejects.toThrow();
      expect((await pool.run<DeflateReply>({ block: new Uint8Array(1), window: new Uint8Array(0), final: true })).out.length).toBeGreaterThan(0);
    } finally {
      pool.close();
    }
  });

  test("rejects with TaskNotRunError, not hangs, when the worker module does not load", async () => {
    const pool = startWorkerPool(new URL("./no_such_worker.ts", import.meta.url), 2);
    if (pool === null) return; // refused up front: as good
    try {
      const block = new Uint8Array(10);
      const err = await pool.run({}, [block.buffer]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskNotRunError);
      expect(block.length).toBe(10); // never handed over: the caller can still do the task
    } finally {
      pool.close();
    }
  });

  test("close() rejects the tasks not yet answered", async () => {
    const pool = startWorkerPool(url, 1)!;
    const p = pool.run({ block: sample(GZIP_BLOCK_BYTES), window: new Uint8Array(0), final: true });
    pool.close();
    await expect(p).rejects.toThrow(/closed/);
  });
});
