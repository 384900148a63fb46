/** Test helpers: run the CLI under each runtime, make temp folders and packages. */
import { spawnSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, realpathSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");

export type RuntimeName = "node" | "bun" | "deno";
/** AAM_TEST_RUNTIMES=node narrows the runtime-parametrised tests: scripts/test.mjs reruns the CLI
 * subset that way under each extra Node version (its bin/ first on PATH, so `node` is that one). */
export const ALL_RUNTIMES: RuntimeName[] = ["node", "bun", "deno"];
export const RUNTIMES: RuntimeName[] = ALL_RUNTIMES.filter((rt) => (process.env.AAM_TEST_RUNTIMES ?? rt).split(",").includes(rt));

/** Deno permissions for ordinary commands; offline ones drop --allow-net and --allow-run. */
export const DENO_ALL = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-run", "--allow-net"];
export const DENO_OFFLINE = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys"];

export const NO_NETWORK = join(ROOT, "test", "no_network.mjs");

/** The command line that runs the CLI; `offline` forbids the network (preload under Node and Bun, no --allow-net under Deno). */
export function command(rt: RuntimeName, denoPerms: string[] = DENO_ALL, offline = false): string[] {
  switch (rt) {
    case "node":
      return ["node", ...(offline ? ["--import", `file://${NO_NETWORK}`] : []), join(ROOT, "dist", "cli.js")];
    case "bun":
      return [join(BIN, "bun"), ...(offline ? ["--preload", NO_NETWORK] : []), join(ROOT, "src", "cli.ts")];
    case "deno":
      return [join(BIN, "deno"), "run", "--quiet", "--no-prompt", ...(offline ? DENO_OFFLINE : denoPerms), join(ROOT, "src", "cli.ts")];
  }
}

/**
 * The command that runs a script loading AAM's library under a runtime, and the library to load:
 * dist/index.js under Node (the bundle `aam` runs), src/index.ts under Bun and Deno.
 */
export function libScriptCommand(rt: RuntimeName, script: string): { cmd: string; args: string[]; lib: string } {
  const [exe] = command(rt);
  if (rt === "node") return { cmd: exe, args: [script], lib: join(ROOT, "dist", "index.js") };
  if (rt === "bun") return { cmd: exe, args: [script], lib: join(ROOT, "src", "index.ts") };
  return { cmd: exe, args: ["run", "--quiet", "--no-prompt", "-A", script], lib: join(ROOT, "src", "index.ts") };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOpts {
  cwd: string;
  home: string;
  env?: Record<string, string>;
  input?: string;
  denoPerms?: string[];
  offline?: boolean;
}

export function aam(rt: RuntimeName, args: string[], o: RunOpts): RunResult {
  const [cmd, ...pre] = command(rt, o.denoPerms, o.offline);
  const r = spawnSync(cmd, [...pre, ...args], {
    cwd: o.cwd,
    input: o.input ?? "",
    env: { PATH: process.env.PATH ?? "", HOME: o.home, AAM_HOME: join(o.home, ".aam"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...o.env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? 128, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

export function aamAsync(rt: RuntimeName, args: string[], o: RunOpts): Promise<RunResult> {
  const [cmd, ...pre] = command(rt, o.denoPerms, o.offline);
  return new Promise((resolve) => {
    const child = spawn(cmd, [...pre, ...args], {
      cwd: o.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: o.home, AAM_HOME: join(o.home, ".aam"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...o.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 128, stdout, stderr }));
    child.stdin.end(o.input ?? "");
  });
}

export function tempDir(prefix = "aam-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(p: string): void {
  rmSync(p, { recursive: true, force: true });
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** A minimal valid package folder. */
export function makePackage(dir: string, name: string, version: string, extra: { deps?: Record<string, string>; description?: string } = {}): string {
  const deps = extra.deps ? `dependencies:\n${Object.entries(extra.deps).map(([k, v]) => `  "${k}": "${v}"`).join("\n")}\n` : "";
  writeFiles(dir, {
    "aam.yaml": `name: "${name}"\nversion: "${version}"\ndescription: "${extra.description ?? "A test package"}"\nkeywords: [test]\nartifacts:\n  skills: []\n  agents: []\n  prompts:\n    - {name: hello, path: prompts/hello.md, description: "Says hello"}\n  instructions: []\n${deps}`,
    "prompts/hello.md": `# Hello from ${name}@${version}\n`,
  });
  return dir;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string | Uint8Array; env?: Record<string, string> } = {}): RunResult {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, env: { ...process.env, ...opts.env }, encoding: "utf8" });
  return { code: r.status ?? 128, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Parses the last error line `error[Name]: ...`. */
export function errorName(stderr: string): string | undefined {
  return /error\[(\w+)\]/.exec(stderr)?.[1];
}

/** The real path of the first `name` on PATH (what a spawn of the bare name runs). */
export function findOnPath(name: string): string {
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(d, name);
    if (d && existsSync(p)) return realpathSync(p);
  }
  throw new Error(`${name} not on PATH`);
}
