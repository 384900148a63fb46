/**
 * One way to load a version for the pipeline, per source: a registry version and a loose file here;
 * an offline cache entry and a bundle entry in cache/. Each takes the trust material from
 * verify/local_trust.ts as it is: no source can bring its own.
 */
import type { PackageVersion, RegistryReader } from "../registry/reader.ts";
import type { ArchiveInput, VerifyInput } from "./pipeline.ts";
import type { LocalTrust } from "./local_trust.ts";
import { refuseRejected } from "./rejected.ts";

/** The pipeline's input for a registry version whose archive and .sig were read already. */
export function registryInput<A extends ArchiveInput>(reader: RegistryReader, pv: PackageVersion, archive: A, sigText: string | null, trust?: LocalTrust): VerifyInput & { archive: A } {
  const input = {
    name: pv.name,
    version: pv.version,
    archive,
    expectedChecksum: pv.record.checksum,
    sigText,
    files: { archive: `${reader.location}/${pv.archiveFile}`, sig: `${reader.location}/${pv.sigFile}` },
    trust,
  };
  const attestation = reader.guard?.attestation(pv.name, pv.version);
  return attestation ? { ...input, attestation } : input;
}

/** A registry version (never a rejected one) with its archive read whole (to store it: offline-prepare). */
export async function readRegistryVersion(reader: RegistryReader, pv: PackageVersion, trust: LocalTrust): Promise<VerifyInput & { archive: Uint8Array }> {
  refuseRejected(pv);
  return loadRegistryVersion(reader, pv, trust);
}

/** A registry version, rejected or not, with its archive read whole (readRegistryVersion's read). */
export async function loadRegistryVersion(reader: RegistryReader, pv: PackageVersion, trust?: LocalTrust): Promise<VerifyInput & { archive: Uint8Array }> {
  const [archive, sigText] = await Promise.all([reader.archive(pv), reader.sig(pv)]);
  return registryInput(reader, pv, archive, sigText, trust);
}

/**
 * A registry version (never a rejected one) with its archive streamed from a local registry's file (memory flat in the
 * archive size) or, over HTTP, read whole. Whoever unpacks it must check the bytes again
 * (install/install.ts hashes while extracting).
 */
export async function openRegistryVersion(reader: RegistryReader, pv: PackageVersion, trust: LocalTrust): Promise<VerifyInput> {
  refuseRejected(pv);
  const [archive, sigText] = await Promise.all([reader.archiveSource(pv), reader.sig(pv)]);
  return registryInput(reader, pv, archive, sigText, trust);
}

/** A loose `.aam` file and its `.sig`, named by the `.sig` or the archive's own aam.yaml. */
export function fileInput(
  id: { name: string; version: string },
  archive: ArchiveInput,
  sigText: string | null,
  files: { archive: string; sig: string },
  trust: LocalTrust,
): VerifyInput {
  return { name: id.name, version: id.version, archive, sigText, files, trust };
}
