/**
 * Package owners (SPEC §4): who may publish new versions. An owner is a key fingerprint (Ed25519 or
 * a managed Sigstore key: 64 hex, kept lowercase; OpenPGP: 40 hex, kept uppercase) or a Sigstore
 * identity matched together with its issuer: `github:<owner>` and `gitlab:<owner>` imply their
 * provider's issuers (identity_pattern.ts); an address or a URI names its issuer after a `|`
 * (`alice@example.org|https://accounts.google.com`). Never an OpenPGP user id: anyone can write one.
 */
import { AamError } from "../errors.ts";
import { compileIdentityPattern, parseIdentityPattern } from "./identity_pattern.ts";

/** What a verified `.sig` entry says about its signer (signing/entry_types.ts EntryResult). */
export interface OwnerSigner {
  valid: boolean;
  algorithm: string;
  key_fingerprint?: string;
  identity?: string;
  issuer?: string;
}

const HINT = "an owner is a key fingerprint (64 hex Ed25519 or managed key, 40 hex OpenPGP), github:<owner>, gitlab:<owner>, or <address or URI>|<OIDC issuer URL>";
const ISSUER_RE = /^https:\/\/[^\s|,]+$/;

/** The canonical spelling of an owner, or null when `s` is not one. */
export function canonicalOwner(s: unknown): string | null {
  if (typeof s !== "string" || s.length === 0 || s.length > 1024 || /[\s,]/.test(s)) return null;
  if (/^[0-9a-fA-F]{64}$/.test(s)) return s.toLowerCase();
  if (/^[0-9a-fA-F]{40}$/.test(s)) return s.toUpperCase();
  const bar = s.indexOf("|");
  const identity = bar < 0 ? s : s.slice(0, bar);
  let kind;
  try {
    kind = parseIdentityPattern(identity).kind;
  } catch {
    return null;
  }
  if (kind === "email_domain") return null; // an owner is one signer, not a domain
  if (kind === "github" || kind === "gitlab") return bar < 0 ? identity : null;
  return bar > 0 && ISSUER_RE.test(s.slice(bar + 1)) ? s : null;
}

/**
 * @throws {AamError} UsageError when `s` is not an owner (an OpenPGP user id, a pattern, a bare address).
 */
export function parseOwner(s: string): string {
  const c = canonicalOwner(s);
  if (c === null) throw new AamError("UsageError", `Invalid owner "${String(s).slice(0, 200)}"`, { hint: HINT });
  return c;
}

/** Owners sorted (by UTF-16 code units) and without duplicates: the order they are signed in. */
export function sortedOwners(owners: readonly string[]): string[] {
  return [...new Set(owners)].sort();
}

export function sameOwners(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = sortedOwners(a ?? []);
  const y = sortedOwners(b ?? []);
  return x.length === y.length && x.every((o, i) => o === y[i]);
}

/** The owner a valid signer is, or undefined. Invalid owner strings match nothing. */
export function ownerOf(signer: OwnerSigner, owners: readonly string[]): string | undefined {
  if (!signer.valid) return undefined;
  for (const raw of owners) {
    const o = canonicalOwner(raw);
    if (o === null) continue;
    if (/^[0-9a-fA-F]{40}$|^[0-9a-f]{64}$/.test(o)) {
      if (signer.key_fingerprint !== undefined && signer.key_fingerprint.toLowerCase() === o.toLowerCase()) return raw;
      continue;
    }
    if (signer.identity === undefined || signer.key_fingerprint !== undefined) continue;
    const bar = o.indexOf("|");
    const identity = bar < 0 ? o : o.slice(0, bar);
    if (bar > 0 && signer.issuer !== o.slice(bar + 1)) continue;
    if (compileIdentityPattern(identity)(signer.identity, signer.issuer)) return raw;
  }
  return undefined;
}
