/**
 * The fast path of gunzip: a whole, small gzip member inflated by native zlib (runtime/zlib.ts) in
 * one capped call, ~5x faster than fflate and with far less garbage. It accepts only what the
 * streaming decoder (gunzip_decoder.ts) also accepts, and declines everything else to it.
 */
import { crc32 } from "./_crc32.ts";
import { gzipHeaderLength, readGzipTrailer } from "./_gzip_member.ts";
import type { GunzipLimits } from "./gunzip_decoder.ts";
import { inflateRawCapped, nativeCrc32 } from "../runtime/zlib.ts";

/**
 * Whole gzip input up to this size may be inflated natively in one call. Larger input streams: it
 * would be read in several chunks anyway (verify/archive_source.ts reads files in 1 MiB pieces).
 */
export const NATIVE_MAX_INPUT_BYTES = 1 << 20;
/**
 * Output cap of the native path. Past it zlib stops and the streaming decoder starts over, so a
 * gzip bomb costs at most this much memory and inflate work before the usual path takes over (which
 * may itself hold one slice's output, up to ~16 MiB).
 */
export const NATIVE_MAX_OUTPUT_BYTES = 8 << 20;

/**
 * Decompresses a whole, small gzip member with native zlib. It answers only an unqualified
 * success: one member whose deflate stream ends exactly at the 8-byte trailer, whose CRC-32 and
 * length match, within the limits and NATIVE_MAX_OUTPUT_BYTES. Anything else answers null and the
 * caller runs the streaming decoder over the same bytes, so every refusal (not gzip, corrupt,
 * truncated, trailing data, too large) keeps its exact error, and fflate stays the judge of what is
 * malformed. Where both accept a stream, both inflate it to the same bytes (deflate decoding is
 * fully specified).
 */
export function gunzipWholeNative(gz: Uint8Array, limits: GunzipLimits): Uint8Array | null {
  if (gz.length > Math.min(limits.maxInputBytes, NATIVE_MAX_INPUT_BYTES)) return null;
  let start: number | null;
  try {
    start = gzipHeaderLength(gz);
  } catch {
    return null; // a bad header: the streaming decoder reports it
  }
  const bodyEnd = gz.length - 8;
  if (start === null || bodyEnd < start) return null;
  const r = inflateRawCapped(gz.subarray(start, bodyEnd), Math.min(limits.maxOutputBytes, NATIVE_MAX_OUTPUT_BYTES));
  // Input left over means data after the deflate stream (or a trailer in the wrong place).
  if (r === null || r.inputBytes !== bodyEnd - start || r.output.length > limits.maxOutputBytes) return null;
  const { crc, isize } = readGzipTrailer(gz, bodyEnd);
  if (isize !== r.output.length || crc !== (nativeCrc32() ?? crc32)(r.output, 0)) return null;
  return r.output;
}
