/**
 * gunzip of `.aam` input (SPEC §3): a chunk stream in, decompressed chunks out. A whole small
 * archive may first be inflated by node:zlib in one capped call (gunzip_native.ts, once loading it
 * pays: _gunzip_native_policy.ts); anything it does not fully accept goes through the fflate
 * decoder (gunzip_decoder.ts), which decides.
 */
import type { GunzipLimits } from "./gunzip_decoder.ts";
import { gunzipWholeNative, gunzipWholeWeb, NATIVE_MAX_INPUT_BYTES } from "./gunzip_native.ts";
import { nativePays, noteArchive, noteGzipBytes } from "./_gunzip_native_policy.ts";

/**
 * Decompresses a stream of gzip chunks, yielding output as it comes. Memory stays bounded by the
 * input chunk size and INFLATE_SLICE_BYTES, never by the archive or its unpacked size.
 *
 * Input that arrives as one small chunk (an archive read whole: registry verify reads 1,000 of
 * them) first tries gunzipWholeNative; the streaming decoder runs whenever that declines.
 * @throws {AamError} UnsafeArchive when the input is not gzip, is corrupt or truncated, or breaks a limit
 */
export async function* gunzipChunks(input: AsyncIterable<Uint8Array>, limits: GunzipLimits): AsyncGenerator<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  let exhausted = false; // `it` ended or threw: nothing to close
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    try {
      const r = await it.next();
      exhausted = r.done === true;
      return r;
    } catch (e) {
      exhausted = true;
      throw e;
    }
  };
  noteArchive();
  try {
    const first = await next();
    const head = first.done ? [] : [first.value];
    if (head.length === 1 && head[0].length <= NATIVE_MAX_INPUT_BYTES) {
      // Input chunks may be views of one reused buffer (archive_source.ts streams so): the first is
      // copied before the second is read over it. At most 1 MiB, once per archive.
      head[0] = head[0].slice();
      const second = await next();
      if (!second.done) head.push(second.value);
      else {
        // node:zlib once loading it pays; before that the runtime's web decoder if it has an exact, free one.
        const out = nativePays(head[0].length) ? gunzipWholeNative(head[0], limits) : await gunzipWholeWeb(head[0], limits);
        if (out !== null) {
          noteGzipBytes(head[0].length); // (when it declines, the streaming decoder counts them)
          if (out.length > 0) yield out;
          return;
        }
      }
    }
    yield* gunzipStream(head, exhausted ? null : next, limits);
  } finally {
    // Stopped early (an error, or the consumer left): close the input, as `for await` would.
    if (!exhausted) await it.return?.();
  }
}

/** The first piece of input the streaming decoder inflates; each next one is twice as large. */
const FIRST_SLICE_BYTES = 1024;

/** The streaming decoder over `head` (chunks already read), then what `more` reads until it is done. */
async function* gunzipStream(
  head: Uint8Array[],
  more: (() => Promise<IteratorResult<Uint8Array>>) | null,
  limits: GunzipLimits,
): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  // fflate loads only here, when a native path declined: its set-up costs ~5 ms of a Bun start-up.
  const { GunzipDecoder, INFLATE_SLICE_BYTES } = await import("./gunzip_decoder.ts");
  const dec = new GunzipDecoder(limits, (c) => pending.push(c));
  // Input is regrouped into pieces of up to INFLATE_SLICE_BYTES: big chunks are split so only one
  // piece's output is held at once, and tiny ones joined (in one reused buffer: the decoder keeps no
  // view of what it is given) so each inflate step does useful work. Pieces start small and double:
  // a reader that stops at the first entry (verify stops at aam.yaml, in the first KiB or so) then
  // inflates little more than it needs, which matters while the inflater is still cold (~10 ms for
  // 16 KiB of Huffman-coded input before the JIT has compiled it).
  const slice = new Uint8Array(INFLATE_SLICE_BYTES);
  let size = FIRST_SLICE_BYTES;
  let fill = 0;
  for (let i = 0; ; i++) {
    let chunk: Uint8Array;
    if (i < head.length) chunk = head[i];
    else {
      const r = more === null ? null : await more();
      if (r === null || r.done) break;
      chunk = r.value;
    }
    for (let off = 0; off < chunk.length; ) {
      let piece: Uint8Array;
      if (fill === 0 && chunk.length - off >= size) {
        piece = chunk.subarray(off, off + size);
        off += size;
      } else {
        const n = Math.min(size - fill, chunk.length - off);
        slice.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill < size) break;
        piece = slice.subarray(0, fill);
        fill = 0;
      }
      dec.push(piece);
      size = Math.min(size * 2, INFLATE_SLICE_BYTES);
      if (pending.length) {
        const out = pending;
        pending = [];
        yield* out;
      }
    }
  }
  if (fill > 0) dec.push(slice.subarray(0, fill));
  dec.end();
  yield* pending;
}
