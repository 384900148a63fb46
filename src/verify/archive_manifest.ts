/** Reads and parses the aam.yaml inside an archive, for the identity step (SPEC §6 step 2). */
import { AamError } from "../errors.ts";
import { readArchiveFile } from "../archive/read_archive_file.ts"; // not the index: see archive_scan.ts
import { parseManifest } from "../manifest/load.ts";
import type { Manifest } from "../manifest/schema.ts";
import type { ArchiveInput } from "./archive_source.ts";
import { finishArchiveCheck, MAX_MANIFEST_BYTES, scanArchive } from "./archive_scan.ts";

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Reads aam.yaml after validating the whole archive. */
export async function readArchiveManifest(archive: Uint8Array, file: string): Promise<Manifest> {
  return parseArchiveManifest(await readArchiveFile(once(archive), "aam.yaml", MAX_MANIFEST_BYTES), file);
}

/**
 * Reads aam.yaml from an archive in memory or streamed from a file, unpacking only up to it; the
 * rest is validated only when aam.yaml is missing or invalid, so errors come in the order a
 * whole-archive read gives them. Callers verify the archive (whole) afterwards.
 */
export async function readArchiveManifestOf(archive: ArchiveInput, file: string): Promise<Manifest> {
  const scan = await scanArchive(archive);
  if (scan.error !== undefined) throw scan.error;
  try {
    return parseArchiveManifest(scan.manifest, file);
  } catch (e) {
    await finishArchiveCheck(archive, scan);
    throw e;
  }
}

/**
 * Parses the aam.yaml bytes an archive holds (null: none).
 * @throws {AamError} TamperedPackage when it is missing or invalid
 */
export function parseArchiveManifest(bytes: Uint8Array | null, file: string): Manifest {
  if (bytes === null) {
    throw new AamError("TamperedPackage", `Cannot verify "${file}": the archive has no aam.yaml at its root`, {
      file,
      hint: "this is not an AAM package archive; pack it with `aam pkg pack`",
    });
  }
  try {
    return parseManifest(new TextDecoder().decode(bytes), `${file}!aam.yaml`);
  } catch (e) {
    if (e instanceof AamError) {
      throw new AamError("TamperedPackage", `Cannot verify "${file}": the archive's aam.yaml is invalid`, {
        file,
        problems: e.details.problems,
        hint: "the archive was altered or packed by another tool; pack it with `aam pkg pack`",
        cause: e,
      });
    }
    throw e;
  }
}
