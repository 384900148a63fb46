/** The standalone executable (`npm run build:binary`, bun build --compile) verifying offline. */
import { test, expect } from "bun:test";
import { mkdirSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, makePackage, run as sh, ROOT } from "../helpers.ts";

test("the standalone binary verifies and installs offline, from a cache prepared by the Node CLI", () => {
  const dir = tempDir();
  try {
    const bin = join(dir, "aam-bin");
    const build = sh(join(ROOT, "node_modules", ".bin", "bun"), ["build", "--compile", "--minify", join(ROOT, "src", "cli.ts"), "--outfile", bin]);
    expect(build.code).toBe(0);
    const env = { AAM_PASSPHRASE: "b" };
    const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir, env });
    run(["registry", "init", "reg", "--default"]);
    run(["key", "generate"]);
    makePackage(join(dir, "p"), "@bin/pkg", "1.0.0");
    expect(run(["pkg", "publish", "p", "--sign"]).code).toBe(0);
    expect(run(["verify", "--offline-prepare", "@bin/pkg"]).code).toBe(0);
    rmSync(join(dir, "reg"), { recursive: true });

    const home = { HOME: dir, AAM_HOME: join(dir, ".aam"), PATH: "/usr/bin:/bin", NO_COLOR: "1" };
    const v = sh(bin, ["verify", "--offline", "@bin/pkg", "--require-signature", "--json"], { cwd: dir, env: home });
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0].outcome).toBe("verified");
    const proj = join(dir, "proj");
    mkdirSync(proj);
    expect(sh(bin, ["install", "--offline", "@bin/pkg"], { cwd: proj, env: home }).code).toBe(0);
    expect(existsSync(join(proj, ".aam", "packages", "bin--pkg", "aam.yaml"))).toBe(true);
    expect(sh(bin, ["verify", "--offline", "@bin/other"], { cwd: dir, env: home }).code).toBe(16);
  } finally {
    removeDir(dir);
  }
});
