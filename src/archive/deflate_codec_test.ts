import { describe, expect, test } from "bun:test";
import { inflateSync } from "fflate";
import { inflateRawSync } from "node:zlib";
import { checksumOf } from "../encoding/sha256.ts";
import { deflateBlock, DEFLATE_WINDOW_BYTES } from "./_deflate_block.ts";
import { canonicalCodes, huffmanLengths } from "./_huffman.ts";

function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
}

function kraftSum(lengths: Uint8Array): number {
  return lengths.reduce((sum, l) => (l ? sum + 2 ** -l : sum), 0);
}

/** Deflates `data` as one final job, `window` bytes of it being the dictionary; both inflaters must agree. */
function roundTrip(data: Uint8Array, window = 0): Uint8Array {
  const raw = deflateBlock({ window: data.subarray(0, window), block: data.subarray(window), final: true });
  const tail = data.subarray(window);
  // node:zlib takes a dictionary; fflate gets the window as a stored prefix instead.
  expect(new Uint8Array(inflateRawSync(raw, window ? { dictionary: data.subarray(0, window) } : {})) as Uint8Array).toEqual(tail);
  if (!window) expect(inflateSync(raw) as Uint8Array).toEqual(tail);
  return raw;
}

describe("huffmanLengths()", () => {
  test("keeps every length within the limit and the code complete, however skewed the counts", () => {
    // Fibonacci counts make an unlimited Huffman code as deep as there are symbols.
    const freq = new Uint32Array(30);
    for (let s = 0, a = 1, b = 1; s < 30; s++, [a, b] = [b, a + b]) freq[s] = a;
    const lengths = new Uint8Array(30);
    huffmanLengths(freq, 30, 7, lengths);
    expect(Math.max(...lengths)).toBe(7);
    expect(kraftSum(lengths)).toBe(1);
    huffmanLengths(freq, 30, 15, lengths);
    expect(Math.max(...lengths)).toBe(15);
    expect(kraftSum(lengths)).toBe(1);
    // The most frequent symbol gets the shortest code.
    expect(lengths[29]).toBe(Math.min(...lengths));
  });

  test("gives two codes when one symbol or none is used: a complete code every inflater takes", () => {
    const lengths = new Uint8Array(19);
    huffmanLengths(new Uint32Array(19), 19, 7, lengths);
    expect(Array.from(lengths.subarray(0, 3))).toEqual([1, 1, 0]);
    const one = new Uint32Array(19);
    one[5] = 9;
    huffmanLengths(one, 19, 7, lengths);
    expect([lengths[0], lengths[5], kraftSum(lengths)]).toEqual([1, 1, 1]);
  });

  test("canonical codes are prefix-free (RFC 1951's example)", () => {
    const lengths = Uint8Array.of(3, 3, 3, 3, 3, 2, 4, 4);
    const codes = new Uint16Array(8);
    canonicalCodes(lengths, 8, codes);
    // RFC 1951 §3.2.2: F=00, A=010 ... H=1111, here bit-reversed.
    const rev = (c: number, n: number) => parseInt(c.toString(2).padStart(n, "0").split("").reverse().join(""), 2);
    expect(Array.from(codes, (c, s) => rev(c, lengths[s]))).toEqual([2, 3, 4, 5, 6, 0, 14, 15]);
  });
});

describe("deflateBlock()", () => {
  const next = prng(11);
  const random = Uint8Array.from({ length: 200_000 }, next);
  const line = new TextEncoder().encode("- Keep answers short, cite the file you read, and say when unsure.\n");
  const text = Uint8Array.from({ length: 200_000 }, (_, i) => line[i % line.length]);

  test("writes raw deflate zlib and fflate read back: empty, one byte, runs, text, noise, skewed bytes", () => {
    const skewed = Uint8Array.from({ length: 100_000 }, () => Math.min(29, Math.clz32(next() * 65793 + 1) - 7) + 65);
    // Rare literals (15-bit codes) between far, long copies (the most extra bits): the bit buffer's worst case.
    const far = skewed.slice();
    for (let i = 40_000; i + 300 < far.length; i += 997) far.copyWithin(i, i - 32_000 + (i % 700), i - 32_000 + (i % 700) + 200 + (i % 58));
    for (const data of [new Uint8Array(0), Uint8Array.of(7), new Uint8Array(131_072), text, random, skewed, far]) roundTrip(data);
  });

  test("compresses repeats to a few bytes, and stores noise with little overhead", () => {
    expect(roundTrip(new Uint8Array(131_072)).length).toBeLessThan(600);
    expect(roundTrip(text).length).toBeLessThan(3_000);
    const noise = roundTrip(random);
    // Stored: 5 bytes of framing per deflate block (16 Ki symbols), 0.03%.
    expect(noise.length).toBeLessThanOrEqual(random.length + 5 * Math.ceil(random.length / 16_383) + 8);
  });

  test("matches into the window, up to the farthest distance deflate allows", () => {
    const data = new Uint8Array(DEFLATE_WINDOW_BYTES + 70_000);
    data.set(random.subarray(0, DEFLATE_WINDOW_BYTES));
    for (let i = DEFLATE_WINDOW_BYTES; i < data.length; i++) data[i] = data[i - DEFLATE_WINDOW_BYTES]; // 32 KiB back, always
    const raw = roundTrip(data, DEFLATE_WINDOW_BYTES);
    expect(raw.length).toBeLessThan(2_000);
  });

  test("is a pure function of the job: pinned bytes, the same on every runtime", () => {
    const mixed = new Uint8Array(300_000);
    mixed.set(text.subarray(0, 100_000));
    mixed.set(random.subarray(0, 100_000), 100_000);
    mixed.set(text.subarray(50_000, 150_000), 200_000);
    const raw = deflateBlock({ window: mixed.subarray(0, DEFLATE_WINDOW_BYTES), block: mixed.subarray(DEFLATE_WINDOW_BYTES), final: false });
    expect(Array.from(raw.subarray(-4))).toEqual([0, 0, 0xff, 0xff]);
    expect(checksumOf(raw)).toBe("sha256:cee66635b2fa72a7105f56e4494dd5505d896144b105240b175b9bfcc6232357");
  });
});
