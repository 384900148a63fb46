/** Where a passphrase comes from (SPEC §5): AAM_PASSPHRASE, --passphrase-file, or a hidden prompt on a terminal. */
import { AamError } from "../errors.ts";
import { fs, proc } from "../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export interface PassphraseOptions {
  passphraseFile?: string;
  /** Ask twice on a terminal (new keys). */
  confirm?: boolean;
  purpose: string;
}

export async function readPassphrase(opts: PassphraseOptions): Promise<string> {
  if (opts.passphraseFile) {
    const text = await fs.readTextIfExists(opts.passphraseFile, DOCUMENT_LIMIT);
    if (text === null) {
      throw new AamError("NotFound", `Cannot read passphrase file "${opts.passphraseFile}"`, {
        file: opts.passphraseFile,
        hint: "check the path given to --passphrase-file",
      });
    }
    return text.replace(/\r?\n$/, "");
  }
  const env = proc.env("AAM_PASSPHRASE");
  if (env !== undefined) return env;
  if (!proc.isStdinTTY()) {
    throw new AamError("UsageError", `Cannot ${opts.purpose}: no passphrase given`, {
      hint: "set AAM_PASSPHRASE, pass --passphrase-file <file>, or run on a terminal",
    });
  }
  const p = await proc.openPrompter();
  let first: string;
  try {
    first = await p.ask(`Passphrase to ${opts.purpose}: `, true);
    if (opts.confirm) {
      const again = await p.ask("Repeat the passphrase: ", true);
      if (again !== first) throw new AamError("UsageError", "Cannot set the passphrase: the two entries differ", { hint: "run the command again" });
    }
  } finally {
    p.close();
  }
  if (first === "") throw new AamError("UsageError", "Cannot use an empty passphrase", { hint: "use --no-passphrase to store the key unencrypted" });
  return first;
}
