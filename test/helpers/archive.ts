/**
 * Test-only helpers: a tar writer that permits what AAM's writer never produces (links, devices,
 * traversal, bad checksums, lying sizes), so the reader's refusals can be tested; and sample bytes.
 */
import { Gzip, gzipSync } from "fflate";
import { BLOCK } from "../../src/archive/tar_block.ts";
import { sealHeader, writeOctal } from "../../src/archive/tar_header.ts";
import { encodePaxRecords } from "../../src/archive/tar_pax.ts";
import { concatBytes } from "../../src/encoding/bytes.ts";

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
  return concatBytes(end ? [...parts, new Uint8Array(2 * BLOCK)] : parts);
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
 * The archive as `size`-byte views of one buffer that is scribbled over before each next read, as
 * a file streamed through one reused buffer is (runtime readChunksInto): a reader that keeps a
 * view of its input past the next read sees garbage.
 */
export async function* reusedChunksOf(bytes: Uint8Array, size = 4096): AsyncGenerator<Uint8Array> {
  const buf = new Uint8Array(size);
  for (let i = 0; i < bytes.length; i += size) {
    const n = Math.min(size, bytes.length - i);
    buf.set(bytes.subarray(i, i + n));
    yield buf.subarray(0, n);
    buf.fill(0xa5);
  }
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

const MANIFEST_TEXT = "name: x\nversion: 1.0.0\n";
/** A valid first entry, so a refusal comes after something was already written. */
export const MANIFEST = file("aam.yaml", MANIFEST_TEXT);

export interface HostileCase {
  name: string;
  parts: Uint8Array[];
  /** The entry the refusal must name, where there is one. */
  entry?: string;
  /** false: leave out the end-of-archive marker. */
  end?: boolean;
}

/** Hostile archives: each must be refused with UnsafeArchive, naming the entry where there is one. */
export const HOSTILE: HostileCase[] = [
  { name: "a parent-directory segment", parts: [file("../evil", "x")], entry: "../evil" },
  { name: "a parent segment deeper in the path", parts: [file("a/../../evil", "x")], entry: "a/../../evil" },
  { name: "an absolute path", parts: [file("/etc/cron.d/evil", "x")], entry: "/etc/cron.d/evil" },
  { name: "an absolute path through the ustar prefix", parts: [rawEntry({ prefix: "/etc", name: "evil", data: enc.encode("x") })], entry: "/etc/evil" },
  { name: "a backslash", parts: [file("..\\evil", "x")], entry: "..\\evil" },
  { name: "a drive-letter path", parts: [file("C:/evil", "x")], entry: "C:/evil" },
  { name: "a NUL in a pax path", parts: [paxEntry([["path", "a\u0000b"]]), file("a", "x")], entry: "a\\x00b" },
  { name: "a symbolic link", parts: [rawEntry({ name: "link", type: "2", linkname: "/etc/passwd" })], entry: "link" },
  { name: "a hard link", parts: [rawEntry({ name: "hard", type: "1", linkname: "aam.yaml" })], entry: "hard" },
  { name: "a character device", parts: [rawEntry({ name: "tty", type: "3" })], entry: "tty" },
  { name: "a block device", parts: [rawEntry({ name: "sda", type: "4" })], entry: "sda" },
  { name: "a FIFO", parts: [rawEntry({ name: "fifo", type: "6" })], entry: "fifo" },
  { name: "an unknown type", parts: [rawEntry({ name: "odd", type: "Z" })], entry: "odd" },
  { name: "a pax path rewriting a safe name into a traversal", parts: [paxEntry([["path", "../../evil"]]), file("safe.md", "x")], entry: "../../evil" },
  { name: "a pax path rewriting a safe name into an absolute path", parts: [paxEntry([["path", "/tmp/evil"]]), file("safe.md", "x")], entry: "/tmp/evil" },
  { name: "a pax path on a symlink", parts: [paxEntry([["path", "ok"]]), rawEntry({ name: "x", type: "2", linkname: "/" })], entry: "ok" },
  { name: "a GNU long name with a traversal", parts: [rawEntry({ name: "././@LongLink", type: "L", data: enc.encode("../evil\0") }), file("x", "x")], entry: "../evil" },
  { name: "a name nested more than 64 folders deep", parts: [paxEntry([["path", `${"a/".repeat(64)}f`]]), file("x", "x")], entry: `${"a/".repeat(64)}f` },
  { name: "a duplicate entry", parts: [file("a.md", "1"), file("a.md", "2")], entry: "a.md" },
  { name: "a duplicate of aam.yaml", parts: [file("aam.yaml", "name: evil\n")], entry: "aam.yaml" },
  { name: "names equal after removing ./", parts: [file("a/./b", "1"), file("a/b", "2")], entry: "a/b" },
  { name: "names equal after removing a double slash", parts: [file("x//y", "1"), file("x/y", "2")], entry: "x/y" },
  { name: "a leading ./ duplicating a name", parts: [file("./aam.yaml", "name: evil\n")], entry: "./aam.yaml" },
  { name: "a file and a directory of one name", parts: [file("d", "1"), dir("d/")], entry: "d/" },
  { name: "a directory and a file of one name", parts: [dir("d/"), file("d", "1")], entry: "d" },
  { name: "a file under a file", parts: [file("f", "1"), file("f/g", "2")], entry: "f/g" },
  { name: "a file where a directory is implied", parts: [file("p/q", "1"), file("p", "2")], entry: "p" },
  { name: "a file name ending in a slash", parts: [file("trail/", "x")], entry: "trail/" },
  { name: "a directory with data", parts: [rawEntry({ name: "d/", type: "5", data: enc.encode("x") })], entry: "d/" },
  { name: "a global pax header setting a path", parts: [paxEntry([["path", "evil"]], "g"), file("a", "x")] },
  { name: "a GNU sparse file", parts: [paxEntry([["GNU.sparse.map", "0,1"]]), file("a", "x")] },
  { name: "two pax headers before one entry", parts: [paxEntry([["path", "a"]]), paxEntry([["path", "b"]]), file("c", "x")] },
  { name: "a pax header followed by the end marker", parts: [paxEntry([["path", "a"]])] },
  { name: "a malformed pax record", parts: [rawPaxEntry("99 path=a\n"), file("c", "x")] },
  { name: "a pax path given twice", parts: [rawPaxEntry("11 path=a\n11 path=b\n"), file("c", "x")] },
  { name: "a pax size that is not a number", parts: [paxEntry([["size", "12x"]]), file("c", "x")] },
  { name: "an oversized extended header", parts: [rawEntry({ name: "PaxHeaders/x", type: "x", size: 1 << 20 })] },
  { name: "a bad header checksum", parts: [rawEntry({ name: "a", data: enc.encode("x"), afterSeal: (b) => (b[0] = 0x62) })] },
  { name: "a header without ustar magic", parts: [rawEntry({ name: "a", data: enc.encode("x"), magic: "v7" })] },
  { name: "a name that is not UTF-8", parts: [rawEntry({ name: "", nameBytes: new Uint8Array([0x61, 0xff, 0xfe]), data: enc.encode("x") })] },
  { name: "a malformed size field", parts: [rawEntry({ name: "a", data: enc.encode("x"), afterSeal: (b) => { b[124] = 0x39; } })] },
  { name: "no end-of-archive marker", parts: [file("a", "x")], end: false },
  { name: "a header cut short", parts: [file("a", "x").subarray(0, 300)], end: false },
  { name: "file data cut short", parts: [rawEntry({ name: "a", size: 5000, data: enc.encode("x") })], end: false },
  { name: "data after the end-of-archive marker", parts: [new Uint8Array(1024), file("late", "x")] },
];

/** Deterministic pseudo-random bytes, half text-like and half noise: compressible but not trivially. */
export function sample(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    // half text-like, half noise: compressible but not trivially
    out[i] = i % 3 === 0 ? x >>> 24 : 97 + (i % 26);
  }
  return out;
}
