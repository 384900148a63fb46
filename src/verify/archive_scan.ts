/**
 * One pass over an archive for SPEC §6 steps 1 and 2: every chunk is hashed (step 1) and, until the
 * root `aam.yaml` has been read, also unpacked (step 2). Unpacking is what costs (inflate and tar
 * checks run in JS at ~100 MB/s, hashing natively at ~1.7 GB/s), so the rest of the archive is only
 * hashed; `finishArchiveCheck` validates the rest when the caller needs it.
 *
 * The first problem in archive order is the one reported, as a whole-archive read would report it:
 * an error met before `aam.yaml` is kept in `error`; anything after it is found by finishArchiveCheck.
 */
import { createSha256 } from "../runtime/index.ts";
// The archive modules themselves, not archive/index.ts: that also re-exports pack (gzip encoder, workers, ignore), which verify never runs.
import { readArchive } from "../archive/tar_read.ts";
import { collectEntry } from "../archive/read_archive_file.ts";
import { chunksOf, type ArchiveInput } from "./archive_source.ts";

export const MANIFEST_NAME = "aam.yaml";
export const MAX_MANIFEST_BYTES = 1 << 20;

export interface ArchiveScan {
  /** `sha256:<hex>` of every archive byte. */
  checksum: string;
  /** The root aam.yaml's bytes; null when the (whole, valid) archive has none, or on `error`. */
  manifest: Uint8Array | null;
  /** The archive's first problem, met before aam.yaml was read (UnsafeArchive). */
  error?: unknown;
  /** True when the whole archive was read and found valid (no aam.yaml, or it came last). */
  complete: boolean;
}

/** Thrown into the archive reader to stop it once aam.yaml is in hand. */
const STOP = Symbol("stop");

/**
 * Hashes the whole archive and reads its aam.yaml in the same pass; with `whole`, it validates all
 * of the archive in that pass too (no second read for finishArchiveCheck). `tap` sees every chunk
 * that is hashed, in order (signature checks that read the archive: verify/entry_checks.ts).
 * @throws only what reading the source throws (I/O); archive problems land in `error`
 */
export async function scanArchive(archive: ArchiveInput, opts: { whole?: boolean; tap?: (chunk: Uint8Array) => void } = {}): Promise<ArchiveScan> {
  const sha256 = createSha256();
  const hash = (chunk: Uint8Array) => {
    sha256.update(chunk);
    opts.tap?.(chunk);
  };
  const it = chunksOf(archive)[Symbol.asyncIterator]();
  let ioError: { e: unknown } | undefined;
  // Hands chunks to the archive reader, hashing each; closing it early leaves the source open.
  async function* tee(): AsyncGenerator<Uint8Array> {
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await it.next();
      } catch (e) {
        ioError = { e };
        throw e;
      }
      if (r.done) return;
      hash(r.value);
      yield r.value;
    }
  }
  let manifest: Uint8Array | null = null;
  let error: unknown;
  let complete = false;
  try {
    await readArchive(tee(), {
      entry(entry) {
        if (entry.type !== "file" || entry.name !== MANIFEST_NAME) return;
        return collectEntry(entry, MAX_MANIFEST_BYTES, (bytes) => {
          manifest = bytes;
          if (!opts.whole) throw STOP;
        });
      },
    });
    complete = true;
  } catch (e) {
    if (e !== STOP) error = e;
  }
  if (ioError) throw ioError.e;
  // The rest is hashed only.
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    hash(r.value);
  }
  return { checksum: `sha256:${sha256.digestHex()}`, manifest: error === undefined ? manifest : null, error, complete };
}

/**
 * Validates the part of the archive a scan did not unpack, so every refusal a whole-archive read
 * makes is still made (truncation, bad entries, trailing data).
 * @throws {AamError} UnsafeArchive
 */
export async function finishArchiveCheck(archive: ArchiveInput, scan: ArchiveScan): Promise<void> {
  if (scan.complete || scan.error !== undefined) return;
  await readArchive(chunksOf(archive), { entry: () => undefined });
}
