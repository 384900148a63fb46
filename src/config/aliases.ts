/**
 * Configuration keys as the AAM documentation spells them (SPEC §9), mapped to the keys AAM stores
 * and shows. Mapped where a file is read (validate.ts) and where a key is named on the command
 * line (dotted_keys.ts), so everything after that, the project-file rules included, sees only the
 * stored names: an alias is judged exactly as its target is.
 */
import { AamError, type Problem } from "../errors.ts";

export const KEY_ALIASES: Readonly<Record<string, string>> = {
  "security.trusted_sigstore_identities": "security.trusted_identities",
  "security.trusted_gpg_keys": "security.trusted_keys",
  "security.oidc_issuer": "security.sigstore.oidc_issuer",
  "security.sigstore_oidc_issuer": "security.sigstore.oidc_issuer",
  "security.sigstore_endpoint": "security.sigstore.endpoint",
};

/** Checksums are always verified (SPEC §6 step 1): this key is accepted as `true`, never stored. */
export const REQUIRE_CHECKSUM = "security.require_checksum";

/** The stored name of `key` (itself when it is not an alias). */
export function canonicalKey(key: string): string {
  return KEY_ALIASES[key] ?? key;
}

export function checksumOffError(where: string): AamError {
  return new AamError("UsageError", `Cannot set "${REQUIRE_CHECKSUM}" to false in ${where}: checksums cannot be turned off`, {
    field: REQUIRE_CHECKSUM,
    hint: "SHA-256 checksums are always verified; remove the key, or set it to true",
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A parsed configuration document with every alias moved to its stored name and
 * `require_checksum: true` dropped. Does not change `doc`.
 * @throws {AamError} UsageError when a file names an alias and its target (or two aliases of one
 * key), naming both, or sets `require_checksum` to false.
 */
export function resolveAliases(doc: unknown, file: string, problems: Problem[]): unknown {
  if (!isRecord(doc) || !isRecord(doc.security)) return doc;
  const security: Record<string, unknown> = { ...doc.security };
  if (isRecord(security.sigstore)) security.sigstore = { ...security.sigstore };
  const given = (key: string) => {
    const [, a, b] = key.split(".");
    const v = b === undefined ? security[a] : isRecord(security[a]) ? (security[a] as Record<string, unknown>)[b] : undefined;
    return v !== undefined && v !== null;
  };
  const spelledAs = new Map<string, string>();
  for (const [alias, target] of Object.entries(KEY_ALIASES)) {
    const name = alias.slice("security.".length);
    if (!Object.hasOwn(security, name)) continue;
    const value = security[name];
    delete security[name];
    if (value === null || value === undefined) continue; // `key:` with nothing counts as not set
    const other = spelledAs.get(target) ?? (given(target) ? target : undefined);
    if (other !== undefined) {
      throw new AamError("UsageError", `Cannot read "${file}": it sets both "${other}" and "${alias}", which are the same setting`, {
        file,
        field: target,
        hint: `keep one of them (AAM shows it as "${target}")`,
      });
    }
    spelledAs.set(target, alias);
    const [, a, b] = target.split(".");
    if (b === undefined) security[a] = value;
    else if (security[a] === undefined || security[a] === null) security[a] = { [b]: value };
    else if (isRecord(security[a])) (security[a] as Record<string, unknown>)[b] = value;
  }
  const checksum = REQUIRE_CHECKSUM.slice("security.".length);
  if (Object.hasOwn(security, checksum)) {
    const v = security[checksum];
    delete security[checksum];
    if (v === false) throw checksumOffError(`"${file}"`);
    if (v !== true && v !== null) problems.push({ path: REQUIRE_CHECKSUM, message: "can only be true: checksums are always verified" });
  }
  return { ...doc, security };
}
