import { gzipBytes, gunzipChunks } from "../src/archive/gzip.ts";
import { gunzipSync } from "fflate";
const data = new Uint8Array(20 << 20);
for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 97 < 60 ? 32 + (i % 50) : (i * 31) & 255;
let t = performance.now();
const gz = gzipBytes(data);
console.log("gzip", performance.now() - t, gz.length, Array.from(gz.subarray(0, 10)));
const back = gunzipSync(gz);
console.log("fflate sync ok", back.length === data.length && back.every((b, i) => b === data[i]));
async function* src(b: Uint8Array) { for (let i = 0; i < b.length; i += 1 << 20) yield b.subarray(i, i + (1 << 20)); }
t = performance.now();
let n = 0;
for await (const c of gunzipChunks(src(gz), { maxInputBytes: 1e9, maxOutputBytes: 1e9 })) n += c.length;
console.log("gunzip", performance.now() - t, n);
t = performance.now(); gunzipSync(gz); console.log("sync", performance.now() - t);
import { Inflate } from "fflate";
import { crc32 } from "../src/archive/_crc32.ts";
for (const slice of [4096, 16384, 65536, 262144]) {
  t = performance.now(); let m = 0;
  const inf = new Inflate((c) => { m += c.length; });
  const body = gz.subarray(10, gz.length - 8);
  for (let i = 0; i < body.length; i += slice) inf.push(body.subarray(i, i + slice), false);
  inf.push(new Uint8Array(0), true);
  console.log("slice", slice, performance.now() - t, m);
}
t = performance.now(); crc32(data); console.log("crc", performance.now() - t);
