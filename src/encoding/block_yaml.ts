/**
 * A fast reader for the block-style YAML that AAM itself writes (stringifyYaml: index.yaml,
 * metadata.yaml, config) and most hand-written aam.yaml files.
 *
 * Why a second YAML reader beside `yaml` (kept by measurement: scripts/bench/parsers.mjs, one
 * interleaved run, load + parse in a fresh process, medians Node / Bun / Deno): the 10,000-package
 * index.yaml takes 1,677 / 1,460 / 1,766 ms with `yaml` (parseDocument, core schema) at 223 / 225 /
 * 251 MiB peak RSS, and 244 / 149 / 230 ms here at 95 / 77 / 99 MiB; a metadata.yaml 35.9 / 52.8 /
 * 39.4 ms against 4.5 / 9.3 / 9.6 ms (a bare read: 2.6 / 5.9 / 6.3 ms). `yaml` stays the one full
 * reader (anchors with an alias limit, block scalars) and the one writer. BENCHMARKS.md has the table.
 * A single reader was measured inside the real CLI bundle for issue 14 (scripts/bench/yaml_readers.mjs,
 * CPU ms, medians of 25 interleaved rounds, Node / Bun / Deno): `aam verify --offline` costs 183 / 59 /
 * 112 here, 194 / 65 / 126 with js-yaml 5's loader alone (core schema, aliases and depth bounded; the
 * cheapest single reader; a lazy vendor CJS build of it 205 / 62 / 123) and 213 / 84 / 127 with `yaml`
 * alone; `aam info` of a 10-version package 158 / 61 / 103, 176 / 82 / 117 and 204 / 130 / 146. So a
 * single reader is kept out until it costs no start-up; the js-yaml reader is ready on a branch
 * (scripts/bench/history.md).
 *
 * It accepts a strict subset (block mappings and sequences, plain / double-quoted / single-quoted
 * one-line scalars, `[]`, `{}` and one-line flow sequences of such scalars, as hand-written config
 * has: `trusted_keys: ["ab12…"]`) and answers null for anything else, so the caller falls back to
 * the full parser and its errors. Within the subset it gives what `yaml` gives: plain scalars are
 * strings, `true`/`false` or canonical decimal integers; any other plain scalar the core schema would
 * read as null or a number, any
 * duplicate key, anchor, tag, other flow collection or multi-line scalar makes it answer null.
 * Untrusted input is safe: it builds no aliases and recurses only as deep as the indentation goes.
 */

/** Thrown internally when the input leaves the subset. */
const OUT = Symbol("out-of-subset");

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const NOT_STRING = /^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const JSON_ESCAPES = /\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/;

function scalar(raw: string): unknown {
  const s = raw;
  if (s === "") throw OUT; // an empty value is null
  if (s === "[]") return [];
  if (s === "{}") return {};
  const c = s[0];
  if (c === "[" && s.endsWith("]")) return flowSequence(s.slice(1, -1));
  if (c === '"') {
    // One-line double-quoted with only the escapes JSON shares with YAML: JSON.parse reads it the same.
    if (s.length < 2 || s[s.length - 1] !== '"' || JSON_ESCAPES.test(s)) throw OUT;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      throw OUT;
    }
    if (typeof v !== "string") throw OUT;
    return v;
  }
  if (c === "'") {
    if (s.length < 2 || s[s.length - 1] !== "'") throw OUT;
    const body = s.slice(1, -1);
    if (/'(?!')/.test(body.replace(/''/g, ""))) throw OUT;
    return body.replace(/''/g, "'");
  }
  // Plain scalar: no indicator first, no ": " or " #" inside, no tabs, not ending in ":".
  if ("-?:,[]{}#&*!|>%@`".includes(c) || /: | #|\t/.test(s) || s.endsWith(":") || s !== s.trim()) throw OUT;
  if (s === "true") return true;
  if (s === "false") return false;
  if (/^(0|[1-9][0-9]{0,14})$/.test(s)) return Number(s); // exact in a double, as `yaml` reads it
  if (NOT_STRING.test(s)) throw OUT;
  return s;
}

/**
 * The items of a one-line flow sequence (`a, "b", 'c'`), each a scalar as above. Nested
 * collections, empty items, a trailing comma and flow indicators in plain items leave the subset.
 */
function flowSequence(inner: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  for (;;) {
    while (inner[i] === " ") i++;
    const start = i;
    const q = inner[i];
    if (q === '"' || q === "'") {
      for (i++; i < inner.length; i++) {
        if (q === '"' && inner[i] === "\\") i++;
        else if (inner[i] === q) {
          if (q === "'" && inner[i + 1] === "'") i++;
          else break;
        }
      }
      if (i >= inner.length) throw OUT;
      i++;
    } else {
      while (i < inner.length && inner[i] !== ",") i++;
    }
    const item = inner.slice(start, i).trimEnd();
    if (item === "" || (q !== '"' && q !== "'" && /[[\]{},]/.test(item))) throw OUT;
    out.push(scalar(item));
    while (inner[i] === " ") i++;
    if (i >= inner.length) return out;
    if (inner[i] !== ",") throw OUT;
    i++;
  }
}

