import { describe, test, expect } from "bun:test";
import { searchIndexLines } from "./index_search.ts";
import { searchIndex, serializeIndex, type IndexEntry } from "./index_file.ts";
import { stringifyYaml } from "../encoding/yaml.ts";
import { catchAamError } from "../../test/helpers/errors.ts";
import { INDEX_OPEN } from "./index_lines.ts";

const enc = new TextEncoder();
async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const b = enc.encode(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

const DESCRIPTIONS = ["Kelvin scale", "a.b*c (x)", "Code Review helper", 'says "review" twice', "back\\slash review", "Revue de café", "İstanbul REVIEW", "tab\there", "nel\u0085review", "plain"];
function entries(): IndexEntry[] {
  return DESCRIPTIONS.map((d, i) => ({
    name: `@acme/p${i}`,
    description: d,
    latest: "1.0.0",
    keywords: i % 3 === 0 ? ["Review-Tools"] : ["x"],
    artifact_types: ["skills"],
    signed: i % 2 === 0,
    updated_at: "2026-01-01T00:00:00Z",
  }));
}

describe("searchIndexLines()", () => {
  test("searchIndexLines() finds exactly what searchIndex() finds, for escaped, non-ASCII and mixed-case text", async () => {
    const idx = { packages: entries() };
    const text = serializeIndex(idx);
    const queries = [undefined, "", "review", "REVIEW", '"review"', "back\\slash", "café", "caf", "i̇stanbul", "\t", "p3", "tools", "1.0.0", "skills", "nothing", "kelvin", "a.b*c (x)", ".", "*", "(", "[", "$"];
    for (const q of queries) {
      for (const filter of [undefined, "signed", "unsigned"] as const) {
        const want = searchIndex(idx, q, filter);
        expect({ q, filter, hits: await searchIndexLines(pieces(text, 13), "i", q, filter) }).toEqual({ q, filter, hits: want });
      }
    }
  });

  test("searchIndexLines() finds a query hidden by a raw non-ASCII character (the Kelvin sign lower-cases to k), however the bytes are cut", async () => {
    const line = (name: string, description: string) =>
      `{"name": "${name}", "description": "${description}", "latest": "1.0.0", "keywords": [], "artifact_types": [], "signed": true, "updated_at": "x"}`;
    const text = `${INDEX_OPEN}\n${line("@a/plain", "plain")},\n${line("@a/k", "\u212Aelvin scale")}\n]}\n`;
    for (let size = 1; size <= 40; size++) {
      const hits = await searchIndexLines(pieces(text, size), "i", "kelvin");
      expect({ size, hits: hits?.map((h) => h.name) }).toEqual({ size, hits: ["@a/k"] });
    }
  });

  test("searchIndexLines() answers null for an index in another form, for the caller to read whole", async () => {
    expect(await searchIndexLines(pieces(stringifyYaml({ packages: entries() }), 64), "i", "review")).toBeNull();
    expect(await searchIndexLines(pieces("", 64), "i", "review")).toBeNull();
  });

  test("searchIndexLines() refuses an endless line and too many entries with a named error", async () => {
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield enc.encode(`${INDEX_OPEN}\n{"name": "`);
      const c = enc.encode("a".repeat(1 << 16));
      for (;;) yield c;
    }
    expect((await catchAamError(searchIndexLines(endless(), "i", "x"))).message).toContain("a line is longer than");
    async function* many(): AsyncGenerator<Uint8Array> {
      yield enc.encode(`${INDEX_OPEN}\n`);
      const c = enc.encode('{"name": "@a/b"},\n'.repeat(10_000));
      for (;;) yield c;
    }
    expect((await catchAamError(searchIndexLines(many(), "i", "a/b"))).message).toContain("lists more than");
  });
});
