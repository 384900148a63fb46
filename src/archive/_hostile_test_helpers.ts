/**
 * Test-only helpers: a tar writer that permits what AAM's writer never produces (links, devices,
 * traversal, bad checksums, lying sizes), so the reader's refusals can be tested. Not exported from
 * index.ts and not used by production code.
 */
import { Gzip, gzipSync } from "fflate";
import { BLOCK, encodePaxRecords, sealHeader, writeOctal } from "./tar_header.ts";

const enc = new TextEncoder();

export interface RawEntrySpec {
  /** The header's name field (≤ 100 bytes). */
  name: string;
  /** The ustar prefix field (≤ 155 bytes). */
  prefix?: string;
  /** Typeflag character; "0" by default. */
  type?: string;
  /** Data bytes following the header (padded to 512). */
  data?: Uint8Array;
  /** The size written in the header; defaults to data.length. */
  size?: number;
  mode?: number;
  linkname?: string;
  /** "ustar" (POSIX, default), "gnu" ("ustar  \0") or "v7" (no magic). */
  magic?: "ustar" | "gnu" | "v7";
  /** Change the block after the checksum is sealed (to break it). */
  afterSeal?: (block: Uint8Array) => void;
  /** Raw bytes for the name field, overriding `name` (e.g. invalid UTF-8). */
  nameBytes?: Uint8Array;
}

/** One header block (plus padded data) built exactly as told. */
export function rawEntry(spec: RawEntrySpec): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(spec.nameBytes ?? enc.encode(spec.name).subarray(0, 100), 0);
  writeOctal(block, 100, 8, spec.mode ?? 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  const data = spec.data ?? new Uint8Array(0);
  writeOctal(block, 124, 12, spec.size ?? data.length);
  writeOctal(block, 136, 12, 0);
  block[156] = (spec.type ?? "0").charCodeAt(0);
  block.set(enc.encode(spec.linkname ?? "").subarray(0, 100), 157);
  const magic = spec.magic ?? "ustar";
  if (magic === "ustar") block.set(enc.encode("ustar\u000000"), 257);
  if (magic === "gnu") block.set(enc.encode("ustar  \u0000"), 257);
  if (spec.prefix) block.set(enc.encode(spec.prefix).subarray(0, 155), 345);
  sealHeader(block);
  spec.afterSeal?.(block);
  const padded = Math.ceil(data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(BLOCK + padded);
  out.set(block, 0);
  out.set(data, BLOCK);
  return out;
}

/** A pax extended header ("x" per entry, "g" global) carrying `records`. */
export function paxEntry(records: [string, string][], type: "x" | "g" = "x"): Uint8Array {
  return rawEntry({ name: "PaxHeaders/x", type, data: encodePaxRecords(records) });
}

/** A pax header whose body is given raw (for malformed records). */
export function rawPaxEntry(body: string | Uint8Array): Uint8Array {
  return rawEntry({ name: "PaxHeaders/x", type: "x", data: typeof body === "string" ? enc.encode(body) : body });
}

export function file(name: string, content = "x", mode = 0o644): Uint8Array {
  return rawEntry({ name, data: enc.encode(content), mode });
}

export function dir(name: string): Uint8Array {
  return rawEntry({ name, type: "5", mode: 0o755 });
}

/** Concatenates parts and, unless `end` is false, appends the two-block end-of-archive marker. */
export function tarOf(parts: Uint8Array[], end = true): Uint8Array {
  const all = end ? [...parts, new Uint8Array(2 * BLOCK)] : parts;
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of all) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function gz(tar: Uint8Array): Uint8Array {
  return gzipSync(tar, { level: 6, mtime: 0 });
}

/** The archive as a stream of `size`-byte chunks. */
export async function* chunksOf(bytes: Uint8Array, size = 4096): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  if (bytes.length === 0) yield bytes;
}

/**
 * A gzip bomb generated lazily: `prefix` followed by `zeroBytes` zeros, compressed as it is read.
 * Only as much is compressed as the reader pulls, so a 1 GiB bomb costs only what is consumed.
 * `stats.inputBytes` counts the compressed bytes handed out.
 */
export function lazyZeroBomb(prefix: Uint8Array, zeroBytes: number): { stream: AsyncGenerator<Uint8Array>; stats: { inputBytes: number } } {
  const stats = { inputBytes: 0 };
  async function* gen(): AsyncGenerator<Uint8Array> {
    let out: Uint8Array[] = [];
    const g = new Gzip({ level: 6, mtime: 0 }, (c) => out.push(c));
    g.push(prefix, false);
    const zeros = new Uint8Array(1 << 20);
    for (let left = zeroBytes; left > 0; left -= zeros.length) {
      g.push(zeros.subarray(0, Math.min(zeros.length, left)), false);
      for (const c of out) {
        stats.inputBytes += c.length;
        yield c;
      }
      out = [];
    }
    g.push(new Uint8Array(0), true);
    for (const c of out) {
      stats.inputBytes += c.length;
      yield c;
    }
  }
  return { stream: gen(), stats };
}
