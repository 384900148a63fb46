/** The registry template's CI script, run locally against a registry made from the template. */
import { test, expect, beforeEach, afterEach } from "bun:test";
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, makePackage, run as sh, ROOT } from "../helpers.ts";

let dir: string;
const env = { AAM_PASSPHRASE: "ci" };
const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir, env });
const ci = () => sh("sh", [join(dir, "reg", ".aam-ci", "verify.sh")], { env: { AAM: `node ${join(ROOT, "dist", "cli.js")}`, AAM_HOME: join(dir, "ci-home"), NO_COLOR: "1" } });

beforeEach(() => {
  dir = tempDir();
  run(["registry", "init", "reg", "--default", "--require-signatures"]);
  run(["key", "generate", "--name", "ci"]);
});
afterEach(() => removeDir(dir));

test("registry init copies the CI workflows, the script and trusted-keys", () => {
  for (const f of [".github/workflows/aam-verify.yml", ".gitlab-ci.yml", ".aam-ci/verify.sh", "trusted-keys", ".gitattributes", "README.md"]) {
    expect(existsSync(join(dir, "reg", f))).toBe(true);
  }
  expect(readFileSync(join(dir, "reg", ".github/workflows/aam-verify.yml"), "utf8")).toContain("verify.sh");
});

test("a good push passes; a signer missing from trusted-keys, an unsigned or a tampered package fails", () => {
  makePackage(join(dir, "p"), "@ci/pkg", "1.0.0");
  expect(run(["pkg", "publish", "p", "--sign"]).code).toBe(0);
  const fp = JSON.parse(run(["key", "list", "--json"]).stdout).keys[0].fingerprint;

  expect(ci().code).not.toBe(0); // nobody is trusted yet
  appendFileSync(join(dir, "reg", "trusted-keys"), `${fp}\n`);
  const good = ci();
  expect(good.stderr).toBe("");
  expect(good.code).toBe(0);

  // An unsigned version slipped in by editing files (the registry itself refuses unsigned publishes).
  writeFileSync(join(dir, "reg", ".env"), "REQUIRE_SIGNATURES=false\n");
  makePackage(join(dir, "p2"), "@ci/pkg", "1.1.0");
  const reg = readFileSync(join(dir, "reg", "registry.yaml"), "utf8");
  writeFileSync(join(dir, "reg", "registry.yaml"), reg.replace("require_signatures: true", "require_signatures: false"));
  expect(run(["pkg", "publish", "p2"]).code).toBe(0);
  expect(ci().code).toBe(13);

  const archive = join(dir, "reg", "packages", "ci--pkg", "1.0.0.aam");
  const b = readFileSync(archive);
  b[b.length - 30] ^= 1;
  writeFileSync(archive, b);
  expect(ci().code).not.toBe(0);
});
