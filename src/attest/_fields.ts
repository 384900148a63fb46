/** Field checks shared by the snapshot and bin parsers: untrusted JSON, every problem with its path. */
import type { Problem } from "../errors.ts";
import { canonicalBase64, isObject, ownValue } from "../encoding/json_fields.ts";

export { canonicalBase64, isObject, ownValue };

export const HEX64_RE = /^[0-9a-f]{64}$/;
/** `created_at`, `expires_at`, `rejected.at`: ISO 8601 UTC to the second, as AAM writes them. */
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function isTime(v: unknown): v is string {
  return typeof v === "string" && TIME_RE.test(v) && !Number.isNaN(Date.parse(v));
}

/** Collects problems under a path prefix. */
export class Problems {
  readonly list: Problem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  /** Reports members outside `allowed`: a signed v1 document carries exactly its schema. */
  onlyKeys(o: Record<string, unknown>, allowed: readonly string[], at: string): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(at ? `${at}.${k}` : k, "unknown field");
  }
}

/** Parses JSON text of at most `maxBytes`; answers the value, or records why not and answers undefined. */
export function parseJsonText(text: unknown, maxBytes: number, problems: Problems): unknown {
  if (typeof text !== "string") {
    problems.add("", "not text");
    return undefined;
  }
  // Characters never outnumber UTF-8 bytes, so the cheap length test comes first.
  if (text.length > maxBytes || new TextEncoder().encode(text).length > maxBytes) {
    problems.add("", `larger than ${maxBytes} bytes`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    problems.add("", `not valid JSON (${e instanceof Error ? e.message.split("\n")[0] : "syntax error"})`);
    return undefined;
  }
}
