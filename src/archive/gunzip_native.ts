/**
 * The fast path of gunzip: a whole, small gzip member inflated by native zlib (runtime/zlib.ts) in
 * one capped call, ~2-3x faster than AAM's own inflater (_inflate.ts). It accepts only what the
 * streaming decoder (gunzip_decoder.ts) also accepts, and declines everything else to it.
 */
import { crc32 } from "./_crc32.ts";
import { gzipHeaderLength, readGzipTrailer } from "./_gzip_member.ts";
import type { GunzipLimits } from "./gunzip_decoder.ts";
import { inflateRawCapped, inflateRawWeb, nativeCrc32 } from "../runtime/zlib.ts";
import { crc32For } from "./_gunzip_native_policy.ts";
import { concatBytes } from "../encoding/bytes.ts";

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
 * truncated, trailing data, too large) keeps its exact error, and the streaming decoder stays the
 * judge of what is malformed (it refuses what zlib refuses: inflate_fuzz_test.ts). Where both
 * accept a stream, both inflate it to the same bytes (deflate decoding is fully specified).
 */
export function gunzipWholeNative(gz: Uint8Array, limits: GunzipLimits): Uint8Array | null {
  const m = memberOf(gz, limits);
  if (m === null) return null;
  const r = inflateRawCapped(gz.subarray(m.start, m.bodyEnd), m.cap);
  // Input left over means data after the deflate stream (or a trailer in the wrong place).
  if (r === null || r.inputBytes !== m.bodyEnd - m.start) return null;
  return checked(gz, m.bodyEnd, r.output, limits, nativeCrc32() ?? crc32);
}

/**
 * gunzipWholeNative through the runtime's web DecompressionStream where it is exact and costs
 * nothing to reach (runtime/zlib.ts inflateRawWeb): the first small archive of a run then needs
 * no node:zlib loaded. The same answers: null for anything not an unqualified success.
 */
export async function gunzipWholeWeb(gz: Uint8Array, limits: GunzipLimits): Promise<Uint8Array | null> {
  const m = memberOf(gz, limits);
  if (m === null) return null;
  // inflateRawWeb answers null unless the stream ends exactly at bodyEnd (no trailing data, not truncated).
  const out = await inflateRawWeb(gz.subarray(m.start, m.bodyEnd), m.cap);
  return out === null ? null : checked(gz, m.bodyEnd, out.length === 1 ? out[0] : concatBytes(out), limits, crc32For());
}

/** Where the deflate body of a whole gzip member lies, and the output cap; null to decline. */
function memberOf(gz: Uint8Array, limits: GunzipLimits): { start: number; bodyEnd: number; cap: number } | null {
  if (gz.length > Math.min(limits.maxInputBytes, NATIVE_MAX_INPUT_BYTES)) return null;
  let start: number | null;
  try {
    start = gzipHeaderLength(gz);
  } catch {
    return null; // a bad header: the streaming decoder reports it
  }
  const bodyEnd = gz.length - 8;
  if (start === null || bodyEnd < start) return null;
  return { start, bodyEnd, cap: Math.min(limits.maxOutputBytes, NATIVE_MAX_OUTPUT_BYTES) };
}

/** `out` when it is within the limits and matches the trailer's length and CRC-32, else null. */
function checked(gz: Uint8Array, bodyEnd: number, out: Uint8Array, limits: GunzipLimits, crc: (d: Uint8Array, c: number) => number): Uint8Array | null {
  if (out.length > limits.maxOutputBytes) return null;
  const t = readGzipTrailer(gz, bodyEnd);
  return t.isize === out.length && t.crc === crc(out, 0) ? out : null;
}
