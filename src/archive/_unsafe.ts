/** Builds the UnsafeArchive errors of the archive module (SPEC §3, §10 exit 17). */
import { AamError } from "../errors.ts";

const DEFAULT_HINT = "the archive is corrupt or was crafted to be unsafe; do not install it, and ask its publisher for a clean copy";

/** An UnsafeArchive error; `entry` names the offending member when there is one. */
export function unsafeArchive(message: string, details: { entry?: string; hint?: string; cause?: unknown } = {}): AamError {
  return new AamError("UnsafeArchive", message, {
    ...(details.entry !== undefined ? { entry: details.entry } : {}),
    hint: details.hint ?? DEFAULT_HINT,
    ...(details.cause !== undefined ? { cause: details.cause } : {}),
  });
}
