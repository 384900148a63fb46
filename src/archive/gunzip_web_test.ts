import { describe, expect, test } from "bun:test";
import { gzipSync } from "fflate";
import type { GunzipLimits } from "./gunzip_decoder.ts";
import { GunzipDecoder } from "./gunzip_decoder.ts";
import { gunzipWholeNative, gunzipWholeWeb, NATIVE_MAX_OUTPUT_BYTES } from "./gunzip_native.ts";
import { inflateRawWeb } from "../runtime/zlib.ts";
import { runtimeName } from "../runtime/detect.ts";
import { gzipBytes } from "./gzip_encoder.ts";
import { sample } from "../../test/helpers/archive.ts";

// gunzipWholeWeb must answer exactly what gunzipWholeNative answers: the data, or null (decline).
const BIG: GunzipLimits = { maxInputBytes: 1 << 30, maxOutputBytes: 1 << 30 };

/** The streaming decoder's verdict: the data, or null when it refuses. */
function streaming(gz: Uint8Array, limits = BIG): Uint8Array | null {
  const parts: Uint8Array[] = [];
  try {
    const dec = new GunzipDecoder(limits, (c) => parts.push(c.slice()));
    dec.push(gz);
    dec.end();
  } catch {
    return null;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const offered = runtimeName === "bun";

describe("gunzipWholeWeb()", () => {
  test("inflates valid archives where the runtime offers it, as the other paths do", async () => {
    for (const data of [new Uint8Array(0), sample(1), sample(12_288, 4), sample(300_000, 5)]) {
      const gz = gzipBytes(data);
      const web = await gunzipWholeWeb(gz, BIG);
      if (offered) expect(web).toEqual(data);
      else expect(web).toBeNull();
      expect(gunzipWholeNative(gz, BIG)).toEqual(data);
    }
  });

  test("declines truncation, corruption and trailing data: never accepts what the streaming decoder refuses", async () => {
    const gz = gzipSync(sample(5000, 11), { level: 6, mtime: 0 });
    const cases: Uint8Array[] = [new Uint8Array(0), new Uint8Array([...gz, ...gz]), new Uint8Array([...gz, 0])];
    for (let cut = 0; cut < gz.length; cut += cut < 40 ? 1 : 97) cases.push(gz.subarray(0, cut));
    for (let at = 0; at < gz.length; at += at < 24 || (at >= 60 && at < 120) ? 1 : 17) {
      for (const bit of [0x01, 0x10, 0x80]) {
        const bad = gz.slice();
        bad[at] ^= bit;
        cases.push(bad);
      }
    }
    let accepted = 0;
    for (const c of cases) {
      const web = await gunzipWholeWeb(c, BIG);
      if (web === null) continue;
      accepted++;
      expect(web).toEqual(streaming(c)!); // accepted: the streaming decoder accepts it too, with the same bytes
    }
    // Flips in the header's unchecked fields (mtime, OS) keep a valid archive: only those may pass.
    expect(accepted).toBeLessThan(cases.length / 10);
  });

  test("inflateRawWeb refuses data after the stream's end and a truncated stream", async () => {
    const gz = gzipBytes(sample(4000, 3));
    const body = gz.subarray(10, gz.length - 8); // gzipBytes writes a 10-byte header
    const ok = await inflateRawWeb(body, 1 << 20);
    if (!offered) return expect(ok).toBeNull();
    expect(ok).not.toBeNull();
    expect(await inflateRawWeb(new Uint8Array([...body, 0, 1, 2, 3]), 1 << 20)).toBeNull();
    expect(await inflateRawWeb(body.subarray(0, body.length - 1), 1 << 20)).toBeNull();
    expect(await inflateRawWeb(body.subarray(0, body.length >> 1), 1 << 20)).toBeNull();
  });

  test("stops at the output cap: a bomb is declined, not inflated", async () => {
    const zeros = gzipSync(new Uint8Array(NATIVE_MAX_OUTPUT_BYTES + (64 << 10)), { mtime: 0 });
    expect(await gunzipWholeWeb(zeros, BIG)).toBeNull();
    // Within the cap but over the caller's limit: declined too.
    const small = gzipSync(new Uint8Array(100_000), { mtime: 0 });
    expect(await gunzipWholeWeb(small, { maxInputBytes: 1 << 30, maxOutputBytes: 99_999 })).toBeNull();
    if (offered) expect(await gunzipWholeWeb(small, { maxInputBytes: 1 << 30, maxOutputBytes: 100_000 })).toEqual(new Uint8Array(100_000));
  });
});
