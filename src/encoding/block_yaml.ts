/**
 * A fast reader for the block-style YAML that AAM itself writes (stringifyYaml: index.yaml,
 * metadata.yaml, config) and most hand-written aam.yaml files. The `yaml` package needs seconds for
 * a 10,000-package index and ~0.3 ms per small file; this reads the index in tens of ms.
 *
 * It accepts a strict subset (block mappings and sequences, plain / double-quoted / single-quoted
 * one-line scalars, `[]` and `{}`) and answers null for anything else, so the caller falls back to
 * the full parser and its errors. Within the subset it gives what `yaml` gives: plain scalars are
 * strings, `true`/`false` or canonical decimal integers; any other plain scalar the core schema would
 * read as null or a number, any
 * duplicate key, comment, anchor, tag, flow collection or multi-line scalar makes it answer null.
 * Untrusted input is safe: it builds no aliases and recurses only as deep as the indentation goes.
 */

interface Line {
  indent: number;
  text: string; // without the indentation
}

/** Thrown internally when the input leaves the subset. */
const OUT = Symbol("out-of-subset");

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const NOT_STRING = /^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const JSON_ESCAPES = /\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/;

function scalar(raw: string): unknown {
  const s = raw;
  if (s === "[]") return [];
  if (s === "{}") return {};
  const c = s[0];
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

/** Splits "key: value" / "key:"; answers null when the line is not a plain-key mapping entry. */
function keyValue(text: string): { key: string; value: string } | null {
  const i = text.indexOf(":");
  if (i <= 0) return null;
  const key = text.slice(0, i);
  if (!PLAIN_KEY.test(key)) return null;
  const rest = text.slice(i + 1);
  if (rest === "") return { key, value: "" };
  if (rest[0] !== " ") return null;
  return { key, value: rest.slice(1) };
}

class Reader {
  readonly lines: Line[];
  pos = 0;
  constructor(lines: Line[]) {
    this.lines = lines;
  }

  /** A block node whose first line is at `indent`. */
  node(indent: number): unknown {
    const l = this.lines[this.pos];
    if (!l || l.indent !== indent) throw OUT;
    return l.text === "-" || l.text.startsWith("- ") ? this.sequence(indent) : this.mapping(indent);
  }

  /** What follows "key:" or "-" with nothing after it: a nested block, a same-indent sequence (after a key), or null. */
  nested(indent: number, afterKey: boolean): unknown {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) return this.node(next.indent);
    if (afterKey && next && next.indent === indent && (next.text === "-" || next.text.startsWith("- "))) return this.sequence(indent);
    throw OUT; // an empty value is null in YAML; AAM never writes one, so leave it to the full parser
  }

  mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.indent < indent) break;
      if (l.indent > indent) throw OUT;
      const kv = keyValue(l.text);
      if (!kv || Object.prototype.hasOwnProperty.call(out, kv.key) || kv.key === "__proto__") throw OUT;
      this.pos++;
      out[kv.key] = kv.value === "" ? this.nested(indent, true) : scalar(kv.value);
    }
    return out;
  }

  sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.indent < indent) break;
      if (l.indent > indent || !(l.text === "-" || l.text.startsWith("- "))) {
        if (l.indent === indent) break; // a key after a same-indent sequence: the parent mapping goes on
        throw OUT;
      }
      if (l.text === "-") {
        this.pos++;
        out.push(this.nested(indent, false));
        continue;
      }
      // "- item": a scalar, or the first key of a mapping whose other keys sit at indent + 2.
      const item = l.text.slice(2);
      const kv = keyValue(item);
      if (kv === null) {
        this.pos++;
        out.push(scalar(item));
        continue;
      }
      this.lines[this.pos] = { indent: indent + 2, text: item };
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
  const lines: Line[] = [];
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    if (raw.endsWith("\r")) return null;
    const t = raw.trimStart();
    const indent = raw.length - t.length;
    // Tabs in indentation, comments, directives and document markers: the full parser's business.
    if (t === "" || raw.slice(0, indent).includes("\t") || t.startsWith("#") || t.startsWith("%") || t === "---" || t === "...") return null;
    lines.push({ indent, text: t });
  }
  if (lines.length === 0) return null;
  try {
    const r = new Reader(lines);
    const v = r.node(lines[0].indent === 0 ? 0 : -1);
    return r.pos === lines.length ? v : null;
  } catch (e) {
    if (e === OUT) return null;
    throw e;
  }
}
