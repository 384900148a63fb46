// `npm run build:binary`: one self-contained executable, dist/aam, with Bun inside (bun build
// --compile): for machines with no Node, Bun or Deno, and the fastest way to run AAM on Bun.
// Bytecode (compiled ahead, so start-up skips parsing), ES modules with code splitting (a command
// loads only its own chunks, all embedded in the one file), and the same lazy CommonJS imports as
// the Node bundle (scripts/lazy_cjs.mjs). `aam verify --offline` starts ~2.5 × faster than
// `bun dist/cli.js` (BENCHMARKS.md).
import { join } from "node:path";
import { lazyCjs } from "./lazy_cjs.mjs";

const ROOT = join(import.meta.dir, "..");

/** Builds one executable at `out`; `target` (e.g. "bun-linux-arm64") cross-compiles, default this machine. */
export async function buildBinary(out: string, target?: Bun.Build.CompileTarget): Promise<void> {
  const r = await Bun.build({
    // The deflate worker of `aam pkg pack` (src/archive/deflate_parallel.ts) is an entry point of its
    // own, embedded as /$bunfs/root/archive/deflate_worker.js (its path under `root`); the chunks,
    // where the code starting it lands, sit in /$bunfs/root/ (and the CLI entry too).
    entrypoints: [join(ROOT, "src/cli.ts"), join(ROOT, "src/archive/deflate_worker.ts")],
    root: join(ROOT, "src"),
    define: { AAM_DEFLATE_WORKER: JSON.stringify("./archive/deflate_worker.js") },
    compile: target ? { outfile: out, target } : { outfile: out },
    minify: process.env.AAM_NO_MINIFY ? false : true,
    bytecode: true,
    format: "esm",
    splitting: true,
    plugins: [lazyCjs as unknown as Bun.BunPlugin],
  });
  if (!r.success) throw new Error(`bun build ${target ?? ""} failed:\n${r.logs.join("\n")}`);
}

if (import.meta.main) {
  const out = process.argv[2] ?? "dist/aam";
  await buildBinary(out);
  console.error(`built ${out}`);
}
