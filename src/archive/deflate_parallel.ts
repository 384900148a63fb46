/**
 * gzip compression spread over worker threads, pigz-style (runtime/workers.ts): GzipFramer cuts the
 * input into fixed blocks, workers deflate them (_deflate_block.ts), the main thread too when they
 * fall behind, and the outputs are joined in order. The bytes are GzipEncoder's whatever the number of workers, or with none: a block's output
 * depends on the block and the 32 KiB before it only. Where workers cannot start (no permission to
 * read their module on Deno, a bundle without the worker), blocks are deflated inline instead.
 */
import { deflateBlock, type DeflateJob, type DeflateReply } from "./_deflate_block.ts";
import { GZIP_BLOCK_BYTES, GzipFramer } from "./gzip_encoder.ts";
import { cpuCount, startWorkerPool, takeMessages, TaskNotRunError, type WorkerPool } from "../runtime/workers.ts";

/** Below this much input, blocks are deflated inline: starting workers (15–50 ms) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 1024 * 1024;
const MAX_WORKERS = 4;
/** Output buffers kept for reuse: those sized for a whole block (a mostly stored block's output). */
const MAX_SPENT = 8;
/** Blocks queued per worker: keeps each busy while the main thread reads files, and bounds memory. */
const BLOCKS_PER_WORKER = 4;
/**
 * Outputs held in order behind one a worker has yet to answer, besides BLOCKS_PER_WORKER each. While
 * a Node worker starts (50-200 ms) the main thread deflates the next blocks itself, and they wait
 * here for the first one: with no room the main thread sat idle until the worker's first answer.
 * Bounded, so memory does not grow with the package: 4 outputs of at most a block each (12 cost
 * the 49 MiB package ~13 MiB more peak RSS under Node: stored blocks are as big as their input).
 */
const HELD_OUTPUTS = 4;

// Set by the bundlers to the bundled worker's path, relative to the output file holding this code
// (scripts/build.mjs, scripts/build_binary.ts); unset when running from source.
declare const AAM_DEFLATE_WORKER: string | undefined;

function workerUrl(): URL {
  return new URL(typeof AAM_DEFLATE_WORKER === "string" ? AAM_DEFLATE_WORKER : "./deflate_worker.ts", import.meta.url);
}

/**
 * One per core but the main thread's, at most MAX_WORKERS; none on one core, where a worker only
 * adds its start-up. The main thread is busy too (reading files, tar framing, CRC, hashing): on two
 * cores, two Node workers took ~15% more CPU than one packing the 2,000-file text package (each
 * starts at ~50 ms of CPU and compiles the encoder again), and the main thread helps anyway.
 */
function defaultWorkers(): number {
  const n = cpuCount();
  return n < 2 ? 0 : Math.min(n - 1, MAX_WORKERS);
}

export interface ParallelGzipOptions {
  /** Worker threads; default one per core less one (at most 4). 0 deflates inline; the bytes are the same. */
  workers?: number;
  /** The input size if known: from PARALLEL_MIN_BYTES up, workers start at once, not after the first MiB. */
  expectedBytes?: number;
  /** `onChunk` copies each chunk and keeps none: their buffers are then reused for later output. */
  chunksCopied?: boolean;
}

/**
 * Streaming gzip compressor with GzipEncoder's output, on worker threads for inputs of a MiB or
 * more. `onChunk` is called in order, from write() and end(); an error it throws is thrown there.
 * Call close() when giving up before end() (end() closes the workers itself).
 * @example
 * ```ts
 * const gz = new ParallelGzipEncoder((c) => out.push(c));
 * try { await gz.write(a); await gz.end(); } finally { gz.close(); }
 * ```
 */
export class ParallelGzipEncoder {
  readonly #onChunk: (chunk: Uint8Array) => void;
  readonly #framer: GzipFramer;
  readonly #workers: number;
  #pool: WorkerPool | null = null;
  #started = false;
  #written = 0;
  /** Outputs in stream order: the header, then each block's, as they are dispatched. */
  #queue: Promise<Uint8Array>[] = [];
  #ended = false;
  #closed = false;
  #inFlight = 0; // blocks handed to the workers and not yet answered
  readonly #chunksCopied: boolean;
  /** Output buffers onChunk is done with (chunksCopied): a stored block's output is as big as its input. */
  readonly #spent: ArrayBuffer[] = [];
  #busy = false; // a write() or end() not yet settled: the next call must wait, or output could reorder
  #jobs = 0; // blocks dispatched so far
  #jobsSeen = 0; // #jobs when write() last took in the workers' messages

