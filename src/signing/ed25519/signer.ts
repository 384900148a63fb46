/** `--signing-method ed25519` (SPEC §5): signs `aam-signature-v1:<package_hash>` with a stored key. */
import { fromBase64 } from "../../encoding/base64.ts";
import { ed25519PublicKeyToPem } from "../../encoding/pem.ts";
import type { SigEntry } from "../sig_file.ts";
import { createEd25519Entry } from "../create_ed25519_entry.ts";
import { decryptKeyFile } from "./key_store.ts";
import type { PrivateKeyInput, Signer } from "../signer.ts";

export function ed25519Signer(key: PrivateKeyInput, now: () => Date): Signer {
  return {
    async sign(_archive, packageHash) {
      const passphrase = key.passphrase ? await key.passphrase() : null;
      const k = await decryptKeyFile(key.text, passphrase, key.file);
      try {
        const entry = await createEd25519Entry({ seed: k.seed, publicKey: k.publicKey, packageHash, now: now() });
        const pem = ed25519PublicKeyToPem(fromBase64(entry.public_key)!);
        return { entry: entry as SigEntry, keys: [{ fileName: `${entry.key_fingerprint}.pem`, text: pem, fingerprint: entry.key_fingerprint }] };
      } finally {
        k.seed.fill(0);
      }
    },
  };
}
