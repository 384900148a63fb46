/**
 * SPEC §9: on a terminal, under `warn`, `install` asks before installing a package whose signer is
 * not trusted ("install anyway? [y/N]", default no); never with --yes, --json or without a terminal.
 * The question is the reference page's line verbatim ("⚠ Key not in trusted keyring (install
 * anyway? [y/N])", package-signing "Verifying GPG Signatures" Output), asked after the steps that
 * already said why the signer is not trusted.
 */
import type { Context } from "../context.ts";
import { untrusted } from "../output.ts";
import { AamError } from "../../errors.ts";
import { proc } from "../../runtime/index.ts";
import type { ReadyPackage } from "../../install/install.ts";
import type { SignerReport } from "../../verify/pipeline.ts";

/** Why a key is untrusted when it is simply absent from security.trusted_keys (trust/policy.ts). */
const NOT_IN_KEYRING = "key is not in security.trusted_keys";

/** A package warned about because a valid signature came from a signer outside the trust policy. */
function untrustedSigner(p: ReadyPackage): boolean {
  return p.report.outcome === "warned" && p.report.checks.trust === "warned";
}

/**
 * The question's text: the reference's words where they are true (only keys, each merely absent from
 * the trusted keys), else the same shape naming what is untrusted without claiming why (the step
 * line above says it). Several packages are told apart by a `<name>@<version>: ` prefix.
 */
export function question(signers: SignerReport[], who: string | null, warn: string): string {
  const valid = signers.filter((s) => s.valid && !s.trusted);
  const keys = valid.filter((s) => s.key_fingerprint !== undefined);
  const what =
    keys.length === 0 ? "Identity not trusted"
    : keys.length < valid.length ? "Signers not trusted"
    : keys.every((s) => s.trust_reason === NOT_IN_KEYRING) ? "Key not in trusted keyring"
    : "Key not trusted";
  return `${warn} ${who === null ? "" : `${who}: `}${what} (install anyway? [y/N]) `;
}

export async function confirmUntrusted(ctx: Context, ready: ReadyPackage[], yes: boolean): Promise<void> {
  if (yes || ctx.out.json || !proc.isStdinTTY()) return;
  for (const p of ready.filter(untrustedSigner)) {
    const who = ready.length > 1 ? `${untrusted(p.name)}@${untrusted(p.version)}` : null;
    const answer = (await proc.prompt(question(p.report.signers, who, ctx.out.paint("yellow", "⚠")))).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      throw new AamError("UntrustedSigner", `Did not install "${p.name}@${p.version}": its signer is not trusted and the install was not confirmed`, {
        hint: "trust the signer (aam key trust <fingerprint>, or security.trusted_identities), or answer y",
      });
    }
  }
}
