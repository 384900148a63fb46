import { describe, expect, test } from "bun:test";
import { BLOCK, headerChecksum } from "./tar_block.ts";
import { encodeEntryHeader, needsPax, splitUstarName } from "./tar_header.ts";
import { decodeHeader, parseNumericField } from "./tar_header_decode.ts";
import { encodePaxRecords, parsePaxRecords } from "./tar_pax.ts";
import { catchAam } from "../../test/helpers/errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();


function field(block: Uint8Array, off: number, len: number): string {
  return dec.decode(block.subarray(off, off + len));
}

describe("encodeEntryHeader()", () => {
  test("writes every field deterministically: mtime 0, uid/gid 0, empty owner names, ustar magic", () => {
    const h = encodeEntryHeader({ name: "aam.yaml", type: "file", mode: 0o644, size: 1234 });
    expect(h.length).toBe(BLOCK);
    expect(field(h, 0, 9)).toBe("aam.yaml\0");
    expect(field(h, 100, 8)).toBe("0000644\0");
    expect(field(h, 108, 8)).toBe("0000000\0");
    expect(field(h, 116, 8)).toBe("0000000\0");
    expect(field(h, 124, 12)).toBe("00000002322\0");
    expect(field(h, 136, 12)).toBe("00000000000\0");
    expect(String.fromCharCode(h[156])).toBe("0");
    expect(field(h, 257, 8)).toBe("ustar\u000000");
    expect(h.subarray(265, 329).every((b) => b === 0)).toBe(true); // uname + gname
    expect(parseNumericField(h.subarray(148, 156))).toBe(headerChecksum(h));
  });

  test("round-trips a file, an executable and a directory through decodeHeader()", () => {
    for (const e of [
      { name: "skills/a.md", type: "file" as const, mode: 0o644, size: 5 },
      { name: "bin/run.sh", type: "file" as const, mode: 0o755, size: 0 },
      { name: "skills/", type: "directory" as const, mode: 0o755, size: 0 },
    ]) {
      const h = decodeHeader(encodeEntryHeader(e));
      expect(h).toMatchObject({ name: e.name, mode: e.mode, size: e.size, typeflag: e.type === "directory" ? "5" : "0" });
    }
  });

  test("splits a long ASCII name into prefix and name without a pax header", () => {
    const name = `${"d".repeat(120)}/${"f".repeat(90)}`;
    const h = encodeEntryHeader({ name, type: "file", mode: 0o644, size: 1 });
    expect(h.length).toBe(BLOCK);
    expect(decodeHeader(h).name).toBe(name);
  });

  test("adds a pax path record for a non-ASCII name and a name too long for ustar", () => {
    for (const name of ["skills/café.md", `${"a".repeat(300)}.md`, `${"x/".repeat(150)}f`]) {
      const entry = { name, type: "file" as const, mode: 0o644, size: 3 };
      expect(needsPax(entry)).toBe(true);
      const h = encodeEntryHeader(entry);
      const pax = decodeHeader(h.subarray(0, BLOCK));
      expect(pax.typeflag).toBe("x");
      const body = h.subarray(BLOCK, BLOCK + pax.size);
      expect(parsePaxRecords(body).get("path")).toBe(name);
      const main = decodeHeader(h.subarray(h.length - BLOCK));
      expect(main.size).toBe(3);
      // The ustar fallback name is plain ASCII and never absolute.
      expect(/^[\x20-\x7e]*$/.test(main.name)).toBe(true);
      expect(main.name.startsWith("/")).toBe(false);
    }
  });

  test("throws RangeError for a directory with a size", () => {
    expect(() => encodeEntryHeader({ name: "d/", type: "directory", mode: 0o755, size: 1 })).toThrow(RangeError);
  });
});

describe("splitUstarName()", () => {
  test("keeps names of up to 100 bytes whole and splits longer ones at a slash", () => {
    expect(splitUstarName(enc.encode("a".repeat(100)))?.prefix.length).toBe(0);
    const s = splitUstarName(enc.encode(`${"p".repeat(10)}/${"n".repeat(95)}`));
    expect(s && dec.decode(s.prefix)).toBe("p".repeat(10));
    expect(s && dec.decode(s.name)).toBe("n".repeat(95));
  });

  test("answers null when no split fits", () => {
    expect(splitUstarName(enc.encode("a".repeat(101)))).toBeNull();
    expect(splitUstarName(enc.encode(`${"p".repeat(156)}/n`))).toBeNull();
  });
});

describe("encodePaxRecords() and parsePaxRecords()", () => {
  test("round-trip records whose length crosses a digit boundary", () => {
    for (let n = 0; n < 120; n++) {
      const value = "v".repeat(n);
      const body = encodePaxRecords([["path", value]]);
      const lenField = Number(dec.decode(body).split(" ")[0]);
      expect(lenField).toBe(body.length);
      expect(parsePaxRecords(body).get("path")).toBe(value);
    }
  });

  test("throws UnsafeArchive for malformed records", () => {
    for (const body of ["12 path=abc", "99 path=abc\n", "0 path=\n", "05 a=\n", "x path=a\n", "8 =abcd\n", "11 pathabc\n"]) {
      expect(catchAam(() => parsePaxRecords(enc.encode(body))).code).toBe("UnsafeArchive");
    }
  });

  test("throws UnsafeArchive when a key is given twice", () => {
    const body = encodePaxRecords([
      ["path", "a"],
      ["path", "b"],
    ]);
    expect(catchAam(() => parsePaxRecords(body)).code).toBe("UnsafeArchive");
  });

  test("throws UnsafeArchive for a record that is not UTF-8", () => {
    const body = new Uint8Array([...enc.encode("10 path="), 0xff, 0x0a]);
    expect(catchAam(() => parsePaxRecords(body)).code).toBe("UnsafeArchive");
  });
});

describe("decodeHeader()", () => {
  test("throws UnsafeArchive for a bad checksum", () => {
    const h = encodeEntryHeader({ name: "a", type: "file", mode: 0o644, size: 1 });
    h[0] ^= 1;
    expect(catchAam(() => decodeHeader(h)).code).toBe("UnsafeArchive");
  });

  test("throws UnsafeArchive for a header without ustar magic", () => {
    const h = encodeEntryHeader({ name: "a", type: "file", mode: 0o644, size: 1 });
    h.fill(0, 257, 265);
    // re-seal so only the magic is wrong
    const sum = headerChecksum(h).toString(8).padStart(6, "0");
    h.set(enc.encode(sum), 148);
    expect(catchAam(() => decodeHeader(h)).code).toBe("UnsafeArchive");
  });
});

describe("parseNumericField()", () => {
  test("reads octal with spaces and NULs, and base-256", () => {
    expect(parseNumericField(enc.encode("0000644\0"))).toBe(0o644);
    expect(parseNumericField(enc.encode("  644 \0"))).toBe(0o644);
    expect(parseNumericField(new Uint8Array(8))).toBe(0);
    expect(parseNumericField(new Uint8Array([0x80, 0, 0, 0, 0, 0, 1, 0]))).toBe(256);
  });

  test("answers null for non-octal digits or junk after them", () => {
    expect(parseNumericField(enc.encode("0000648\0"))).toBeNull();
    expect(parseNumericField(enc.encode("12 3\0\0\0\0"))).toBeNull();
    expect(parseNumericField(new Uint8Array([0xff, 0xff, 0, 0]))).toBeNull();
  });
});
