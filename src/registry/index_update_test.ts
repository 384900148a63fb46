import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { parse } from "yaml";
import { INDEX_LIMIT } from "../read_limits.ts";
import { fs } from "../runtime/index.ts";
import { stageIndex } from "./index_update.ts";
import { parseIndex, serializeIndex, indexEntryFor, type IndexEntry } from "./index_file.ts";
import { stringifyYaml } from "../encoding/yaml.ts";
import type { Metadata } from "./metadata.ts";
import { INDEX_FILE, STAGED_INDEX_FILE } from "./layout.ts";

let root: string;
beforeEach(async () => (root = await fs.makeTempDir("aam-index-update-")));
afterEach(async () => await fs.remove(root));

function meta(name: string, latest: string, description = `about ${name}`): Metadata {
  return {
    name,
    description,
    keywords: ["k"],
    artifact_types: ["skill"],
    dist_tags: { latest },
    versions: [{ version: latest, published: "2026-01-01T00:00:00Z", checksum: `sha256:${"a".repeat(64)}`, size: 1, dependencies: {}, yanked: false }],
  };
}

const entries = (names: string[]): IndexEntry[] => names.map((n) => indexEntryFor(meta(n, "1.0.0")));
const read = (rel: string) => fs.readText(fs.path.join(root, rel), INDEX_LIMIT);
const write = (rel: string, text: string) => fs.writeFileAtomic(fs.path.join(root, rel), text);

describe("stageIndex()", () => {
  test("stageIndex() inserts a new package in name order and leaves every other line as it was", async () => {
    const before = serializeIndex({ packages: entries(["@a/a", "@a/c", "@a/e"]) });
    await write(INDEX_FILE, before);
    await stageIndex(root, meta("@a/d", "2.0.0"));
    const after = await read(STAGED_INDEX_FILE);
    expect(parseIndex(after, "i").packages.map((p) => p.name)).toEqual(["@a/a", "@a/c", "@a/d", "@a/e"]);
    expect(after).toBe(serializeIndex({ packages: [...entries(["@a/a", "@a/c", "@a/e"]), indexEntryFor(meta("@a/d", "2.0.0"))] }));
    expect(await read(INDEX_FILE)).toBe(before); // the journal renames it into place, not stageIndex
  });

  test("stageIndex() copies an index of many chunks (lines cut at chunk boundaries, CRLF) exactly", async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `@s/p${String(i).padStart(5, "0")}`);
    const before = serializeIndex({ packages: entries(names) });
    await write(INDEX_FILE, before.replace(/\n/g, "\r\n"));
    await stageIndex(root, meta("@s/p01500x", "2.0.0"));
    const want = [...entries(names), indexEntryFor(meta("@s/p01500x", "2.0.0"))];
    expect(await read(STAGED_INDEX_FILE)).toBe(serializeIndex({ packages: want }));
  });

  test("stageIndex() replaces the package's line, first and last positions included", async () => {
    await write(INDEX_FILE, serializeIndex({ packages: entries(["@a/a", "@a/b", "@a/c"]) }));
    for (const n of ["@a/a", "@a/c", "@a/0", "@z/z"]) {
      await stageIndex(root, meta(n, "3.0.0", `new ${n}`));
      await fs.rename(fs.path.join(root, STAGED_INDEX_FILE), fs.path.join(root, INDEX_FILE));
    }
    const pkgs = parseIndex(await read(INDEX_FILE), "i").packages;
    expect(pkgs.map((p) => `${p.name}@${p.latest}`)).toEqual(["@a/0@3.0.0", "@a/a@3.0.0", "@a/b@1.0.0", "@a/c@3.0.0", "@z/z@3.0.0"]);
    expect(pkgs.find((p) => p.name === "@a/a")?.description).toBe("new @a/a");
  });

  test("stageIndex() writes a document any YAML reader reads the same, non-ASCII and line separators included", async () => {
    await write(INDEX_FILE, serializeIndex({ packages: entries(["@a/a"]) }));
    const odd = meta("@a/b", "1.0.0", 'quote " back \\ tab \t nel \u0085 ls \u2028 emoji 😀 é');
    await stageIndex(root, odd);
    const text = await read(STAGED_INDEX_FILE);
    expect(/^[\x09\x0a\x20-\x7e]*$/.test(text)).toBe(true);
    const viaYaml = parse(text) as { packages: IndexEntry[] };
    expect(viaYaml.packages).toEqual(parseIndex(text, "i").packages);
    expect(viaYaml.packages[1].description).toBe(odd.description);
  });

  test("stageIndex() rewrites an index in the block form (Python AAM, earlier AAM) in the line form", async () => {
    await write(INDEX_FILE, stringifyYaml({ packages: entries(["@a/c", "@a/a"]) }));
    await stageIndex(root, meta("@a/b", "1.0.0"));
    const text = await read(STAGED_INDEX_FILE);
    expect(text).toBe(serializeIndex({ packages: entries(["@a/a", "@a/b", "@a/c"]) }));
  });

  test("stageIndex() rebuilds a damaged index from every metadata.yaml", async () => {
    await write(INDEX_FILE, serializeIndex({ packages: entries(["@a/a"]) }).replace("]}", "{broken"));
    await stageIndex(root, meta("@a/b", "1.0.0")); // no metadata.yaml on disk: only the changed package
    expect(parseIndex(await read(STAGED_INDEX_FILE), "i").packages.map((p) => p.name)).toEqual(["@a/b"]);
  });

  test("stageIndex() creates the index when there is none", async () => {
    await stageIndex(root, meta("@a/b", "1.0.0"));
    expect(await read(STAGED_INDEX_FILE)).toBe(serializeIndex({ packages: entries(["@a/b"]) }));
  });
});
