/**
 * Huffman code lengths and canonical codes for `.aam`'s deflate blocks (RFC 1951 §3.2.2). Pure and
 * deterministic: ties are broken by symbol number, so every runtime builds the same codes.
 */

/**
 * Writes into `lengths[0, n)` the code lengths (at most `maxBits`) of a Huffman code for `freq`.
 * At least two symbols get a length, as zlib does: a deflate code is then always complete, which
 * every inflater accepts (zlib refuses an incomplete code-length code).
 */
export function huffmanLengths(freq: Uint32Array, n: number, maxBits: number, lengths: Uint8Array): void {
  lengths.fill(0, 0, n);
  // Used symbols by (count, symbol), ascending: one numeric sort of count * 512 + symbol.
  let m = 0;
  for (let s = 0; s < n; s++) if (freq[s] > 0) keys[m++] = freq[s] * 512 + s;
  if (m < 2) {
    const s = m ? keys[0] % 512 : 0;
    lengths[s] = 1;
    lengths[s === 0 ? 1 : 0] = 1;
    return;
  }
  const sorted = keys.subarray(0, m).sort();
  // Two-queue Huffman: leaves in ascending order, internal nodes made in ascending order too.
  for (let k = 0; k < m; k++) weight[k] = Math.floor(sorted[k] / 512);
  let leaf = 0;
  let inner = m;
  for (let next = m; next < 2 * m - 1; next++) {
    const a = leaf < m && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
    const b = leaf < m && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
    weight[next] = weight[a] + weight[b];
    parent[a] = parent[b] = next;
  }
  // Depths (a parent's number is above its children's); then how many leaves at each depth.
  perDepth.fill(0);
  depth[2 * m - 2] = 0;
  for (let k = 2 * m - 3; k >= 0; k--) depth[k] = depth[parent[k]] + 1;
  for (let k = 0; k < m; k++) perDepth[depth[k]]++;
  limitLengths(perDepth, maxBits);
  // The most frequent symbols take the shortest lengths.
  let k = m - 1;
  for (let len = 1; len <= maxBits; len++) for (let c = perDepth[len]; c > 0; c--) lengths[sorted[k--] % 512] = len;
}

// Scratch for huffmanLengths (alphabets of at most 286 symbols; one call at a time per thread).
const MAX_SYMBOLS = 286;
const keys = new Float64Array(MAX_SYMBOLS);
const weight = new Float64Array(2 * MAX_SYMBOLS);
const parent = new Int32Array(2 * MAX_SYMBOLS);
const depth = new Int32Array(2 * MAX_SYMBOLS);
const perDepth = new Int32Array(2 * MAX_SYMBOLS);

/** Folds lengths over `maxBits` into it and restores Kraft's equality (miniz's method). */
function limitLengths(count: Int32Array, maxBits: number): void {
  for (let len = maxBits + 1; len < count.length; len++) {
    count[maxBits] += count[len];
    count[len] = 0;
  }
  let total = 0;
  for (let len = maxBits; len > 0; len--) total += count[len] * 2 ** (maxBits - len);
  while (total !== 2 ** maxBits) {
    count[maxBits]--;
    for (let len = maxBits - 1; len > 0; len--) {
      if (count[len]) {
        count[len]--;
        count[len + 1] += 2;
        break;
      }
    }
    total--;
  }
}

/** Canonical codes for `lengths[0, n)`, bit-reversed for deflate's LSB-first bit order. */
export function canonicalCodes(lengths: Uint8Array, n: number, codes: Uint16Array): void {
  const count = new Uint16Array(16);
  for (let s = 0; s < n; s++) count[lengths[s]]++;
  count[0] = 0;
  const next = new Uint16Array(16);
  for (let len = 1, code = 0; len < 16; len++) next[len] = code = (code + count[len - 1]) << 1;
  for (let s = 0; s < n; s++) {
    const len = lengths[s];
    if (!len) continue;
    let c = next[len]++;
    let r = 0;
    for (let b = 0; b < len; b++, c >>= 1) r = (r << 1) | (c & 1);
    codes[s] = r;
  }
}
