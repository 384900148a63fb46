/**
 * Appending to audit.log at a cost independent of its length (SPEC §7): the chain head (last line
 * and seq) is read from the file's tail, and the append is recorded as (offset, text) so a journal
 * can replay it exactly.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { chainHeadOf, eventLines, type ChainHead, type NewEvent } from "./audit_log.ts";
import { INDEX_LIMIT } from "../read_limits.ts";

export interface AuditAppend {
  /** The log's size before the append: where the text goes. */
  offset: number;
  text: string;
}

const TAIL_BYTES = 64 * 1024;
/** No line AAM writes comes near this; a longer last line means a damaged log, read whole instead. */
const MAX_TAIL_BYTES = 1024 * 1024;
const NL = 10;
const utf8 = new TextDecoder();

function lastSeq(line: string): number | null {
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return Number.isSafeInteger(seq) && (seq as number) > 0 ? (seq as number) : null;
  } catch {
    return null;
  }
}

/** The chain head from the tail, or null when the tail cannot tell (a damaged log). */
function headFromTail(size: number, bytes: Uint8Array): ChainHead | null {
  const body = bytes[bytes.length - 1] === NL ? bytes.subarray(0, bytes.length - 1) : bytes;
  const nl = body.lastIndexOf(NL);
  if (nl === -1 && bytes.length < size) return null; // the last line starts before the tail
  const lastLine = utf8.decode(body.subarray(nl + 1));
  const seq = lastSeq(lastLine);
  return seq === null ? null : { lastLine, seq };
}

/** Plans appending `events` to the log at `file`. Call under the registry lock. */
export async function planAuditAppend(file: string, events: NewEvent[], now: Date): Promise<AuditAppend> {
  let tail = fs.readTail(file, TAIL_BYTES);
  if (tail === null || tail.size === 0) return { offset: 0, text: eventLines({ lastLine: null, seq: 0 }, events, now) };
  let head = headFromTail(tail.size, tail.bytes);
  if (head === null && tail.size > TAIL_BYTES) {
    tail = fs.readTail(file, MAX_TAIL_BYTES)!;
    head = headFromTail(tail.size, tail.bytes);
  }
  // A damaged last line: count lines as before, so the chain goes on where `registry verify` says it broke.
  head ??= chainHeadOf(await fs.readText(file, INDEX_LIMIT));
  const sep = tail.bytes[tail.bytes.length - 1] === NL ? "" : "\n";
  return { offset: tail.size, text: sep + eventLines(head, events, now) };
}

/** Applies a planned append (again, after a crash: it cuts the log back to `offset` first). */
export async function applyAuditAppend(file: string, append: AuditAppend): Promise<void> {
  const st = await fs.stat(file);
  if ((st?.size ?? 0) < append.offset) {
    throw new AamError("Error", `Cannot finish the interrupted registry write: "${file}" is shorter than when the write began`, {
      file,
      expected: `at least ${append.offset} bytes`,
      actual: `${st?.size ?? 0} bytes`,
      hint: "the audit log was cut by hand; restore it from version control, then run `aam registry verify`",
    });
  }
  await fs.replaceTail(file, append.offset, new TextEncoder().encode(append.text));
}
