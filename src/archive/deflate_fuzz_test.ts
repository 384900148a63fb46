/**
 * AAM writes its own deflate (pack): every archive it makes must inflate with the decoders other tools
 * use. Random inputs of many shapes (lengths across block boundaries, small and large alphabets, long
 * and short repeats, far copies) through the whole gzip writer, read back by node:zlib and fflate.
 */
import { describe, expect, test } from "bun:test";
import { gunzipSync as fflateGunzip } from "fflate";
import { gunzipSync } from "node:zlib";
import { gzipBytes, GZIP_BLOCK_BYTES } from "./gzip_encoder.ts";
import { prng } from "../../test/helpers/prng.ts";

/** One input: runs of literals from an alphabet of `alphabet` symbols, mixed with copies of earlier bytes. */
function shaped(seed: number): Uint8Array {
  const r = prng(seed);
  const size = Math.floor(r() * r() * (GZIP_BLOCK_BYTES * 2.5));
  const alphabet = 1 + Math.floor(r() * r() * 256);
  const copyRate = r();
  const out = new Uint8Array(size);
  let i = 0;
  while (i < size) {
    if (i > 3 && r() < copyRate) {
      const far = r() < 0.2;
      const dist = 1 + Math.floor(r() * Math.min(i, far ? 40_000 : 300));
      const len = Math.min(size - i, 3 + Math.floor(r() * (r() < 0.1 ? 1000 : 30)));
      for (let k = 0; k < len; k++, i++) out[i] = out[i - dist];
    } else {
      out[i++] = Math.floor(r() * alphabet);
    }
  }
  return out;
}

describe("gzipBytes() against other inflaters", () => {
  test("100 random shapes inflate to the same bytes with node:zlib and fflate", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const data = shaped(seed);
      const gz = gzipBytes(data);
      const viaZlib = new Uint8Array(gunzipSync(gz));
      const viaFflate = fflateGunzip(gz);
      expect({ seed, size: data.length, zlib: viaZlib.length === data.length && Buffer.compare(viaZlib, data) === 0 }).toEqual({ seed, size: data.length, zlib: true });
      expect({ seed, fflate: Buffer.compare(Buffer.from(viaFflate), data) === 0 }).toEqual({ seed, fflate: true });
    }
  }, 120_000);
});
