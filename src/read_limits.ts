/**
 * The one table of read limits (SPEC §10, "Every read of outside input is bounded"): archives
 * 50 MiB, `index.yaml` 256 MiB, other YAML and JSON documents 16 MiB, `.sig` 1 MiB. Every file or
 * HTTP body AAM reads goes through runtime/fs.ts `readFile`/`readText` or registry/source_http.ts
 * with one of these, and stops as soon as the limit is passed: an endless stream or `/dev/zero`
 * ends in the coded error below, never in a hang or exhausted memory.
 */
import { AamError, type ErrorCode } from "./errors.ts";
import { MAX_ARCHIVE_BYTES, MAX_UNPACKED_BYTES } from "./archive/limits.ts";

const MiB = 1024 * 1024;

/** A byte limit, and how passing it is reported. */
export interface ReadLimit {
  readonly maxBytes: number;
  readonly code: ErrorCode;
  /** What is read, for the message ("archive", "signature file", …). */
  readonly what: string;
  readonly hint: string;
}

export const MAX_DOCUMENT_BYTES = 16 * MiB;
export const MAX_INDEX_BYTES = 256 * MiB;
export const MAX_SIG_BYTES = 1 * MiB;
/**
 * Most packages one index.yaml may list. 256 MiB of tiny entries would be ~20 million objects (GBs
 * of memory); this bounds the parsed index to about 100 MiB, far above any real registry.
 */
export const MAX_INDEX_ENTRIES = 250_000;

/** An `.aam` archive: passing the limit is an unsafe archive (SPEC §3, §10: "limits exceeded"). */
export const ARCHIVE_LIMIT: ReadLimit = Object.freeze({
  maxBytes: MAX_ARCHIVE_BYTES,
  code: "UnsafeArchive",
  what: "archive",
  hint: "an .aam archive is at most 50 MiB; this one is not an AAM archive or was tampered with",
});

/** A `.sig` file: one that large cannot be a valid one (SPEC §5: MalformedSignature). */
export const SIG_LIMIT: ReadLimit = Object.freeze({
  maxBytes: MAX_SIG_BYTES,
  code: "MalformedSignature",
  what: "signature file",
  hint: "a .sig file is at most 1 MiB; this one is damaged or was tampered with",
});

/** YAML and JSON documents: metadata.yaml, registry.yaml, config, keys, trusted roots, bundles, lock files. */
export const DOCUMENT_LIMIT: ReadLimit = Object.freeze({
  maxBytes: MAX_DOCUMENT_BYTES,
  code: "Error",
  what: "document",
  hint: "YAML and JSON documents are read up to 16 MiB; this file is not an AAM document, or was damaged or tampered with",
});

/** `index.yaml`, and the registry's append-only `audit.log`, which grow with the registry. */
export const INDEX_LIMIT: ReadLimit = Object.freeze({
  maxBytes: MAX_INDEX_BYTES,
  code: "Error",
  what: "registry index",
  hint: "index.yaml and audit.log are read up to 256 MiB; restore the registry from version control",
});

/** The limit for a registry file, or a file in the offline cache, by its name. */
export function limitForFile(rel: string): ReadLimit {
  const base = rel.slice(rel.lastIndexOf("/") + 1);
  if (base.endsWith(".aam")) return ARCHIVE_LIMIT;
  if (base.endsWith(".sig")) return SIG_LIMIT;
  if (base === "index.yaml" || base === "audit.log") return INDEX_LIMIT;
  return DOCUMENT_LIMIT;
}

/** The error for a file or body past its limit; `file` is a path or URL. */
export function tooLargeError(limit: ReadLimit, file: string): AamError {
  return new AamError(limit.code, `Cannot read "${file}": the ${limit.what} is larger than ${limit.maxBytes} bytes`, {
    file,
    expected: `at most ${limit.maxBytes} bytes`,
    hint: limit.hint,
  });
}

/** The error for a path that is a folder, device or pipe where a file was expected. */
export function notRegularFileError(file: string, isDirectory: boolean): AamError {
  return new AamError("UsageError", `Cannot read "${file}": ${isDirectory ? "it is a folder" : "it is not a regular file (a device, pipe or socket)"}`, {
    file,
    hint: "pass the path of a regular file",
  });
}

/** A file of a package being packed, read whole: bounded by what an archive may hold unpacked (SPEC §3). */
export const PACKAGE_FILE_LIMIT: ReadLimit = Object.freeze({
  maxBytes: MAX_UNPACKED_BYTES,
  code: "UnsafeArchive",
  what: "package file",
  hint: "an .aam archive holds at most 256 MiB unpacked; leave large files out with .aamignore",
});

/** An artifact given to `verify-blob`: read once, hashed as it streams, held whole only for a signer that needs its bytes. */
export const BLOB_LIMIT: ReadLimit = Object.freeze({
  maxBytes: MAX_ARCHIVE_BYTES,
  code: "UsageError",
  what: "artifact",
  hint: "verify-blob reads artifacts of up to 50 MiB; for a larger one pass its digest as sha256:<hex>",
});
