/** Registry names (SPEC §5a): `registry.yaml`'s `name`, signed into every attestation and snapshot. */

export const REGISTRY_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** True for a name `^[a-z0-9][a-z0-9._-]{0,63}$`: it cannot hold `:` or `@`, so the signed messages split one way only. */
export function isValidRegistryName(s: unknown): s is string {
  return typeof s === "string" && REGISTRY_NAME_RE.test(s);
}
