import { describe, expect, test } from "bun:test";
import { gunzipSync, gzipSync } from "fflate";
import { GunzipDecoder, GzipEncoder, GZIP_OS_BYTE, gunzipChunks, gzipBytes, type GunzipLimits } from "./gzip.ts";
import { chunksOf, lazyZeroBomb } from "./_hostile_test_helpers.ts";
import { catchAam } from "../testing.ts";

const BIG: GunzipLimits = { maxInputBytes: 1 << 30, maxOutputBytes: 1 << 30 };

function sample(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    // half text-like, half noise: compressible but not trivially
    out[i] = i % 3 === 0 ? x >>> 24 : 97 + (i % 26);
  }
  return out;
}

async function gunzipAll(input: AsyncIterable<Uint8Array>, limits = BIG): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of gunzipChunks(input, limits)) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}


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

describe("gunzipChunks()", () => {
  test("round-trips data fed in chunks of any size", async () => {
    const data = sample(150_000, 3);
    const gz = gzipBytes(data);
    for (const size of [1, 7, 512, 8192, 1 << 20]) {
      expect(await gunzipAll(chunksOf(gz, size))).toEqual(data);
    }
  });

  test("reads gzip written by other tools, with a file name and comment in the header", async () => {
    const data = sample(10_000, 9);
    const gz = gzipSync(data, { filename: "pkg.tar", mtime: 1_700_000_000_000 });
    expect(await gunzipAll(chunksOf(gz, 3))).toEqual(data);
  });

  test("reads an empty stream's gzip", async () => {
    expect((await gunzipAll(chunksOf(gzipBytes(new Uint8Array(0))))).length).toBe(0);
  });

  test("throws UnsafeArchive for input that is not gzip, or empty", async () => {
    expect((await catchAam(gunzipAll(chunksOf(new TextEncoder().encode("PK\u0003\u0004 zip"))))).code).toBe("UnsafeArchive");
    expect((await catchAam(gunzipAll(chunksOf(new Uint8Array(0))))).code).toBe("UnsafeArchive");
  });

  test("throws UnsafeArchive for every truncation of a valid stream", async () => {
    const gz = gzipBytes(sample(5000, 5));
    for (let cut = 0; cut < gz.length; cut += cut < 40 ? 1 : 37) {
      const err = await catchAam(gunzipAll(chunksOf(gz.subarray(0, cut), 64)));
      expect(err.code).toBe("UnsafeArchive");
    }
    // the last byte alone missing is caught too
    expect((await catchAam(gunzipAll(chunksOf(gz.subarray(0, gz.length - 1))))).code).toBe("UnsafeArchive");
  });

  test("throws UnsafeArchive when the trailer's CRC-32 or length is wrong", async () => {
    const gz = gzipBytes(sample(5000, 6));
    for (const at of [gz.length - 8, gz.length - 1]) {
      const bad = gz.slice();
      bad[at] ^= 0x01;
      expect((await catchAam(gunzipAll(chunksOf(bad))))).toMatchObject({ code: "UnsafeArchive" });
    }
  });

  test("throws UnsafeArchive for data after the gzip stream and for a second member", async () => {
    const gz = gzipBytes(sample(5000, 8));
    const junk = new Uint8Array([...gz, 1, 2, 3]);
    expect((await catchAam(gunzipAll(chunksOf(junk)))).code).toBe("UnsafeArchive");
    const lots = new Uint8Array(gz.length + 100_000).fill(7);
    lots.set(gz);
    expect((await catchAam(gunzipAll(chunksOf(lots, 1 << 20))))).toMatchObject({ code: "UnsafeArchive" });
    const twoMembers = new Uint8Array([...gz, ...gz]);
    expect((await catchAam(gunzipAll(chunksOf(twoMembers))))).toMatchObject({ code: "UnsafeArchive" });
  });

  test("throws UnsafeArchive for input over maxInputBytes", async () => {
    const gz = gzipBytes(sample(50_000, 2));
    const err = await catchAam(gunzipAll(chunksOf(gz), { maxInputBytes: 1000, maxOutputBytes: 1 << 30 }));
    expect(err.code).toBe("UnsafeArchive");
  });

  test("stops a 1 GiB gzip bomb at maxOutputBytes without inflating the rest", async () => {
    const bomb = lazyZeroBomb(new Uint8Array(0), 1 << 30);
    let produced = 0;
    const err = await catchAam(
      (async () => {
        for await (const c of gunzipChunks(bomb.stream, { maxInputBytes: 1 << 30, maxOutputBytes: 8 << 20 })) {
          produced += c.length;
        }
      })(),
    );
    expect(err.code).toBe("UnsafeArchive");
    expect(produced).toBeLessThanOrEqual(8 << 20);
    // ~1 KiB of compressed zeros inflates to ~1 MiB: only a sliver of the ~1 MiB bomb was read.
    expect(bomb.stats.inputBytes).toBeLessThan(256 * 1024);
  });
});

describe("GunzipDecoder", () => {
  test("never holds more than one slice of output beyond the limit", () => {
    const gz = gzipSync(new Uint8Array(20 << 20), { mtime: 0 });
    let biggest = 0;
    const dec = new GunzipDecoder({ maxInputBytes: 1 << 30, maxOutputBytes: 1 << 30 }, (c) => {
      biggest = Math.max(biggest, c.length);
    });
    dec.push(gz);
    dec.end();
    expect(dec.outputBytes).toBe(20 << 20);
    // one 16 KiB slice inflates to at most ~16.5 MiB; the 20 MiB never arrives in one piece
    expect(biggest).toBeLessThan(17 << 20);
  });
});
