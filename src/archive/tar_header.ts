/**
 * Writing POSIX ustar headers (SPEC §3), deterministically. Pure: bytes in, bytes out.
 *
 * Every field is set here (mtime 0, uid/gid 0, empty uname/gname, fixed modes), and a pax header
 * (tar_pax.ts) is added only where the name cannot be stored in ustar's prefix + name (too long, or
 * not ASCII) or the size does not fit its 11 octal digits. Reading: tar_header_decode.ts.
 */
import { BLOCK, headerChecksum, tarPadding } from "./tar_block.ts";
import { encodePaxRecords } from "./tar_pax.ts";

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

const MAX_OCTAL_11 = 0o77777777777; // largest size the 12-byte field holds in octal
const enc = new TextEncoder();

function writeString(block: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  if (bytes.length > length) throw new RangeError(`tar field at ${offset} is too long`);
  block.set(bytes, offset);
}

/** Writes ASCII text (digits, the magic) byte by byte: a TextEncoder call per field cost more than the header (pack writes thousands). */
function writeAscii(block: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) block[offset + i] = text.charCodeAt(i);
}

/** Writes `value` as zero-padded octal digits followed by a NUL, filling `length` bytes. */
export function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, "0");
  if (digits.length > length - 1 || value < 0 || !Number.isInteger(value)) {
    throw new RangeError(`value ${value} does not fit a ${length}-byte octal field`);
  }
  writeAscii(block, offset, digits);
  block[offset + length - 1] = 0;
}

/** Stores the checksum as six octal digits, NUL, space, as POSIX and GNU tar do. */
export function sealHeader(block: Uint8Array): Uint8Array {
  const digits = headerChecksum(block).toString(8).padStart(6, "0");
  writeAscii(block, 148, digits);
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
  return nameNeedsPax(enc.encode(entry.name)) || entry.size > MAX_OCTAL_11;
}

function nameNeedsPax(name: Uint8Array): boolean {
  return !isAscii(name) || splitUstarName(name) === null;
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
  writeAscii(block, 257, "ustar\u0000");
  writeAscii(block, 263, "00");
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
  const nameBytes = enc.encode(entry.name);
  const paxName = nameNeedsPax(nameBytes);
  if (!paxName && entry.size <= MAX_OCTAL_11) return ustarBlock(nameBytes, entry.mode, entry.size, typeflag);

  const records: [string, string][] = [];
  if (paxName) records.push(["path", entry.name]);
  if (entry.size > MAX_OCTAL_11) records.push(["size", String(entry.size)]);
  const body = encodePaxRecords(records);
  const base = entry.name.replace(/\/$/, "").split("/").pop() ?? "";
  const paxHeader = ustarBlock(fallbackName(`PaxHeaders/${base}`.slice(0, 99)), 0o644, body.length, "x");
  const mainHeader = ustarBlock(fallbackName(entry.name), entry.mode, Math.min(entry.size, MAX_OCTAL_11), typeflag);
  const out = new Uint8Array(BLOCK + paddedLength(body.length) + BLOCK);
  out.set(paxHeader, 0);
  out.set(body, BLOCK);
  out.set(mainHeader, BLOCK + paddedLength(body.length));
  return out;
}
