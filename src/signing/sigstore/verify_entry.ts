/**
 * Step 5 for a `sigstore` entry of a `.sig` (SPEC §5, §6): the bundle must verify over the `.aam`
 * file's bytes against the local trusted root (EntryContext.trustedRoot: `$AAM_HOME/trusted_root.json`,
 * `--trusted-root`, or an offline cache entry's copy). Answers valid or not with a reason, and the
 * certificate's identity and issuer for step 6 (trust/policy.ts `isIdentityTrusted`).
 */
import type { SigEntry } from "../sig_file.ts";
import type { EntryContext, EntryResult } from "../entry_types.ts";
import { AamError } from "../../errors.ts";
import { verifySigstoreBundle } from "./verify_bundle.ts";

export async function verifySigstoreEntry(entry: SigEntry, ctx: EntryContext): Promise<EntryResult> {
  if (entry.algorithm !== "sigstore") return { algorithm: entry.algorithm, valid: false, reason: "not a sigstore entry" };
  if (ctx.trustedRoot === undefined) {
    return {
      algorithm: "sigstore",
      valid: false,
      reason: "no Sigstore trusted root on this machine: run `aam trust-root import <file>` (offline) or `aam trust-root update`",
    };
  }
  try {
    const v = await verifySigstoreBundle({
      bundle: entry.bundle,
      artifact: ctx.archive,
      trustedRoot: ctx.trustedRoot,
      bundleFile: "the .sig's sigstore entry",
      trustedRootFile: "trusted_root.json",
      verifyTransparencyLog: ctx.verifyTransparencyLog,
    });
    // `aam info --signatures` prints `info`: the issuer belongs beside the log facts there.
    const info: Record<string, string | number> = { issuer: v.issuer };
    if (v.log_index !== undefined) info.log_index = v.log_index;
    if (v.integrated_time !== undefined) info.integrated_time = v.integrated_time;
    if (v.timestamp_authority_time !== undefined) info.timestamp_authority_time = v.timestamp_authority_time;
    if (!v.transparency_log_checked) info.transparency_log = "not checked (security.verify_transparency_log: false)";
    return { algorithm: "sigstore", valid: true, identity: v.identity, issuer: v.issuer, info };
  } catch (e) {
    if (!(e instanceof AamError)) throw e;
    const actual = e.details.actual ? ` (${e.details.actual})` : "";
    return { algorithm: "sigstore", valid: false, reason: `${e.code}: ${e.message}${actual}` };
  }
}
