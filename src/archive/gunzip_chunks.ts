/**
 * gunzip of `.aam` input (SPEC §3): a chunk stream in, decompressed chunks out. A whole small
 * archive may first be inflated by node:zlib in one capped call (gunzip_native.ts, once loading it
 * pays: _gunzip_native_policy.ts); anything it does not fully accept goes through the streaming
 * decoder (gunzip_decoder.ts), which decides.
 */
import { GunzipDecoder, type GunzipLimits } from "./gunzip_decoder.ts";
import { gunzipWholeNative, gunzipWholeWeb, NATIVE_MAX_INPUT_BYTES } from "./gunzip_native.ts";
import { nativePays, noteArchive, noteGzipBytes } from "./_gunzip_native_policy.ts";

/**
 * Decompresses a stream of gzip chunks, yielding output as it comes: each piece is valid until the
 * next is asked for (the streaming decoder reuses its buffer). Memory stays bounded by the input
 * chunk size and NATIVE_MAX_OUTPUT_BYTES, never by the archive or its unpacked size.
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

/** The streaming decoder over `head` (chunks already read), then what `more` reads until it is done. */
async function* gunzipStream(
  head: Uint8Array[],
  more: (() => Promise<IteratorResult<Uint8Array>>) | null,
  limits: GunzipLimits,
): AsyncGenerator<Uint8Array> {
  const dec = new GunzipDecoder(limits);
  // Each input chunk is inflated to its end before the next is read (the chunks may be views of one
  // reused buffer), and each piece of output, a view of the decoder's reused buffer, is yielded
  // before the next is made: the consumer is done with it when it asks for more. A reader that
  // stops at the first entry (verify stops at aam.yaml) so inflates little more than it needs.
  for (let i = 0; ; i++) {
    let chunk: Uint8Array;
    if (i < head.length) chunk = head[i];
    else {
      const r = more === null ? null : await more();
      if (r === null || r.done) break;
      chunk = r.value;
    }
    dec.push(chunk);
    for (let out = dec.read(); out !== null; out = dec.read()) yield out;
  }
  dec.end();
}
