/**
 * The form AAM writes `index.yaml` in (SPEC §4, §10): one flat YAML document in JSON-compatible flow
 * style, one package per line, sorted by name:
 *
 *     # AAM registry index: one package per line (JSON-compatible YAML)
 *     {"packages": [
 *     {"name": "@a/b", "description": "…", "latest": "1.0.0", …},
 *     {"name": "@a/c", …}
 *     ]}
 *
 * Why this form: any YAML reader (the Python AAM's, earlier AAM versions') reads it as before, while
 * a write replaces one line of a stream and a search parses only the lines that can match, so
 * neither parses nor rewrites every entry through a YAML library (issue 15's measurements are in
 * BENCHMARKS.md). Everything outside printable ASCII is written as a `\uXXXX` escape: YAML treats
 * some characters JSON leaves raw (U+0085, U+2028, U+2029) as line breaks.
 */
/** One package in the index: what search shows without reading its metadata.yaml. */
export interface IndexEntry {
  name: string;
  description: string;
  latest: string;
  keywords: string[];
  artifact_types: string[];
  signed: boolean;
  updated_at: string;
}


export const INDEX_COMMENT = "# AAM registry index: one package per line (JSON-compatible YAML)";
export const INDEX_OPEN = '{"packages": [';
export const INDEX_CLOSE = "]}";

const NON_ASCII = /[\u007f-\uffff]/g;
const escapeChar = (c: string) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");

function str(s: string): string {
  return JSON.stringify(s).replace(NON_ASCII, escapeChar);
}

function list(items: string[]): string {
  return "[" + items.map(str).join(", ") + "]";
}

/** One entry as its line, without the separating comma. */
export function entryLine(e: IndexEntry): string {
  return (
    `{"name": ${str(e.name)}, "description": ${str(e.description)}, "latest": ${str(e.latest)}, ` +
    `"keywords": ${list(e.keywords)}, "artifact_types": ${list(e.artifact_types)}, ` +
    `"signed": ${e.signed ? "true" : "false"}, "updated_at": ${str(e.updated_at)}}`
  );
}

/** The whole document for entries already sorted by name. */
export function indexText(lines: string[]): string {
  return `${INDEX_COMMENT}\n${INDEX_OPEN}\n${lines.map((l, i) => (i < lines.length - 1 ? l + "," : l)).join("\n")}${lines.length ? "\n" : ""}${INDEX_CLOSE}\n`;
}

/** An entry line without its separating comma and line end, or null when the line is not one. */
export function entryBody(line: string): string | null {
  let l = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (l.endsWith(",")) l = l.slice(0, -1);
  return l.startsWith("{") && l.endsWith("}") ? l : null;
}
