/**
 * What an offline cache entry keeps beside the package (SPEC §8): copies of the signers' public keys
 * the registry publishes, and of this machine's Sigstore trusted root. Copies for reference only:
 * verification reads trust from the machine it runs on (verify/local_trust.ts); an entry's OpenPGP
 * key copies may check a signature whose fingerprint the local policy already trusts.
 */
import { fs } from "../runtime/index.ts";
import { KEYS_DIR } from "../registry/layout.ts";
import type { RegistryReader } from "../registry/reader.ts";
import type { VerifyReport } from "../verify/pipeline.ts";
import { TRUSTED_ROOT_FILE } from "../verify/local_trust.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export async function trustMaterialCopies(home: string, reader: RegistryReader, report: VerifyReport): Promise<Record<string, Uint8Array>> {
  const extra: Record<string, Uint8Array> = {};
  for (const s of report.signers) {
    if (!s.key_fingerprint) continue;
    for (const ext of [".pem", ".asc"]) {
      const data = await reader.source.readBytes(`${KEYS_DIR}/${s.key_fingerprint}${ext}`);
      if (data) extra[`key-${s.key_fingerprint}${ext}`] = data;
    }
  }
  if (report.signers.some((s) => s.algorithm === "sigstore")) {
    const root = await fs.readFileIfExists(fs.path.join(home, TRUSTED_ROOT_FILE), DOCUMENT_LIMIT);
    if (root) extra[TRUSTED_ROOT_FILE] = root;
  }
  return extra;
}
