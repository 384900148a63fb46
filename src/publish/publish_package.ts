/**
 * The publish use case (SPEC §4, §5): one archive, already packed or read and hashed once by the
 * caller, signed when asked (its `.sig` beside the archive written or extended), else published with
 * the `.sig` found beside it when that signs these bytes, into a folder registry.
 */
import { fs } from "../runtime/index.ts";
import { parseSigFile, type SigFile } from "../signing/sig_file.ts";
import type { PublishedKey } from "../signing/signer.ts";
import type { Manifest } from "../manifest/schema.ts";
import type { SignatureSummary } from "../registry/metadata.ts";
import { publishVersion, type PublishResult } from "../registry/writer.ts";
import { SIG_LIMIT } from "../read_limits.ts";
import type { LocalTrust } from "../verify/local_trust.ts";
import { requireOwnerSignature } from "../verify/owner_signature.ts";

/** Signs the archive, extending `existingSigText` when it signs the same bytes. */
export type SignArchive = (existingSigText: string | null, sigFile: string, packageHash: string) => Promise<{ sig: SigFile; sigText: string; keys: PublishedKey[] }>;

export interface PublishPackageInput {
  /** The registry folder (a writable registry). */
  root: string;
  archive: Uint8Array;
  /** `sha256:<hex>` of `archive`, computed once by whoever packed or read it. */
  checksum: string;
  /** The archive's file; its `.sig` is `<archiveFile>.sig`. */
  archiveFile: string;
  /** The archive's aam.yaml, parsed once. */
  manifest: Manifest;
  /** null: publish with the `.sig` beside the archive, if it signs these bytes. */
  sign: SignArchive | null;
  tag?: string;
  /** Local trust material, loaded only when the package has owners (their signature is checked). */
  trust?: () => Promise<LocalTrust>;
}

export interface PublishEnv {
  now: () => Date;
  actor: string;
  warn: (message: string) => void;
}

export interface PublishedPackage extends PublishResult {
  signed: boolean;
}

/** What metadata.yaml records of each `.sig` entry. */
export function summarise(sig: SigFile): SignatureSummary[] {
  return sig.signatures.map((e) =>
    e.algorithm === "sigstore"
      ? { algorithm: e.algorithm }
      : { algorithm: e.algorithm, key_fingerprint: e.key_fingerprint, signed_at: e.signed_at },
  );
}

function artifactTypes(m: Manifest): string[] {
  return Object.entries(m.artifacts)
    .filter(([, list]) => (list ?? []).length > 0)
    .map(([k]) => k)
    .sort();
}

/**
 * @throws {AamError} PolicyViolation (version already published, signatures required, name clash),
 * NotFound without a registry at `root`, and whatever signing throws.
 */
export async function publishPackage(input: PublishPackageInput, env: PublishEnv): Promise<PublishedPackage> {
  const sigFile = `${input.archiveFile}.sig`;
  let sigText = await fs.readTextIfExists(sigFile, SIG_LIMIT);
  let keys: PublishedKey[] = [];
  let signatures: SignatureSummary[] | undefined;
  if (input.sign) {
    const r = await input.sign(sigText, sigFile, input.checksum);
    sigText = r.sigText;
    keys = r.keys;
    signatures = summarise(r.sig);
    await fs.writeFileAtomic(sigFile, sigText);
  } else if (sigText !== null) {
    const sig = parseSigFile(sigText, sigFile);
    if (sig.package_hash !== input.checksum) {
      env.warn(`${sigFile} belongs to other bytes; publishing unsigned (re-sign with aam pkg sign)`);
      sigText = null;
    } else signatures = summarise(sig);
  }
  const m = input.manifest;
  const r = await publishVersion(
    input.root,
    {
      archive: input.archive,
      checksum: input.checksum,
      name: m.name,
      version: m.version,
      description: m.description ?? "",
      author: m.author,
      license: m.license,
      keywords: m.keywords,
      artifactTypes: artifactTypes(m),
      dependencies: m.dependencies ?? {},
      sigText,
      signatures,
      keys,
      tag: input.tag,
      // Under the lock, before anything is written: with owners set, an owner must have signed these bytes.
      authorize: async (current) => {
        const owners = current?.owners ?? [];
        if (owners.length === 0) return;
        const check = { name: m.name, version: m.version, sigText, sigFile, packageHash: input.checksum, archive: input.archive, trust: await input.trust?.(), now: env.now() };
        await requireOwnerSignature(check, owners, input.root);
      },
    },
    { now: env.now(), actor: env.actor },
  );
  return { ...r, signed: Boolean(sigText) };
}
