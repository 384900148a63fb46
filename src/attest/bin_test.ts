import { describe, test, expect } from "bun:test";
import { createHash } from "node:crypto";
import { binOf, binPath } from "./bin.ts";

describe("binOf()", () => {
  test("binOf() is the first byte, in hex, of the SHA-256 of the file-system name", () => {
    for (const fsName of ["author--my-package", "my-package", "a", "x--y"]) {
      const expected = createHash("sha256").update(fsName, "utf8").digest("hex").slice(0, 2);
      expect(binOf(fsName)).toBe(expected);
    }
  });
  test("binOf() spreads names over many of the 256 bins", () => {
    const bins = new Set(Array.from({ length: 4000 }, (_, i) => binOf(`pkg-${i}`)));
    expect(bins.size).toBe(256);
  });
  test("binOf() refuses an empty name", () => {
    expect(() => binOf("")).toThrow(TypeError);
  });
  test("binPath() names the bin file and refuses anything but two hex digits", () => {
    expect(binPath("0a")).toBe("snapshot/bins/0a.json");
    expect(() => binPath("../x")).toThrow(TypeError);
    expect(() => binPath("0A")).toThrow(TypeError);
  });
});
