/**
 * The one tar writer (SPEC §3), for `.aam` archives (pack.ts) and bundles (cache/bundle.ts): each
 * entry's header blocks (tar_header.ts), its data, zero padding to a block, and the end-of-archive
 * marker. Each method makes exactly one call to the sink and answers what it answers, so a sink that
 * returns a promise (the parallel gzip encoder) is awaited call by call, and a synchronous one keeps
 * the writer synchronous.
 */
import { BLOCK, tarPadding } from "./tar_block.ts";
import { encodeEntryHeader, type TarEntryHeader } from "./tar_header.ts";

/**
 * Writes a tar stream to `sink`: per entry header(), then data() as often as needed and endEntry()
 * (directories and empty files may skip both), and end() once.
 * @throws {RangeError} when the calls do not frame the stream: more or less data than the header said
 */
export class TarWriter<R extends void | Promise<void>> {
  readonly #sink: (chunk: Uint8Array) => R;
  #size = 0;
  #written = 0;
  #open = false; // an entry with data whose padding is not written yet

  constructor(sink: (chunk: Uint8Array) => R) {
    this.#sink = sink;
  }

  /** Starts an entry: writes its header blocks (a pax header first where needed). */
  header(entry: TarEntryHeader): R {
    if (this.#open) throw new RangeError("tar entry not ended before the next header");
    this.#size = entry.size;
    this.#written = 0;
    this.#open = entry.size > 0;
    return this.#sink(encodeEntryHeader(entry));
  }

  /** Writes data of the current entry; `chunk` may be reused once the sink has taken it. */
  data(chunk: Uint8Array): R {
    if (this.#written + chunk.length > this.#size) throw new RangeError("more tar entry data than its header says");
    this.#written += chunk.length;
    return this.#sink(chunk);
  }

  /** Ends the current entry's data: writes the zero padding to the next block (possibly none). */
  endEntry(): R {
    if (this.#written !== this.#size) throw new RangeError("less tar entry data than its header says");
    this.#open = false;
    return this.#sink(new Uint8Array(tarPadding(this.#size)));
  }

  /** Writes the end-of-archive marker: two zero blocks. */
  end(): R {
    if (this.#open) throw new RangeError("tar entry not ended before the end of the archive");
    return this.#sink(new Uint8Array(2 * BLOCK));
  }
}
