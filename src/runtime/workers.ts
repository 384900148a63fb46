/**
 * A small pool of worker threads running one module, for CPU-bound work (packing's deflate).
 * node:worker_threads on Node; web Workers on Bun and Deno, which start there several times faster
 * than their node:worker_threads (measured: Bun ~3 ms against ~27 ms, Deno ~14 ms against ~52 ms).
 *
 * The worker module calls serveWorker(handler); a task is one message and one answer, and a worker
 * answers its tasks in order. Tasks are handed to a worker once it says it is ready, so when workers
 * cannot start (a bundle that left the worker module behind, say) the tasks are rejected untouched
 * with TaskNotRunError, and the caller can do them itself. A worker that fails (its module does not
 * load, it throws outside the handler, it exits) rejects every task in the pool and closes it: an
 * error, never a hang.
 */
import type * as WorkerThreads from "node:worker_threads";
import type * as Os from "node:os";
import { builtin } from "./builtin.ts";
import { runtimeName } from "./detect.ts";

export interface WorkerPool {
  /** Runs one task on the least busy worker; `transfer` lists buffers handed over, not copied. */
  run<T>(message: unknown, transfer?: ArrayBuffer[]): Promise<T>;
  /** Workers started and ready for tasks (0 while they start, or after a failure). */
  readonly ready: number;
  /** Stops the workers (tasks not yet answered are rejected). Idempotent. Must be called: an idle Deno worker keeps the process alive. */
  close(): void;
}

/** What a task's handler answers: the reply and the buffers to transfer with it. */
export interface WorkerReply {
  result: unknown;
  transfer?: ArrayBuffer[];
}

type Envelope = { ready: true } | { ok: true; result: unknown } | { ok: false; error: string };

/** A task's error when the pool never handed it to a worker (they failed first, or the pool was closed): its message and buffers are untouched. */
export class TaskNotRunError extends Error {
  constructor(cause: Error) {
    super(`The task was not run: ${cause.message}`, { cause });
    this.name = "TaskNotRunError";
  }
}

interface Port {
  post(message: unknown, transfer: ArrayBuffer[]): void;
  /** Whether an idle worker may let the process exit (where the runtime can say so). */
  keepAlive(on: boolean): void;
  terminate(): void;
}

interface PortEvents {
  message(m: Envelope): void;
  fail(e: Error): void;
}

interface WebWorker {
  onmessage: ((e: { data: Envelope }) => void) | null;
  onmessageerror: ((e: unknown) => void) | null;
  onerror: ((e: { message?: string; error?: unknown; preventDefault(): void }) => void) | null;
  postMessage(m: unknown, transfer: ArrayBuffer[]): void;
  terminate(): void;
  ref?(): void; // Bun only
  unref?(): void;
}

const g = globalThis as unknown as {
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: URL, opts: { type: "module" }) => WebWorker;
  Deno?: { permissions: { querySync(d: { name: "read"; path: URL }): { state: string } } };
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(m: unknown, transfer: ArrayBuffer[]): void;
};

/** Cores available to this process (navigator.hardwareConcurrency needs no Deno permission; Node 20 has no navigator). */
export function cpuCount(): number {
  const n = g.navigator?.hardwareConcurrency;
  if (typeof n === "number" && n > 0) return n;
  try {
    return builtin<typeof Os>("node:os").availableParallelism();
  } catch {
    return 1; // no way to tell: run inline
  }
}

function openNode(url: URL, on: PortEvents): Port {
  const { Worker } = builtin<typeof WorkerThreads>("node:worker_threads");
  const w = new Worker(url);
  w.on("message", (m: Envelope) => on.message(m));
  w.on("error", (e: Error) => on.fail(e));
  w.on("messageerror", (e: Error) => on.fail(e));
  w.on("exit", (code: number) => on.fail(new Error(`the worker exited with code ${code}`)));
  return {
    post: (m, transfer) => w.postMessage(m, transfer),
    keepAlive: (keep) => (keep ? w.ref() : w.unref()),
    terminate: () => void w.terminate(),
  };
}

function openWeb(url: URL, on: PortEvents): Port {
  const w = new g.Worker!(url, { type: "module" });
  w.onmessage = (e) => on.message(e.data);
  w.onmessageerror = () => on.fail(new Error("a worker message could not be read"));
  w.onerror = (e) => {
    e.preventDefault(); // Deno would otherwise end the whole process
    on.fail(e.error instanceof Error ? e.error : new Error(e.message ?? "the worker failed"));
  };
  return {
    post: (m, transfer) => w.postMessage(m, transfer),
    keepAlive: (keep) => (keep ? w.ref?.() : w.unref?.()),
    terminate: () => w.terminate(),
  };
}

