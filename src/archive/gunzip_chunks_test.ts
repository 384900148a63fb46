import { concatBytes } from "../encoding/bytes.ts";
import { beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "fflate";
import { GunzipDecoder, type GunzipLimits } from "./gunzip_decoder.ts";
import { OUTPUT_BYTES } from "./_inflate.ts";
import { gunzipChunks } from "./gunzip_chunks.ts";
import { gunzipWholeNative, NATIVE_MAX_INPUT_BYTES, NATIVE_MAX_OUTPUT_BYTES } from "./gunzip_native.ts";
import { NATIVE_AFTER_BYTES } from "./_gunzip_native_policy.ts";
import { gzipBytes } from "./gzip_encoder.ts";
import { chunksOf, gz, HOSTILE, lazyZeroBomb, MANIFEST, reusedChunksOf, sample, tarOf } from "../../test/helpers/archive.ts";
import { readArchive } from "./tar_read.ts";
import { AamError } from "../errors.ts";
import { catchAam } from "../../test/helpers/errors.ts";

const BIG: GunzipLimits = { maxInputBytes: 1 << 30, maxOutputBytes: 1 << 30 };

async function gunzipAll(input: AsyncIterable<Uint8Array>, limits = BIG): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  // Each piece is a view of the decoder's reused buffer, valid until the next is asked for.
  for await (const c of gunzipChunks(input, limits)) parts.push(c.slice());
  return concatBytes(parts);
}


