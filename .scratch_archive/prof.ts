import { fs } from "../src/runtime/index.ts";
import { packDirectory, gzipBytes } from "../src/archive/index.ts";
const big = await fs.makeTempDir("aam-prof-");
await fs.writeFileAtomic(fs.path.join(big, "aam.yaml"), "name: big\nversion: 1.0.0\n");
let x = 12345; let total = 0;
const all: Uint8Array[] = [];
for (let d = 0; d < 40; d++) {
  await fs.mkdirp(fs.path.join(big, `dir${d}`));
  for (let f = 0; f < 50; f++) {
    const n = 10_000 + ((d * 50 + f) * 7919) % 1000;
    const buf = new Uint8Array(n);
    for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; buf[i] = i % 4 === 0 ? x >>> 24 : 97 + ((x >>> 16) % 26); }
    all.push(buf); total += n;
    await fs.writeFileAtomic(fs.path.join(big, `dir${d}`, `file${f}.md`), buf);
  }
}
const cat = new Uint8Array(total); let o = 0; for (const b of all) { cat.set(b, o); o += b.length; }
for (let k = 0; k < 3; k++) {
  let t = performance.now(); gzipBytes(cat); const g = performance.now() - t;
  t = performance.now(); await packDirectory(big); const p = performance.now() - t;
  t = performance.now(); for (let i = 0; i < 40; i++) for (let f = 0; f < 50; f++) await fs.readFile(fs.path.join(big, `dir${i}`, `file${f}.md`)); const r = performance.now() - t;
  console.log(`gzip-only=${g.toFixed(0)} pack=${p.toFixed(0)} seqread=${r.toFixed(0)}`);
}
await fs.remove(big);
