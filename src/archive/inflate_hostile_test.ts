/**
 * Hostile deflate data through the gzip path: endless input, lengths that promise more than comes,
 * malformed blocks. Each ends in UnsafeArchive with bounded input and memory, never a hang.
 */
import { describe, expect, test } from "bun:test";
import { gunzipChunks } from "./gunzip_chunks.ts";
import { gzipHeader } from "./_gzip_member.ts";
import { catchAam } from "../../test/helpers/errors.ts";
import { chunksOf } from "../../test/helpers/archive.ts";
import { concatBytes } from "../encoding/bytes.ts";

const LIMITS = { maxInputBytes: 8 << 20, maxOutputBytes: 64 << 20 };

async function drain(input: AsyncIterable<Uint8Array>, limits = LIMITS): Promise<number> {
  let n = 0;
  for await (const c of gunzipChunks(input, limits)) n += c.length;
  return n;
}

/** A gzip header, then `unit` repeated for ever, in 64 KiB chunks; counts what was read. */
function endless(unit: Uint8Array): { stream: AsyncGenerator<Uint8Array>; read: () => number } {
  let read = 0;
  const chunk = new Uint8Array(unit.length * Math.floor((64 * 1024) / unit.length));
  for (let i = 0; i < chunk.length; i++) chunk[i] = unit[i % unit.length];
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield gzipHeader();
    for (;;) {
      read += chunk.length;
      yield chunk;
    }
  }
  return { stream: gen(), read: () => read };
}

const body = (...bytes: number[]) => concatBytes([gzipHeader(), Uint8Array.from(bytes), new Uint8Array(8)]);

describe("gunzip on hostile deflate data", () => {
  test("endless empty stored blocks (no output at all) stop at maxInputBytes", async () => {
    // BFINAL 0, BTYPE 00, LEN 0, NLEN 0xffff: 5 bytes per block, for ever.
    const e = endless(Uint8Array.of(0, 0, 0, 0xff, 0xff));
    const err = await catchAam(drain(e.stream));
    expect(err.code).toBe("UnsafeArchive");
    expect(err.message).toContain("larger than");
    expect(e.read()).toBeLessThanOrEqual(LIMITS.maxInputBytes + 64 * 1024);
  });

  test("endless empty fixed-code blocks stop at maxInputBytes too", async () => {
    // 0b0000000_010 repeated: BFINAL 0, BTYPE 01, end-of-block (7 zero bits), every 10 bits.
    const e = endless(Uint8Array.of(0x02, 0x08, 0x20, 0x80, 0x00));
    const err = await catchAam(drain(e.stream));
    expect({ code: err.code, limit: err.message.includes("larger than") }).toEqual({ code: "UnsafeArchive", limit: true });
    expect(e.read()).toBeLessThanOrEqual(LIMITS.maxInputBytes + 64 * 1024);
  });

  test("a stored block promising 65,535 bytes that never come is truncated, nothing allocated for it", async () => {
    const err = await catchAam(drain(chunksOf(concatBytes([gzipHeader(), Uint8Array.of(1, 0xff, 0xff, 0, 0, 1, 2, 3)]))));
    expect(err.message).toContain("truncated");
  });

  test("malformed blocks are refused as corrupt gzip, named as zlib names them", async () => {
    const cases: [Uint8Array, string][] = [
      [body(0x07), "invalid block type"], // BFINAL 1, BTYPE 11
      [body(1, 5, 0, 5, 0), "invalid stored block lengths"], // NLEN not the complement of LEN
      [body(0x03, 0x02, 0, 0), "invalid distance too far back"], // fixed code: length 3, distance 1, before any output
      // Dynamic: HLIT 0, HDIST 0, HCLEN 0 (4 lengths: 16, 17, 18, 0 of 3 bits): one code of length 1
      // among them is an incomplete code-length code, which zlib refuses (fflate reads it).
      [body(0x05, 0x00, 0x02, 0x00, 0x00), "invalid code lengths set"],
    ];
    for (const [gz, why] of cases) {
      const err = await catchAam(drain(chunksOf(gz)));
      expect({ code: err.code, message: err.message }).toEqual({ code: "UnsafeArchive", message: `Cannot read archive: the gzip data is corrupt (${why})` });
    }
  });
});
