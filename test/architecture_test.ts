/**
 * The one structural rule (README "Architecture"): dependencies point down. This test reads every
 * import of src/ (static, `export … from` and dynamic) and fails on an import circle, on a core
 * module importing cli/, or on a module outside runtime/ reaching past runtime's public modules.
 */
import { describe, test, expect } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname, relative, resolve } from "node:path";
import { ROOT } from "./helpers.ts";

const SRC = join(ROOT, "src");
const CORE = ["attest", "publish", "signing", "trust", "registry", "archive", "manifest", "encoding", "cache", "verify", "keys", "config", "install"];
/**
 * What runtime/ offers besides its index: modules loaded on first use only (worker threads, native
 * zlib, the Deno crypto shim), so importing them through the index would cost every start-up.
 */
const RUNTIME_PUBLIC = ["runtime/index.ts", "runtime/workers.ts", "runtime/zlib.ts", "runtime/crypto_shim.ts"];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) out.push(p); // test helpers live in test/helpers/
  }
  return out;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;

/** src-relative path → src-relative paths it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      const target = relative(SRC, resolve(dirname(file), spec));
      if (!target.startsWith("..")) deps.push(target);
    }
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

/** Strongly connected components of more than one module (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

function forbiddenEdges(graph: Map<string, string[]>): string[] {
  const bad: string[] = [];
  for (const [from, deps] of graph) {
    const top = from.split("/")[0];
    for (const to of deps) {
      if (CORE.includes(top) && to.startsWith("cli/")) bad.push(`${from} -> ${to} (core module imports cli/)`);
      if (top !== "runtime" && to.startsWith("runtime/") && !RUNTIME_PUBLIC.includes(to)) bad.push(`${from} -> ${to} (runtime internals: import runtime/index.ts)`);
    }
  }
  return bad;
}

/** Code with comments and string contents blanked, so only real uses of a name count. */
function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "").replace(/`(?:\\.|[^`\\])*`|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, '""');
}

/** Modules outside runtime/ that use Node's Buffer or import a `node:` module: only runtime/ knows the runtime. */
function runtimeLeaks(): string[] {
  const bad: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = relative(SRC, file);
    if (rel.startsWith("runtime/")) continue;
    const text = readFileSync(file, "utf8");
    if (/\bBuffer\b/.test(codeOnly(text))) bad.push(`${rel} uses Buffer (runtime's asBuffer)`);
    if (/(?:from\s+|import\(\s*)"node:/.test(text)) bad.push(`${rel} imports a node: module`);
  }
  return bad;
}

describe("architecture", () => {
  test("only runtime/ names Node's Buffer or node: modules", () => {
    expect(runtimeLeaks()).toEqual([]);
  });

  test("src/ has no import circle", () => {
    expect(circles(importGraph())).toEqual([]);
  });

  test("no core module imports cli/, and only runtime/ reaches runtime's internals", () => {
    expect(forbiddenEdges(importGraph())).toEqual([]);
  });

  test("the checks see a circle and a forbidden edge when there is one", () => {
    const g = new Map([
      ["verify/a.ts", ["signing/b.ts"]],
      ["signing/b.ts", ["verify/a.ts", "cli/context.ts", "runtime/fs.ts"]],
      ["cli/context.ts", []],
    ]);
    expect(circles(g)).toEqual([["signing/b.ts", "verify/a.ts"]]);
    expect(forbiddenEdges(g)).toEqual(["signing/b.ts -> cli/context.ts (core module imports cli/)", "signing/b.ts -> runtime/fs.ts (runtime internals: import runtime/index.ts)"]);
  });
});
