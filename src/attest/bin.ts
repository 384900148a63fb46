/**
 * Hashed bins (SPEC §5a, as TUF's): a package's snapshot record lives in `snapshot/bins/<xx>.json`,
 * `xx` the first byte of the SHA-256 of its file-system name, so reading one package costs one small
 * file in a registry of any size, and a change rewrites one bin.
 */
import { sha256Hex } from "../encoding/sha256.ts";

export const BIN_ID_RE = /^[0-9a-f]{2}$/;

/**
 * The bin of a package: two lowercase hex digits.
 * @param fsName The package's file-system name (`author--my-package`), not its name.
 * @example
 * ```ts
 * binOf("author--my-package"); // e.g. "3c"
 * ```
 */
export function binOf(fsName: string): string {
  if (typeof fsName !== "string" || fsName.length === 0) throw new TypeError("a bin is taken of a non-empty file-system name");
  return sha256Hex(new TextEncoder().encode(fsName)).slice(0, 2);
}

/** The bin file's path inside the registry. */
export function binPath(binId: string): string {
  if (!BIN_ID_RE.test(binId)) throw new TypeError(`not a bin id: ${binId}`);
  return `snapshot/bins/${binId}.json`;
}
