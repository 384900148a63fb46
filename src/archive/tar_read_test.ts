import { describe, expect, test } from "bun:test";
import { AamError } from "../errors.ts";
import { gzipBytes } from "./gzip_encoder.ts";
import { encodeEntryHeader } from "./tar_header.ts";
import { readArchive, TarParser, type ArchiveEntry } from "./tar_read.ts";
import type { ArchiveLimits } from "./limits.ts";
import { chunksOf, dir, file, gz, HOSTILE, lazyZeroBomb, MANIFEST, paxEntry, rawEntry, tarOf } from "../../test/helpers/archive.ts";

const enc = new TextEncoder();

async function list(archive: Uint8Array, limits?: Partial<ArchiveLimits>, chunk = 4096): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  await readArchive(chunksOf(archive, chunk), { entry: (e) => void out.push(e) }, limits);
  return out;
}

async function refusal(archive: Uint8Array, limits?: Partial<ArchiveLimits>): Promise<AamError> {
  try {
    await list(archive, limits);
  } catch (e) {
    if (e instanceof AamError) return e;
    throw e;
  }
  throw new Error("expected the archive to be refused");
}

describe("readArchive()", () => {
  for (const c of HOSTILE) {
    test(`throws UnsafeArchive for ${c.name}`, async () => {
      const err = await refusal(gz(tarOf([MANIFEST, ...c.parts], c.end ?? true)));
      expect(err.code).toBe("UnsafeArchive");
      if (c.entry !== undefined) expect(err.details.entry).toBe(c.entry);
      expect(err.details.hint).toBeTruthy();
    });
  }

  test("lists files and directories with normalised names and modes", async () => {
    const entries = await list(
      gz(tarOf([MANIFEST, dir("skills/"), file("skills/a.md", "abc"), file("./run.sh", "#!", 0o700), dir("./"), dir("d")])),
    );
    expect(entries).toEqual([
      { name: "aam.yaml", type: "file", size: 23, mode: 0o644 },
      { name: "skills/", type: "directory", size: 0, mode: 0o755 },
      { name: "skills/a.md", type: "file", size: 3, mode: 0o644 },
      { name: "run.sh", type: "file", size: 2, mode: 0o755 },
      { name: "d/", type: "directory", size: 0, mode: 0o755 },
    ]);
  });

  test("accepts names that differ only in case (case is not normalised)", async () => {
    const names = (await list(gz(tarOf([MANIFEST, file("A.md", "1"), file("a.md", "2")])))).map((e) => e.name);
    expect(names).toEqual(["aam.yaml", "A.md", "a.md"]);
  });

  test("applies pax path and size records, and ignores harmless ones", async () => {
    const long = `${"x".repeat(200)}/${"y".repeat(200)}.md`;
    const entries = await list(
      gz(
        tarOf([
          MANIFEST,
          paxEntry([["comment", "made elsewhere"]], "g"),
          paxEntry([
            ["path", long],
            ["mtime", "1700000000.5"],
            ["size", "4"],
          ]),
          rawEntry({ name: "short", size: 0, data: enc.encode("abcd") }),
          paxEntry([["path", "café/é.md"]]),
          file("ignored-name", "z"),
        ]),
      ),
    );
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ["aam.yaml", 23],
      [long, 4],
      ["café/é.md", 1],
    ]);
  });

  test("accepts GNU-format headers and zero padding to a 10 KiB record", async () => {
    const tar = tarOf([MANIFEST, rawEntry({ name: "g.md", data: enc.encode("g"), magic: "gnu" })]);
    const padded = new Uint8Array(10240);
    padded.set(tar);
    expect((await list(gz(padded))).map((e) => e.name)).toEqual(["aam.yaml", "g.md"]);
  });

  test("throws UnsafeArchive past maxEntries, and for one entry or the sum over maxUnpackedBytes", async () => {
    const three = gz(tarOf([MANIFEST, file("b", "b"), file("c", "c")]));
    expect((await refusal(three, { maxEntries: 2 })).details.entry).toBe("c");
    expect((await list(three, { maxEntries: 3 })).length).toBe(3);
    const big = gz(tarOf([MANIFEST, rawEntry({ name: "big", size: 2 ** 33 - 1, data: new Uint8Array(0) })]));
    expect((await refusal(big)).details.entry).toBe("big"); // refused on its header, data never read
    const sum = gz(tarOf([MANIFEST, file("b", "x".repeat(600)), file("c", "x".repeat(600))]));
    expect((await refusal(sum, { maxUnpackedBytes: 1000 })).details.entry).toBe("c");
  });

  test("throws UnsafeArchive for an archive over maxArchiveBytes", async () => {
    const a = gz(tarOf([MANIFEST, file("b", "b")]));
    expect((await refusal(a, { maxArchiveBytes: a.length - 1 })).code).toBe("UnsafeArchive");
    expect((await list(a, { maxArchiveBytes: a.length })).length).toBe(2);
  });

  test("stops a 1 GiB gzip bomb hidden after the end marker at the limit, reading little of it", async () => {
    const bomb = lazyZeroBomb(tarOf([MANIFEST]), 1 << 30);
    let err: unknown;
    try {
      await readArchive(bomb.stream, { entry: () => {} }, { maxUnpackedBytes: 1 << 20, maxEntries: 10 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AamError);
    expect((err as AamError).code).toBe("UnsafeArchive");
    expect(bomb.stats.inputBytes).toBeLessThan(64 * 1024);
  });

  test("throws UnsafeArchive for a truncated gzip stream", async () => {
    const a = gz(tarOf([MANIFEST, file("b", "b".repeat(3000))]));
    expect((await refusal(a.subarray(0, a.length - 20))).code).toBe("UnsafeArchive");
  });

  test("reads archives written by AAM's own writer", async () => {
    const tar = tarOf([encodeEntryHeader({ name: "aam.yaml", type: "file", mode: 0o644, size: 0 })]);
    expect((await list(gzipBytes(tar))).map((e) => e.name)).toEqual(["aam.yaml"]);
  });
});

