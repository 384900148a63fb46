/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value, so a signature
 * over a document survives re-serialisation (SPEC §5a: the snapshot signs the SHA-256 of its JCS).
 *
 * RFC 8785 is built on ECMAScript's own serialisation: numbers and strings are written exactly as
 * `JSON.stringify` writes them (RFC 8785 §3.2.2.2–3), object members are sorted by their names'
 * UTF-16 code units (§3.2.3: JavaScript's default string order), and there is no whitespace.
 * Written here rather than taken from the `canonicalize` package: its current release requires
 * Node 22 (AAM supports 20), and the whole scheme is this file; test/vectors/jcs/ and the RFC's
 * Appendix B numbers check it on every runtime.
 */

/** JSON data as JSON.parse answers it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deeper nesting than any AAM document has: refused rather than risking the call stack. */
const MAX_DEPTH = 64;

/**
 * The canonical text of `value` (RFC 8785).
 * @throws {TypeError} for what I-JSON (RFC 7493), and so JCS, cannot express: a non-finite number,
 * a string or member name with a lone surrogate, `undefined`, functions, symbols, bigints, objects
 * that are not plain or arrays (Date, Map, ...), and nesting deeper than 64. Callers canonicalise
 * documents they built or already schema-checked, so this is a programmer error.
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [1e30, "€"] }); // '{"a":[1e+30,"€"],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

/** The UTF-8 bytes of `canonicalJson(value)`: what is hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function write(v: unknown, depth: number): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      // ECMAScript Number::toString is RFC 8785's number form (and -0 prints as 0).
      if (!Number.isFinite(v)) throw new TypeError("JCS cannot express a non-finite number");
      return JSON.stringify(v);
    case "string":
      return str(v);
    case "object":
      break;
    default:
      throw new TypeError(`JCS cannot express a value of type ${typeof v}`);
  }
  if (depth >= MAX_DEPTH) throw new TypeError(`JCS input nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(v)) return `[${v.map((e) => write(e, depth + 1)).join(",")}]`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new TypeError("JCS takes plain objects only");
  const obj = v as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks for.
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${str(k)}:${write(obj[k], depth + 1)}`).join(",")}}`;
}

function str(s: string): string {
  // JSON.stringify escapes a lone surrogate as \udxxx; I-JSON forbids one outright (RFC 8785 §3.2.2.1).
  if (!isWellFormed(s)) throw new TypeError("JCS cannot express a string with a lone surrogate");
  return JSON.stringify(s);
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false; // a low surrogate with no high one before it
    const next = s.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}
