import { describe, expect, test } from "bun:test";
import { checksumOf } from "../encoding/sha256.ts";
import { catchAamError } from "../../test/helpers/errors.ts";
import { readBundle, readBundleParts, writeBundle, type BundleEntry } from "./bundle.ts";

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

describe("bundles with a pinned registry's snapshot", () => {
  const snap = { registry: "acme", files: { "snapshot.json": enc.encode("{}"), "bins/3c.json": enc.encode("{}") } };
  const pinned = () => entries().map((e) => ({ ...e, registry: "acme" }));

  test("round-trip: entries keep their registry name, the snapshot its files", async () => {
    const back = await readBundleParts(once(writeBundle(pinned(), NOW, [snap])), "x.bundle");
    expect(back.entries).toEqual(pinned());
    expect(back.snapshots).toEqual([snap]);
    // A bundle without snapshots reads as it always did.
    expect((await readBundleParts(once(writeBundle(entries(), NOW)), "x.bundle")).snapshots).toEqual([]);
  });

  test("a snapshot member outside its folder, a bad registry name or a file that is no root or bin is refused", async () => {
    // Paths with `..` are stopped by the archive reader already; the manifest check stands behind it.
    for (const bad of [
      writeBundle(pinned(), NOW, [{ registry: "acme", files: { "../x.json": enc.encode("{}") } }]),
      writeBundle(pinned(), NOW, [{ registry: "../acme", files: { "snapshot.json": enc.encode("{}") } }]),
    ]) {
      expect(["UnsafeArchive", "TamperedPackage"]).toContain((await catchAamError(readBundleParts(once(bad), "x.bundle"))).code);
    }
    for (const bad of [
      writeBundle(pinned(), NOW, [{ registry: "acme", files: { "bins/zz.json": enc.encode("{}") } }]),
      writeBundle(pinned(), NOW, [{ registry: "Acme", files: { "snapshot.json": enc.encode("{}") } }]),
    ]) {
      expect((await catchAamError(readBundleParts(once(bad), "x.bundle"))).code).toBe("TamperedPackage");
    }
  });
});
