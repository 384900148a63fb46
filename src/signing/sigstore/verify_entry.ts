/**
 * Step 5 for a `sigstore` entry of a `.sig` (SPEC §5, §6): the bundle must verify over the `.aam`
 * file's bytes against the local trusted root (EntryContext.trustedRoot: `$AAM_HOME/trusted_root.json`,
 * `--trusted-root`, or an offline cache entry's copy). Answers valid or not with a reason, and the
 * certificate's identity and issuer for step 6 (trust/policy.ts `isIdentityTrusted`). A bundle made
 * with a managed key (SPEC §5) is checked with the local keys of `aam key trust` (EntryContext.managedKeys,
 * never a key that travels with the package) and answers that key's fingerprint for step 6
 * (`trusted_keys`).
 */
import type { SigEntry } from "../sig_file.ts";
import type { EntryContext, EntryResult, StreamContext, StreamedEntryCheck } from "../entry_types.ts";
import { AamError } from "../../errors.ts";
import { fromHex } from "../../encoding/hex.ts";
import { verifySigstoreBundle, type BundleCheck, type BundleVerification } from "./verify_bundle.ts";
import { hintNamesOtherKey, managedKeyFromPem, type ManagedKey } from "./managed_key.ts";
import { needsArtifactBytes } from "./artifact_need.ts";

/** The bundle's key hint when it is signed with a managed key (read from the untrusted JSON), else null. */
function managedKeyHint(bundle: unknown): string | null {
  const vm = (bundle as { verificationMaterial?: { publicKey?: { hint?: unknown } } } | null)?.verificationMaterial;
  if (typeof vm !== "object" || vm === null || typeof vm.publicKey !== "object" || vm.publicKey === null) return null;
  return typeof vm.publicKey.hint === "string" ? vm.publicKey.hint : "";
}

/** The local keys a managed-key bundle may be signed with: those its hint does not rule out. */
function candidateKeys(hint: string, pems: string[]): ManagedKey[] {
  const out: ManagedKey[] = [];
  for (const pem of pems) {
    try {
      const k = managedKeyFromPem(pem, "a key in $AAM_HOME/keys");
      if (!hintNamesOtherKey(hint, k)) out.push(k);
    } catch {
      continue; // an unreadable stored key verifies nothing; `aam key trust` never writes one
    }
  }
  return out;
}

/** Verifies a `sigstore` `.sig` entry over the archive's bytes. */
export async function verifySigstoreEntry(entry: SigEntry, ctx: EntryContext): Promise<EntryResult> {
  return await verifySigstoreArtifact(entry, ctx, ctx.archive);
}

/**
 * The same check, started before the archive is read (the pipeline's single read). It needs only
 * the archive's SHA-256 from that read: a DSSE bundle names it as the in-toto subject, and a message
 * signature by an ECDSA key over a SHA-256 message digest is checked against it (digest_content.ts),
 * with the answers and reasons of a check over the bytes (verify_bundle.ts `streamed`).
 * Any other message signature (an Ed25519 or RSA signer, another digest) asks for the bytes.
 */
export async function startSigstoreEntryCheck(entry: SigEntry, ctx: StreamContext): Promise<StreamedEntryCheck> {
  const hint = entry.algorithm === "sigstore" ? managedKeyHint(entry.bundle) : null;
  const keys = hint === null ? [] : candidateKeys(hint, ctx.managedKeys ?? []);
  const wantsBytes = entry.algorithm === "sigstore" && ctx.trustedRoot !== undefined && (await needsArtifactBytes(entry.bundle, keys));
  return {
    wantsBytes,
    update: () => undefined,
    finish: async (packageHash, bytes) => await verifySigstoreArtifact(entry, ctx, wantsBytes && bytes ? bytes : { sha256: fromHex(packageHash.replace(/^sha256:/, "")), streamed: true }),
  };
}

async function verifySigstoreArtifact(entry: SigEntry, ctx: StreamContext, artifact: BundleCheck["artifact"]): Promise<EntryResult> {
  if (entry.algorithm !== "sigstore") return { algorithm: entry.algorithm, valid: false, reason: "not a sigstore entry" };
  if (ctx.trustedRoot === undefined) {
    return {
      algorithm: "sigstore",
      valid: false,
      reason: "no Sigstore trusted root on this machine: run `aam trust-root import <file>` (offline) or `aam trust-root update`",
    };
  }
  const hint = managedKeyHint(entry.bundle);
  const keys = hint === null ? [undefined] : candidateKeys(hint, ctx.managedKeys ?? []);
  if (keys.length === 0) {
    return {
      algorithm: "sigstore",
      valid: false,
      reason: `signed with a managed key${hint ? ` (hint ${hint})` : ""} that is not among this machine's keys: if you trust it, run \`aam key trust <cosign.pub>\``,
    };
  }
  let lastError: unknown;
  for (const publicKey of keys) {
    try {
      return resultOf(
        await verifySigstoreBundle({
          bundle: entry.bundle,
          artifact,
          trustedRoot: ctx.trustedRoot,
          bundleFile: "the .sig's sigstore entry",
          trustedRootFile: "trusted_root.json",
          verifyTransparencyLog: ctx.verifyTransparencyLog,
          publicKey,
        }),
      );
    } catch (e) {
      if (!(e instanceof AamError)) throw e;
      lastError = e;
    }
  }
  const e = lastError as AamError;
  const actual = e.details.actual ? ` (${e.details.actual})` : "";
  return { algorithm: "sigstore", valid: false, reason: `${e.code}: ${e.message}${actual}` };
}

function resultOf(v: BundleVerification): EntryResult {
  // `aam info --signatures` prints `info`: the issuer belongs beside the log facts there.
  const info: Record<string, string | number> = v.key_fingerprint ? {} : { issuer: v.issuer };
  if (v.log_index !== undefined) info.log_index = v.log_index;
  if (v.integrated_time !== undefined) info.integrated_time = v.integrated_time;
  if (v.timestamp_authority_time !== undefined) info.timestamp_authority_time = v.timestamp_authority_time;
  if (!v.transparency_log_checked) info.transparency_log = "not checked (security.verify_transparency_log: false)";
  if (v.key_fingerprint) return { algorithm: "sigstore", valid: true, key_fingerprint: v.key_fingerprint, info };
  return { algorithm: "sigstore", valid: true, identity: v.identity, issuer: v.issuer, info };
}
