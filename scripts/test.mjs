// Runs the whole suite: builds dist/ (the Node bin the e2e tests drive), then `bun test` over the unit
// tests beside the code and the end-to-end tests in test/e2e/ (under the machine's Node, Bun and
// Deno), then the CLI subset below again under Node 22, 24 and 26 (scripts/test_nodes.mjs). Ends with
// one line: `N passed, N failed`. With file arguments only those run, on the machine's Node.
// AAM_TEST_NODES=22,24 picks the extra Node versions (empty: none).
import { spawnSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { installNode } from "./test_nodes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

// The end-to-end tests that drive the CLI broadly, rerun under each extra Node (~1.5 min each).
const NODE_SUBSET = [
  "node_version", "core_flow", "signing", "offline", "openpgp", "attacks_small", "attacks_bounds",
  "remote_registry", "sigstore", "doctor", "ux", "library_api",
].map((n) => `test/e2e/${n}_test.ts`);

const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

/** `bun test` with its output passed through; resolves to its pass and fail counts. */
function bunTest(files, env = {}) {
  const args = ["test", "--timeout", "120000", ...files];
  const child = spawn(bin("bun"), args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", ...env } });
  let tail = "";
  const keep = (chunk) => {
    tail = (tail + chunk.toString()).slice(-20000);
  };
  child.stdout.on("data", (d) => {
    process.stdout.write(d);
    keep(d);
  });
  child.stderr.on("data", (d) => {
    process.stderr.write(d);
    keep(d);
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      const pass = /^\s*(\d+) pass\s*$/m.exec(tail);
      const fail = /^\s*(\d+) fail\s*$/m.exec(tail);
      const passed = pass ? Number(pass[1]) : 0;
      let failed = fail ? Number(fail[1]) : 0;
      if ((code !== 0 && failed === 0) || passed === 0) failed = Math.max(failed, 1); // load error, crash
      resolve({ passed, failed });
    });
  });
}

const userFiles = process.argv.slice(2);
const totals = await bunTest(userFiles);
const majors = (process.env.AAM_TEST_NODES ?? (userFiles.length ? "" : "22,24,26")).split(",").filter(Boolean);
for (const major of majors) {
  const started = Date.now();
  let node;
  try {
    node = installNode(major);
  } catch (e) {
    console.error(`Node ${major}: ${e.message}`);
    totals.failed++;
    continue;
  }
  console.error(`\n== CLI end-to-end subset under Node ${node.version} (${node.binDir}) ==`);
  const r = await bunTest(NODE_SUBSET, {
    PATH: `${node.binDir}:${process.env.PATH ?? ""}`,
    AAM_TEST_RUNTIMES: "node",
    AAM_TEST_NODE_MAJOR: major,
    AAM_TEST_NODE_VERSION: node.version,
  });
  console.error(`== Node ${node.version}: ${r.passed} passed, ${r.failed} failed in ${((Date.now() - started) / 60000).toFixed(1)} min ==`);
  totals.passed += r.passed;
  totals.failed += r.failed;
}
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
