// Packs a fixed sample folder and prints the checksum (cross-runtime determinism check).
import { fs, runtimeName } from "../src/runtime/index.ts";
import { packDirectory, extractArchive, listArchive } from "../src/archive/index.ts";

const tree: Record<string, string | { content: string; mode: number } | null> = {
  "aam.yaml": 'name: "@golden/pkg"\nversion: 1.0.0\ndescription: "Golden"\n',
  "skills/reviewer/SKILL.md": "# Reviewer\n\nReviews things.\n".repeat(20),
  "prompts/café.md": "non-ASCII name\n",
  [`deep/${"d".repeat(120)}/file.md`]: "ustar prefix split\n",
  [`long/${"n".repeat(200)}.md`]: "pax path\n",
  "bin/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  "empty": null,
  ".git/config": "excluded",
  "node_modules/x/index.js": "excluded",
  "dist/golden--pkg-1.0.0.aam": "excluded",
  "old.aam": "excluded",
};
const root = await fs.makeTempDir("aam-det-");
try {
  for (const [rel, spec] of Object.entries(tree)) {
    const abs = fs.path.join(root, ...rel.split("/"));
    if (spec === null) { await fs.mkdirp(abs); continue; }
    await fs.mkdirp(fs.path.dirname(abs));
    await fs.writeFileAtomic(abs, typeof spec === "string" ? spec : spec.content);
    await fs.chmod(abs, typeof spec === "string" ? 0o644 : spec.mode);
  }
  const r = await packDirectory(root);
  const line = [runtimeName, "golden", r.checksum, r.size, r.entries, r.unpackedSize];
  // a bigger folder: 2,000 files, ~20 MiB
  const big = fs.path.join(root, "big");
  await fs.mkdirp(big);
  await fs.writeFileAtomic(fs.path.join(big, "aam.yaml"), "name: big\nversion: 1.0.0\n");
  let x = 12345;
  for (let d = 0; d < 40; d++) {
    await fs.mkdirp(fs.path.join(big, `dir${d}`));
    for (let f = 0; f < 50; f++) {
      const n = 10_000 + ((d * 50 + f) * 7919) % 1000;
      const buf = new Uint8Array(n);
      for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; buf[i] = i % 4 === 0 ? x >>> 24 : 97 + ((x >>> 16) % 26); }
      await fs.writeFileAtomic(fs.path.join(big, `dir${d}`, `file${f}.md`), buf);
    }
  }
  const t0 = performance.now();
  const rb = await packDirectory(big);
  const t1 = performance.now();
  async function* once(b: Uint8Array) { yield b; }
  const ex = await extractArchive(once(rb.bytes), fs.path.join(root, "out"));
  const t2 = performance.now();
  await listArchive(once(rb.bytes));
  const t3 = performance.now();
  console.log(line.join(" "));
  console.log([runtimeName, "big", rb.checksum, rb.size, rb.entries, rb.unpackedSize, `pack=${(t1 - t0).toFixed(0)}ms`, `extract=${(t2 - t1).toFixed(0)}ms`, `list=${(t3 - t2).toFixed(0)}ms`, ex.entries].join(" "));
} finally {
  await fs.remove(root);
}
