/**
 * The append-only, hash-chained audit log (SPEC §7). Each line is a JSON object whose `prev` is the
 * SHA-256 of the previous line's bytes (without its newline); the first line's `prev` is 64 zeros.
 */
import { sha256Hex } from "../encoding/sha256.ts";

export const GENESIS = "0".repeat(64);

export interface AuditEvent {
  seq: number;
  time: string;
  event: string;
  package: string | null;
  version: string | null;
  actor: string;
  details: Record<string, unknown>;
  prev: string;
}

export type NewEvent = Pick<AuditEvent, "event" | "package" | "version" | "actor" | "details">;

const enc = new TextEncoder();

function lines(text: string): string[] {
  return text.split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1));
}

/** Where the chain goes on: the last line (null for an empty log) and the last `seq`. */
export interface ChainHead {
  lastLine: string | null;
  seq: number;
}

/** The head of a whole log's text (tests and small logs; writers read it from the tail: audit_tail.ts). */
export function chainHeadOf(logText: string): ChainHead {
  const existing = lines(logText);
  return { lastLine: existing.length > 0 ? existing[existing.length - 1] : null, seq: existing.length };
}

/** The lines that append `events` after `head`, each ending in a newline. */
export function eventLines(head: ChainHead, events: NewEvent[], now: Date): string {
  let prevLine = head.lastLine;
  let seq = head.seq;
  let out = "";
  for (const e of events) {
    const ev: AuditEvent = {
      seq: ++seq,
      time: now.toISOString(),
      event: e.event,
      package: e.package,
      version: e.version,
      actor: e.actor,
      details: e.details,
      prev: prevLine === null ? GENESIS : sha256Hex(enc.encode(prevLine)),
    };
    prevLine = JSON.stringify(ev);
    out += prevLine + "\n";
  }
  return out;
}

/** Appends events to the log text and answers the new text. */
export function appendEvents(logText: string, events: NewEvent[], now: Date): string {
  const out = logText === "" || logText.endsWith("\n") ? logText : logText + "\n";
  return out + eventLines(chainHeadOf(logText), events, now);
}

export interface ChainReport {
  ok: boolean;
  events: number;
  /** 1-based line number of the first broken link, and why. */
  brokenLine?: number;
  reason?: string;
}

/** Checks every link of the chain and names the first broken line. */
export function verifyAuditChain(logText: string): ChainReport {
  const all = lines(logText);
  let prev = GENESIS;
  for (let i = 0; i < all.length; i++) {
    const line = all[i];
    let ev: Partial<AuditEvent>;
    try {
      ev = JSON.parse(line);
    } catch {
      return { ok: false, events: i, brokenLine: i + 1, reason: "line is not valid JSON" };
    }
    if (typeof ev !== "object" || ev === null) return { ok: false, events: i, brokenLine: i + 1, reason: "line is not an object" };
    if (ev.seq !== i + 1) return { ok: false, events: i, brokenLine: i + 1, reason: `seq is ${ev.seq}, expected ${i + 1}` };
    if (ev.prev !== prev) return { ok: false, events: i, brokenLine: i + 1, reason: "prev does not match the hash of the line before" };
    prev = sha256Hex(enc.encode(line));
  }
  if (logText !== "" && !logText.endsWith("\n")) {
    return { ok: false, events: all.length, brokenLine: all.length, reason: "last line is incomplete" };
  }
  return { ok: true, events: all.length };
}

export function parseAuditEvents(logText: string): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const l of lines(logText)) {
    try {
      const ev = JSON.parse(l);
      if (typeof ev === "object" && ev !== null) out.push(ev as AuditEvent);
    } catch {
      // A broken line is reported by verifyAuditChain; listing skips it.
    }
  }
  return out;
}
