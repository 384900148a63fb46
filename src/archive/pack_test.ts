import { afterEach, describe, expect, test } from "bun:test";
import { fs, run } from "../runtime/index.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { listArchive } from "./list_archive.ts";
import { packDirectory, packToFile } from "./pack.ts";
import { chunksOf } from "../../test/helpers/archive.ts";
import { catchAam } from "../../test/helpers/errors.ts";
import { ARCHIVE_LIMIT } from "../read_limits.ts";

const temps: string[] = [];
afterEach(async () => {
  for (const t of temps.splice(0)) await fs.remove(t);
});

async function temp(): Promise<string> {
  const d = await fs.makeTempDir("aam-pack-test-");
  temps.push(d);
  return d;
}

type Tree = Record<string, string | { content: string; mode: number } | null>; // null = empty folder

async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [rel, spec] of Object.entries(tree)) {
    const abs = fs.path.join(root, ...rel.split("/"));
    if (spec === null) {
      await fs.mkdirp(abs);
      continue;
    }
    await fs.mkdirp(fs.path.dirname(abs));
    const content = typeof spec === "string" ? spec : spec.content;
    await fs.writeFileAtomic(abs, content);
    await fs.chmod(abs, typeof spec === "string" ? 0o644 : spec.mode);
  }
}


const GOLDEN_TREE: Tree = {
  "aam.yaml": 'name: "@golden/pkg"\nversion: 1.0.0\ndescription: "Golden"\n',
  "skills/reviewer/SKILL.md": "# Reviewer\n\nReviews things.\n".repeat(20),
  "prompts/café.md": "non-ASCII name\n",
  [`deep/${"d".repeat(120)}/file.md`]: "ustar prefix split\n",
  [`long/${"n".repeat(200)}.md`]: "pax path\n",
  "bin/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  "empty": null,
  ".git/config": "excluded",
  "node_modules/x/index.js": "excluded",
  "dist/golden--pkg-1.0.0.aam": "excluded",
  "old.aam": "excluded",
};

// Pinned: a change here means archives are no longer byte-identical to earlier releases. Changed
// once, on purpose, with AAM's own deflate encoder (docs/formats.md, "deflate bitstream 2").
const GOLDEN_CHECKSUM = "sha256:b10a4ee4ff341e38d64f0c62f59fdb78e02a7929d111d9dc39851c4130920a5d";

/** ~2.3 MiB in 24 files: several 256 KiB deflate blocks, past the size where pack uses worker threads. */
async function writeLargeTree(root: string): Promise<void> {
  await writeTree(root, { "aam.yaml": 'name: "@golden/large"\nversion: 1.0.0\ndescription: "Golden, large"\n' });
  await fs.mkdirp(fs.path.join(root, "data"));
  let x = 7;
  for (let f = 0; f < 24; f++) {
    const data = new Uint8Array(96 * 1024 + f * 131);
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // text in even files, noise in every third: stored, fixed and dynamic Huffman blocks all occur
      data[i] = f % 3 === 0 ? x >>> 24 : f % 2 === 0 ? 97 + ((i * 7) % 26) : 32 + ((x >>> 27) ^ (i & 15));
    }
    await fs.writeFileAtomic(fs.path.join(root, `data/f${String(f).padStart(2, "0")}.bin`), data);
  }
}

// Pinned like GOLDEN_CHECKSUM, for the blocked deflate stream (gzip_encoder.ts): 256 KiB blocks, each with
// the 32 KiB before it as dictionary, sync-flushed; whether workers or the main thread deflate them.
const GOLDEN_LARGE_CHECKSUM = "sha256:f750486e4569f51e0f8337807abce09a11967f44c7fc5a7dd72901d93cd97f49";

