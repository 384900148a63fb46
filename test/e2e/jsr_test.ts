/**
 * AAM as a JSR package for Deno: deno.json names it, maps the npm dependencies, and
 * `deno publish --dry-run` passes (type check and slow-type check of the public API). A Deno project
 * outside this repository links it (deno.json "links") and imports `jsr:@aam/aam`: its code
 * type-checks against the API and packs a folder to the same checksum as the Node CLI.
 */
import { test, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { aam, ROOT, run, tempDir, removeDir, makePackage, writeFiles } from "../helpers.ts";

const DENO = join(ROOT, "node_modules", ".bin", "deno");
const denoJson = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const env = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

test("deno.json names the package, carries package.json's version and maps every npm dependency at its pinned version", () => {
  expect(denoJson.name).toMatch(/^@[a-z0-9-]+\/aam$/);
  expect(denoJson.version).toBe(pkg.version);
  expect(denoJson.exports["."]).toBe("./src/mod.ts");
  for (const [name, version] of Object.entries(pkg.dependencies)) expect(denoJson.imports[name]).toBe(`npm:${name}@${version}`);
});

test("deno publish --dry-run passes with no slow types, and publishes no tests", () => {
  const r = run(DENO, ["publish", "--dry-run", "--allow-dirty"], { cwd: ROOT, env });
  const out = r.stdout + r.stderr;
  expect(out).toContain("Checking for slow types in the public API");
  expect(out).not.toMatch(/^\s*(error|warning)\b|\[(ERROR|WARNING)\]/im); // diagnostics, not errors.ts
  expect(r.code).toBe(0);
  expect(out).toContain("/src/mod.ts");
  expect(out).toContain("/src/cli.ts");
  expect(out).not.toMatch(/_test\.ts|node_modules|\/test\//);
}, 120_000);

test("a Deno project outside the repository links the package and imports jsr:@aam/aam", () => {
  const dir = tempDir("aam-jsr-");
  try {
    const proj = join(dir, "proj");
    makePackage(join(proj, "p"), "@jsr/linked", "1.0.0");
    writeFiles(proj, {
      "deno.json": JSON.stringify({ links: [ROOT] }),
      "main.ts": `import { AamError, packDirectory, verifyPackage, type TrustPolicy } from "jsr:${denoJson.name}";

const policy: TrustPolicy = {
  trustedKeys: [], revokedKeys: [], trustedIdentities: [], allowedIssuers: [],
  signingDelegates: {}, requireSignature: false, onSignatureFailure: "error",
};
const packed = await packDirectory(Deno.args[0]);
// @ts-expect-error: a checksum is a string: the API is typed, not \`any\`
const wrong: number = packed.checksum;
try {
  await verifyPackage({ name: "@jsr/linked", version: "1.0.0", archive: packed.bytes, expectedChecksum: \`sha256:\${"0".repeat(64)}\`, sigText: null, files: { archive: "a", sig: "s" } }, policy);
} catch (e) {
  if (!(e instanceof AamError)) throw e;
  console.log(JSON.stringify({ checksum: packed.checksum, error: e.code, wrong }));
}
`,
    });
    const check = run(DENO, ["check", "main.ts"], { cwd: proj, env });
    expect(check.stderr).not.toMatch(/^\s*error\b|\[ERROR\]/im);
    expect(check.code).toBe(0);
    const r = run(DENO, ["run", "--quiet", "--allow-read", "--allow-env", "main.ts", "p"], { cwd: proj, env });
    if (r.code !== 0) throw new Error(r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out.error).toBe("TamperedPackage");
    const cli = aam("node", ["pkg", "pack", "p", "--output", join(dir, "p.aam"), "--json"], { cwd: proj, home: dir });
    expect(cli.code).toBe(0);
    expect(out.checksum).toBe(JSON.parse(cli.stdout).checksum);
  } finally {
    removeDir(dir);
  }
}, 180_000);
