// Diagnosis for issue 15 item 4 (install of the 49 MiB package peaks ~22 MiB above the 1 MiB one):
// peak RSS of inflating bench-work/archives/big.aam, discarding the output, in a fresh Node process.
//   node scripts/bench/inflate_garbage.mjs [fflate|zlib-reused|alloc|none]
//   bun scripts/bench/inflate_garbage.mjs aam (Bun or Deno: it imports src/archive/_inflate.ts)
// - fflate: fflate's streaming Inflate fed 16 KiB slices, as gunzip_decoder.ts did before AAM's own
//   inflater (src/archive/_inflate.ts, which writes into one reused buffer, as zlib-reused). Every push
//   allocates fresh buffers (input join, output grow, output copy, window copy: ~10× the output);
// - zlib-reused: node:zlib's handle writing into one reused 64 KiB buffer (no per-step allocation);
// - alloc: only the garbage: 64 KiB Uint8Arrays, never kept, as many bytes as fflate allocates.
// Young ArrayBuffer backing stores are freed only when a scavenge runs, and V8 forces one for them
// only past a fixed amount (2 × its default max semi-space: 32 MiB on Node 20 x64), whatever the
// rate: so any inflater that allocates per step peaks ~30-45 MiB higher, and one that reuses its
// buffers stays flat. Run each mode under `/usr/bin/time -f %M`.
import { createRequire } from "node:module";
import { openSync, readSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const mode = process.argv[2] ?? "fflate";
const file = join(import.meta.dirname, "..", "..", "bench-work", "archives", "big.aam");
const fd = openSync(file, "r");
const input = new Uint8Array(16 * 1024);
const read = () => readSync(fd, input, 0, input.length, null);
let out = 0;

if (mode === "fflate") {
  const { Inflate } = require("fflate");
  const inf = new Inflate((c) => {
    out += c.length;
  });
  // The bench archives have a plain 10-byte gzip header (no name, no extra field).
  for (let n = read(), first = true; n > 0; n = read(), first = false) inf.push(input.subarray(first ? 10 : 0, n), false);
  try {
    inf.push(new Uint8Array(0), true); // the gzip trailer is fed as deflate data: ignore the complaint
  } catch {}
} else if (mode === "zlib-reused") {
  const zlib = require("node:zlib");
  const z = zlib.createGunzip();
  const buf = new Uint8Array(64 * 1024);
  for (let n = read(); n > 0; n = read()) {
    for (let off = 0, len = n; ; ) {
      z._handle.writeSync(zlib.constants.Z_NO_FLUSH, input, off, len, buf, 0, buf.length);
      const [availOut, availIn] = z._writeState;
      out += buf.length - availOut;
      off += len - availIn;
      len = availIn;
      if (availOut !== 0) break;
    }
  }
} else if (mode === "aam") {
  const { Inflater } = await import("../../src/archive/_inflate.ts");
  const inf = new Inflater();
  for (let n = read(), first = true; n > 0 && !inf.done; n = read(), first = false) {
    inf.push(input.subarray(first ? 10 : 0, n));
    for (let o = inf.inflate(); o !== null; o = inf.inflate()) out += o.length;
  }
} else if (mode === "alloc") {
  for (let i = 0; i < (540 * 2 ** 20) / 65536; i++) out += new Uint8Array(65536).length;
}
console.log(mode, out);
