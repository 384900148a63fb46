/**
 * The worker thread of ParallelGzipEncoder (deflate_parallel.ts): deflates the blocks it is sent.
 * A bundle entry point of its own (scripts/build.mjs, scripts/build_binary.ts); it loads fflate and
 * _deflate_block.ts only.
 */
import { deflateBlock, type DeflateJob } from "./_deflate_block.ts";
import { serveWorker } from "../runtime/workers.ts";

serveWorker((job) => {
  const out = deflateBlock(job as DeflateJob);
  return { result: out, transfer: [out.buffer as ArrayBuffer] };
});
