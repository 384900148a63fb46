/**
 * Step 5 for one `.sig` entry: does its signature verify? Each algorithm answers valid or not with a
 * reason; the pipeline decides what that means. OpenPGP and Sigstore verifiers load only when needed.
 */
import type { SigEntry } from "./sig_file.ts";
import type { EntryContext, EntryResult, StreamContext, StreamedEntryCheck } from "./entry_types.ts";
import { signatureMessage } from "./message.ts";
import { verifyEd25519 } from "./ed25519/verify.ts";
import { fingerprint as ed25519Fingerprint } from "./ed25519/fingerprint.ts";
import { fromBase64 } from "../encoding/base64.ts";

export type { EntryContext, EntryResult, EntryVerifier, StreamContext, StreamedEntryCheck } from "./entry_types.ts";

async function checkEd25519(entry: SigEntry & { algorithm: "ed25519" }, ctx: { packageHash: string }): Promise<EntryResult> {
  const base = { algorithm: "ed25519", key_fingerprint: entry.key_fingerprint, signed_at: entry.signed_at };
  const pub = fromBase64(entry.public_key);
  const sig = fromBase64(entry.signature);
  if (!pub || !sig) return { ...base, valid: false, reason: "public key or signature is not base64" };
  if (ed25519Fingerprint(pub) !== entry.key_fingerprint.toLowerCase()) {
    return { ...base, valid: false, reason: "key_fingerprint does not match public_key" };
  }
  const ok = await verifyEd25519(pub, signatureMessage(ctx.packageHash), sig);
  return ok ? { ...base, valid: true } : { ...base, valid: false, reason: "signature does not verify" };
}

/** What checkEntry takes: EntryContext, where the archive may be a function reading its bytes only if an entry needs them. */
export interface EntryInputs extends Omit<EntryContext, "archive"> {
  archive: Uint8Array | (() => Promise<Uint8Array>);
}

async function withBytes(inputs: EntryInputs): Promise<EntryContext> {
  return { ...inputs, archive: inputs.archive instanceof Uint8Array ? inputs.archive : await inputs.archive() };
}

export async function checkEntry(entry: SigEntry, inputs: EntryInputs): Promise<EntryResult> {
  // openpgp.js and @sigstore/* are heavy: load them only for entries that need them. Ed25519 signs
  // the package hash, so only the others need the archive's bytes (a streamed archive is read whole then).
  switch (entry.algorithm) {
    case "ed25519":
      return await checkEd25519(entry, inputs);
    case "openpgp":
      return await (await import("./openpgp/verify_entry.ts")).verifyOpenPgpEntry(entry, await withBytes(inputs));
    case "sigstore":
      return await (await import("./sigstore/verify_entry.ts")).verifySigstoreEntry(entry, await withBytes(inputs));
    default:
      return { algorithm: (entry as { algorithm: string }).algorithm, valid: false, reason: "unknown signature algorithm" };
  }
}

/**
 * Starts step 5 for one entry before the archive is read, for a verifier that streams the archive
 * once (verify/pipeline.ts): each check is fed the chunks step 1 hashes, then answers.
 */
export async function startEntryCheck(entry: SigEntry, ctx: StreamContext): Promise<StreamedEntryCheck> {
  switch (entry.algorithm) {
    case "openpgp":
      return await (await import("./openpgp/verify_entry.ts")).startOpenPgpEntryCheck(entry, ctx);
    case "sigstore":
      return await (await import("./sigstore/verify_entry.ts")).startSigstoreEntryCheck(entry, ctx);
    default:
      // Ed25519 signs the package hash, and an unknown algorithm verifies nothing: neither reads the archive.
      return { wantsBytes: false, update: () => undefined, finish: async (packageHash) => await checkEntry(entry, { ...ctx, packageHash, archive: new Uint8Array(0) }) };
  }
}
