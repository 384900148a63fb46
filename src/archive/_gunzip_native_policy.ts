/**
 * When the gunzip path loads node:zlib (runtime/zlib.ts). node:zlib takes 2-8 ms to load (the most
 * on Bun): more than AAM's inflater needs for a small archive, and `aam verify` of one small
 * package must start fast. So zlib is used once a process has read NATIVE_AFTER_ARCHIVES archives
 * (gunzipChunks calls, the one at hand included; `verify` may read one twice) or NATIVE_AFTER_BYTES
 * of gzip: at once for a big archive, from the third one in a `registry verify` of small ones (the
 * cold inflater and JS CRC-32 cost ~1 ms per archive there). Process-wide counters, by design.
 * Before that, a whole small archive first tries the runtime's web decoder where it is exact and
 * free (gunzipWholeWeb).
 */
import { crc32 } from "./_crc32.ts";
import { nativeCrc32 } from "../runtime/zlib.ts";

export const NATIVE_AFTER_ARCHIVES = 3;
export const NATIVE_AFTER_BYTES = 64 * 1024;
let archivesSeen = 0;
let gzipBytesSeen = 0;

/** Counts one archive being read (one gunzipChunks call). */
export function noteArchive(): void {
  archivesSeen++;
}

/** Counts gzip bytes read. */
export function noteGzipBytes(n: number): void {
  gzipBytesSeen += n;
}

/** True once loading zlib pays, counting `nextBytes` about to be read. */
export function nativePays(nextBytes: number): boolean {
  return archivesSeen >= NATIVE_AFTER_ARCHIVES || gzipBytesSeen + nextBytes >= NATIVE_AFTER_BYTES;
}

/** zlib's CRC-32 once it pays (see NATIVE_AFTER_BYTES); both give the same numbers. */
export function crc32For(): (data: Uint8Array, crc: number) => number {
  return (nativePays(0) && nativeCrc32()) || crc32;
}
