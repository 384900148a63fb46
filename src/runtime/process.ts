/** Process facts (arguments, environment, terminal, exit code) for Node, Bun and Deno. */
import type * as Process from "node:process";
import type * as Fs from "node:fs";
import type * as Os from "node:os";
import { builtin } from "./builtin.ts";

// Required, not imported: see fs_read.ts.
const process = builtin<typeof Process>("node:process");
const fss = builtin<typeof Fs>("node:fs");

const os = () => builtin<typeof Os>("node:os");

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
  return env("HOME") ?? os().homedir();
}

export function hostname(): string {
  try {
    return os().hostname();
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

// process.stdout and friends are built on first use, and on Bun that costs ~9 ms (streams, tty, net)
// against ~5 ms for all of `bun -e 0`. Terminal checks and output therefore go to the file
// descriptors first and build a stream only when they must.
type Fd = 0 | 1 | 2;
const streamOf = (fd: Fd): NodeJS.ReadStream | NodeJS.WriteStream => (fd === 0 ? process.stdin : fd === 1 ? process.stdout : process.stderr);

/**
 * A terminal is a character device other than /dev/null: a pipe, a file or /dev/null (scripts, CI,
 * `> /dev/null`) is answered by fstat alone.
 */
function isTerminal(fd: Fd): boolean {
  try {
    const st = fss.fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    if (st.rdev === fss.statSync("/dev/null", { throwIfNoEntry: false })?.rdev) return false;
  } catch {
    // fall through: let the stream decide
  }
  return Boolean(streamOf(fd).isTTY);
}

export function isStdoutTTY(): boolean {
  return isTerminal(1);
}
export function isStderrTTY(): boolean {
  return isTerminal(2);
}
export function isStdinTTY(): boolean {
  return isTerminal(0);
}

const viaStream = new Set<Fd>();
const closed = new Set<Fd>();

/**
 * Writes synchronously to the descriptor, so output is never lost at exit and stays in order. A
 * non-blocking descriptor that is full (EAGAIN) hands the rest, and all later output, to the stream,
 * which queues it; a reader that went away (EPIPE: `aam search | head`) ends the output quietly.
 */
function writeFd(fd: 1 | 2, s: string): void {
  if (closed.has(fd) || s === "") return;
  if (viaStream.has(fd)) {
    (streamOf(fd) as NodeJS.WriteStream).write(s);
    return;
  }
  const bytes = new TextEncoder().encode(s);
  let off = 0;
  try {
    while (off < bytes.length) off += fss.writeSync(fd, bytes, off, bytes.length - off);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EPIPE") {
      closed.add(fd);
      return;
    }
    if (code !== "EAGAIN") throw e;
    viaStream.add(fd);
    (streamOf(fd) as NodeJS.WriteStream).write(bytes.subarray(off));
  }
}

export function writeStdout(s: string): void {
  writeFd(1, s);
}
export function writeStderr(s: string): void {
  writeFd(2, s);
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
