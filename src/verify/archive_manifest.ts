/** Reads and parses the aam.yaml inside an archive, for the identity step (SPEC §6 step 2). */
import { AamError } from "../errors.ts";
import { readArchiveFile } from "../archive/index.ts";
import { parseManifest } from "../manifest/load.ts";
import type { Manifest } from "../manifest/schema.ts";

const MAX_MANIFEST_BYTES = 1 << 20;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export async function readArchiveManifest(archive: Uint8Array, file: string): Promise<Manifest> {
  const bytes = await readArchiveFile(once(archive), "aam.yaml", MAX_MANIFEST_BYTES);
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
