/**
 * Streaming reader for `.aam` archives (SPEC §3): gunzips and parses tar incrementally and refuses,
 * as UnsafeArchive, anything but regular files and directories with safe, distinct names within
 * the limits. Every check on an entry runs on its header, before any of its data is handed out.
 *
 * `TarParser` is the pure core (bytes in, events out); `readArchive` drives it from a chunk stream.
 * Memory is bounded by chunk sizes and MAX_META_BYTES, never by the archive size.
 */
import { gunzipChunks } from "./gunzip_chunks.ts";
import { type ArchiveLimits, MAX_META_BYTES, MAX_TOTAL_NAME_BYTES, maxTarBytes, resolveLimits } from "./limits.ts";
import { BLOCK, decodeHeader, type EntryType, isZeroBlock, parsePaxRecords, type RawHeader } from "./tar_header.ts";
import { normaliseEntryName, printable } from "./_entry_name.ts";
import { unsafeArchive } from "./_unsafe.ts";

/** One validated archive member. */
export interface ArchiveEntry {
  /** Normalised name: relative, "/"-separated, a trailing "/" for a directory. */
  name: string;
  type: EntryType;
  /** Data bytes; 0 for a directory. */
  size: number;
  /** 0o755 for directories and executable files, 0o644 otherwise: the mode written on extraction. */
  mode: number;
}

export type TarEvent =
  | { kind: "entry"; entry: ArchiveEntry }
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "entryEnd" };

export interface ArchiveSummary {
  entries: number;
  /** Sum of the file sizes. */
  unpackedSize: number;
}

const SPECIAL_TYPES: Record<string, string> = {
  "1": "is a hard link",
  "2": "is a symbolic link",
  "3": "is a character device",
  "4": "is a block device",
  "6": "is a FIFO",
  "7": "is a contiguous file",
  K: "has a GNU long link name",
  S: "is a GNU sparse file",
  V: "is a GNU volume header",
  M: "is a GNU multi-volume continuation",
};

// pax keys that change what is extracted; anything else (times, owners, comments) is ignored.
const PAX_REFUSED_PREFIXES = ["GNU.sparse."];

type State = "header" | "meta" | "data" | "pad" | "end";

// Kinds of node in the name tree (plain constants, not an enum: type-strip safe).
const IMPLIED_DIR = 0;
const DIR = 1;
const FILE = 2;
type NodeKind = typeof IMPLIED_DIR | typeof DIR | typeof FILE;

/**
 * Push parser for an uncompressed tar stream. `push` answers the events the bytes complete; data
 * events are views into the pushed chunk. Throws UnsafeArchive on the first problem.
 */
export class TarParser {
  readonly #limits: ArchiveLimits;
  #state: State = "header";
  #header = new Uint8Array(BLOCK);
  #headerFill = 0;
  #remaining = 0; // data or padding bytes left in the current state
  #padAfterData = 0;
  #meta: { kind: "x" | "g" | "L"; buf: Uint8Array; fill: number } | null = null;
  #paxPath: string | undefined;
  #paxSize: number | undefined;
  #longName: string | undefined;
  #pendingExtended = false;
  #entries = 0;
  #unpacked = 0;
  // The names seen so far as a tree of path segments: node ids keyed by `<parent id>\0<segment>`
  // (NUL never occurs in a name), so checking one entry costs time in proportion to its name.
  #nodes = new Map<string, number>();
  #nodeKind: NodeKind[] = [IMPLIED_DIR]; // node 0 is the root
  #nodeName: (string | undefined)[] = [undefined]; // the entry's name as shown, for explicit entries
  #nameBytes = 0;

  constructor(limits?: Partial<ArchiveLimits>) {
    this.#limits = resolveLimits(limits);
  }

