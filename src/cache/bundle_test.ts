import { describe, expect, test } from "bun:test";
import { checksumOf } from "../encoding/sha256.ts";
import { readBundle, writeBundle, type BundleEntry } from "./bundle.ts";

const enc = new TextEncoder();
const NOW = new Date("2026-01-02T03:04:05.000Z");

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function entries(): BundleEntry[] {
  return [
    { package: "@acme/air", version: "1.0.0", files: { "package.aam": new Uint8Array(700).fill(7), "metadata.yaml": enc.encode("name: \"@acme/air\"\n") } },
    { package: "@acme/air", version: "1.1.0", files: { "package.aam": new Uint8Array(512).fill(1), "package.sig": enc.encode("{}") } },
  ];
}

// Pinned: the same entries and time give the same bytes, on any runtime and after any refactor of
// the tar or gzip writers (changed once, with the deflate encoder: docs/formats.md, "deflate bitstream 2").
const GOLDEN_BUNDLE = "sha256:1ac47865f819770985cea5470cf8517d5e6abe0ff6cedccbed96fe20a9d8e865";

describe("writeBundle()", () => {
  test("gives fixed bytes for fixed entries and time", () => {
    expect(checksumOf(writeBundle(entries(), NOW))).toBe(GOLDEN_BUNDLE);
  });

  test("round-trips through readBundle()", async () => {
    const back = await readBundle(once(writeBundle(entries(), NOW)), "x.bundle");
    expect(back).toEqual(entries());
  });
});
