/** Placeholder until the gpg signer lands. */
import { AamError } from "../../errors.ts";
import type { ExternalSigner } from "../../cli/commands/_signing.ts";

export const signWithGpg: ExternalSigner = async () => {
  throw new AamError("UsageError", 'Cannot sign with "gpg": this signing method is not available in this build', {
    hint: "use --signing-method ed25519 (aam key generate makes a key)",
  });
};
