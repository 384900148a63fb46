/** The runtime adapter: the only home of node:*, Bun.* and Deno.* in AAM. */
export * as fs from "./fs.ts";
export * as proc from "./process.ts";
export { run, type RunResult, type RunOptions } from "./spawn.ts";
export { createSha256, createDigest, randomBytes, type Sha256, type Digest, type DigestAlgorithm } from "./hash.ts";
export { runtimeName, runtimeVersion, type RuntimeName } from "./detect.ts";
export { listenForCallback, type Callback } from "./http_callback.ts";
export { asBuffer } from "./buffer.ts";
export { readLine, type LineAnswer } from "./line_input.ts";