/**
 * Starts `size` workers running the module at `url`.
 * @returns the pool, or null when workers cannot run here (no Worker API, or on Deno no read
 *   permission for the module): the caller then does the work itself.
 */
export function startWorkerPool(url: URL, size: number): WorkerPool | null {
  const web = runtimeName !== "node" && typeof g.Worker === "function";
  if (runtimeName === "deno") {
    // A worker needs read access to its module; without it Deno fails the worker asynchronously
    // and prints the error, so ask first.
    try {
      if (g.Deno!.permissions.querySync({ name: "read", path: url }).state !== "granted") return null;
    } catch {
      return null;
    }
  }
  interface Task {
    message: unknown;
    transfer: ArrayBuffer[];
    resolve(v: unknown): void;
    reject(e: unknown): void;
  }
  interface Slot {
    port: Port;
    ready: boolean;
    tasks: Task[]; // in order; all handed to the worker once it is ready
  }
  const slots: Slot[] = [];
  let failure: Error | null = null;
  let ready = 0;

  const fail = (e: Error) => {
    if (failure) return;
    failure = e;
    ready = 0;
    for (const s of slots) {
      s.port.terminate();
      for (const t of s.tasks.splice(0)) t.reject(s.ready ? e : new TaskNotRunError(e));
    }
  };
  const post = (slot: Slot, t: Task) => {
    try {
      slot.port.post(t.message, t.transfer);
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const open = (slot: Slot): Port =>
    (web ? openWeb : openNode)(url, {
      message(m) {
        if ("ready" in m) {
          slot.ready = true;
          if (!failure) ready++;
          for (const t of slot.tasks) post(slot, t);
          return;
        }
        const t = slot.tasks.shift();
        if (!t) return;
        if (slot.tasks.length === 0) slot.port.keepAlive(false);
        if (m.ok) t.resolve(m.result);
        else t.reject(new Error(m.error));
      },
      fail(e) {
        fail(new Error(`A worker thread failed: ${e.message}`, { cause: e }));
      },
    });
  try {
    for (let i = 0; i < size; i++) {
      const slot = { ready: false, tasks: [] } as unknown as Slot;
      slot.port = open(slot);
      slot.port.keepAlive(false);
      slots.push(slot);
    }
  } catch {
    // No worker support here (a runtime without worker_threads, a denied permission): work inline.
    for (const s of slots) s.port.terminate();
    return null;
  }

  return {
    get ready() {
      return ready;
    },
    run<T>(message: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
      if (failure) return Promise.reject(new TaskNotRunError(failure));
      const slot = slots.reduce((a, b) => (b.tasks.length < a.tasks.length ? b : a));
      return new Promise<T>((resolve, reject) => {
        const t: Task = { message, transfer, resolve: resolve as (v: unknown) => void, reject };
        slot.tasks.push(t);
        if (slot.tasks.length === 1) slot.port.keepAlive(true);
        if (slot.ready) post(slot, t);
      });
    },
    close() {
      fail(new Error("the worker pool was closed"));
    },
  };
}

/**
 * Lets the event loop run once (a macrotask, not a microtask): workers' answers that have arrived
 * are taken in. A thread doing synchronous work between awaits of settled promises (pack reads
 * files synchronously) otherwise sees none until it waits, and its workers sit idle meanwhile.
 */
export function takeMessages(): Promise<void> {
  const g2 = globalThis as { setImmediate?: (f: () => void) => unknown };
  return new Promise((resolve) => (g2.setImmediate ? g2.setImmediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * Serves tasks in a worker module: each message goes to `handle`, and its answer (or the error it
 * threw) goes back to the pool.
 */
export function serveWorker(handle: (message: unknown) => WorkerReply): void {
  const answer = (m: unknown): [Envelope, ArrayBuffer[]] => {
    try {
      const r = handle(m);
      return [{ ok: true, result: r.result }, r.transfer ?? []];
    } catch (e) {
      return [{ ok: false, error: e instanceof Error ? e.message : String(e) }, []];
    }
  };
  const ready: Envelope = { ready: true };
  if (runtimeName === "node") {
    const port = builtin<typeof WorkerThreads>("node:worker_threads").parentPort;
    if (!port) throw new Error("serveWorker() runs only in a worker thread");
    port.on("message", (m: unknown) => port.postMessage(...answer(m)));
    port.postMessage(ready);
  } else {
    g.onmessage = (e) => g.postMessage(...answer(e.data));
    g.postMessage(ready, []);
  }
}