describe("packDirectory()", () => {
  test("packs a fixed folder to the pinned checksum (golden)", async () => {
    const dir = await temp();
    await writeTree(dir, GOLDEN_TREE);
    const r = await packDirectory(dir);
    expect(r.checksum).toBe(checksumOf(r.bytes));
    expect(r.size).toBe(r.bytes.length);
    expect(r.checksum).toBe(GOLDEN_CHECKSUM);
  });

  test("packs a fixed ~2.3 MiB folder, deflated on worker threads, to the pinned checksum (golden)", async () => {
    const dir = await temp();
    await writeLargeTree(dir);
    const r = await packDirectory(dir);
    expect(r.unpackedSize).toBeGreaterThan(2 * 1024 * 1024);
    expect(r.checksum).toBe(checksumOf(r.bytes));
    expect(r.checksum).toBe(GOLDEN_LARGE_CHECKSUM);
  });

  test("gives identical bytes for the same content written in another order, with other times and modes", async () => {
    const a = await temp();
    const b = await temp();
    await writeTree(a, GOLDEN_TREE);
    const reversed = Object.fromEntries(Object.entries(GOLDEN_TREE).reverse());
    await writeTree(b, reversed);
    await fs.chmod(fs.path.join(b, "aam.yaml"), 0o600); // not executable: still 0644 in the archive
    await run("touch", ["-d", "2001-02-03T04:05:06", fs.path.join(b, "aam.yaml"), fs.path.join(b, "skills")]);
    const ra = await packDirectory(a);
    const rb = await packDirectory(b);
    expect(rb.checksum).toBe(ra.checksum);
    expect((await packDirectory(a)).bytes).toEqual(ra.bytes);
  });

  test("includes folders as entries, sorted bytewise by UTF-8 name, and leaves out the exclusions", async () => {
    const dir = await temp();
    await writeTree(dir, {
      "aam.yaml": "x",
      "a-b": "1",
      "a/x": "2",
      "a.txt": "3",
      B: "4",
      "é": "5",
      "z/": null,
      ".git/HEAD": "no",
      "sub/node_modules/m.js": "no",
    });
    const r = await packDirectory(dir);
    const names = (await listArchive(chunksOf(r.bytes))).map((e) => e.name);
    expect(names).toEqual(["B", "a-b", "a.txt", "a/", "a/x", "aam.yaml", "sub/", "z/", "é"]);
    expect(r.entries).toBe(9);
    expect(r.unpackedSize).toBe(6);
  });

  test("keeps the executable bit as mode 0755 and writes 0644 otherwise", async () => {
    const dir = await temp();
    await writeTree(dir, { "aam.yaml": "x", "run.sh": { content: "#!/bin/sh\n", mode: 0o700 }, "doc.md": { content: "d", mode: 0o600 } });
    const entries = await listArchive(chunksOf((await packDirectory(dir)).bytes));
    expect(entries.find((e) => e.name === "run.sh")?.mode).toBe(0o755);
    expect(entries.find((e) => e.name === "doc.md")?.mode).toBe(0o644);
  });

  test("honours .aamignore at the package root", async () => {
    const dir = await temp();
    await writeTree(dir, {
      "aam.yaml": "x",
      ".aamignore": "*.log\ndrafts/\n",
      "keep.md": "k",
      "debug.log": "no",
      "drafts/a.md": "no",
    });
    const names = (await listArchive(chunksOf((await packDirectory(dir)).bytes))).map((e) => e.name);
    expect(names).toEqual([".aamignore", "aam.yaml", "keep.md"]);
  });

  test("throws UnsafeArchive naming a symbolic link, unless it is excluded", async () => {
    const dir = await temp();
    await writeTree(dir, { "aam.yaml": "x", "skills/a.md": "a", "node_modules/.bin/": null });
    await run("ln", ["-s", "../aam.yaml", fs.path.join(dir, "node_modules", ".bin", "tool")]);
    await run("ln", ["-s", fs.path.join(dir, "skills"), fs.path.join(dir, "skills", "node_modules")]);
    await packDirectory(dir); // excluded, even a link named like an excluded folder: fine
    await run("ln", ["-s", "/etc/passwd", fs.path.join(dir, "skills", "link")]);
    const err = await catchAam(packDirectory(dir));
    expect(err).toMatchObject({ code: "UnsafeArchive", details: { entry: "skills/link" } });
    expect(err.details.hint).toContain(".aamignore");
  });

  test("throws UnsafeArchive naming a FIFO", async () => {
    const dir = await temp();
    await writeTree(dir, { "aam.yaml": "x" });
    const made = await run("mkfifo", [fs.path.join(dir, "pipe")]);
    if (!made || made.code !== 0) return; // no mkfifo on this system
    expect(await catchAam(packDirectory(dir))).toMatchObject({ code: "UnsafeArchive", details: { entry: "pipe" } });
  });

  test("throws NotFound with an `aam pkg init` hint when aam.yaml is missing", async () => {
    const dir = await temp();
    await writeTree(dir, { "README.md": "x" });
    const err = await catchAam(packDirectory(dir));
    expect(err.code).toBe("NotFound");
    expect(err.details.hint).toContain("aam pkg init");
  });

  test("throws NotFound for a folder that does not exist", async () => {
    const dir = await temp();
    expect((await catchAam(packDirectory(fs.path.join(dir, "nope")))).code).toBe("NotFound");
  });

  test("throws UnsafeArchive past the entry, unpacked and archive size limits", async () => {
    const dir = await temp();
    const tree: Tree = { "aam.yaml": "x" };
    for (let i = 0; i < 10; i++) tree[`f${i}.bin`] = String(i).repeat(1000 + i * 97);
    await writeTree(dir, tree);
    expect((await catchAam(packDirectory(dir, { limits: { maxEntries: 5 } }))).code).toBe("UnsafeArchive");
    expect((await catchAam(packDirectory(dir, { limits: { maxUnpackedBytes: 5000 } }))).code).toBe("UnsafeArchive");
    expect((await catchAam(packDirectory(dir, { limits: { maxArchiveBytes: 100 } }))).code).toBe("UnsafeArchive");
    expect((await packDirectory(dir, { limits: { maxEntries: 11 } })).entries).toBe(11);
  });

  test("throws UnsafeArchive past the archive size limit while worker threads deflate, and returns", async () => {
    const dir = await temp();
    await writeLargeTree(dir);
    expect((await catchAam(packDirectory(dir, { limits: { maxArchiveBytes: 300_000 } }))).code).toBe("UnsafeArchive");
  });

  test("reports progress as entries are written", async () => {
    const dir = await temp();
    await writeTree(dir, { "aam.yaml": "x", "a/b.md": "b", "c.md": "c" });
    const seen: number[] = [];
    await packDirectory(dir, { onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  test("streams a file larger than the whole-file read size", async () => {
    const dir = await temp();
    await writeTree(dir, { "aam.yaml": "x" });
    const big = new Uint8Array(5 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
    await fs.writeFileAtomic(fs.path.join(dir, "big.bin"), big);
    const r = await packDirectory(dir);
    const entries = await listArchive(chunksOf(r.bytes, 1 << 20));
    expect(entries.find((e) => e.name === "big.bin")?.size).toBe(big.length);
  });

  test("packToFile streams the same bytes into the file, into the package's own dist/, leaving no temp file", async () => {
    const dir = await temp();
    await writeLargeTree(dir);
    const file = fs.path.join(dir, "dist", "pkg.aam");
    await fs.mkdirp(fs.path.dirname(file));
    const r = await packToFile(dir, file);
    expect(r.checksum).toBe(GOLDEN_LARGE_CHECKSUM);
    expect(checksumOf(await fs.readFile(file, ARCHIVE_LIMIT))).toBe(GOLDEN_LARGE_CHECKSUM);
    expect((await fs.readDir(fs.path.dirname(file))).map((d) => d.name)).toEqual(["pkg.aam"]);
    // Packed again with the archive in dist/: dist/ is left out, so the bytes stay the same.
    expect((await packToFile(dir, file)).checksum).toBe(GOLDEN_LARGE_CHECKSUM);
  });

  test("packToFile leaves an existing file as it was, and no temp file, when packing fails", async () => {
    const dir = await temp();
    await writeLargeTree(dir);
    const out = await temp();
    const file = fs.path.join(out, "pkg.aam");
    await fs.writeFileAtomic(file, "old");
    expect((await catchAam(packToFile(dir, file, { limits: { maxArchiveBytes: 300_000 } }))).code).toBe("UnsafeArchive");
    expect(await fs.readText(file, ARCHIVE_LIMIT)).toBe("old");
    expect((await fs.readDir(out)).map((d) => d.name)).toEqual(["pkg.aam"]);
  });

  test("writes archives GNU/BSD tar reads back", async () => {
    const dir = await temp();
    await writeTree(dir, GOLDEN_TREE);
    const out = await temp();
    const file = fs.path.join(out, "pkg.aam");
    await fs.writeFileAtomic(file, (await packDirectory(dir)).bytes);
    const listed = await run("tar", ["-tzf", file]);
    if (!listed) return; // no tar on this system
    expect(listed.code).toBe(0);
    const names = new TextDecoder().decode(listed.stdout).trim().split("\n");
    expect(names).toContain("prompts/café.md");
    expect(names).toContain(`long/${"n".repeat(200)}.md`);
    expect(names).toContain(`deep/${"d".repeat(120)}/file.md`);
    expect(names).toContain("bin/run.sh");
  });
});
