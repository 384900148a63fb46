/**
 * Writes the next index.yaml for one package's change into STAGED_INDEX_FILE (the journal renames it
 * into place). An index in AAM's line form (index_lines.ts) is copied line by line with the
 * package's line replaced or inserted in name order: memory stays flat and no entry but the changed
 * one is parsed. Any other form (the Python AAM's, earlier AAM versions' block YAML), and a damaged
 * index, is read whole or rebuilt from every metadata.yaml, once, and written in the line form.
 */
import { fs } from "../runtime/index.ts";
import { forEachLineBytes } from "../encoding/lines.ts";
import { MAX_YAML_BYTES } from "../encoding/yaml.ts";
import { INDEX_LIMIT } from "../read_limits.ts";
import type { Metadata } from "./metadata.ts";
import { buildIndex, indexEntryFor, parseIndex, serializeIndex } from "./index_file.ts";
import { INDEX_CLOSE, INDEX_COMMENT, INDEX_OPEN, entryLine } from "./index_lines.ts";
import { RegistryReader } from "./reader.ts";
import { fileSource } from "./source_fs.ts";
import { INDEX_FILE, STAGED_INDEX_FILE } from "./layout.ts";

/** Thrown inside the copy when the index is not in the line form: the caller rebuilds it instead. */
const NOT_LINE_FORM = new Error("index not in the line form");

const enc = new TextEncoder();
const utf8 = new TextDecoder();
const NAME_PREFIX = enc.encode('{"name": "');
const CLOSE = enc.encode(INDEX_CLOSE);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CR = 0x0d;

function startsWith(line: Uint8Array, prefix: Uint8Array): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix[i]) return false;
  return true;
}

/** The line without a trailing `\r`, and without the separating comma of an entry. */
function trimmed(line: Uint8Array): Uint8Array {
  let end = line.length;
  if (end > 0 && line[end - 1] === CR) end--;
  if (end > 0 && line[end - 1] === COMMA) end--;
  return line.subarray(0, end);
}

/**
 * Compares an entry's name (read from its raw bytes) with `name`'s bytes, as JavaScript compares
 * ASCII strings. Names are `[a-z0-9@/._-]` (SPEC §1): a name with an escape or outside ASCII is not
 * one AAM wrote, and the index is rebuilt.
 */
function compareName(entry: Uint8Array, name: Uint8Array): number {
  if (!startsWith(entry, NAME_PREFIX)) throw NOT_LINE_FORM;
  const start = NAME_PREFIX.length;
  const end = entry.indexOf(QUOTE, start);
  if (end === -1) throw NOT_LINE_FORM;
  for (let i = start; i < end; i++) {
    const b = entry[i];
    if (b === BACKSLASH || b > 0x7e) throw NOT_LINE_FORM;
    const other = i - start < name.length ? name[i - start] : -1;
    if (b !== other) return other === -1 ? 1 : b - other;
  }
  return end - start === name.length ? 0 : -1;
}

/**
 * Copies `file` to `out` with `name`'s line set to `line`, byte for byte otherwise: only each line's
 * name is looked at, nothing is decoded or parsed. Throws NOT_LINE_FORM for another form.
 */
async function copyWithLine(file: string, out: fs.AtomicWriter, name: string, line: string): Promise<void> {
  const nameBytes = enc.encode(name);
  if (nameBytes.length !== name.length) throw NOT_LINE_FORM; // not a name AAM accepts: rebuild
  const lineBytes = enc.encode(line);
  let state = "head" as "head" | "body" | "end";
  let entries = 0; // written so far: each after the first is preceded by ",\n"
  let placed = false;
  const put = (body: Uint8Array) => {
    out.append(entries++ === 0 ? "" : ",\n");
    out.append(body);
  };
  const onLine = (raw: Uint8Array) => {
    const l = trimmed(raw);
    const blank = l.every((b) => b === 0x20 || b === 0x09) || l[0] === 0x23; // spaces, or a # comment
    if (state === "head") {
      if (blank) return;
      if (utf8.decode(l) !== INDEX_OPEN) throw NOT_LINE_FORM;
      out.append(`${INDEX_COMMENT}\n${INDEX_OPEN}\n`);
      state = "body";
    } else if (state === "body") {
      if (blank) return;
      if (l.length === CLOSE.length && startsWith(l, CLOSE)) {
        state = "end";
        return;
      }
      const order = compareName(l, nameBytes);
      if (!placed && order >= 0) {
        put(lineBytes);
        placed = true;
      }
      if (order !== 0) put(l);
    } else if (!blank) {
      throw NOT_LINE_FORM;
    }
  };
  await forEachLineBytes(fs.readChunksInto(file, new Uint8Array(1 << 16), INDEX_LIMIT), MAX_YAML_BYTES, () => NOT_LINE_FORM, onLine, () => out.flush());
  if (state !== "end") throw NOT_LINE_FORM;
  if (!placed) put(lineBytes);
  out.append(`\n${INDEX_CLOSE}\n`);
}

/** The whole next index the slow way: for another form, a damaged index, or none. */
async function rebuilt(root: string, meta: Metadata): Promise<string> {
  const file = fs.path.join(root, INDEX_FILE);
  let idx = null;
  try {
    const text = await fs.readTextIfExists(file, INDEX_LIMIT);
    idx = text === null ? null : parseIndex(text, file);
  } catch {
    idx = null; // a damaged index is rebuilt from every metadata.yaml below
  }
  if (idx === null) idx = buildIndex(await new RegistryReader(fileSource(root)).allMetadata());
  const others = idx.packages.filter((p) => p.name !== meta.name);
  return serializeIndex({ packages: [...others, indexEntryFor(meta)] });
}

/** Writes the index as it is after `meta`'s change to STAGED_INDEX_FILE. Call under the lock. */
export async function stageIndex(root: string, meta: Metadata): Promise<void> {
  const file = fs.path.join(root, INDEX_FILE);
  const staged = fs.path.join(root, STAGED_INDEX_FILE);
  if ((await fs.stat(file))?.isFile) {
    const out = await fs.openAtomicWriter(staged);
    try {
      await copyWithLine(file, out, meta.name, entryLine(indexEntryFor(meta)));
      await out.commit();
      return;
    } catch (e) {
      await out.abort();
      if (e !== NOT_LINE_FORM) throw e;
    }
  }
  await fs.writeFileAtomic(staged, await rebuilt(root, meta));
}
