import { describe, expect, test } from "bun:test";
import { concatBytes } from "../encoding/bytes.ts";
import { encodeEntryHeader } from "./tar_header.ts";
import { TarParser } from "./tar_read.ts";
import { TarWriter } from "./tar_writer.ts";

function written(fill: (tar: TarWriter<void>) => void): Uint8Array {
  const parts: Uint8Array[] = [];
  fill(new TarWriter((c) => void parts.push(c.slice())));
  return concatBytes(parts);
}

describe("TarWriter", () => {
  test("frames header, data, padding and the end marker, which TarParser reads back", () => {
    const data = new Uint8Array(700).fill(65);
    const tar = written((t) => {
      t.header({ name: "d/", type: "directory", mode: 0o755, size: 0 });
      t.header({ name: "d/a", type: "file", mode: 0o644, size: data.length });
      t.data(data.subarray(0, 100));
      t.data(data.subarray(100));
      t.endEntry();
      t.end();
    });
    const head = encodeEntryHeader({ name: "d/a", type: "file", mode: 0o644, size: 700 });
    expect(tar.length).toBe(512 + 512 + 1024 + 1024);
    expect(tar.subarray(512, 1024)).toEqual(head);
    const p = new TarParser();
    const names = p.push(tar).flatMap((e) => (e.kind === "entry" ? [e.entry.name] : []));
    expect(names).toEqual(["d/", "d/a"]);
    expect(p.end()).toEqual({ entries: 2, unpackedSize: 700 });
  });

  test("throws RangeError for more or less data than the header says, or an entry left open", () => {
    const file = { name: "a", type: "file", mode: 0o644, size: 3 } as const;
    expect(() => written((t) => (t.header(file), t.data(new Uint8Array(4))))).toThrow(RangeError);
    expect(() => written((t) => (t.header(file), t.data(new Uint8Array(2)), t.endEntry()))).toThrow(RangeError);
    expect(() => written((t) => (t.header(file), t.end()))).toThrow(RangeError);
    expect(() => written((t) => (t.header(file), t.header(file)))).toThrow(RangeError);
  });
});
