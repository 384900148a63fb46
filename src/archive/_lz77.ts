/**
 * The match finder of `.aam`'s deflate (_deflate_block.ts): greedy LZ77 over one job's bytes (the
 * 32 KiB window before it, then the block), zlib's "fast" strategy. Hash chains on 4 bytes, a short
 * chain walk, and positions inside a long match are not hashed: on long repeats (text, tar padding)
 * the cost per byte is a byte compare, not a hash-table update, which is where fflate's level 6
 * spent its time. A pure function of the bytes: integer arithmetic only, so every runtime agrees.
 */

/** Deflate's longest distance. */
export const MAX_DISTANCE = 32 * 1024;
const MIN_MATCH = 4; // 3-byte matches save little and cost a hash probe at every byte
const MAX_MATCH = 258;
const HASH_BITS = 15;
/** Candidates tried per position; a longer walk gains ~1% on text for twice the time. */
const MAX_CHAIN = 16;
/** A match this long ends the search. */
const NICE_MATCH = 128;
/** Positions inside a match up to this long are hashed; inside longer ones they are skipped. */
const MAX_INSERT = 16;
/** After this many positions without a match, the scan strides (LZ4's acceleration); 1 position in 2^5 more each time. */
const SKIP_SHIFT = 6;

/** A match in a symbol: `length << 16 | distance` (length >= 4, so never a literal byte). */
export const LENGTH_SHIFT = 16;

/** The tables of one thread, reused by every job: one job is parsed at a time, synchronously. */
export class Lz77 {
  readonly #head = new Int32Array(1 << HASH_BITS);
  #prev = new Int32Array(0);
  /** Symbols written by the last parse(). */
  count = 0;

  /** Starts a job over `data`: hashes `data[0, start)` (the window) without emitting it. */
  begin(data: Uint8Array, start: number): void {
    this.#head.fill(0);
    if (this.#prev.length < data.length) this.#prev = new Int32Array(data.length);
    const end = Math.min(start, data.length - MIN_MATCH + 1);
    for (let i = 0; i < end; i++) this.#insert(data, i);
  }

  #insert(d: Uint8Array, i: number): void {
    const h = Math.imul(d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24), 0x9e3779b1) >>> (32 - HASH_BITS);
    this.#prev[i] = this.#head[h];
    this.#head[h] = i + 1; // 0 is "none"
  }

  /**
   * Parses `data` from `pos` until `syms` is full (less one) or the data ends; `count` says how
   * many symbols were written. Literals are byte values, matches `length << 16 | distance`.
   * @returns the position reached
   */
  parse(data: Uint8Array, pos: number, syms: Uint32Array): number {
    const d = data;
    const end = d.length;
    const last = end - MIN_MATCH; // the last position with 4 bytes to hash
    const head = this.#head;
    const prev = this.#prev;
    const cap = syms.length - 1;
    let n = 0;
    let i = pos;
    let misses = 0;
    // One loop to the end, the last few bytes (too few to hash) included: a tail loop after it
    // would have no type feedback when V8 optimizes this loop on-stack, and its optimized code
    // deopts at the exit on every call (measured under Node 20: ~280 deopts packing 19 MB).
    while (i < end && n < cap) {
      if (i > last) {
        syms[n++] = d[i++];
        continue;
      }
      const v = d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24);
      const h = Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS);
      let cand = head[h] - 1;
      prev[i] = head[h];
      head[h] = i + 1;
      const maxLen = Math.min(MAX_MATCH, end - i);
      let best = 0;
      let dist = 0;
      for (let chain = MAX_CHAIN; cand >= 0 && i - cand <= MAX_DISTANCE && chain > 0; chain--) {
        if (d[cand + best] === d[i + best] && (d[cand] | (d[cand + 1] << 8) | (d[cand + 2] << 16) | (d[cand + 3] << 24)) === v) {
          let l = MIN_MATCH;
          while (l < maxLen && d[cand + l] === d[i + l]) l++;
          if (l > best) {
            best = l;
            dist = i - cand;
            if (l >= NICE_MATCH || l === maxLen) break;
          }
        }
        cand = prev[cand] - 1;
      }
      if (best >= MIN_MATCH) {
        syms[n++] = (best << LENGTH_SHIFT) | dist;
        const stop = i + best;
        if (best <= MAX_INSERT) for (let j = i + 1; j < stop && j <= last; j++) this.#insert(d, j);
        i = stop;
        misses = 0;
      } else {
        // Incompressible stretches are scanned faster; the skipped bytes go out as literals.
        const stop = Math.min(i + 1 + (misses++ >> SKIP_SHIFT), end, i + cap - n);
        while (i < stop) syms[n++] = d[i++];
      }
    }
    this.count = n;
    return i;
  }
}
