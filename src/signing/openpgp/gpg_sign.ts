/**
 * `--signing-method gpg` (SPEC §5): the real `gpg` program signs the `.aam` file's bytes with the
 * user's own keyring, so gpg-agent, pinentry and smart cards work as they always do. `--gpg-key` or
 * `security.gpg_key` picks the key (else gpg's default key); GNUPGHOME and the rest of the
 * environment pass through. The key's public part comes from `gpg --export`, and the signature is
 * checked in-process with openpgp.js before the entry is made (signing/openpgp/_entry.ts).
 * Loaded only through a dynamic import.
 */
import { AamError } from "../../errors.ts";
import { run } from "../../runtime/index.ts";
import type { SignedEntry, Signer } from "../signer.ts";
import { readPublicKeys } from "./public_key.ts";
import { makeOpenPgpEntry } from "./_entry.ts";

/** `--status-fd` lines (`[GNUPG:] KEYWORD args...`) as keyword and arguments; other lines are gpg's messages. */
export function parseGpgStatus(stderr: string): { status: { keyword: string; args: string[] }[]; messages: string[] } {
  const status: { keyword: string; args: string[] }[] = [];
  const messages: string[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    if (line.startsWith("[GNUPG:] ")) {
      const [keyword, ...args] = line.slice(9).trim().split(/\s+/);
      status.push({ keyword, args });
    } else if (line.trim()) messages.push(line.trim());
  }
  return { status, messages };
}

// INV_SGNR reason codes (GnuPG doc/DETAILS) that mean "this key cannot sign", worded for users.
const INV_SGNR: Record<string, string> = {
  "1": "not found",
  "2": "ambiguous",
  "3": "not a signing key",
  "4": "revoked",
  "5": "expired",
  "9": "no usable secret key",
  "13": "disabled",
};

export interface GpgSignerOptions {
  /** `--gpg-key` or `security.gpg_key`; gpg's default key when absent. */
  keyRef?: string;
  /** `security.gpg_home`: passed as `--homedir`; else GNUPGHOME or gpg's default. */
  homeDir?: string;
  now: () => Date;
}

export function gpgSigner(o: GpgSignerOptions): Signer {
  return { sign: (archive) => signWithGpg(archive, o) };
}

async function signWithGpg(archive: Uint8Array, { keyRef, homeDir, now }: GpgSignerOptions): Promise<SignedEntry> {
  const fix = "list your keys with `gpg --list-secret-keys` (or `gpg --list-keys`), then `aam config set security.gpg_key <fingerprint>` or pass --gpg-key";
  const home = homeDir === undefined ? [] : ["--homedir", homeDir];
  const args = [...home, "--batch", "--no-tty", "--status-fd", "2", "--armor", "--detach-sign", "--output", "-"];
  if (keyRef) args.push("--local-user", keyRef);
  const r = await run("gpg", args, { input: archive });
  if (r === null) {
    throw new AamError("NotFound", 'Cannot sign with "gpg": the gpg program is not installed or not on PATH', {
      hint: "install GnuPG (e.g. apt-get install gnupg), or sign without it: aam key import <secret-key.asc>, then --signing-method openpgp",
    });
  }
  const { status, messages } = parseGpgStatus(r.stderr);
  const created = status.find((s) => s.keyword === "SIG_CREATED");
  if (r.code !== 0 || !created) {
    const inv = status.find((s) => s.keyword === "INV_SGNR");
    const who = keyRef ? `key "${keyRef}"` : "gpg's default key";
    if (inv) {
      throw new AamError("NotFound", `Cannot sign with gpg: ${who} cannot sign (${INV_SGNR[inv.args[0]] ?? `reason ${inv.args[0]}`})`, {
        actual: messages.join("; "),
        hint: fix,
      });
    }
    throw new AamError("Error", `Cannot sign with gpg: gpg exited with code ${r.code}`, {
      actual: messages.join("; "),
      hint: "check that gpg-agent runs and that the key's passphrase or smart card is available; try `gpg --detach-sign <file>` by hand",
    });
  }
  // SIG_CREATED <type> <pk_algo> <hash_algo> <class> <timestamp> <key fingerprint>
  const signingFpr = created.args[5];
  if (!signingFpr || !/^[0-9A-Fa-f]{40}([0-9A-Fa-f]{24})?$/.test(signingFpr)) {
    throw new AamError("Error", "Cannot sign with gpg: gpg did not say which key signed", { actual: messages.join("; "), hint: "use GnuPG 2.2 or later" });
  }
  const signature = new TextDecoder().decode(r.stdout);
  // export-minimal: the key and its self-signatures, without other people's certifications.
  const exported = await run("gpg", [...home, "--batch", "--no-tty", "--armor", "--export", "--export-options", "export-minimal", signingFpr]);
  const text = exported && exported.code === 0 ? new TextDecoder().decode(exported.stdout) : "";
  if (!text.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
    throw new AamError("Error", `Cannot sign with gpg: cannot export the public key of ${signingFpr}`, {
      actual: exported?.stderr.trim(),
      hint: `check \`gpg --armor --export ${signingFpr}\``,
    });
  }
  const want = signingFpr.toUpperCase();
  const key = (await readPublicKeys(text, `gpg --export ${signingFpr}`)).find((k) => k.getKeys().some((s) => s.getFingerprint().toUpperCase() === want));
  if (!key) throw new AamError("Error", `Cannot sign with gpg: the exported key does not contain ${signingFpr}`, { hint: `check \`gpg --list-keys ${signingFpr}\`` });
  const made = await makeOpenPgpEntry(archive, signature, key, now(), "gpg");
  return { entry: made.entry, keys: made.keys };
}
