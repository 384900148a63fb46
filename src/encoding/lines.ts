/**
 * Splits a byte stream into lines, a batch per chunk (one await per chunk, not per line), never
 * holding more than one chunk and one unfinished line.
 */
import { ByteSink } from "./byte_sink.ts";

/**
 * Yields the lines of `chunks` (without `\n` or a trailing `\r`), a batch at a time.
 * @param tooLong called when an unfinished line passes `maxLineChars`; its error is thrown
 */
export async function* lineBatches(chunks: AsyncIterable<Uint8Array>, maxLineChars: number, tooLong: () => Error): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  // Pieces of an unfinished line are joined once it ends: joining per chunk would copy a long line
  // over and over (an endless line cost seconds and hundreds of MiB that way).
  let pending: string[] = [];
  let pendingChars = 0;
  const take = (text: string): string[] => {
    const nl = text.indexOf("\n");
    if (nl === -1) {
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars > maxLineChars) throw tooLong();
      return [];
    }
    const lines = text.split("\n");
    lines[0] = pending.join("") + lines[0];
    const rest = lines.pop()!;
    pending = rest === "" ? [] : [rest];
    pendingChars = rest.length;
    if (pendingChars > maxLineChars) throw tooLong();
    for (let i = 0; i < lines.length; i++) if (lines[i].endsWith("\r")) lines[i] = lines[i].slice(0, -1);
    return lines;
  };
  for await (const c of chunks) {
    const lines = take(decoder.decode(c, { stream: true }));
    if (lines.length > 0) yield lines;
  }
  const last = take(decoder.decode());
  if (pending.length > 0) last.push(pending.join("").replace(/\r$/, ""));
  if (last.length > 0) yield last;
}

/**
 * Calls `onLine` with each line of `chunks` as bytes (without `\n`), then `afterChunk` once per
 * chunk. A line is a view valid only during its call: chunks may be reused buffers. A line cut by a
 * chunk boundary is copied once, and at most `maxLineBytes` of it are held.
 */
export async function forEachLineBytes(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
  tooLong: () => Error,
  onLine: (line: Uint8Array) => void,
  afterChunk: () => Promise<void>,
): Promise<void> {
  const carry = new ByteSink();
  const keep = (bytes: Uint8Array) => {
    if (carry.length + bytes.length > maxLineBytes) throw tooLong();
    carry.push(bytes);
  };
  for await (const c of chunks) {
    let from = 0;
    for (let nl = c.indexOf(10); nl !== -1; nl = c.indexOf(10, from)) {
      if (carry.length > 0) {
        keep(c.subarray(from, nl));
        onLine(carry.view());
        carry.clear();
      } else {
        onLine(c.subarray(from, nl));
      }
      from = nl + 1;
    }
    if (from < c.length) keep(c.subarray(from));
    await afterChunk();
  }
  if (carry.length > 0) onLine(carry.view());
}