  constructor(onChunk: (chunk: Uint8Array) => void, opts: ParallelGzipOptions = {}) {
    this.#onChunk = onChunk;
    this.#workers = opts.workers ?? defaultWorkers();
    this.#chunksCopied = opts.chunksCopied ?? false;
    this.#framer = new GzipFramer((job) => this.#queue.push(this.#deflate(job)));
    this.#queue.push(Promise.resolve(GzipFramer.header()));
    this.expect(opts.expectedBytes ?? 0);
  }

  /**
   * Says how much input is coming before it comes: from PARALLEL_MIN_BYTES up the workers start now,
   * so they start while the caller is still busy (pack walks the folder) rather than when it writes.
   */
  expect(bytes: number): void {
    if (bytes >= PARALLEL_MIN_BYTES) this.#startPool();
  }

  /** Adds bytes; `data` may be reused by the caller once the call returns (before it settles, even). */
  async write(data: Uint8Array): Promise<void> {
    if (this.#ended) throw new TypeError("ParallelGzipEncoder.write() after end()");
    this.#written += data.length;
    if (this.#written >= PARALLEL_MIN_BYTES) this.#startPool();
    this.#framer.write(data);
    // Wait only when too many blocks are in flight: memory stays bounded, reading goes on meanwhile.
    await this.#drain(this.#pool ? this.#workers * BLOCKS_PER_WORKER + HELD_OUTPUTS : 0);
    // Once a block: take in the workers' answers (and a starting worker's "ready"), so the next
    // blocks go to them rather than to this thread. Without it a Node worker sat idle ~30% of the
    // time packing 19 MB of text while this thread deflated inline (--cpu-prof of both threads).
    if (this.#pool && this.#jobs !== this.#jobsSeen) {
      this.#jobsSeen = this.#jobs;
      await takeMessages();
    }
  }

  /** Ends the input and passes the rest of the output, trailer last, to `onChunk`. */
  async end(): Promise<void> {
    if (this.#ended) throw new TypeError("ParallelGzipEncoder.end() called twice");
    this.#ended = true;
    try {
      const trailer = this.#framer.end();
      await this.#drain(0);
      this.#onChunk(trailer);
    } finally {
      this.close();
    }
  }

  /** Stops the workers; output not yet passed on is dropped. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#started = true; // a closed encoder starts no workers
    this.#pool?.close();
    this.#pool = null;
  }

  #startPool(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#workers > 0) this.#pool = startWorkerPool(workerUrl(), this.#workers); // null: inline
  }

  #deflate(job: DeflateJob): Promise<Uint8Array> {
    this.#jobs++;
    let out: Promise<Uint8Array>;
    const scratch = this.#spent.pop();
    if (scratch) job.scratch = scratch;
    // With the workers this far behind, the main thread deflates this block itself rather than wait
    // for them: every core stays busy, and the bytes are the same. A worker still starting is given
    // one block only, which it takes once ready; the main thread does the rest meanwhile.
    const ready = this.#pool?.ready ?? 0;
    if (this.#pool && this.#inFlight < ready * BLOCKS_PER_WORKER + (this.#workers - ready)) {
      // Handed over, not copied; the worker hands the input buffer back for the framer to reuse.
      const buffers = new Set([job.window.buffer as ArrayBuffer, job.block.buffer as ArrayBuffer]); // one buffer, from GzipFramer
      if (scratch) buffers.add(scratch);
      this.#inFlight++;
      out = this.#pool
        .run<DeflateReply>(job, [...buffers])
        .then((r) => {
          this.#framer.recycle(r.input);
          return r.out;
        })
        .catch((e) => {
          // The workers did not start, so the job is intact: do it here (same bytes), and the rest too.
          if (!(e instanceof TaskNotRunError) || this.#closed) throw e;
          this.#pool = null;
          return deflateBlock(job);
        })
        .finally(() => this.#inFlight--);
    } else {
      try {
        out = Promise.resolve(deflateBlock(job));
        this.#framer.recycle(job.block.buffer as ArrayBuffer);
      } catch (e) {
        out = Promise.reject(e);
      }
    }
    out.catch(() => {}); // #drain awaits it in turn; this only stops an early failure counting as unhandled
    return out;
  }

  async #drain(keep: number): Promise<void> {
    if (this.#busy) throw new TypeError("ParallelGzipEncoder: await each write() before the next call");
    this.#busy = true;
    try {
      while (this.#queue.length > keep) {
        const chunk = await this.#queue.shift()!;
        this.#onChunk(chunk);
        // Only a block's own output buffer (not the header's, nor a view into another) is reused.
        if (this.#chunksCopied && chunk.byteOffset === 0 && chunk.buffer.byteLength > GZIP_BLOCK_BYTES && this.#spent.length < MAX_SPENT) {
          this.#spent.push(chunk.buffer as ArrayBuffer);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}
