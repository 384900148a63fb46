/**
 * Loads a node:* module when it is first needed instead of at start-up. Bun and Deno build their
 * node:* modules on first import, and some are dear (on Bun: node:http ~11 ms, node:crypto ~5 ms,
 * node:child_process ~2 ms against ~5 ms for the whole `bun -e 0`), while most commands never use them.
 * createRequire works for built-ins on all three runtimes and in the compiled binary.
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);
// require() resolves its argument again at every call, even for a loaded built-in (~8 µs on Node):
// `registry verify` asked for node:crypto twice a version, ~17 ms of its CPU for 1,000 versions.
const loaded = new Map<string, unknown>();

export function builtin<T>(name: `node:${string}`): T {
  let m = loaded.get(name);
  if (m === undefined) {
    m = load(name);
    loaded.set(name, m);
  }
  return m as T;
}
