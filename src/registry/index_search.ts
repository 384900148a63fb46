/**
 * `aam search` over an index in AAM's line form (index_lines.ts), a chunk at a time: each chunk is
 * lower-cased once and searched for the query natively, and only the lines that contain it (or an
 * escape, which may hide it) are cut out and parsed. A search over 100,000 packages so parses the
 * hits, not every entry; memory stays at one chunk and the hits.
 */
import { AamError } from "../errors.ts";
import { MAX_YAML_BYTES } from "../encoding/yaml.ts";
import { MAX_INDEX_ENTRIES } from "../read_limits.ts";
import { parseEntryLine, searchIndex, type IndexEntry } from "./index_file.ts";
import { INDEX_OPEN } from "./index_lines.ts";

export type SearchFilter = "signed" | "unsigned";

/**
 * A query a raw line without escapes shows as its decoded strings do: printable ASCII without `"`
 * or `\` (what the writer may escape), so lower-casing the raw text finds it exactly where
 * lower-casing each decoded field does.
 */
const PREFILTERABLE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

/** Escapes hide the query from a search of the raw text; so may non-ASCII characters (see below). */
const HIDING = /[\\\u0080-\uffff]/g;

class LineFormSearch {
  readonly hits: IndexEntry[] = [];
  started = false;
  #parsed = 0;
  /** Finds the query in raw text, or null when every line must be parsed. */
  readonly #needle: RegExp | null;
  constructor(
    readonly file: string,
    readonly query: string | undefined,
    readonly filter: SearchFilter | undefined,
  ) {
    const q = (query ?? "").toLowerCase();
    // The i flag without u folds ASCII letters only: it never folds a non-ASCII character into
    // ASCII as toLowerCase does (the Kelvin sign into "k"); lines with those are looked at anyway.
    this.#needle = PREFILTERABLE.test(q) ? new RegExp(q.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"), "gi") : null;
  }

  /**
   * Takes whole lines (no trailing newline); false when the text is not in the line form.
   * @param ascii the text is known to hold ASCII only (as AAM writes the index)
   */
  block(text: string, ascii: boolean): boolean {
    let from = 0;
    while (!this.started) {
      if (from > text.length) return true;
      const end = lineEnd(text, from);
      const line = text.slice(from, end).replace(/\r$/, "");
      from = end + 1;
      if (line.trim() === "" || line.startsWith("#")) continue;
      if (line !== INDEX_OPEN) return false;
      this.started = true;
    }
    if (from >= text.length) return true;
    const body = from === 0 ? text : text.slice(from);
    if (this.#needle === null) {
      for (const line of body.split("\n")) this.#take(line);
      return true;
    }
    // Only lines holding the query or something that may hide it are cut out and parsed.
    const query = positions(this.#needle, body);
    const hiding = ascii ? indexPositions("\\", body) : positions(HIDING, body);
    let q = query(0);
    let h = hiding(0);
    while (q !== -1 || h !== -1) {
      const at = q === -1 ? h : h === -1 ? q : Math.min(q, h);
      const end = lineEnd(body, at);
      this.#take(body.slice(body.lastIndexOf("\n", at) + 1, end));
      if (q !== -1 && q < end) q = query(end);
      if (h !== -1 && h < end) h = hiding(end);
    }
    return true;
  }

  #take(line: string): void {
    // Only parsed lines are kept or counted; the read limit bounds the rest.
    if (++this.#parsed > MAX_INDEX_ENTRIES) {
      throw new AamError("Error", `Cannot read "${this.file}": it lists more than ${MAX_INDEX_ENTRIES} packages`, {
        file: this.file,
        expected: `at most ${MAX_INDEX_ENTRIES} packages`,
        hint: "the index is not one AAM wrote, or was tampered with; restore it from version control",
      });
    }
    const e = parseEntryLine(line);
    if (e !== null && searchIndex({ packages: [e] }, this.query, this.filter).length === 1) this.hits.push(e);
  }
}

/** The next match of a global regexp at or after a position, or -1. */
function positions(re: RegExp, text: string): (from: number) => number {
  return (from) => {
    re.lastIndex = from;
    return re.exec(text)?.index ?? -1;
  };
}

function indexPositions(needle: string, text: string): (from: number) => number {
  return (from) => text.indexOf(needle, from);
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl === -1 ? text.length : nl;
}

/**
 * The hits of `query` in an index stream, or null when the stream is not in the line form (the
 * caller then reads the index whole, as parseIndex does for any YAML).
 */
export async function searchIndexLines(chunks: AsyncIterable<Uint8Array>, file: string, query: string | undefined, filter?: SearchFilter): Promise<IndexEntry[] | null> {
  const s = new LineFormSearch(file, query, filter);
  const decoder = new TextDecoder();
  // The unfinished last line, in pieces joined once it ends: joining per chunk would copy an endless
  // line over and over (seconds and hundreds of MiB before the limit stops it).
  let pending: string[] = [];
  let pendingChars = 0;
  let pendingAscii = true;
  const tooLong = () =>
    new AamError("Error", `Cannot read "${file}": a line is longer than ${MAX_YAML_BYTES} bytes`, {
      file,
      hint: "the index is not one AAM wrote, or was tampered with; restore it from version control",
    });
  let decoderClean = true; // the previous chunk ended on a character boundary, all ASCII
  for await (const chunk of chunks) {
    const part = decoder.decode(chunk, { stream: true });
    // As many UTF-16 units as bytes, with nothing carried over from the chunk before: no multi-byte
    // character, so nothing that folds into ASCII.
    const equal = part.length === chunk.byteLength;
    const partAscii = decoderClean && equal;
    decoderClean = equal;
    const nl = part.lastIndexOf("\n");
    if (nl === -1) {
      pending.push(part);
      pendingChars += part.length;
      pendingAscii &&= partAscii;
      if (pendingChars > MAX_YAML_BYTES) throw tooLong();
      continue;
    }
    const lines = pending.length > 0 ? pending.join("") + part.slice(0, nl) : part.slice(0, nl);
    if (!s.block(lines, pendingAscii && partAscii)) return null;
    const rest = part.slice(nl + 1);
    pending = rest === "" ? [] : [rest];
    pendingChars = rest.length;
    pendingAscii = partAscii;
  }
  const last = pending.join("") + decoder.decode();
  if (last !== "" && !s.block(last, false)) return null;
  return s.started ? s.hits : null;
}
