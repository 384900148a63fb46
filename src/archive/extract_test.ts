import { afterEach, describe, expect, test } from "bun:test";
import { fs } from "../runtime/index.ts";
import { extractArchive } from "./extract.ts";
import { listArchive } from "./list_archive.ts";
import { readArchiveFile } from "./read_archive_file.ts";
import { packDirectory } from "./pack.ts";
import { chunksOf, file, gz, HOSTILE, lazyZeroBomb, MANIFEST, tarOf } from "../../test/helpers/archive.ts";
import { catchAam } from "../../test/helpers/errors.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

const temps: string[] = [];
afterEach(async () => {
  for (const t of temps.splice(0)) await fs.remove(t);
});

async function temp(): Promise<string> {
  const d = await fs.makeTempDir("aam-extract-test-");
  temps.push(d);
  return d;
}


/** Every file under `root` as "path -> content", folders as "path/". */
async function snapshot(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await fs.readDir(fs.path.join(root, rel));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) {
      out[`${r}/`] = "";
      Object.assign(out, await snapshot(root, r));
    } else {
      out[r] = await fs.readText(fs.path.join(root, r), DOCUMENT_LIMIT);
    }
  }
  return out;
}

const enc = new TextEncoder();

describe("extractArchive()", () => {
  test("round-trips a packed folder: the same files, folders and executable bits", async () => {
    const src = await temp();
    const files: Record<string, string> = {
      "aam.yaml": "name: rt\nversion: 1.0.0\n",
      "skills/reviewer/SKILL.md": "# Skill\n".repeat(500),
      "prompts/café.md": "é\n",
      [`long/${"n".repeat(200)}/x.md`]: "pax\n",
      "bin/run.sh": "#!/bin/sh\n",
    };
    for (const [rel, content] of Object.entries(files)) {
      await fs.mkdirp(fs.path.dirname(fs.path.join(src, rel)));
      await fs.writeFileAtomic(fs.path.join(src, rel), content);
    }
    await fs.chmod(fs.path.join(src, "bin/run.sh"), 0o755);
    await fs.mkdirp(fs.path.join(src, "empty"));
    await fs.mkdirp(fs.path.join(src, "node_modules/m"));
    const big = new Uint8Array(2 * 1024 * 1024 + 5); // streamed to disk rather than buffered
    big.fill(0x61);
    await fs.writeFileAtomic(fs.path.join(src, "big.txt"), big);
    await fs.remove(fs.path.join(src, "node_modules"));

    const packed = await packDirectory(src);
    const out = fs.path.join(await temp(), "pkg");
    const r = await extractArchive(chunksOf(packed.bytes, 1 << 16), out);
    expect(r).toEqual({ entries: packed.entries, unpackedSize: packed.unpackedSize });
    expect(await snapshot(out)).toEqual(await snapshot(src));
    expect((await fs.stat(fs.path.join(out, "bin/run.sh")))!.mode & 0o100).toBe(0o100);
    expect((await fs.stat(fs.path.join(out, "aam.yaml")))!.mode & 0o111).toBe(0);
  });

  for (const c of HOSTILE) {
    test(`throws UnsafeArchive for ${c.name}, leaving nothing behind`, async () => {
      const parent = await temp();
      await fs.writeFileAtomic(fs.path.join(parent, "sentinel"), "s");
      const target = fs.path.join(parent, "pkg");
      const err = await catchAam(extractArchive(chunksOf(gz(tarOf([MANIFEST, ...c.parts], c.end ?? true))), target));
      expect(err.code).toBe("UnsafeArchive");
      if (c.entry !== undefined) expect(err.details.entry).toBe(c.entry);
      expect((await fs.readDir(parent)).map((e) => e.name)).toEqual(["sentinel"]);
      expect(await fs.stat("/tmp/evil")).toBeNull();
    });
  }

  test("stops a gzip bomb at the limit and removes what it wrote", async () => {
    const parent = await temp();
    const target = fs.path.join(parent, "pkg");
    const bomb = lazyZeroBomb(tarOf([MANIFEST]), 1 << 30);
    const err = await catchAam(extractArchive(bomb.stream, target, { maxUnpackedBytes: 1 << 20, maxEntries: 10 }));
    expect(err.code).toBe("UnsafeArchive");
    expect(await fs.stat(target)).toBeNull();
  });

  test("extracts names that merely start with dots", async () => {
    const target = fs.path.join(await temp(), "pkg");
    await extractArchive(chunksOf(gz(tarOf([MANIFEST, file("..foo", "1"), file(".../x", "2"), file(".hidden", "3")]))), target);
    expect(await snapshot(target)).toEqual({ "..foo": "1", ".../": "", ".../x": "2", ".hidden": "3", "aam.yaml": "name: x\nversion: 1.0.0\n" });
  });

  test("extracts into an existing empty folder and empties it again on failure", async () => {
    const target = await temp();
    await extractArchive(chunksOf(gz(tarOf([MANIFEST]))), target);
    expect(Object.keys(await snapshot(target))).toEqual(["aam.yaml"]);
    const target2 = await temp();
    const err = await catchAam(extractArchive(chunksOf(gz(tarOf([MANIFEST, file("../x", "x")]))), target2));
    expect(err.code).toBe("UnsafeArchive");
    expect(await fs.readDir(target2)).toEqual([]);
  });

  test("refuses a target folder that is not empty, without touching it", async () => {
    const target = await temp();
    await fs.writeFileAtomic(fs.path.join(target, "mine"), "keep");
    const err = await catchAam(extractArchive(chunksOf(gz(tarOf([MANIFEST]))), target));
    expect(err.code).toBe("Error");
    expect(await snapshot(target)).toEqual({ mine: "keep" });
  });
});

describe("readArchiveFile()", () => {
  const archive = gz(tarOf([MANIFEST, file("skills/a.md", "abc")]));

  test("answers one member's bytes, or null when there is none", async () => {
    expect(new TextDecoder().decode((await readArchiveFile(chunksOf(archive), "aam.yaml", 1000))!)).toBe("name: x\nversion: 1.0.0\n");
    expect(await readArchiveFile(chunksOf(archive), "skills/a.md", 3)).toEqual(enc.encode("abc"));
    expect(await readArchiveFile(chunksOf(archive), "nope.yaml", 1000)).toBeNull();
  });

  test("throws UnsafeArchive when the member is larger than maxBytes", async () => {
    const err = await catchAam(readArchiveFile(chunksOf(archive), "aam.yaml", 5));
    expect(err).toMatchObject({ code: "UnsafeArchive", details: { entry: "aam.yaml" } });
  });

  test("validates the whole archive even after the member was found", async () => {
    const bad = gz(tarOf([MANIFEST, file("../evil", "x")]));
    expect((await catchAam(readArchiveFile(chunksOf(bad), "aam.yaml", 1000))).details.entry).toBe("../evil");
  });
});

describe("listArchive()", () => {
  test("answers name, type, size and mode of each entry", async () => {
    expect(await listArchive(chunksOf(gz(tarOf([MANIFEST, file("x.sh", "#!", 0o755)]))))).toEqual([
      { name: "aam.yaml", type: "file", size: 23, mode: 0o644 },
      { name: "x.sh", type: "file", size: 2, mode: 0o755 },
    ]);
  });
});