  get summary(): ArchiveSummary {
    return { entries: this.#entries, unpackedSize: this.#unpacked };
  }

  push(chunk: Uint8Array): TarEvent[] {
    const events: TarEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.#state) {
        case "header": {
          const n = Math.min(BLOCK - this.#headerFill, chunk.length - pos);
          this.#header.set(chunk.subarray(pos, pos + n), this.#headerFill);
          this.#headerFill += n;
          pos += n;
          if (this.#headerFill === BLOCK) {
            this.#headerFill = 0;
            this.#onHeader(events);
          }
          break;
        }
        case "meta": {
          const m = this.#meta!;
          const n = Math.min(m.buf.length - m.fill, chunk.length - pos);
          m.buf.set(chunk.subarray(pos, pos + n), m.fill);
          m.fill += n;
          pos += n;
          if (m.fill === m.buf.length) this.#onMeta();
          break;
        }
        case "data": {
          const n = Math.min(this.#remaining, chunk.length - pos);
          events.push({ kind: "data", bytes: chunk.subarray(pos, pos + n) });
          this.#remaining -= n;
          pos += n;
          if (this.#remaining === 0) {
            events.push({ kind: "entryEnd" });
            this.#toPadding(this.#padAfterData);
          }
          break;
        }
        case "pad": {
          const n = Math.min(this.#remaining, chunk.length - pos);
          // Padding is not checked for zeros: tar writers leave old buffer bytes there.
          this.#remaining -= n;
          pos += n;
          if (this.#remaining === 0) this.#state = "header";
          break;
        }
        case "end": {
          // After the end-of-archive marker only zero padding may follow (e.g. to a 10 KiB record).
          for (; pos < chunk.length; pos++) {
            if (chunk[pos] !== 0) throw unsafeArchive("Cannot read archive: data follows the tar end-of-archive marker");
          }
          break;
        }
      }
    }
    return events;
  }

  /** Ends the stream: refuses an archive cut short before its end-of-archive marker. */
  end(): ArchiveSummary {
    if (this.#state !== "end") {
      throw unsafeArchive("Cannot read archive: the tar data is truncated (no end-of-archive marker)", {
        hint: "the file was cut short or altered; fetch it again",
      });
    }
    return this.summary;
  }

  #toPadding(n: number): void {
    this.#remaining = n;
    this.#state = n > 0 ? "pad" : "header";
  }

  #onHeader(events: TarEvent[]): void {
    const block = this.#header;
    if (isZeroBlock(block)) {
      if (this.#pendingExtended) {
        throw unsafeArchive("Cannot read archive: an extended header is not followed by an entry");
      }
      this.#state = "end";
      return;
    }
    const h = decodeHeader(block);
    switch (h.typeflag) {
      case "x":
      case "g":
      case "L":
        return this.#startMeta(h);
      case "0":
      case "\u0000":
      case "5":
        return this.#onEntry(h, events);
    }
    const name = printable(this.#paxPath ?? this.#longName ?? h.name);
    const why = SPECIAL_TYPES[h.typeflag] ?? `has an unknown tar type "${printable(h.typeflag)}"`;
    throw unsafeArchive(`Cannot read archive: entry "${name}" ${why}; only regular files and directories are allowed`, {
      entry: name,
    });
  }

  #startMeta(h: RawHeader): void {
    const kind = h.typeflag as "x" | "g" | "L";
    if (kind !== "g" && this.#pendingExtended) {
      throw unsafeArchive("Cannot read archive: two extended headers precede one entry");
    }
    if (h.size > MAX_META_BYTES) {
      throw unsafeArchive(`Cannot read archive: an extended header is larger than ${MAX_META_BYTES} bytes`);
    }
    if (kind !== "g") this.#pendingExtended = true;
    this.#meta = { kind, buf: new Uint8Array(h.size), fill: 0 };
    this.#state = "meta";
    if (h.size === 0) this.#onMeta();
  }

  #onMeta(): void {
    const { kind, buf } = this.#meta!;
    this.#meta = null;
    if (kind === "L") {
      const nul = buf.indexOf(0);
      try {
        this.#longName = new TextDecoder("utf-8", { fatal: true }).decode(nul === -1 ? buf : buf.subarray(0, nul));
      } catch (e) {
        throw unsafeArchive("Cannot read archive: a GNU long name is not valid UTF-8", { cause: e });
      }
    } else {
      const records = parsePaxRecords(buf);
      for (const key of records.keys()) {
        if (PAX_REFUSED_PREFIXES.some((p) => key.startsWith(p))) {
          throw unsafeArchive(`Cannot read archive: a pax header uses "${printable(key)}", which AAM does not support`);
        }
      }
      if (kind === "g") {
        // A global header applies to every later entry; one that renames or resizes is refused.
        if (records.has("path") || records.has("size")) {
          throw unsafeArchive("Cannot read archive: a global pax header sets a path or size");
        }
      } else {
        this.#paxPath = records.get("path");
        const size = records.get("size");
        if (size !== undefined) {
          if (!/^(0|[1-9][0-9]{0,19})$/.test(size)) {
            throw unsafeArchive("Cannot read archive: a pax header has a malformed size");
          }
          this.#paxSize = Number(size);
        }
      }
    }
    this.#toPadding(padding(buf.length));
  }

  #onEntry(h: RawHeader, events: TarEvent[]): void {
    const type: EntryType = h.typeflag === "5" ? "directory" : "file";
    if (this.#paxPath !== undefined && this.#longName !== undefined) {
      throw unsafeArchive("Cannot read archive: an entry has both a pax path and a GNU long name");
    }
    const raw = this.#paxPath ?? this.#longName ?? h.name;
    const size = this.#paxSize ?? h.size;
    this.#paxPath = this.#paxSize = this.#longName = undefined;
    this.#pendingExtended = false;

    const shown = printable(raw);
    const refuse = (why: string, hint?: string) =>
      unsafeArchive(`Cannot read archive: entry "${shown}" ${why}`, { entry: shown, ...(hint ? { hint } : {}) });
    if (type === "file" && raw.endsWith("/")) throw refuse("is a file whose name ends with '/'");
    const name = normaliseEntryName(raw, type === "directory");
    if (type === "directory" && size !== 0) throw refuse("is a directory with data");
    if (!Number.isSafeInteger(size) || size < 0) throw refuse("has an impossible size");

