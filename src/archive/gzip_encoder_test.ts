import { describe, expect, test } from "bun:test";
import { gunzipSync } from "fflate";
import { GzipEncoder, GZIP_OS_BYTE, gzipBytes } from "./gzip_encoder.ts";
import { sample } from "../../test/helpers/archive.ts";

describe("gzipBytes()", () => {
  test("writes a fixed header: no mtime, no name, XFL 0, OS byte 3", () => {
    const gz = gzipBytes(new TextEncoder().encode("hello"));
    expect(Array.from(gz.subarray(0, 10))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, GZIP_OS_BYTE]);
    expect(GZIP_OS_BYTE).toBe(3);
  });

  test("gives the same bytes however the input is split across write() calls", () => {
    const data = sample(300_000);
    const whole = gzipBytes(data);
    for (const step of [1000, 4096, 65536, 100_003]) {
      const parts: Uint8Array[] = [];
      const enc = new GzipEncoder((c) => parts.push(c));
      for (let i = 0; i < data.length; i += step) enc.write(data.subarray(i, i + step));
      enc.end();
      const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of parts) joined.set(p, (off += p.length) - p.length);
      expect(whole).toEqual(joined);
    }
  });

  test("output is standard gzip (fflate's one-shot gunzip reads it)", () => {
    const data = sample(200_000, 7);
    expect(gunzipSync(gzipBytes(data)) as Uint8Array).toEqual(data);
  });
});
