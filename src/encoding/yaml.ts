/**
 * YAML for untrusted registry and config files: one reader, js-yaml's loader with its core schema
 * (YAML 1.2: no custom tags, no merge keys, no timestamps), every failure a coded AamError naming
 * the file, line and column.
 *
 * Security properties, each tested in yaml_test.ts: the input is at most MAX_YAML_BYTES; a duplicate
 * key is refused; nesting is at most MAX_DEPTH deep; a `__proto__` key is an own property, never the
 * prototype; at most MAX_ALIASES aliases, and since js-yaml shares an alias's node instead of copying
 * it, what a consumer walks is bounded too: a document whose aliases expand it past NODES_PER_BYTE
 * nodes per byte of input ("billion laughs") is refused before any consumer sees it.
 *
 * Why js-yaml (scripts/bench/yaml_readers.mjs, BENCHMARKS.md `yaml-readers`): ...
 * `yaml` stays the writer (stringifyYaml): it is what wrote every file AAM has written so far and
 * golden tests pin those bytes; it is loaded only by commands that write.
 */
import { loadAll, YAMLException } from "js-yaml";
import YAML from "yaml";
import { AamError } from "../errors.ts";
import { MAX_DOCUMENT_BYTES } from "../read_limits.ts";

export const MAX_YAML_BYTES = MAX_DOCUMENT_BYTES;
/** No AAM file uses aliases; a hand-written config may reuse a list or two. */
const MAX_ALIASES = 100;
/** js-yaml's default, stated: far deeper than any AAM document, shallow enough for any stack. */
const MAX_DEPTH = 100;
/** A document without aliases has fewer nodes than bytes (each node but an empty one spends at least one). */
const NODES_PER_BYTE = 2;

const HINT = "fix the YAML syntax, or restore the file from version control";

function cannotParse(file: string, why: string, cause: unknown, mark?: { line: number; column: number }): AamError {
  const where = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : "";
  return new AamError("Error", `Cannot parse "${file}"${where}: ${why}`, { file, cause, hint: HINT });
}

/**
 * The node count of `doc` with every shared (aliased) node counted where it is used, stopping once
 * past `limit`. Memoised per node, so the walk is linear in the nodes the parser built.
 */
function expandedNodes(doc: unknown, limit: number): number {
  const memo = new Map<object, number>();
  const count = (v: unknown): number => {
    if (v === null || typeof v !== "object") return 1;
    const known = memo.get(v);
    if (known !== undefined) return known < 0 ? Infinity : known; // -1: a node inside itself
    memo.set(v, -1);
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      n += count(child);
      if (n > limit) break;
    }
    memo.set(v, n);
    return n;
  };
  return count(doc);
}

/**
 * Reads one YAML document (an empty file is null, as an empty document is).
 * @example parseYaml("a: 1\n", "x.yaml") // { a: 1 }
 */
export function parseYaml(text: string, file: string): unknown {
  if (text.length > MAX_YAML_BYTES) {
    throw new AamError("Error", `Cannot read "${file}": file is larger than ${MAX_YAML_BYTES} bytes`, {
      file,
      hint: "the file is not an AAM document; restore it from version control",
    });
  }
  let docs: unknown[];
  try {
    docs = loadAll(text, { maxAliases: MAX_ALIASES, maxDepth: MAX_DEPTH });
  } catch (e) {
    // Only the parser's own errors are the document's fault; anything else passes through.
    if (!(e instanceof YAMLException)) throw e;
    throw cannotParse(file, e.reason, e, e.mark ?? undefined);
  }
  if (docs.length > 1) throw cannotParse(file, "more than one document (a second `---`)", null);
  const doc = docs.length === 0 ? null : docs[0];
  // An alias needs `*`; most files have none and skip the walk.
  if (text.includes("*")) {
    const limit = NODES_PER_BYTE * text.length + 1;
    if (expandedNodes(doc, limit) > limit) throw cannotParse(file, `its aliases expand it past ${limit} nodes`, null);
  }
  return doc;
}

/** The writer stays `yaml` (see above); loaded only when a command writes. */
export function stringifyYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 });
}
