/**
 * SPEC §9: on a terminal, under `warn`, `install` asks before installing a package whose signer is
 * not trusted ("install anyway? [y/N]", default no); never with --yes, --json or without a terminal.
 */
import type { Context } from "../context.ts";
import { untrusted } from "../output.ts";
import { AamError } from "../../errors.ts";
import { proc } from "../../runtime/index.ts";
import type { ReadyPackage } from "../../install/install.ts";

/** A package warned about because a valid signature came from a signer outside the trust policy. */
function untrustedSigner(p: ReadyPackage): boolean {
  return p.report.outcome === "warned" && p.report.checks.trust === "warned";
}

export async function confirmUntrusted(ctx: Context, ready: ReadyPackage[], yes: boolean): Promise<void> {
  if (yes || ctx.out.json || !proc.isStdinTTY()) return;
  for (const p of ready.filter(untrustedSigner)) {
    const who = `${untrusted(p.name)}@${untrusted(p.version)}`;
    const answer = (await proc.prompt(`${who} is signed by a signer that is not trusted: install anyway? [y/N] `)).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      throw new AamError("UntrustedSigner", `Did not install "${p.name}@${p.version}": its signer is not trusted and the install was not confirmed`, {
        hint: "trust the signer (aam key trust <fingerprint>, or security.trusted_identities), or answer y",
      });
    }
  }
}
