/**
 * The documentation's step-by-step shape of a verification (reference pages' "Output" blocks):
 * `install` prints it per package, `info --signatures` per signature. Every value from a .sig,
 * certificate or registry goes through untrusted().
 */
import { untrusted as u } from "./output.ts";
import type { Context } from "./context.ts";
import type { SignerReport, VerifyReport } from "../verify/pipeline.ts";
import { DEFAULT_REKOR_URL } from "../signing/sigstore/create_bundle.ts";

const ATTESTATION = "registry-attestation";
const KIND: Record<string, string> = { sigstore: "Sigstore", openpgp: "GPG", ed25519: "Ed25519", [ATTESTATION]: "Registry attestation" };

/** The Rekor this machine signs with (`security.sigstore.rekor_url`, or the one endpoint standing in for all). */
export async function rekorBase(ctx: Context): Promise<string> {
  const sigstore = (await ctx.config()).merged.security.sigstore;
  return sigstore?.rekor_url ?? sigstore?.endpoint ?? DEFAULT_REKOR_URL;
}

/** The Rekor entry of a Sigstore signer, at the log this machine signs with (the bundle names only the index). */
export function logEntryUrl(s: Pick<SignerReport, "info">, rekorUrl: string): string | undefined {
  const i = s.info?.log_index;
  return i === undefined ? undefined : `${rekorUrl.replace(/\/+$/, "")}/api/v1/log/entries?logIndex=${encodeURIComponent(String(i))}`;
}

/** Who signed: identity for Sigstore, key (and uid for OpenPGP) otherwise, as indented detail lines. */
export function signerDetail(s: SignerReport, rekorUrl: string): string[] {
  // The reference page's shape of an attestation: the registry and when it attested.
  if (s.algorithm === ATTESTATION) return [`Registry: ${u(s.registry ?? "")}`, ...(s.signed_at !== undefined ? [`Timestamp: ${u(s.signed_at)}`] : [])];
  const lines: string[] = [];
  if (s.identity) lines.push(`Identity: ${u(s.identity)}`);
  if (s.issuer) lines.push(`Issuer: ${u(s.issuer)}`);
  if (s.key_fingerprint) lines.push(`Key: ${u(s.key_fingerprint)}`);
  if (s.info?.user_id !== undefined) lines.push(`Signed by: ${u(s.info.user_id)}`);
  const issued = s.info?.integrated_time ?? s.signed_at;
  if (issued !== undefined) lines.push(`Issued: ${u(issued)}`);
  const log = logEntryUrl(s, rekorUrl);
  if (log) lines.push(`Transparency log: ${u(log)}`);
  return lines;
}

/** The step lines of one package's report (before "Installing..."); `ok`/`bad` are the painted marks. */
export function reportSteps(r: VerifyReport, rekorUrl: string, mark: { ok: string; bad: string }): string[] {
  const lines = [`${mark.ok} Checksum verified: ${u(r.checksum)}`];
  if (r.outcome === "unsigned") lines.push(`${mark.bad} Not signed`);
  if (r.outcome === "skipped") lines.push(`${mark.bad} Signature checks skipped`);
  for (const s of r.signers) {
    const kind = KIND[s.algorithm] ?? u(s.algorithm);
    lines.push(s.valid ? `${mark.ok} ${kind} signature valid` : `${mark.bad} ${kind} signature not valid: ${u(s.reason ?? "invalid")}`);
    lines.push(...signerDetail(s, rekorUrl).map((l) => `  ${l}`));
    if (!s.valid) continue;
    if (s.algorithm === ATTESTATION) {
      lines.push(s.trusted ? `${mark.ok} Registry key pinned` : `${mark.bad} Registry attestation not counted: ${u(s.trust_reason ?? "registry not pinned")}`);
      continue;
    }
    const what = s.key_fingerprint ? "Key" : "Identity";
    lines.push(s.trusted ? `${mark.ok} ${what} trusted` : `${mark.bad} ${what} not trusted: ${u(s.trust_reason ?? "not in the trust policy")}`);
  }
  return lines;
}
