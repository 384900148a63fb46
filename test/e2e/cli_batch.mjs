// Runs many AAM commands in one process through the library's main() (dist/index.js under Node,
// src/index.ts under Bun and Deno: the code `aam` runs), so a test matrix pays one runtime start-up
// and one openpgp.js load rather than one per command.
//
// Usage: <runtime> cli_batch.mjs <lib> <commands.json>, where commands.json is [[arg, ...], ...].
// Prints one JSON array, [{code, stdout, stderr}] per command in order; the environment (AAM_HOME,
// HOME, PATH) is the caller's.
import { readFileSync } from "node:fs";
import process from "node:process";

const [lib, commandsFile] = process.argv.slice(2);
const { main } = await import(lib);
const results = [];
for (const args of JSON.parse(readFileSync(commandsFile, "utf8"))) {
  let stdout = "";
  let stderr = "";
  const writer = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), stdoutIsTTY: false, stderrIsTTY: false, noColor: true };
  const code = await main(args, writer);
  results.push({ code, stdout, stderr });
}
process.stdout.write(JSON.stringify(results));
