/** Placeholder until the sigstore verifier lands: an entry of this kind never counts as valid. */
import type { SigEntry } from "../sig_file.ts";
import type { EntryContext, EntryResult } from "../../verify/entry_check.ts";

export async function verifySigstoreEntry(entry: SigEntry, _ctx: EntryContext): Promise<EntryResult> {
  return { algorithm: entry.algorithm, valid: false, reason: "sigstore signatures cannot be verified by this build" };
}
