/**
 * POSIX ustar headers and pax extended-header records (SPEC §3), both ways. Pure: bytes in, bytes out.
 *
 * Writing is deterministic: every field is set here (mtime 0, uid/gid 0, empty uname/gname, fixed
 * modes), and a pax header is added only where the name cannot be stored in ustar's prefix + name
 * (too long, or not ASCII) or the size does not fit its 11 octal digits.
 * Reading is for untrusted bytes: every malformed field ends as an UnsafeArchive error.
 */
import { unsafeArchive } from "./_unsafe.ts";
import { concatBytes } from "../encoding/bytes.ts";

export const BLOCK = 512;

export type EntryType = "file" | "directory";

/** What the packer writes for one entry. `name` ends with "/" for a directory. */
export interface TarEntryHeader {
  name: string;
  type: EntryType;
  /** Permission bits; 0o644 or 0o755 in AAM archives. */
  mode: number;
  /** Data bytes (0 for a directory). */
  size: number;
}

/** The fields of one decoded header block, before pax records are applied. */
export interface RawHeader {
  /** prefix + "/" + name for ustar, name alone otherwise. */
  name: string;
  mode: number;
  size: number;
  /** The typeflag character ("\0" for an old-style regular file). */
  typeflag: string;
  linkname: string;
}

const MAX_OCTAL_11 = 0o77777777777; // largest size the 12-byte field holds in octal
const enc = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

// ---------------------------------------------------------------- writing

function writeString(block: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  if (bytes.length > length) throw new RangeError(`tar field at ${offset} is too long`);
  block.set(bytes, offset);
}

/** Writes `value` as zero-padded octal digits followed by a NUL, filling `length` bytes. */
export function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, "0");
  if (digits.length > length - 1 || value < 0 || !Number.isInteger(value)) {
    throw new RangeError(`value ${value} does not fit a ${length}-byte octal field`);
  }
  block.set(enc.encode(digits), offset);
  block[offset + length - 1] = 0;
}

/** The header checksum: the byte sum with the checksum field read as eight spaces. */
export function headerChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum;
}

/** Stores the checksum as six octal digits, NUL, space, as POSIX and GNU tar do. */
export function sealHeader(block: Uint8Array): Uint8Array {
  const digits = headerChecksum(block).toString(8).padStart(6, "0");
  block.set(enc.encode(digits), 148);
  block[154] = 0;
  block[155] = 32;
  return block;
}

/**
 * Splits a UTF-8 name into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a "/",
 * or answers null when it cannot be stored there.
 */
export function splitUstarName(name: Uint8Array): { prefix: Uint8Array; name: Uint8Array } | null {
  if (name.length <= 100) return { prefix: new Uint8Array(0), name };
  if (name.length > 256) return null;
  // The prefix is as long as possible so the split is unique and the same everywhere.
  for (let i = Math.min(155, name.length - 1); i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    const rest = name.length - i - 1;
    if (rest === 0) continue; // a trailing slash cannot start the name field
    if (rest > 100) return null;
    return { prefix: name.subarray(0, i), name: name.subarray(i + 1) };
  }
  return null;
}

function isAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return false;
  return true;
}

/** True when `entry` needs a pax header: a non-ASCII or over-long name, or a size over 8 GiB. */
export function needsPax(entry: TarEntryHeader): boolean {
  const name = enc.encode(entry.name);
  return !isAscii(name) || splitUstarName(name) === null || entry.size > MAX_OCTAL_11;
}

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


/** The zero bytes after `size` bytes of data, up to the next block. */
export function tarPadding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function paddedLength(n: number): number {
  return n + tarPadding(n);
}

/** An ASCII stand-in for a name that pax carries: non-ASCII bytes become "_", cut to fit. */
function fallbackName(name: string): Uint8Array {
  const ascii = enc.encode(name.replace(/[^\x20-\x7e]/g, "_"));
  const split = splitUstarName(ascii);
  if (split) return ascii;
  // Keep the tail (the base name matters most) and never start it with "/", which a reader
  // without pax support would take for an absolute path.
  let tail = ascii.subarray(ascii.length - 100);
  while (tail.length > 1 && tail[0] === 0x2f) tail = tail.subarray(1);
  return tail;
}

function ustarBlock(nameBytes: Uint8Array, mode: number, size: number, typeflag: string): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const split = splitUstarName(nameBytes);
  if (!split) throw new RangeError("name does not fit a ustar header");
  writeString(block, 0, 100, split.name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0); // mtime: fixed so the archive does not depend on the day
  block[156] = typeflag.charCodeAt(0);
  block.set(enc.encode("ustar\u0000"), 257);
  block.set(enc.encode("00"), 263);
  // uname and gname stay empty; devmajor/devminor as zero octal like GNU tar writes them
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  writeString(block, 345, 155, split.prefix);
  return sealHeader(block);
}