/**
 * A value without its trailing comment (` # ...`). Quoted scalars end at their closing quote, and
 * only blanks or a comment may follow it.
 */
function stripComment(v: string): string {
  if (v.startsWith("#")) return "";
  const q = v[0];
  if (q === '"' || q === "'") {
    let i = 1;
    for (; i < v.length; i++) {
      if (q === '"' && v[i] === "\\") i++;
      else if (v[i] === q) {
        if (q === "'" && v[i + 1] === "'") i++;
        else break;
      }
    }
    if (i >= v.length) throw OUT;
    if (!/^([ \t]+(#.*)?)?$/.test(v.slice(i + 1))) throw OUT;
    return v.slice(0, i + 1);
  }
  const hash = v.search(/[ \t]#/);
  return (hash === -1 ? v : v.slice(0, hash)).trimEnd();
}

/** Splits "key: value" / "key:"; answers null when the line is not a plain-key mapping entry. */
function keyValue(text: string): { key: string; value: string } | null {
  const i = text.indexOf(":");
  if (i <= 0) return null;
  const key = text.slice(0, i);
  if (!PLAIN_KEY.test(key)) return null;
  const rest = text.slice(i + 1);
  if (rest === "") return { key, value: "" };
  if (rest[0] !== " ") return null;
  return { key, value: stripComment(rest.trimStart()) };
}

// Lines as two parallel arrays (indentation, text without it), not one object per line: a 10,000-
// package index has ~140,000 lines, and fewer objects halve the garbage collector's share.
class Reader {
  readonly indents: number[];
  readonly texts: string[];
  pos = 0;
  constructor(indents: number[], texts: string[]) {
    this.indents = indents;
    this.texts = texts;
  }

  /** A block node whose first line is at `indent`. */
  node(indent: number): unknown {
    if (this.pos >= this.texts.length || this.indents[this.pos] !== indent) throw OUT;
    const text = this.texts[this.pos];
    return text === "-" || text.startsWith("- ") ? this.sequence(indent) : this.mapping(indent);
  }

  /** What follows "key:" or "-" with nothing after it: a nested block, a same-indent sequence (after a key), or null. */
  nested(indent: number, afterKey: boolean): unknown {
    if (this.pos >= this.texts.length) throw OUT;
    const nextIndent = this.indents[this.pos];
    const next = this.texts[this.pos];
    if (nextIndent > indent) return this.node(nextIndent);
    if (afterKey && nextIndent === indent && (next === "-" || next.startsWith("- "))) return this.sequence(indent);
    throw OUT; // an empty value is null in YAML; AAM never writes one, so leave it to the full parser
  }

  mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.pos < this.texts.length) {
      const li = this.indents[this.pos];
      if (li < indent) break;
      if (li > indent) throw OUT;
      const kv = keyValue(this.texts[this.pos]);
      if (!kv || Object.prototype.hasOwnProperty.call(out, kv.key) || kv.key === "__proto__") throw OUT;
      this.pos++;
      out[kv.key] = kv.value === "" ? this.nested(indent, true) : scalar(kv.value);
    }
    return out;
  }

  sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.pos < this.texts.length) {
      const li = this.indents[this.pos];
      const text = this.texts[this.pos];
      if (li < indent) break;
      if (li > indent || !(text === "-" || text.startsWith("- "))) {
        if (li === indent) break; // a key after a same-indent sequence: the parent mapping goes on
        throw OUT;
      }
      if (text === "-") {
        this.pos++;
        out.push(this.nested(indent, false));
        continue;
      }
      // "- item": a scalar, or the first key of a mapping whose other keys sit at indent + 2.
      const item = text.slice(2);
      const kv = keyValue(item);
      if (kv === null) {
        this.pos++;
        out.push(scalar(stripComment(item)));
        continue;
      }
      this.indents[this.pos] = indent + 2;
      this.texts[this.pos] = item;
      out.push(this.mapping(indent + 2));
    }
    return out;
  }
}

/**
 * Parses AAM-written block YAML, or answers null when `text` leaves the subset (the caller then
 * uses the full parser).
 */
export function parseBlockYaml(text: string): unknown | null {
  const indents: number[] = [];
  const texts: string[] = [];
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    if (raw.endsWith("\r")) return null;
    const t = raw.trimStart();
    const indent = raw.length - t.length;
    if (t === "" || t.startsWith("#")) continue; // blank and comment lines
    // Tabs in indentation, directives and document markers: the full parser's business.
    if (raw.slice(0, indent).includes("\t") || t.startsWith("%") || t === "---" || t === "...") return null;
    indents.push(indent);
    texts.push(t);
  }
  if (texts.length === 0) return null;
  try {
    const r = new Reader(indents, texts);
    const v = r.node(indents[0] === 0 ? 0 : -1);
    return r.pos === texts.length ? v : null;
  } catch (e) {
    if (e === OUT) return null;
    throw e;
  }
}
