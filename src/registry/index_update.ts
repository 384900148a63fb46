/**
 * Writes the next index.yaml for one package's change into STAGED_INDEX_FILE (the journal renames it
 * into place). An index in AAM's line form (index_lines.ts) is copied line by line with the
 * package's line replaced or inserted in name order: memory stays flat and no entry but the changed
 * one is parsed. Any other form (the Python AAM's, earlier AAM versions' block YAML), and a damaged
 * index, is read whole or rebuilt from every metadata.yaml, once, and written in the line form.
 */
import { fs } from "../runtime/index.ts";
import { lineBatches } from "../encoding/lines.ts";
import { MAX_YAML_BYTES } from "../encoding/yaml.ts";
import { INDEX_LIMIT } from "../read_limits.ts";
import type { Metadata } from "./metadata.ts";
import { buildIndex, indexEntryFor, parseIndex, serializeIndex } from "./index_file.ts";
import { INDEX_CLOSE, INDEX_COMMENT, INDEX_OPEN, entryBody, entryLine, nameOfEntry } from "./index_lines.ts";
import { RegistryReader } from "./reader.ts";
import { fileSource } from "./source_fs.ts";
import { INDEX_FILE, STAGED_INDEX_FILE } from "./layout.ts";

/** Thrown inside the copy when the index is not in the line form: the caller rebuilds it instead. */
const NOT_LINE_FORM = new Error("index not in the line form");

function nameOf(body: string): string {
  const fast = nameOfEntry(body);
  if (fast !== null) return fast;
  let name: unknown;
  try {
    name = (JSON.parse(body) as { name?: unknown }).name;
  } catch {
    throw NOT_LINE_FORM;
  }
  if (typeof name !== "string") throw NOT_LINE_FORM;
  return name;
}

/** Copies `file` to `out` with `name`'s line set to `line`; throws NOT_LINE_FORM for another form. */
async function copyWithLine(file: string, out: fs.AtomicWriter, name: string, line: string): Promise<void> {
  let state = "head" as "head" | "body" | "end";
  let held: string | null = null; // the last line copied, written once we know whether a comma follows
  let placed = false;
  const put = async (body: string) => {
    if (held !== null) await out.write(held + ",\n");
    held = body;
  };
  const tooLong = () => NOT_LINE_FORM;
  for await (const batch of lineBatches(fs.readChunks(file, 1 << 20, INDEX_LIMIT), MAX_YAML_BYTES, tooLong)) {
    for (const l of batch) {
      const blank = l.trim() === "" || l.startsWith("#");
      if (state === "head") {
        if (blank) continue;
        if (l !== INDEX_OPEN) throw NOT_LINE_FORM;
        await out.write(`${INDEX_COMMENT}\n${INDEX_OPEN}\n`);
        state = "body";
      } else if (state === "body") {
        if (l === INDEX_CLOSE) {
          state = "end";
          continue;
        }
        if (blank) continue;
        const body = entryBody(l);
        if (body === null) throw NOT_LINE_FORM;
        const n = nameOf(body);
        if (!placed && n >= name) {
          await put(line);
          placed = true;
        }
        if (n !== name) await put(body);
      } else if (!blank) {
        throw NOT_LINE_FORM;
      }
    }
  }
  if (state !== "end") throw NOT_LINE_FORM;
  if (!placed) await put(line);
  await out.write(`${held}\n${INDEX_CLOSE}\n`);
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