/**
 * The header blocks for one entry: a pax header and its records when needed, then the ustar header.
 * @throws {RangeError} for a mode or size a caller should never pass
 */
export function encodeEntryHeader(entry: TarEntryHeader): Uint8Array {
  if (entry.type === "directory" && (entry.size !== 0 || !entry.name.endsWith("/"))) {
    throw new RangeError("a directory entry has size 0 and a name ending in '/'");
  }
  const typeflag = entry.type === "directory" ? "5" : "0";
  if (!needsPax(entry)) return ustarBlock(enc.encode(entry.name), entry.mode, entry.size, typeflag);

  const records: [string, string][] = [];
  const nameBytes = enc.encode(entry.name);
  if (!isAscii(nameBytes) || splitUstarName(nameBytes) === null) records.push(["path", entry.name]);
  if (entry.size > MAX_OCTAL_11) records.push(["size", String(entry.size)]);
  const body = encodePaxRecords(records);
  const base = entry.name.replace(/\/$/, "").split("/").pop() ?? "";
  const paxName = fallbackName(`PaxHeaders/${base}`.slice(0, 99));
  const paxHeader = ustarBlock(paxName, 0o644, body.length, "x");
  const mainHeader = ustarBlock(fallbackName(entry.name), entry.mode, Math.min(entry.size, MAX_OCTAL_11), typeflag);
  const out = new Uint8Array(BLOCK + paddedLength(body.length) + BLOCK);
  out.set(paxHeader, 0);
  out.set(body, BLOCK);
  out.set(mainHeader, BLOCK + paddedLength(body.length));
  return out;
}

// ---------------------------------------------------------------- reading

/** True when the block is all zeros (an end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function fieldBytes(block: Uint8Array, offset: number, length: number): Uint8Array {
  const f = block.subarray(offset, offset + length);
  const nul = f.indexOf(0);
  return nul === -1 ? f : f.subarray(0, nul);
}

function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch (e) {
    throw unsafeArchive(`Cannot read archive: the ${what} in a tar header is not valid UTF-8`, { cause: e });
  }
}

/**
 * Reads a numeric field: octal digits with optional leading spaces and a NUL or space end, or GNU
 * base-256 (high bit set). Answers Infinity for values past Number.MAX_SAFE_INTEGER.
 */
export function parseNumericField(field: Uint8Array): number | null {
  if (field.length > 0 && (field[0] & 0x80) !== 0) {
    if (field[0] & 0x40) return null; // negative base-256
    let v = field[0] & 0x3f;
    for (let i = 1; i < field.length; i++) {
      v = v * 256 + field[i];
      if (v > Number.MAX_SAFE_INTEGER) return Infinity;
    }
    return v;
  }
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < field.length; i++) {
    const c = field[i];
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return null;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  // Only NULs and spaces may follow the digits.
  for (; i < field.length; i++) if (field[i] !== 0 && field[i] !== 0x20) return null;
  return digits === 0 ? 0 : v;
}

function signedChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] << 24) >> 24;
  return sum;
}

/**
 * Decodes one non-zero 512-byte header block.
 * @throws {AamError} UnsafeArchive for a bad checksum, an unknown format or a malformed field
 */
export function decodeHeader(block: Uint8Array): RawHeader {
  if (block.length !== BLOCK) throw new RangeError("a tar header is 512 bytes");
  const stored = parseNumericField(block.subarray(148, 156));
  if (stored === null || (stored !== headerChecksum(block) && stored !== signedChecksum(block))) {
    throw unsafeArchive("Cannot read archive: a tar header has a bad checksum (corrupt or truncated archive)");
  }
  const magic = String.fromCharCode(...block.subarray(257, 265));
  const isUstar = magic === "ustar\u000000";
  const isGnu = magic === "ustar  \u0000";
  if (!isUstar && !isGnu) {
    throw unsafeArchive("Cannot read archive: a tar header is not in POSIX ustar format");
  }
  const num = (offset: number, length: number, what: string): number => {
    const v = parseNumericField(block.subarray(offset, offset + length));
    if (v === null) throw unsafeArchive(`Cannot read archive: a tar header has a malformed ${what} field`);
    return v;
  };
  let name = decodeText(fieldBytes(block, 0, 100), "name");
  // In GNU format bytes 345.. hold times, not a prefix.
  if (isUstar) {
    const prefix = decodeText(fieldBytes(block, 345, 155), "name prefix");
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: num(100, 8, "mode"),
    size: num(124, 12, "size"),
    typeflag: String.fromCharCode(block[156]),
    linkname: decodeText(fieldBytes(block, 157, 100), "link name"),
  };
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
    const key = decodeText(record.subarray(0, eq), "pax record key");
    const value = decodeText(record.subarray(eq + 1), "pax record value");
    // A key given twice is read differently by different tools; refuse rather than pick one.
    if (out.has(key)) throw bad(`key "${key}" given twice`);
    out.set(key, value);
    pos = end;
  }
  return out;
}
