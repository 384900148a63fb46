/**
 * Reading POSIX ustar (and GNU) header blocks, for untrusted bytes: every malformed field ends as
 * an UnsafeArchive error. Pure: bytes in, fields out.
 */
import { unsafeArchive } from "./_unsafe.ts";
import { BLOCK, headerChecksum } from "./tar_block.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

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

/** Decodes a text field as strict UTF-8; `what` names it in the error. */
export function decodeTarText(bytes: Uint8Array, what: string): string {
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
  let name = decodeTarText(fieldBytes(block, 0, 100), "name");
  // In GNU format bytes 345.. hold times, not a prefix.
  if (isUstar) {
    const prefix = decodeTarText(fieldBytes(block, 345, 155), "name prefix");
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: num(100, 8, "mode"),
    size: num(124, 12, "size"),
    typeflag: String.fromCharCode(block[156]),
    linkname: decodeTarText(fieldBytes(block, 157, 100), "link name"),
  };
}
