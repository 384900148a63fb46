/**
 * AAM's library API: the CLI is one client of it.
 *
 * @example Verify a local archive against a trust policy
 * ```ts
 * import { verifyPackage } from "aam";
 * const report = await verifyPackage({ name, version, archive, sigText, files }, policy);
 * ```
 * @module
 */
export { AamError, EXIT_CODES, type ErrorCode } from "./errors.ts";
// The short names (`pack`, `publish`, `verify`, `extract`) are the same functions as the long ones.
export { packDirectory, packDirectory as pack, type PackOptions, type PackResult } from "./archive/index.ts";
export { extractArchive, extractArchive as extract } from "./archive/index.ts";
export { verifyPackage, verifyPackage as verify, type VerifyInput, type VerifyOptions, type VerifyReport, type AttestationPin } from "./verify/pipeline.ts";
export { verifyRegistry, type RegistryReport } from "./verify/registry_check.ts";
export { publishVersion, publishVersion as publish, setDistTag, removeDistTag, yankVersion, addSignatures, type PublishInput, type PublishResult } from "./registry/writer.ts";
export { RegistryReader } from "./registry/reader.ts";
export { fileSource } from "./registry/source_fs.ts";
export { httpSource } from "./registry/source_http.ts";
export { initRegistry } from "./registry/init.ts";
export { withGitWrite, type GitWriteOptions } from "./registry/git_write.ts";
export { parseSigFile, serializeSigFile, addEntry, type SigFile, type SigEntry } from "./signing/sig_file.ts";
export { createEd25519Entry } from "./signing/ed25519/entry.ts";
export { generateEd25519 } from "./signing/ed25519/sign.ts";
export type { TrustPolicy } from "./trust/policy.ts";
export { parseManifest } from "./manifest/load.ts";
export { main } from "./cli/main.ts";
