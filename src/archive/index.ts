/**
 * The `.aam` archive (SPEC §3): reproducible packing, and streaming, refusing reading of untrusted
 * archives. Re-exports only.
 */
export {
  DEFAULT_LIMITS,
  MAX_ARCHIVE_BYTES,
  MAX_ENTRIES,
  MAX_UNPACKED_BYTES,
  resolveLimits,
  type ArchiveLimits,
} from "./limits.ts";
export { BUILTIN_EXCLUDES, createIgnoreFilter, IGNORE_FILE, type IgnoreFilter } from "./ignore.ts";
export { GzipEncoder, GZIP_OS_BYTE, gzipBytes } from "./gzip_encoder.ts";
export { GunzipDecoder, type GunzipLimits } from "./gunzip_decoder.ts";
export { gunzipChunks } from "./gunzip_chunks.ts";
export { encodeEntryHeader, type EntryType, type TarEntryHeader } from "./tar_header.ts";
export { decodeHeader, type RawHeader } from "./tar_header_decode.ts";
export { encodePaxRecords, parsePaxRecords } from "./tar_pax.ts";
export {
  readArchive,
  TarParser,
  type ArchiveEntry,
  type ArchiveSummary,
  type ArchiveVisitor,
  type EntrySink,
  type TarEvent,
} from "./tar_read.ts";
export { TarWriter } from "./tar_writer.ts";
export { packDirectory, packToFile, type PackOptions, type PackResult } from "./pack.ts";
export { extractArchive } from "./extract.ts";
export { collectEntry, readArchiveFile } from "./read_archive_file.ts";
export { listArchive } from "./list_archive.ts";
