// Writes dist/types/: the .d.ts declarations of the library API (src/index.ts and what it reaches),
// for `import … from "aam"` in TypeScript (package.json "types" and the "types" export condition).
// tsc declares every module of the program; only those index.d.ts reaches are kept (the package
// ships nothing unused). Run by `npm pack`/`npm publish` (prepack), not by every build: it takes ~10 s.
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, rmdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { reachableFiles } from "./reachable.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "types");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync(out, { recursive: true, force: true }); // no declarations of removed modules
const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.types.json")], { cwd: root, stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);

const keep = reachableFiles(out, ["index.d.ts"]);
(function prune(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      prune(p);
      if (readdirSync(p).length === 0) rmdirSync(p);
    } else if (!keep.has(relative(out, p).split("\\").join("/"))) rmSync(p);
  }
})(out);
console.error(`dist/types: ${keep.size} declaration files`);
