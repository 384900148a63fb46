/** Reading fields of untrusted JSON: plain objects only, own members only, base64 in one spelling. */
import { fromBase64, toBase64 } from "./base64.ts";

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `o[key]` when it is `o`'s own member: never a value inherited from Object.prototype (`constructor`, ...). */
export function ownValue<T>(o: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** Decodes base64 only in its canonical spelling (one value, one text), of `length` bytes when given; else null. */
export function canonicalBase64(v: unknown, length?: number): Uint8Array | null {
  if (typeof v !== "string") return null;
  const b = fromBase64(v);
  return b && (length === undefined || b.length === length) && toBase64(b) === v ? b : null;
}
