/** Process facts (arguments, environment, terminal, exit code) for Node, Bun and Deno. */
import process from "node:process";
import { homedir as osHomedir, hostname as osHostname } from "node:os";

export function argv(): string[] {
  return process.argv.slice(2);
}

export function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
}

export function envAll(): Record<string, string | undefined> {
  return { ...process.env };
}

export function cwd(): string {
  return process.cwd();
}

export function homedir(): string {
  return env("HOME") ?? osHomedir();
}

export function hostname(): string {
  try {
    return osHostname();
  } catch {
    // Deno without --allow-sys cannot read the hostname; the lock file records it for humans only.
    return "unknown";
  }
}

export function platform(): string {
  return process.platform;
}

export function pid(): number {
  return process.pid;
}

/** True when a process with this pid is alive on this machine. */
export function isProcessAlive(p: number): boolean {
  try {
    process.kill(p, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

export function setExitCode(code: number): void {
  process.exitCode = code;
}

export function exitNow(code: number): never {
  process.exit(code);
}

export function isStdoutTTY(): boolean {
  return Boolean(process.stdout.isTTY);
}
export function isStderrTTY(): boolean {
  return Boolean(process.stderr.isTTY);
}
export function isStdinTTY(): boolean {
  return Boolean(process.stdin.isTTY);
}

export function writeStdout(s: string): void {
  process.stdout.write(s);
}
export function writeStderr(s: string): void {
  process.stderr.write(s);
}

export interface Prompter {
  /** Asks a question; `hidden` does not echo what is typed (passphrases). */
  ask(question: string, hidden?: boolean): Promise<string>;
  close(): void;
}

/**
 * One readline session for several questions: a new interface per question would let the first one
 * swallow lines typed (or pasted) ahead for the next.
 */
export async function openPrompter(): Promise<Prompter> {
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const r = rl as unknown as { _writeToOutput: (s: string) => void };
  const echo = r._writeToOutput.bind(rl);
  // Lines typed or pasted ahead of their question wait here instead of being lost.
  const queued: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  rl.on("line", (line: string) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else queued.push(line);
  });
  return {
    async ask(question: string, hidden = false) {
      process.stderr.write(question);
      if (hidden) r._writeToOutput = () => {}; // echo nothing while a passphrase is typed
      try {
        return queued.length > 0 ? queued.shift()! : await new Promise<string>((resolve) => (waiting = resolve));
      } finally {
        if (hidden) {
          r._writeToOutput = echo;
          process.stderr.write("\n");
        }
      }
    },
    close: () => rl.close(),
  };
}

/** Asks one question on the terminal. */
export async function prompt(question: string, hidden = false): Promise<string> {
  const p = await openPrompter();
  try {
    return await p.ask(question, hidden);
  } finally {
    p.close();
  }
}
