/** `aam doctor`, and the refusal of a private key file other users can read. */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aam, RUNTIMES, tempDir, removeDir, makePackage, type RuntimeName } from "../helpers.ts";

describe.each(RUNTIMES)("doctor under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir, env: { AAM_PASSPHRASE: "d" } });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  test("reports a healthy setup as ok and a group-readable key file as a failure with its fix", () => {
    run(["registry", "init", "reg", "--default"]);
    run(["key", "generate"]);
    const ok = run(["doctor", "--json"]);
    expect(ok.code).toBe(0);
    const checks = JSON.parse(ok.stdout).checks;
    expect(checks.find((c: { check: string }) => c.check === "registry reg").status).toBe("ok");

    const keyDir = join(dir, ".aam", "keys");
    const keyFile = join(keyDir, readdirSync(keyDir).find((f) => f.endsWith(".key"))!);
    chmodSync(keyFile, 0o644);
    const bad = run(["doctor", "--json"]);
    expect(bad.code).toBe(1);
    const fail = JSON.parse(bad.stdout).checks.find((c: { status: string }) => c.status === "fail");
    expect(fail.fix).toContain("chmod 600");

    makePackage(join(dir, "p"), "d", "1.0.0");
    const sign = run(["pkg", "publish", "p", "--sign"]);
    expect(sign.code).toBe(1);
    expect(sign.stderr).toContain("chmod 600");
  });
});
