/**
 * Streaming reader for `.aam` archives (SPEC §3): gunzips and parses tar incrementally and refuses,
 * as UnsafeArchive, anything but regular files and directories with safe, distinct names within
 * the limits. Every check on an entry runs on its header, before any of its data is handed out.
 *
 * `TarParser` is the pure core (bytes in, events out): the tar format (tar_stream.ts) under AAM's
 * entry rules (entry_rules.ts); `readArchive` drives it from a chunk stream. Memory is bounded by
 * chunk sizes and MAX_META_BYTES, never by the archive size.
 */
import { gunzipChunks } from "./gunzip_chunks.ts";
import { type ArchiveLimits, maxTarBytes, resolveLimits } from "./limits.ts";
import { EntryRules, type ArchiveEntry, type ArchiveSummary } from "./entry_rules.ts";
import { TarStream, type TarStreamEvent } from "./tar_stream.ts";

export type { ArchiveEntry, ArchiveSummary } from "./entry_rules.ts";

export type TarEvent = TarStreamEvent<ArchiveEntry>;

/**
 * Push parser for an uncompressed tar stream under AAM's rules: the tar format (tar_stream.ts) with
 * every member checked by EntryRules. `push` answers the events the bytes complete; data events are
 * views into the pushed chunk. Throws UnsafeArchive on the first problem.
 */
export class TarParser {
  readonly #rules: EntryRules;
  readonly #stream: TarStream<ArchiveEntry>;

  constructor(limits?: Partial<ArchiveLimits>) {
    this.#rules = new EntryRules(limits);
    this.#stream = new TarStream(this.#rules);
  }

  get summary(): ArchiveSummary {
    return this.#rules.summary;
  }

  push(chunk: Uint8Array): TarEvent[] {
    return this.#stream.push(chunk);
  }

  /** Ends the stream: refuses an archive cut short before its end-of-archive marker. */
  end(): ArchiveSummary {
    this.#stream.end();
    return this.summary;
  }
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
