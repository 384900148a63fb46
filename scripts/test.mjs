// Runs the whole suite: builds dist/ (the Node bin the e2e tests drive), then `bun test` over the unit
// tests beside the code and the end-to-end tests in test/e2e/. Ends with one line: `N passed, N failed`.
import { spawnSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const args = ["test", "--timeout", "120000", ...process.argv.slice(2)];
const child = spawn(bin("bun"), args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
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
child.on("close", (code) => {
  const pass = /^\s*(\d+) pass\s*$/m.exec(tail);
  const fail = /^\s*(\d+) fail\s*$/m.exec(tail);
  const passed = pass ? Number(pass[1]) : 0;
  let failed = fail ? Number(fail[1]) : 0;
  if (code !== 0 && failed === 0) failed = 1; // the runner itself failed (load error, crash)
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
});
