/** The Node bundle keeps yaml, semver and ignore in dist/vendor/ (scripts/build.mjs): every path to them must resolve. */
import { test, expect } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ROOT } from "../helpers.ts";

test("the Node bundle's lazy stand-ins require vendor files it ships, and each loads", () => {
  // A wrong path fails only when the package is first used (a YAML file off the fast path, a range):
  // check every one the build wrote.
  const files = ["cli.js", "index.js", ...readdirSync(join(ROOT, "dist", "chunks")).map((f) => `chunks/${f}`)];
  const refs = new Set<string>();
  for (const f of files) {
    for (const m of readFileSync(join(ROOT, "dist", f), "utf8").matchAll(/createRequire\(import\.meta\.url\)\("([^"]+\.cjs)"\)/g)) {
      refs.add(resolve(dirname(join(ROOT, "dist", f)), m[1]));
    }
  }
  const names = [...refs].map((p) => p.slice(join(ROOT, "dist", "vendor").length + 1)).sort();
  expect([...new Set(names)]).toEqual(["ignore.cjs", "semver.cjs", "yaml.cjs"]);
  for (const p of refs) expect(existsSync(p)).toBe(true);
  const vendor = join(ROOT, "dist", "vendor");
  expect(typeof require(join(vendor, "yaml.cjs")).parseDocument).toBe("function");
  expect(require(join(vendor, "semver.cjs")).satisfies("1.2.3", "^1.0.0")).toBe(true);
  expect(typeof require(join(vendor, "ignore.cjs"))).toBe("function");
});
