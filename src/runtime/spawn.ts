/** Runs an outside program (git, gpg) and collects its output. */
import type * as ChildProcess from "node:child_process";
import { builtin } from "./builtin.ts";
import { concatBytes } from "../encoding/bytes.ts";

export interface RunResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: Uint8Array | string;
}

/** Runs `cmd args`; answers null when the program is not installed (ENOENT). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult | null> {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = builtin<typeof ChildProcess>("node:child_process").spawn(cmd, args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return resolve(null);
      return reject(e);
    }
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    child.stdout.on("data", (d: Uint8Array) => out.push(d));
    child.stderr.on("data", (d: Uint8Array) => err.push(d));
    child.on("error", (e: { code?: string }) => {
      if (e.code === "ENOENT") resolve(null);
      else reject(e);
    });
    child.on("close", (code: number | null) => {
      const stdout = concatBytes(out);
      resolve({ code: code ?? 1, stdout, stderr: new TextDecoder().decode(concatBytes(err)) });
    });
    child.stdin.on("error", () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
