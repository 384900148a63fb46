/**
 * Native raw-deflate inflation and CRC-32 from node:zlib, which Node, Bun and Deno all provide.
 * An accelerator only: archive/gunzip_decoder.ts (AAM's own inflater) is the authority on every refusal
 * and inflates whatever is too large for one call, and nothing here compresses (zlib's deflate
 * output differs across runtimes; SPEC §3 wants the same archive bytes on all). CRC-32 gives the
 * same numbers as archive/_crc32.ts, ~40x faster.
 *
 * Loaded on first use: importing node:zlib costs 2-8 ms of start-up (the most on Bun), and most
 * commands never read an archive.
 */
import type * as Zlib from "node:zlib";
import { builtin } from "./builtin.ts";
import { runtimeName } from "./detect.ts";

let zlibModule: typeof Zlib | null | undefined;

function zlib(): typeof Zlib | null {
  if (zlibModule === undefined) {
    try {
      zlibModule = builtin<typeof Zlib>("node:zlib");
    } catch {
      zlibModule = null; // no node:zlib here: callers use their pure-JS code
    }
  }
  return zlibModule;
}

export interface RawInflateResult {
  output: Uint8Array;
  /** Input bytes the deflate stream took; anything after them was not read. */
  inputBytes: number;
}

/**
 * Inflates one whole raw deflate stream (RFC 1951) in one call, never producing more than
 * `maxOutputBytes`.
 * @returns the output and the input bytes consumed, or null when it was not done: no native zlib,
 * malformed or truncated data, or output past `maxOutputBytes` (zlib stops there; the rest of a
 * gzip bomb is never inflated). Callers treat null as "use the streaming decoder", which then
 * reports the problem in its own words.
 */
export function inflateRawCapped(data: Uint8Array, maxOutputBytes: number): RawInflateResult | null {
  const z = zlib();
  if (z === null || maxOutputBytes < 1) return null;
  try {
    // info: true hands back the engine, whose bytesWritten counts the input consumed (on all three runtimes).
    const r = z.inflateRawSync(data, { info: true, maxOutputLength: maxOutputBytes }) as unknown as {
      buffer: Uint8Array;
      engine: { bytesWritten: number };
    };
    const b = r.buffer;
    return { output: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), inputBytes: r.engine.bytesWritten };
  } catch {
    // Z_DATA_ERROR, Z_BUF_ERROR (truncated) or RangeError ERR_BUFFER_TOO_LARGE (over the cap): see @returns.
    return null;
  }
}

/** zlib's CRC-32 (`crc32(data, running)`), or null where node:zlib lacks it (Node < 20.15). */
export function nativeCrc32(): ((data: Uint8Array, crc: number) => number) | null {
  const z = zlib() as (typeof Zlib & { crc32?: (data: Uint8Array, crc: number) => number }) | null;
  return typeof z?.crc32 === "function" ? z.crc32 : null;
}

/**
 * Inflates one whole raw deflate stream through the web DecompressionStream, for runtimes where it
 * is exact and free to reach: Bun's refuses data after the stream's end and a truncated stream
 * (zlib_test.ts checks both) and needs no module loaded, where node:zlib costs ~10 ms there. Node's
 * accepts trailing data and Deno's a truncated stream, so elsewhere this answers null at once.
 * Output is read in the decoder's pieces (64 KiB on Bun) and reading stops past `maxOutputBytes`.
 * @returns the output in pieces, or null: not offered here, malformed, truncated, trailing data, or too large
 */
export async function inflateRawWeb(data: Uint8Array, maxOutputBytes: number): Promise<Uint8Array[] | null> {
  if (runtimeName !== "bun" || typeof DecompressionStream !== "function" || maxOutputBytes < 1) return null;
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      size += r.value.length;
      if (size > maxOutputBytes) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      parts.push(r.value);
    }
  } catch {
    return null; // malformed, truncated or trailing data: see @returns
  }
  return parts;
}
