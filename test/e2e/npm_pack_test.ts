/**
 * The npm package as a user gets it: `npm pack` (its prepack and prepare scripts included) in a copy
 * of this working tree, the tarball installed into a fresh project outside the repository, then
 * `npx aam --version`, a signed package published and verified by the installed CLI, and a
 * TypeScript file importing the library API type-checked with `tsc --noEmit` against the shipped
 * declarations. The tarball must hold exactly what runs: the JS files reachable from the bin and the
 * export, the declarations reachable from the types entry, README and package.json.
 */
import { test, expect } from "bun:test";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { reachableFiles as reachable } from "../../scripts/reachable.mjs";
import { ROOT, run, tempDir, removeDir, makePackage, writeFiles } from "../helpers.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** This working tree's files as git sees them (tracked and new, not ignored), copied to `dest`. */
function copyWorkingTree(dest: string): void {
  const ls = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT });
  expect(ls.code).toBe(0);
  for (const rel of ls.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(ROOT, rel))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    cpSync(join(ROOT, rel), join(dest, rel));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dest, "node_modules"));
}

const CHECK_TS = `import { AamError, packDirectory, verifyPackage, type TrustPolicy, type VerifyReport } from "aam";

const policy: TrustPolicy = {
  trustedKeys: [], revokedKeys: [], trustedIdentities: [], allowedIssuers: [],
  signingDelegates: {}, requireSignature: false, onSignatureFailure: "error",
};
const packed = await packDirectory("./p");
export const checksum: string = packed.checksum;
// @ts-expect-error: a checksum is a string: the declarations are real types, not \`any\`
export const wrong: number = packed.checksum;
export async function check(sigText: string): Promise<VerifyReport["outcome"]> {
  try {
    const r = await verifyPackage({ name: "@a/b", version: "1.0.0", archive: packed.bytes, sigText, files: { archive: "a", sig: "s" } }, policy);
    return r.outcome;
  } catch (e) {
    if (e instanceof AamError) console.error(e.code, e.exitCode);
    throw e;
  }
}
`;

test("npm pack ships exactly what runs, with declarations; the tarball installs, runs, verifies and type-checks", () => {
  const dir = tempDir("aam-npm-pack-");
  try {
    const repo = join(dir, "repo");
    copyWorkingTree(repo);
    const packed = run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: repo });
    expect(packed.code).toBe(0);
    const [info] = JSON.parse(packed.stdout);
    const files: string[] = info.files.map((f: { path: string }) => f.path).sort();

    // Exactly what is needed: no stray build outputs (dist/aam, stale chunks), every file reached.
    expect(files).not.toContain("dist/aam");
    const pkgDir = join(dir, "unpacked");
    mkdirSync(pkgDir);
    expect(run("tar", ["-xzf", join(dir, info.filename), "-C", pkgDir, "--strip-components=1"]).code).toBe(0);
    const js = reachable(pkgDir, [pkg.bin.aam, pkg.exports["."].default].map((p: string) => posix.normalize(p)));
    const dts = reachable(pkgDir, [posix.normalize(pkg.exports["."].types)]);
    expect(js.has("dist/deflate_worker.js")).toBe(true);
    expect(files).toEqual([...js, ...dts, "README.md", "package.json"].sort());
    expect(posix.normalize(pkg.types)).toBe(posix.normalize(pkg.exports["."].types));

    // A fresh project outside the repository; dependencies from the npm cache, else the registry.
    const proj = join(dir, "proj");
    const home = join(dir, "home");
    mkdirSync(home);
    writeFiles(proj, { "package.json": JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }) });
    const inst = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(dir, info.filename)], { cwd: proj });
    expect(inst.code).toBe(0);

    // npm_config_yes=false: npx must run the installed bin, never fetch a package named aam.
    const env = { HOME: home, AAM_HOME: join(home, ".aam"), AAM_PASSPHRASE: "pack-test", NO_COLOR: "1", npm_config_yes: "false" };
    const npx = (args: string[]) => run("npx", ["aam", ...args], { cwd: proj, env });
    const v = npx(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);

    makePackage(join(proj, "p"), "@packed/skill", "1.0.0");
    expect(npx(["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(npx(["key", "generate"]).code).toBe(0);
    expect(npx(["pkg", "publish", "p", "--sign"]).code).toBe(0);
    const ok = npx(["verify", "@packed/skill", "--require-signature", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).results[0].outcome).toBe("verified");

    // The library API from TypeScript: strict, nodenext resolution through the "types" condition,
    // declarations checked too (no skipLibCheck).
    writeFileSync(join(proj, "check.ts"), CHECK_TS);
    writeFileSync(join(proj, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: false,
        types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")],
      },
      files: ["check.ts"],
    }));
    const tsc = run("node", [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", proj, "--noEmit"], { cwd: proj });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  } finally {
    removeDir(dir);
  }
}, 300_000);
