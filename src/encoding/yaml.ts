/**
 * YAML for untrusted registry and config files: bounded size, bounded alias expansion, the core
 * schema only, no value that contains itself, and every failure a coded AamError naming the file,
 * line and column (yaml_test.ts attacks each).
 *
 * Why a fast subset reader in front of `yaml` rather than one reader (issue 14 asked for one, chosen
 * by measurement; scripts/bench/history.md has the runs): js-yaml 5's loader, the cheapest single
 * reader, added ~10 ms to every start that reads config.yaml on Node, Bun and Deno (Bun's `aam verify
 * --offline` 60 → 70 ms of CPU) and ~0.1 ms to each small document, which made `aam registry verify`
 * of 1,000 versions (1,000 aam.yaml files) 25–100 % slower (Bun 0.44 → 0.56 s, Node 768 → 1065 ms)
 * and missed its 10× target. Every caller goes through this one function, so every part of AAM reads
 * a given text the same way; block_yaml.ts answers only inside a subset where it agrees with `yaml`
 * (block_yaml_test.ts) and hands everything else, and every error, to `yaml`.
 */
import YAML from "yaml";
import { AamError } from "../errors.ts";
import { MAX_DOCUMENT_BYTES } from "../read_limits.ts";
import { parseBlockYaml } from "./block_yaml.ts";

export const MAX_YAML_BYTES = MAX_DOCUMENT_BYTES;

export function parseYaml(text: string, file: string): unknown {
  if (text.length > MAX_YAML_BYTES) {
    throw new AamError("Error", `Cannot read "${file}": file is larger than ${MAX_YAML_BYTES} bytes`, {
      file,
      hint: "the file is not an AAM document; restore it from version control",
    });
  }
  // What AAM writes (index, metadata, config) is read by the fast block reader; anything outside its
  // subset, and every error, goes through the full parser below. See block_yaml.ts.
  const fast = parseBlockYaml(text);
  if (fast !== null) return fast;
  try {
    // uniqueKeys rejects ambiguous documents; resolveKnownTags: false keeps YAML 1.1's !!binary,
    // !!timestamp, !!set… out (they would become Buffers, Dates, Sets), and an unresolved tag is refused
    // below. logLevel "error": errors are kept, warnings collected but not printed to stderr.
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true, logLevel: "error", resolveKnownTags: false });
    if (doc.errors.length > 0) throw doc.errors[0];
    const tag = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
    if (tag) throw new YAML.YAMLParseError(tag.pos, "TAG_RESOLVE_FAILED", "a tag outside YAML's core schema");
    // maxAliasCount bounds "billion laughs" expansion.
    const value = doc.toJS({ maxAliasCount: 100 });
    if (text.includes("*") && containsItself(value)) throw new ReferenceError("an alias inside its own anchor (a value that contains itself)");
    return value;
  } catch (e) {
    // Only the parser's own errors are syntax errors; anything else (e.g. a Deno permission denial) passes through.
    // toJS() reports an unresolved alias (`*x` with no `&x`, as in an unquoted `*@example.com`) and
    // too many aliases as ReferenceError: those are the document's fault too (found by scripts/fuzz.ts).
    if (!(e instanceof YAML.YAMLError) && !(e instanceof ReferenceError)) throw e;
    if (e instanceof YAML.YAMLError && !e.linePos) e.linePos = lineColumn(text, e.pos[0]);
    const linePos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = linePos ? ` at line ${linePos.line}, column ${linePos.col}` : "";
    // prettyErrors puts the position at the end of the first line: said once, by `where`.
    const msg = ((e as Error).message?.split("\n")[0] ?? String(e)).replace(/ at line \d+, column \d+:?$/, "");
    throw new AamError("Error", `Cannot parse "${file}"${where}: ${msg}`, {
      file,
      cause: e,
      hint: "fix the YAML syntax, or restore the file from version control",
    });
  }
}

/** The 1-based line and column of `offset` in `text` (for an error the library gave no position). */
function lineColumn(text: string, offset: number): [{ line: number; col: number }] {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return [{ line, col: offset - before.lastIndexOf("\n") }];
}

/**
 * Whether a value holds itself (`a: &a [1, *a]`, which toJS builds as a loop): a consumer walking it
 * would never finish. Shared nodes that are not ancestors (plain aliases) are fine.
 */
function containsItself(root: unknown): boolean {
  // Depth-first with an explicit stack: a document nested thousands deep must not overflow the call stack.
  const open = new Set<object>();
  const done = new Set<object>();
  const stack: { node: object; children: Iterator<unknown> }[] = [];
  const enter = (v: unknown): boolean => {
    if (v === null || typeof v !== "object" || done.has(v)) return false;
    if (open.has(v)) return true;
    open.add(v);
    stack.push({ node: v, children: (v instanceof Map ? [...v.values()] : Object.values(v))[Symbol.iterator]() });
    return false;
  };
  if (enter(root)) return true;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = top.children.next();
    if (next.done) {
      stack.pop();
      open.delete(top.node);
      done.add(top.node);
    } else if (enter(next.value)) return true;
  }
  return false;
}

export function stringifyYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 });
}
