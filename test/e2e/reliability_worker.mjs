// A publisher process for the reliability tests and scripts/crash_trials.ts. It runs the real CLI
// in-process (main() from the library: dist/index.js under Node, src/index.ts under Bun and Deno), so
// one process start serves many publishes and a SIGKILL lands inside publishing, not in start-up.
//
// Usage: <runtime> reliability_worker.mjs '<json>' with
//   {lib, registry, name, versions: ["1.0.0", ...], work, sign?, tagEvery?, warm?: <scratch registry>}
// Writes "ready" once loaded, then "ok <version>" after each publish returns 0, "fail <version> <code>"
// otherwise. Exits 0 after the last version.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const job = JSON.parse(process.argv[2]);
const lib = await import(job.lib);
const say = (s) => process.stdout.write(s + "\n");
// Output of the commands is dropped; errors still go to stderr for the test's log.
const writer = { stdout() {}, stderr: (s) => process.stderr.write(s), stdoutIsTTY: false, stderrIsTTY: false, noColor: true };
const cli = (args) => lib.main(args, writer);

function packageDir(version) {
  const dir = join(job.work, `p-${process.pid}-${version}`);
  mkdirSync(join(dir, "prompts"), { recursive: true });
  writeFileSync(
    join(dir, "aam.yaml"),
    `name: "${job.name}"\nversion: "${version}"\ndescription: "Reliability test"\nartifacts:\n  prompts:\n    - {name: hello, path: prompts/hello.md, description: "Says hello"}\n`,
  );
  writeFileSync(join(dir, "prompts", "hello.md"), `# ${version} from ${process.pid}\n`);
  return dir;
}

// warm: one publish into a throwaway registry first, so every module is loaded before "ready" and the
// kill instants of the crash trials fall into real writes rather than into module loading.
if (job.warm) {
  await cli(["pkg", "publish", packageDir(`0.${process.pid}.0`), "--registry", job.warm, "--quiet", ...(job.sign ? ["--sign"] : [])]);
}
say("ready");
let i = 0;
for (const version of job.versions) {
  const dir = packageDir(version);
  const args = ["pkg", "publish", dir, "--registry", job.registry, "--quiet"];
  if (job.sign) args.push("--sign");
  const code = await cli(args);
  say(code === 0 ? `ok ${version}` : `fail ${version} ${code}`);
  if (job.tagEvery && code === 0 && ++i % job.tagEvery === 0) {
    const t = await cli(["dist-tag", "add", `${job.name}@${version}`, "stable", "--registry", job.registry, "--quiet"]);
    say(t === 0 ? `tag ${version}` : `fail tag ${version} ${t}`);
  }
}
