/**
 * YAML for untrusted registry and config files: bounded size, bounded alias expansion,
 * and every failure a coded AamError naming the file and line.
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
    // maxAliasCount bounds "billion laughs" expansion; uniqueKeys rejects ambiguous documents.
    // logLevel "error": the library would otherwise print its own warnings (e.g. collection keys) to stderr.
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, logLevel: "error" });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Only the parser's own errors are syntax errors; anything else (e.g. a Deno permission denial) passes through.
    // toJS() reports an unresolved alias (`*x` with no `&x`, as in an unquoted `*@example.com`) and
    // too many aliases as ReferenceError: those are the document's fault too (found by scripts/fuzz.ts).
    if (!(e instanceof YAML.YAMLError) && !(e instanceof ReferenceError)) throw e;
    const linePos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = linePos ? ` at line ${linePos.line}, column ${linePos.col}` : "";
    const msg = (e as Error).message?.split("\n")[0] ?? String(e);
    throw new AamError("Error", `Cannot parse "${file}"${where}: ${msg}`, {
      file,
      cause: e,
      hint: "fix the YAML syntax, or restore the file from version control",
    });
  }
}

export function stringifyYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 });
}
