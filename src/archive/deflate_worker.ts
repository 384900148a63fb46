/**
 * The worker thread of ParallelGzipEncoder (deflate_parallel.ts): deflates the blocks it is sent.
 * A bundle entry point of its own (scripts/build.mjs, scripts/build_binary.ts); it loads fflate and
 * _deflate_block.ts only.
 */
import { deflateBlock, type DeflateJob, type DeflateReply } from "./_deflate_block.ts";
import { serveWorker } from "../runtime/workers.ts";

serveWorker((message) => {
  const job = message as DeflateJob;
  const reply: DeflateReply = { out: deflateBlock(job), input: job.block.buffer as ArrayBuffer };
  // Both go back without a copy: the input buffer is reused for a later job, not left as garbage here.
  return { result: reply, transfer: [reply.out.buffer as ArrayBuffer, reply.input] };
});
