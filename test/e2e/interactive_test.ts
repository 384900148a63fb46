/** Prompts on a real terminal (a pty from script(1)): pkg init's questions and a confirmed hidden passphrase. */
import { describe, test, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { command, RUNTIMES, tempDir, removeDir, run, type RuntimeName } from "../helpers.ts";

const hasScript = run("sh", ["-c", "command -v script"]).code === 0;

describe.each(RUNTIMES)("prompts on a terminal under %s", (rt: RuntimeName) => {
  test.skipIf(!hasScript)("pkg init asks each question and key generate takes a confirmed passphrase, typed ahead", () => {
    const dir = tempDir();
    try {
      const cli = command(rt).map((a) => `'${a}'`).join(" ");
      const env = { HOME: dir, AAM_HOME: join(dir, ".aam"), NO_COLOR: "1" };
      const init = run("script", ["-qec", `${cli} pkg init thing`, "/dev/null"], { cwd: dir, input: "@me/typed\n2.0.0\nTyped in\nme\n", env });
      expect(init.code).toBe(0);
      const manifest = readFileSync(join(dir, "thing", "aam.yaml"), "utf8");
      expect(manifest).toContain('name: "@me/typed"');
      expect(manifest).toContain('version: "2.0.0"');
      const gen = run("script", ["-qec", `${cli} key generate --name t`, "/dev/null"], { cwd: dir, input: "s3cret-pass\ns3cret-pass\n", env });
      expect(gen.stdout).toContain("fingerprint:");
      const key = run("sh", ["-c", "cat .aam/keys/*.key"], { cwd: dir });
      expect(JSON.parse(key.stdout).encryption.kdf).toBe("scrypt");
      const mismatch = run("script", ["-qec", `${cli} key generate --name u`, "/dev/null"], { cwd: dir, input: "one\ntwo\n", env });
      expect(mismatch.stdout).toContain("error[UsageError]");
    } finally {
      removeDir(dir);
    }
  });
});