    this.#entries++;
    if (this.#entries > this.#limits.maxEntries) {
      throw refuse(`is past the limit of ${this.#limits.maxEntries} entries`, "an .aam archive holds at most 20,000 entries");
    }
    this.#unpacked += size;
    if (this.#unpacked > this.#limits.maxUnpackedBytes) {
      throw refuse(
        `takes the unpacked size past the limit of ${this.#limits.maxUnpackedBytes} bytes`,
        "an .aam package unpacks to at most 256 MiB; the archive is refused before this entry is written",
      );
    }
    if (name !== "") this.#checkCollision(name, type, shown);

    const mode = type === "directory" || (h.mode & 0o111) !== 0 ? 0o755 : 0o644;
    if (name !== "") events.push({ kind: "entry", entry: { name, type, size, mode } });
    if (size > 0) {
      this.#remaining = size;
      this.#padAfterData = padding(size);
      this.#state = "data";
    } else if (name !== "") {
      events.push({ kind: "entryEnd" });
    }
  }

  #checkCollision(name: string, type: EntryType, shown: string): void {
    const refuse = (why: string) => unsafeArchive(`Cannot read archive: entry "${shown}" ${why}`, { entry: shown });
    this.#nameBytes += shown.length;
    if (this.#nameBytes > MAX_TOTAL_NAME_BYTES) throw refuse(`takes the names past ${MAX_TOTAL_NAME_BYTES} bytes in all`);
    const segments = (name.endsWith("/") ? name.slice(0, -1) : name).split("/");
    let id = 0;
    for (let i = 0; i < segments.length; i++) {
      const last = i === segments.length - 1;
      const key = `${id}\u0000${segments[i]}`;
      let child = this.#nodes.get(key);
      if (child === undefined) {
        child = this.#nodeKind.length;
        this.#nodes.set(key, child);
        this.#nodeKind.push(!last ? IMPLIED_DIR : type === "file" ? FILE : DIR);
        this.#nodeName.push(last ? shown : undefined);
      } else if (!last) {
        if (this.#nodeKind[child] === FILE) {
          throw refuse(`lies under "${segments.slice(0, i + 1).join("/")}", which is a file`);
        }
      } else if (this.#nodeKind[child] === IMPLIED_DIR) {
        if (type === "file") throw refuse("is a file where an earlier entry needs a directory");
        this.#nodeKind[child] = DIR;
        this.#nodeName[child] = shown;
      } else {
        const prior = this.#nodeName[child];
        throw refuse(prior === shown ? "appears twice" : `collides with entry "${prior}" (the same path once normalised)`);
      }
      id = child;
    }
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Receives one entry's data; returned by an ArchiveVisitor to stream a file's bytes somewhere. */
export interface EntrySink {
  write(chunk: Uint8Array): void | Promise<void>;
  close(): void | Promise<void>;
  /** Called instead of close() when reading fails part-way through this entry. */
  abort?(): void | Promise<void>;
}

export interface ArchiveVisitor {
  /** Called once per entry after its header passed every check; return a sink to receive its data. */
  entry(entry: ArchiveEntry): EntrySink | void | Promise<EntrySink | void>;
}

/**
 * Reads a gzip-compressed tar stream through `visitor`, validating all of it. Untrusted data is safe
 * to read: the whole archive is checked even when the visitor wants only one entry, so every caller
 * sees the same refusals.
 * @throws {AamError} UnsafeArchive (details.entry names the member when there is one)
 */
export async function readArchive(
  chunks: AsyncIterable<Uint8Array>,
  visitor: ArchiveVisitor,
  limits?: Partial<ArchiveLimits>,
): Promise<ArchiveSummary> {
  const resolved = resolveLimits(limits);
  const parser = new TarParser(resolved);
  let sink: EntrySink | void = undefined;
  const gz = gunzipChunks(chunks, { maxInputBytes: resolved.maxArchiveBytes, maxOutputBytes: maxTarBytes(resolved) });
  try {
    for await (const out of gz) {
      // Results that are not promises are not awaited: a synchronous visitor (a scan, a listing)
      // then handles a whole output chunk without yielding, so a chunk of up to NATIVE_MAX_OUTPUT_BYTES
      // is never held while other archives are read (registry verify reads many at once).
      for (const ev of parser.push(out)) {
        if (ev.kind === "entry") {
          const r = visitor.entry(ev.entry);
          sink = r instanceof Promise ? await r : r;
        } else if (ev.kind === "data") {
          const r = sink?.write(ev.bytes);
          if (r instanceof Promise) await r;
        } else if (sink) {
          const s = sink;
          sink = undefined;
          const r = s.close();
          if (r instanceof Promise) await r;
        }
      }
    }
    return parser.end();
  } catch (e) {
    if (sink) {
      const s = sink;
      // The first error is the one to report; a failure to clean up after it is secondary.
      await Promise.resolve(s.abort ? s.abort() : s.close()).catch(() => {});
    }
    throw e;
  }
}
