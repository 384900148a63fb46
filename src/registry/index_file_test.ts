import { describe, test, expect } from "bun:test";
import { parseIndex, parseIndexStream, serializeIndex, type IndexEntry } from "./index_file.ts";
import { catchAamError } from "../../test/helpers/errors.ts";

const enc = new TextEncoder();

function entry(i: number): IndexEntry {
  return { name: `@acme/p${i}`, description: `Package ${i}: "quoted", multi\nline`, latest: "1.0.0", keywords: ["a", `k${i}`], artifact_types: ["skill"], signed: i % 2 === 0, updated_at: "2026-01-01T00:00:00Z" };
}

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const b = enc.encode(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function* repeat(chunk: string, totalBytes: number): AsyncGenerator<Uint8Array> {
  const b = enc.encode(chunk);
  for (let n = 0; n < totalBytes; n += b.length) yield b;
}

describe("parseIndexStream()", () => {
  test("gives parseIndex()'s answer for what AAM writes, however the bytes are cut", async () => {
    const text = serializeIndex({ packages: [entry(1), entry(2), entry(3)] });
    const want = parseIndex(text, "index.yaml");
    for (const size of [1, 7, 1 << 20]) expect(await parseIndexStream(pieces(text, size), "index.yaml")).toEqual(want);
    expect(await parseIndexStream(pieces("packages: []\n", 3), "i")).toEqual({ packages: [] });
    expect(await parseIndexStream(pieces("", 3), "i")).toEqual({ packages: [] });
  });

  test("reads another form (the Python CLI's unindented list) whole", async () => {
    const text = "packages:\n- name: '@a/b'\n  description: d\n  latest: 1.0.0\n";
    expect((await parseIndexStream(pieces(text, 5), "i")).packages[0]).toMatchObject({ name: "@a/b", latest: "1.0.0" });
  });

  test("reads an index past 16 MiB in AAM's form, a batch at a time", async () => {
    // Written by hand in serializeIndex()'s form: the YAML library takes tens of seconds for this much.
    const long = "x".repeat(2000);
    const item = (i: number) => `  - name: "@acme/p${i}"\n    description: ${long}\n    latest: 1.0.0\n    keywords:\n      - k${i}\n    signed: true\n`;
    const n = 8500;
    const text = "packages:\n" + Array.from({ length: n }, (_, i) => item(i)).join("");
    expect(text.length).toBeGreaterThan(16 * 1024 * 1024);
    const got = await parseIndexStream(pieces(text, 65536), "i");
    expect(got.packages.length).toBe(n);
    expect(got.packages[n - 1]).toMatchObject({ name: `@acme/p${n - 1}`, description: long, keywords: [`k${n - 1}`], signed: true });
  }, 60_000);

  test("throws Error for an endless line, and for another form past 16 MiB", async () => {
    expect((await catchAamError(parseIndexStream(repeat("\0".repeat(65536), 64 * 1024 * 1024), "i"))).code).toBe("Error");
    expect((await catchAamError(parseIndexStream(repeat("a: b\n".repeat(10_000), 20 * 1024 * 1024), "i"))).code).toBe("Error");
    const oneHugeItem = (async function* () {
      yield enc.encode("packages:\n  - name: x\n");
      yield* repeat("    description: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".repeat(2000), 40 * 1024 * 1024);
    })();
    expect((await catchAamError(parseIndexStream(oneHugeItem, "i"))).code).toBe("Error");
  }, 60_000);
});

test("parseIndexStream() throws Error past MAX_INDEX_ENTRIES packages, so an endless list of tiny entries stays bounded", async () => {
  const items = (async function* () {
    yield enc.encode("packages:\n");
    yield* repeat("  - name: a\n".repeat(20_000), 256 * 1024 * 1024);
  })();
  const err = await catchAamError(parseIndexStream(items, "i"));
  expect(err.code).toBe("Error");
  expect(err.details.expected).toContain("packages");
}, 60_000);
