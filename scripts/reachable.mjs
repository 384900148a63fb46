// The files under `root` reachable from `entries` through relative import specifiers, as a loader
// (or, for declarations, tsc) follows them: `./x.js`, `../y.js`, and in a .d.ts `./z.ts` meaning
// `./z.d.ts`. Used to keep only the declarations the API needs (scripts/build_types.mjs) and to
// check that the npm package holds nothing unreachable (test/e2e/npm_pack_test.ts).
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";

export function reachableFiles(root, entries) {
  const seen = new Set();
  const todo = entries.map((e) => posix.normalize(e));
  while (todo.length) {
    const rel = todo.pop();
    if (seen.has(rel)) continue;
    seen.add(rel);
    const text = readFileSync(join(root, rel), "utf8");
    // .cjs: the vendor bundles the chunks require on first use (dist/vendor/, scripts/build.mjs).
    for (const m of text.matchAll(/["'`](\.\.?\/[\w./-]+\.(?:js|ts|cjs))["'`]/g)) {
      let target = posix.join(posix.dirname(rel), m[1]);
      if (rel.endsWith(".d.ts") && target.endsWith(".ts") && !target.endsWith(".d.ts")) target = target.replace(/\.ts$/, ".d.ts");
      if (existsSync(join(root, target))) todo.push(target);
    }
  }
  return seen;
}
