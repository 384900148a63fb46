/**
 * The tar format, streaming (POSIX ustar with pax extended headers and GNU long names): bytes in,
 * member headers and data out. Which members are acceptable is not decided here: every member
 * header and every extended header goes through a TarRules first (entry_rules.ts holds AAM's,
 * SPEC §3), before any of its data is handed out. Memory is bounded by chunk sizes and
 * MAX_META_BYTES, never by the archive size.
 */
import { MAX_META_BYTES } from "./limits.ts";
import { BLOCK, tarPadding } from "./tar_block.ts";
import { decodeHeader, isZeroBlock, type RawHeader } from "./tar_header_decode.ts";
import { parsePaxRecords } from "./tar_pax.ts";
import { unsafeArchive } from "./_unsafe.ts";

/** One member's header, with any pax path/size and GNU long name applied. */
export interface TarMember {
  /** The pax path, else the GNU long name, else the header's name. */
  name: string;
  /** The pax size, else the header's. */
  size: number;
  /** The typeflag character ("\0" for an old-style regular file); never "x", "g" or "L". */
  typeflag: string;
  mode: number;
  /** Both a pax path and a GNU long name were given (`name` is the pax path). */
  twoLongNames: boolean;
}

/** What a reader accepts. Each method throws to refuse. */
export interface TarRules<E> {
  /** Checks a pax extended header's records before they apply (`global`: a "g" header). */
  extended(records: ReadonlyMap<string, string>, global: boolean): void;
  /** Checks a member; answers what to hand out for it, or null to hand out nothing (its data too). */
  member(m: TarMember): E | null;
}

export type TarStreamEvent<E> = { kind: "entry"; entry: E } | { kind: "data"; bytes: Uint8Array } | { kind: "entryEnd" };

type State = "header" | "meta" | "data" | "pad" | "end";

/**
 * Push parser for an uncompressed tar stream. `push` answers the events the bytes complete; data
 * events are views into the pushed chunk. Throws UnsafeArchive on the first problem.
 */
export class TarStream<E> {
  readonly #rules: TarRules<E>;
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

  constructor(rules: TarRules<E>) {
    this.#rules = rules;
  }

  push(chunk: Uint8Array): TarStreamEvent<E>[] {
    const events: TarStreamEvent<E>[] = [];
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
  end(): void {
    if (this.#state !== "end") {
      throw unsafeArchive("Cannot read archive: the tar data is truncated (no end-of-archive marker)", {
        hint: "the file was cut short or altered; fetch it again",
      });
    }
  }

  #toPadding(n: number): void {
    this.#remaining = n;
    this.#state = n > 0 ? "pad" : "header";
  }

  #onHeader(events: TarStreamEvent<E>[]): void {
    const block = this.#header;
    if (isZeroBlock(block)) {
      if (this.#pendingExtended) {
        throw unsafeArchive("Cannot read archive: an extended header is not followed by an entry");
      }
      this.#state = "end";
      return;
    }
    const h = decodeHeader(block);
    if (h.typeflag === "x" || h.typeflag === "g" || h.typeflag === "L") return this.#startMeta(h);
    this.#onMember(h, events);
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
      this.#rules.extended(records, kind === "g");
      if (kind === "x") {
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
    this.#toPadding(tarPadding(buf.length));
  }

  #onMember(h: RawHeader, events: TarStreamEvent<E>[]): void {
    const member: TarMember = {
      name: this.#paxPath ?? this.#longName ?? h.name,
      size: this.#paxSize ?? h.size,
      typeflag: h.typeflag,
      mode: h.mode,
      twoLongNames: this.#paxPath !== undefined && this.#longName !== undefined,
    };
    this.#paxPath = this.#paxSize = this.#longName = undefined;
    this.#pendingExtended = false;
    const entry = this.#rules.member(member);
    if (entry !== null) events.push({ kind: "entry", entry });
    if (member.size > 0) {
      this.#remaining = member.size;
      this.#padAfterData = tarPadding(member.size);
      this.#state = "data";
    } else if (entry !== null) {
      events.push({ kind: "entryEnd" });
    }
  }
}
