/**
 * pax extended-header records (POSIX.1-2001 pax format), both ways: `<len> <key>=<value>\n`, where
 * len counts the whole record. Writing is for the entries ustar cannot hold (tar_header.ts); reading
 * is for untrusted bytes, strictly.
 */
import { unsafeArchive } from "./_unsafe.ts";
import { decodeTarText, isZeroBlock } from "./tar_header_decode.ts";
import { concatBytes } from "../encoding/bytes.ts";

const enc = new TextEncoder();

/** Encodes pax records as `<len> <key>=<value>\n`, where len counts the whole record. */
export function encodePaxRecords(records: ReadonlyArray<readonly [string, string]>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of records) {
    const body = enc.encode(` ${key}=${value}\n`);
    // The length field counts its own digits, so grow it until it is stable.
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    parts.push(enc.encode(String(len)), body);
  }
  return concatBytes(parts);
}

/**
 * Parses the body of a pax extended header into its records, strictly: each record is
 * `<len> <key>=<value>\n` with len counting the whole record, keys and values UTF-8.
 * @throws {AamError} UnsafeArchive for a malformed record or a key given twice
 */
export function parsePaxRecords(body: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const bad = (why: string) => unsafeArchive(`Cannot read archive: a pax extended header is malformed (${why})`);
  let pos = 0;
  while (pos < body.length) {
    // Some writers pad the body with NULs; nothing else may follow the last record.
    if (body[pos] === 0) {
      if (!isZeroBlock(body.subarray(pos))) throw bad("data after the padding");
      break;
    }
    let sp = pos;
    while (sp < body.length && sp - pos < 20 && body[sp] >= 0x30 && body[sp] <= 0x39) sp++;
    if (sp === pos || sp >= body.length || body[sp] !== 0x20 || body[pos] === 0x30) throw bad("bad record length");
    const len = Number(String.fromCharCode(...body.subarray(pos, sp)));
    const end = pos + len;
    if (!Number.isSafeInteger(len) || end > body.length || end <= sp + 1 || body[end - 1] !== 0x0a) {
      throw bad("record length does not match");
    }
    const record = body.subarray(sp + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw bad("record without a key");
    const key = decodeTarText(record.subarray(0, eq), "pax record key");
    const value = decodeTarText(record.subarray(eq + 1), "pax record value");
    // A key given twice is read differently by different tools; refuse rather than pick one.
    if (out.has(key)) throw bad(`key "${key}" given twice`);
    out.set(key, value);
    pos = end;
  }
  return out;
}