describe("TarParser", () => {
  test("gives the same events whatever the chunking", () => {
    const tar = tarOf([MANIFEST, file("a.md", "x".repeat(1500)), dir("d/")]);
    const summarise = (chunk: number) => {
      const p = new TarParser();
      const ev: string[] = [];
      let bytes = 0;
      for (let i = 0; i < tar.length; i += chunk) {
        for (const e of p.push(tar.subarray(i, i + chunk))) {
          if (e.kind === "data") bytes += e.bytes.length;
          else ev.push(e.kind === "entry" ? e.entry.name : "end");
        }
      }
      p.end();
      return { ev, bytes };
    };
    const whole = summarise(tar.length);
    expect(whole).toEqual({ ev: ["aam.yaml", "end", "a.md", "end", "d/", "end"], bytes: 1523 });
    for (const c of [1, 7, 511, 512, 513]) expect(summarise(c)).toEqual(whole);
  });
});

describe("readArchive() under random corruption", () => {
  // A seeded loop (no randomness between runs): any input must end in success or an AamError.
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
  }
  const tar = tarOf([
    MANIFEST,
    dir("skills/"),
    file("skills/a.md", "alpha ".repeat(200)),
    paxEntry([["path", `${"p".repeat(150)}/é.md`]]),
    file("x", "beta"),
    file("run.sh", "#!/bin/sh\n", 0o755),
  ]);
  const archive = gz(tar);

  function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
    const kind = Math.floor(r() * 4);
    if (kind === 0) return bytes.subarray(0, Math.floor(r() * bytes.length)); // truncate
    const out = bytes.slice();
    const flips = 1 + Math.floor(r() * 4);
    for (let i = 0; i < flips; i++) {
      const at = Math.floor(r() * out.length);
      out[at] = kind === 1 ? out[at] ^ (1 << Math.floor(r() * 8)) : Math.floor(r() * 256);
    }
    if (kind === 3) return new Uint8Array([...out, ...out.subarray(0, Math.floor(r() * 64))]); // extra bytes
    return out;
  }

  async function outcome(bytes: Uint8Array): Promise<string> {
    try {
      await list(bytes, undefined, 977);
      return "ok";
    } catch (e) {
      if (e instanceof AamError) return e.code;
      throw e; // anything else fails the test
    }
  }

  test("only AamError is thrown for mutated gzip bytes", async () => {
    const r = rng(0xaa11);
    const codes = new Set<string>();
    for (let i = 0; i < 300; i++) codes.add(await outcome(mutate(archive, r)));
    expect([...codes].every((c) => c === "ok" || c === "UnsafeArchive")).toBe(true);
    expect(codes.has("UnsafeArchive")).toBe(true);
  });

  test("only AamError is thrown for mutated tar bytes under valid gzip", async () => {
    const r = rng(0xbb22);
    const codes = new Set<string>();
    for (let i = 0; i < 300; i++) codes.add(await outcome(gz(mutate(tar, r))));
    expect([...codes].every((c) => c === "ok" || c === "UnsafeArchive")).toBe(true);
    expect(codes.has("UnsafeArchive")).toBe(true);
  });
});
