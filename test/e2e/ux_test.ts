/**
 * A tool people like to use (issue 9): colour only on a terminal and never with NO_COLOR
 * (no-color.org), and "did you mean" for mistyped commands, subcommands and options.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { aam, command, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";

const ESC = "\x1b";

/** Runs the CLI with exactly `env` (no NO_COLOR unless given), optionally on a pseudo-terminal via script(1). */
function runRaw(rt: RuntimeName, args: string[], o: { cwd: string; home: string; env?: Record<string, string>; tty?: boolean }) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: o.home, AAM_HOME: join(o.home, ".aam"), DENO_NO_UPDATE_CHECK: "1", AAM_PASSPHRASE: "ux", ...o.env };
  const argv = [...command(rt), ...args];
  const r = o.tty
    ? spawnSync("script", ["-qec", argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" "), "/dev/null"], { cwd: o.cwd, env, encoding: "utf8" })
    : spawnSync(argv[0], argv.slice(1), { cwd: o.cwd, env, encoding: "utf8" });
  return { code: r.status ?? 128, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const hasScript = spawnSync("sh", ["-c", "command -v script"]).status === 0;

let dir: string;
beforeAll(() => {
  dir = tempDir("aam-ux-");
  const setup = (args: string[]) => expect(aam("node", args, { cwd: dir, home: dir, env: { AAM_PASSPHRASE: "ux" } }).code).toBe(0);
  setup(["registry", "init", "reg", "--default"]);
  setup(["key", "generate", "--name", "k"]);
  makePackage(join(dir, "p"), "@ux/p", "1.0.0");
  // Verified from a home that does not trust this key, it prints a warning (coloured on a terminal).
  setup(["pkg", "publish", "p", "--sign"]);
});
afterAll(() => removeDir(dir));

describe.each(RUNTIMES)("output under %s", (rt: RuntimeName) => {
  test("carries no escape codes when stdout and stderr are not terminals, even without NO_COLOR", () => {
    const other = join(dir, `other-${rt}`);
    const warned = runRaw(rt, ["verify", "@ux/p", "--registry", join(dir, "reg")], { cwd: dir, home: other });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain("warning:");
    const failed = runRaw(rt, ["info", "@ux/none", "--registry", join(dir, "reg")], { cwd: dir, home: dir });
    expect(errorName(failed.stderr)).toBe("NotFound");
    for (const r of [warned, failed]) expect(r.stdout + r.stderr).not.toContain(ESC);
  });

  test("did you mean: a mistyped option is a UsageError naming the likely one, in kebab-case", () => {
    const r = aam(rt, ["verify", "--requre-signature", "@ux/p"], { cwd: dir, home: dir });
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code: 2, name: "UsageError" });
    expect(r.stderr).toContain('did you mean "--require-signature"?');
  });

  test("no suggestion for a word unlike any command", () => {
    const r = aam(rt, ["xyzzyplugh"], { cwd: dir, home: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("did you mean");
  });
});

describe("did you mean, under node", () => {
  test("a mistyped command, subcommand or option is a UsageError naming the likely one", () => {
    const cases: [string[], string][] = [
      [["verfy", "@ux/p"], '"verify"'],
      [["pkg", "pubish", "p"], '"publish"'],
      [["registry", "verfy"], '"verify"'],
      [["verify", "--ofline", "@ux/p"], '"--offline"'],
      [["install", "--no-verfy", "@ux/p"], '"--no-verify"'],
      [["pkg", "publish", "p", "--sgn"], '"--sign"'],
    ];
    for (const [args, guess] of cases) {
      const r = aam("node", args, { cwd: dir, home: dir });
      expect({ args, code: r.code, name: errorName(r.stderr) }).toEqual({ args, code: 2, name: "UsageError" });
      expect({ args, suggests: r.stderr.includes(`did you mean ${guess}?`) }).toEqual({ args, suggests: true });
      expect(r.stderr).toContain("hint:");
    }
  });

  test("with --json, the suggestion comes as an error document", () => {
    const r = aam("node", ["verfy", "--json"], { cwd: dir, home: dir });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.error).toMatchObject({ code: "UsageError", exit_code: 2, hint: "aam verify --help" });
  });
});

describe.skipIf(!hasScript)("on a terminal (script(1) pseudo-terminal), node", () => {
  const args = () => ["verify", "@ux/p", "--registry", join(dir, "reg")];

  test("colours a warning and an error when NO_COLOR is not set", () => {
    const other = join(dir, "tty-other");
    const r = runRaw("node", args(), { cwd: dir, home: other, tty: true });
    expect(r.stdout).toContain(`${ESC}[33mwarning:`);
    const e = runRaw("node", ["info", "@ux/none", "--registry", join(dir, "reg")], { cwd: dir, home: dir, tty: true });
    expect(e.stdout).toContain(`${ESC}[31merror[NotFound]:`);
  });

  test("prints no escape codes with NO_COLOR set, on the same terminal", () => {
    const other = join(dir, "tty-other");
    for (const a of [args(), ["info", "@ux/none", "--registry", join(dir, "reg")], ["doctor"]]) {
      const r = runRaw("node", a, { cwd: dir, home: a[0] === "verify" ? other : dir, tty: true, env: { NO_COLOR: "1" } });
      expect({ a, out: r.stdout.length > 0 }).toEqual({ a, out: true });
      expect({ a, escapes: r.stdout.includes(ESC) }).toEqual({ a, escapes: false });
    }
  });
});

