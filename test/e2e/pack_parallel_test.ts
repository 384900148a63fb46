/** `aam pkg pack` of a package large enough to deflate on worker threads (src/archive/deflate_parallel.ts). */
import { test, expect } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { aam, tempDir, removeDir, makePackage, run, RUNTIMES, ROOT } from "../helpers.ts";

/** ~3 MiB: text, noise and repeats, so every kind of deflate block occurs. */
function writeData(dir: string): void {
  mkdirSync(join(dir, "data"), { recursive: true });
  let x = 1;
  for (let f = 0; f < 12; f++) {
    const b = new Uint8Array(256 * 1024 + f * 977);
    for (let i = 0; i < b.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      b[i] = f % 3 === 0 ? x >>> 24 : f % 3 === 1 ? 97 + ((i * 7) % 26) : (x >>> 28) + 48;
    }
    writeFileSync(join(dir, "data", `f${f}.bin`), b);
  }
}

test("a 3 MiB package packs to byte-identical, standard gzip under Node, Bun and Deno, with or without workers", () => {
  const dir = tempDir();
  try {
    makePackage(join(dir, "pkg"), "@acme/large", "1.0.0");
    writeData(join(dir, "pkg"));
    const pack = (rt: (typeof RUNTIMES)[number], out: string, denoPerms?: string[]) => {
      const r = aam(rt, ["pkg", "pack", "pkg", "--output", out, "--json"], { cwd: dir, home: dir, denoPerms });
      expect(r.code).toBe(0); // and it exited: finished workers do not keep a process alive
      return JSON.parse(r.stdout).checksum as string;
    };
    const sums = RUNTIMES.map((rt) => pack(rt, `out-${rt}.aam`));
    // README's permissions for `pkg *`; then read access to the package and output only: Deno may
    // not read the worker module, so pack deflates on the main thread, to the same bytes.
    sums.push(pack("deno", "out-deno-pkg.aam", ["--allow-read", "--allow-write", "--allow-env"]));
    sums.push(pack("deno", "out-deno-narrow.aam", [`--allow-read=${dir}`, `--allow-write=${dir}`, "--allow-env"]));
    expect(new Set(sums).size).toBe(1);

    const archive = join(dir, "out-node.aam");
    expect(gunzipSync(readFileSync(archive)).length).toBeGreaterThan(3 * 1024 * 1024);
    const t = run("gzip", ["-t", archive]);
    expect(t.code).toBe(0);
    const listed = run("tar", ["-tzf", archive]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("data/f11.bin");
  } finally {
    removeDir(dir);
  }
});

test("the Node bundle points its code at the deflate worker it ships", () => {
  // A wrong path would not fail pack, only slow it down (it falls back to the main thread): check it.
  const files = ["cli.js", "index.js", ...readdirSync(join(ROOT, "dist", "chunks")).map((f) => `chunks/${f}`)];
  const refs = files.flatMap((f) => {
    const m = /new URL\(true \? "([^"]+)"/.exec(readFileSync(join(ROOT, "dist", f), "utf8"));
    return m ? [resolve(dirname(join(ROOT, "dist", f)), m[1])] : [];
  });
  expect([...new Set(refs)]).toEqual([join(ROOT, "dist", "deflate_worker.js")]); // older builds' chunks linger an hour
  expect(readFileSync(refs[0], "utf8")).toContain("serveWorker(");
});
