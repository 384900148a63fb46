/**
 * AAM's rules for archive members (SPEC §3), applied to each header the tar stream (tar_stream.ts)
 * reads, before any of its data is handed out: only regular files and directories; relative,
 * normalised names without ".." (_entry_name.ts), none twice or colliding once normalised, none under
 * a file; no pax record that changes what is extracted beyond path and size; and the limits on
 * entries, unpacked bytes and name bytes.
 */
import { type ArchiveLimits, MAX_TOTAL_NAME_BYTES, resolveLimits } from "./limits.ts";
import type { EntryType } from "./tar_header.ts";
import type { TarMember, TarRules } from "./tar_stream.ts";
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

// Kinds of node in the name tree (plain constants, not an enum: type-strip safe).
const IMPLIED_DIR = 0;
const DIR = 1;
const FILE = 2;
type NodeKind = typeof IMPLIED_DIR | typeof DIR | typeof FILE;

/**
 * The rules, with the state they need: counts against the limits and the names seen so far.
 * `member` answers null for the archive root ("./"), which is accepted and not handed out.
 */
export class EntryRules implements TarRules<ArchiveEntry> {
  readonly #limits: ArchiveLimits;
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

  extended(records: ReadonlyMap<string, string>, global: boolean): void {
    for (const key of records.keys()) {
      if (PAX_REFUSED_PREFIXES.some((p) => key.startsWith(p))) {
        throw unsafeArchive(`Cannot read archive: a pax header uses "${printable(key)}", which AAM does not support`);
      }
    }
    // A global header applies to every later entry; one that renames or resizes is refused.
    if (global && (records.has("path") || records.has("size"))) {
      throw unsafeArchive("Cannot read archive: a global pax header sets a path or size");
    }
  }

  member(m: TarMember): ArchiveEntry | null {
    if (m.typeflag !== "0" && m.typeflag !== "\u0000" && m.typeflag !== "5") {
      const name = printable(m.name);
      const why = SPECIAL_TYPES[m.typeflag] ?? `has an unknown tar type "${printable(m.typeflag)}"`;
      throw unsafeArchive(`Cannot read archive: entry "${name}" ${why}; only regular files and directories are allowed`, {
        entry: name,
      });
    }
    const type: EntryType = m.typeflag === "5" ? "directory" : "file";
    if (m.twoLongNames) throw unsafeArchive("Cannot read archive: an entry has both a pax path and a GNU long name");
    const { name: raw, size } = m;

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
    if (name === "") return null;
    this.#checkCollision(name, type, shown);
    const mode = type === "directory" || (m.mode & 0o111) !== 0 ? 0o755 : 0o644;
    return { name, type, size, mode };
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
