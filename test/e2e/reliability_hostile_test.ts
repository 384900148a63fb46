/**
 * Hostile archives end to end (SPEC §3, §9): `aam install <hostile.aam>` exits 17 (UnsafeArchive) and
 * leaves no trace in the project or next to it. The corpus is test/helpers/archive.ts
 * (the same cases the unit tests feed to the reader), plus a gzip bomb and too many entries.
 */
import { concatBytes } from "../../src/encoding/bytes.ts";
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Gzip } from "fflate";
import { aam, tempDir, removeDir, errorName, type RuntimeName } from "../helpers.ts";
import { HOSTILE, MANIFEST, file, gz, rawEntry, tarOf } from "../helpers/archive.ts";

const enc = new TextEncoder();

/** A gzip bomb: one entry claiming 300 MiB of zeros, about 300 KiB on disk, compressed in slices. */
function gzipBomb(): Uint8Array {
  const size = 300 * 1024 * 1024;
  const parts: Uint8Array[] = [];
  const g = new Gzip({ level: 9, mtime: 0 }, (c) => parts.push(c));
  g.push(MANIFEST);
  g.push(rawEntry({ name: "zeros.bin", size }).subarray(0, 512));
  const slice = new Uint8Array(4 * 1024 * 1024);
  for (let done = 0; done < size; done += slice.length) g.push(slice);
  g.push(new Uint8Array(1024), true);
  return concatBytes(parts);
}

/** 20,001 entries, one over the limit. */
function tooManyEntries(): Uint8Array {
  const parts = [MANIFEST];
  for (let i = 0; i < 20_000; i++) parts.push(file(`f/${i}.md`, ""));
  return gz(tarOf(parts));
}

const CORPUS: { name: string; bytes: () => Uint8Array }[] = [
  ...HOSTILE.map((c) => ({ name: c.name, bytes: () => gz(tarOf([MANIFEST, ...c.parts], c.end ?? true)) })),
  { name: "a gzip bomb (300 MiB of zeros)", bytes: gzipBomb },
  { name: "more than 20,000 entries", bytes: tooManyEntries },
  { name: "corrupt gzip (not gzip at all)", bytes: () => enc.encode("this is not an archive\n".repeat(40)) },
];

// Every case under Bun; a few under Node and Deno, whose file-system and stream layers differ.
const OTHER_RUNTIMES: RuntimeName[] = ["node", "deno"];
const SAMPLE = ["a parent-directory segment", "a symbolic link", "a pax path rewriting a safe name into a traversal", "a gzip bomb (300 MiB of zeros)"];

describe("reliability: aam install <hostile.aam>", () => {
  let dir: string;
  const files = new Map<string, string>();
  beforeAll(() => {
    dir = tempDir("aam-hostile-");
    mkdirSync(join(dir, "corpus"));
    mkdirSync(join(dir, "home"));
    CORPUS.forEach((c, i) => {
      const f = join(dir, "corpus", `case${i}.aam`);
      writeFileSync(f, c.bytes());
      files.set(c.name, f);
    });
  });
  afterAll(() => removeDir(dir));

  const check = (rt: RuntimeName, name: string) => {
    // The project sits two levels down so a `../` or `../../` escape would land in a folder we watch.
    const outer = join(dir, `run-${rt}-${[...files.keys()].indexOf(name)}`);
    const project = join(outer, "inner", "project");
    mkdirSync(project, { recursive: true });
    const r = aam(rt, ["install", files.get(name)!], { cwd: project, home: join(dir, "home") });
    expect({ name, code: r.code, error: errorName(r.stderr) }).toEqual({ name, code: 17, error: "UnsafeArchive" });
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+/m);
    expect(readdirSync(project)).toEqual([]);
    expect(readdirSync(join(outer, "inner"))).toEqual(["project"]);
    expect(readdirSync(outer)).toEqual(["inner"]);
  };

  test.each(CORPUS.map((c) => c.name))("bun: %s is refused with UnsafeArchive and leaves no trace", (name) => check("bun", name), 60_000);
  for (const rt of OTHER_RUNTIMES) {
    test.each(SAMPLE)(`${rt}: %s is refused with UnsafeArchive and leaves no trace`, (name) => check(rt, name), 60_000);
  }
});
