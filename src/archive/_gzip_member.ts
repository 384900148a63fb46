/**
 * The gzip member format (RFC 1952 §2), shared by the encoder (gzip_encoder.ts) and the decoders
 * (gunzip_decoder.ts, gunzip_native.ts): the fixed header AAM writes, the 8-byte trailer both ways,
 * and a strict parse of any header's length.
 */
import { unsafeArchive } from "./_unsafe.ts";

/** OS byte 3 ("Unix"), what gzip(1) and fflate write; tar's mode bits are Unix anyway. */
export const GZIP_OS_BYTE = 3;

/** gzip's header (RFC 1952 §2.3): deflate, no flags, MTIME 0, XFL 0, OS. */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, GZIP_OS_BYTE);

/** The header AAM writes, a fresh copy. */
export function gzipHeader(): Uint8Array {
  return GZIP_HEADER.slice();
}

/** The trailer: CRC-32 and length mod 2^32, little-endian. */
export function gzipTrailer(crc: number, length: number): Uint8Array {
  const t = new Uint8Array(8);
  const view = new DataView(t.buffer);
  view.setUint32(0, crc, true);
  view.setUint32(4, length % 2 ** 32, true);
  return t;
}

/** Reads the trailer at `at`: the CRC-32 and the length mod 2^32 it states. */
export function readGzipTrailer(b: Uint8Array, at: number): { crc: number; isize: number } {
  const crc = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  const isize = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0;
  return { crc, isize };
}

/** Parses a gzip member header; answers its length, or null when more bytes are needed. */
export function gzipHeaderLength(b: Uint8Array): number | null {
  if (b.length >= 1 && b[0] !== 0x1f) throw notGzip();
  if (b.length >= 2 && b[1] !== 0x8b) throw notGzip();
  if (b.length >= 3 && b[2] !== 8) throw corruptGzip("unknown compression method");
  if (b.length < 10) return null;
  const flags = b[3];
  if (flags & 0xe0) throw corruptGzip("reserved header flags set");
  let pos = 10;
  if (flags & 4) {
    if (b.length < pos + 2) return null;
    pos += 2 + (b[pos] | (b[pos + 1] << 8));
    if (b.length < pos) return null;
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    const nul = b.indexOf(0, pos);
    if (nul === -1) return null;
    pos = nul + 1;
  }
  if (flags & 2) pos += 2; // header CRC16: not checked, the trailer CRC covers the data
  return b.length < pos ? null : pos;
}

export function notGzip() {
  return unsafeArchive("Cannot read archive: it is not gzip-compressed", {
    hint: "an .aam file is a gzip-compressed tar made by `aam pkg pack`; this file is something else",
  });
}

export function corruptGzip(why: string, cause?: unknown) {
  return unsafeArchive(`Cannot read archive: the gzip data is corrupt (${why})`, { cause });
}
