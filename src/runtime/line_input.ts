/**
 * One line typed (or pasted) on stdin, a terminal or a pipe alike, as cosign and sigstore-python read
 * the out-of-band sign-in code: the user asked for it with a flag, and a container run without a
 * terminal (`docker run -i`) still has a stdin to answer on. The bytes read are bounded.
 */
import type * as Process from "node:process";
import type * as Readline from "node:readline";
import { builtin } from "./builtin.ts";

export type LineAnswer = { kind: "line"; text: string } | { kind: "end" } | { kind: "too-long" };

/** Writes `question` to stderr and answers the first line, the end of input, or that more than `maxBytes` came first. */
export function readLine(question: string, maxBytes: number): Promise<LineAnswer> {
  const process = builtin<typeof Process>("node:process");
  const input = process.stdin;
  // On a terminal readline edits the line itself (raw mode): the tty's own line buffer would cut a pasted line at 4 KiB.
  const rl = builtin<typeof Readline>("node:readline").createInterface({ input, output: process.stderr, terminal: Boolean(input.isTTY) });
  process.stderr.write(question);
  return new Promise<LineAnswer>((resolve) => {
    let seen = 0;
    let done = false;
    const finish = (a: LineAnswer) => {
      if (done) return;
      done = true;
      input.off("data", count);
      rl.close();
      // A pipe left open by the other end would keep Node and Deno waiting after the answer: this
      // line is the last thing read, so stdin is let go (a terminal is released by rl.close()).
      if (!input.isTTY) input.destroy();
      resolve(a);
    };
    // Counted as it arrives, so an endless line is refused without being held whole (+2: the line's CR LF).
    const count = (chunk: string | Uint8Array) => {
      seen += chunk.length;
      if (seen > maxBytes + 2) finish({ kind: "too-long" });
    };
    input.on("data", count);
    rl.once("line", (text: string) => finish(text.length > maxBytes ? { kind: "too-long" } : { kind: "line", text }));
    rl.once("close", () => finish({ kind: "end" }));
  });
}