describe("gunzipChunks()", () => {
  test("round-trips data fed in chunks of any size", async () => {
    const data = sample(150_000, 3);
    const gz = gzipBytes(data);
    for (const size of [1, 7, 512, 8192, 1 << 20]) {
      expect(await gunzipAll(chunksOf(gz, size))).toEqual(data);
    }
  });

  test("keeps no view of an input chunk past the next read (a reused read buffer)", async () => {
    const data = sample(300_000, 5);
    for (const gzd of [gzipBytes(data), gzipSync(data, { filename: "a-long-file-name.tar", mtime: 0 })]) {
      for (const size of [1, 5, 9, 4096, 16 * 1024, 64 * 1024, 100_000]) {
        expect(await gunzipAll(reusedChunksOf(gzd, size))).toEqual(data);
      }
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
  test("hands out output in pieces of at most OUTPUT_BYTES, views of one reused buffer", () => {
    const gz = gzipSync(new Uint8Array(20 << 20), { mtime: 0 });
    let biggest = 0;
    const buffers = new Set<ArrayBufferLike>();
    const dec = new GunzipDecoder({ maxInputBytes: 1 << 30, maxOutputBytes: 1 << 30 }, (c) => {
      biggest = Math.max(biggest, c.length);
      buffers.add(c.buffer);
    });
    dec.push(gz);
    dec.end();
    expect(dec.outputBytes).toBe(20 << 20);
    expect(biggest).toBeLessThanOrEqual(OUTPUT_BYTES);
    expect(biggest).toBeGreaterThan(OUTPUT_BYTES / 2);
    expect(buffers.size).toBe(1); // nothing allocated per piece
  });

  test("pull mode: read() hands out the output of each push, then null", () => {
    const data = sample(200_000, 21);
    const gzd = gzipBytes(data);
    const dec = new GunzipDecoder(BIG);
    const parts: Uint8Array[] = [];
    for (let off = 0; off < gzd.length; off += 3000) {
      dec.push(gzd.subarray(off, off + 3000));
      for (let c = dec.read(); c !== null; c = dec.read()) parts.push(c.slice());
    }
    dec.end();
    const out: Uint8Array = concatBytes(parts);
    expect(out).toEqual(data);
  });
});

describe("gunzipChunks() native fast path (a whole archive in one small chunk)", () => {
  // The fast path starts once the process has read NATIVE_AFTER_BYTES of gzip: read that much first.
  beforeAll(async () => {
    const warm = gzipBytes(sample(NATIVE_AFTER_BYTES * 2, 14)); // (mostly incompressible thirds)
    let n = 0;
    while (n < NATIVE_AFTER_BYTES) {
      await gunzipAll(chunksOf(warm, 4096));
      n += warm.length;
    }
  });

  // Two chunks force the streaming decoder; one chunk lets gunzipWholeNative try first.
  async function* whole(b: Uint8Array): AsyncGenerator<Uint8Array> {
    yield b;
  }
  async function* split(b: Uint8Array): AsyncGenerator<Uint8Array> {
    yield b.subarray(0, 1);
    yield b.subarray(1);
  }
  type Outcome = { ok: true; out: Uint8Array } | { ok: false; code: string; message: string; entry?: unknown };
  async function outcome(p: Promise<Uint8Array>): Promise<Outcome> {
    try {
      return { ok: true, out: await p };
    } catch (e) {
      const err = e as AamError;
      if (!(err instanceof AamError)) throw e;
      return { ok: false, code: err.code, message: err.message, entry: err.details.entry };
    }
  }
  /** Both paths over the same bytes: the same output or the same error. */
  async function expectSame(gz: Uint8Array, limits = BIG): Promise<Outcome> {
    const fast = await outcome(gunzipAll(whole(gz), limits));
    const slow = await outcome(gunzipAll(split(gz), limits));
    expect(fast).toEqual(slow);
    return fast;
  }

  test("is taken for a valid archive, and answers what the streaming decoder answers", async () => {
    for (const data of [new Uint8Array(0), sample(1), sample(12_288, 4), sample(300_000, 5)]) {
      const gz = gzipBytes(data);
      expect(gunzipWholeNative(gz, BIG)).toEqual(data); // not null: the fast path really runs here
      expect(await expectSame(gz)).toEqual({ ok: true, out: data });
    }
    // It is what gunzipChunks uses: the whole output comes in one piece.
    const parts: Uint8Array[] = [];
    for await (const c of gunzipChunks(whole(gzipBytes(sample(300_000, 5))), BIG)) parts.push(c.slice());
    expect(parts.length).toBe(1);
    // Headers with a name, comment and extra field, as other tools write them.
    const named = gzipSync(sample(5000, 9), { filename: "pkg.tar", mtime: 1_700_000_000_000 });
    expect(gunzipWholeNative(named, BIG)).not.toBeNull();
    await expectSame(named);
  });

  test("declines, leaving the error to the streaming decoder, for truncation, corruption and trailing data", async () => {
    const gz = gzipSync(sample(5000, 11), { level: 6, mtime: 0 });
    const cases: Uint8Array[] = [new Uint8Array(0), new TextEncoder().encode("PK\u0003\u0004 zip"), new Uint8Array([...gz, ...gz]), new Uint8Array([...gz, 0])];
    for (let cut = 0; cut < gz.length; cut += cut < 40 ? 1 : 97) cases.push(gz.subarray(0, cut));
    // Bit flips in the header, the deflate body and the trailer; bytes 60-119 (the Huffman tables)
    // take every bit, as fflate accepts a few tables zlib refuses.
    for (let at = 0; at < gz.length; at += at < 24 || (at >= 60 && at < 120) ? 1 : 17) {
      for (const bit of at >= 60 && at < 120 ? [1, 2, 4, 8, 16, 32, 64, 128] : [0x01, 0x10, 0x80]) {
        const bad = gz.slice();
        bad[at] ^= bit;
        cases.push(bad);
      }
    }
    let refused = 0;
    for (const c of cases) {
      const r = await expectSame(c);
      const native = gunzipWholeNative(c, BIG);
      if (!r.ok) {
        refused++;
        expect(r.code).toBe("UnsafeArchive");
        expect(native).toBeNull();
      } else {
        // The streaming decoder refuses what zlib refuses (incomplete Huffman codes too, which
        // fflate read): whatever it accepts, the native path accepts as well.
        expect(native).toEqual(r.out);
      }
    }
    expect(refused).toBeGreaterThan(cases.length / 2);
  });

  test("agrees with the streaming decoder over the hostile-archive corpus", async () => {
    for (const h of HOSTILE) {
      const archive = gz(tarOf([MANIFEST, ...h.parts], h.end !== false));
      const read = (chunks: AsyncIterable<Uint8Array>) =>
        outcome(readArchive(chunks, { entry: () => undefined }).then(() => new Uint8Array(0)));
      const fast = await read(whole(archive));
      expect(fast).toEqual(await read(split(archive)));
      expect(fast).toMatchObject({ ok: false, code: "UnsafeArchive" });
    }
  });

  test("falls back to streaming past NATIVE_MAX_OUTPUT_BYTES, so a bomb is still cut off at the limit", async () => {
    const zeros = gzipSync(new Uint8Array(NATIVE_MAX_OUTPUT_BYTES + (64 << 10)), { mtime: 0 }); // ~8 KiB of gzip
    expect(zeros.length).toBeLessThan(NATIVE_MAX_INPUT_BYTES);
    expect(gunzipWholeNative(zeros, BIG)).toBeNull();
    // Under the limit: inflated in full by the streaming decoder.
    expect((await expectSame(zeros)) as { out: Uint8Array }).toMatchObject({ ok: true });
    // Over a limit below the cap, or between the cap and the output: the same gzip-bomb refusal.
    for (const maxOutputBytes of [1 << 20, NATIVE_MAX_OUTPUT_BYTES + 1]) {
      const r = await expectSame(zeros, { maxInputBytes: 1 << 30, maxOutputBytes });
      expect(r).toMatchObject({ ok: false, code: "UnsafeArchive" });
    }
    // Input over maxInputBytes: refused before anything is inflated.
    expect(await expectSame(zeros, { maxInputBytes: 100, maxOutputBytes: 1 << 30 })).toMatchObject({ ok: false, code: "UnsafeArchive" });
  });

  test("output within the limit but over it by one byte is refused on both paths", async () => {
    const data = sample(10_000, 12);
    const gz = gzipBytes(data);
    expect(await expectSame(gz, { maxInputBytes: 1 << 30, maxOutputBytes: data.length })).toEqual({ ok: true, out: data });
    expect(await expectSame(gz, { maxInputBytes: 1 << 30, maxOutputBytes: data.length - 1 })).toMatchObject({ ok: false, code: "UnsafeArchive" });
  });

  test("closes its input when the consumer stops early, as `for await` would", async () => {
    const gzd = gzipBytes(sample(200_000, 13));
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < gzd.length; i += 1000) yield gzd.subarray(i, i + 1000);
      } finally {
        closed = true;
      }
    }
    for await (const _ of gunzipChunks(source(), BIG)) break;
    expect(closed).toBe(true);
  });
});
