/**
 * The configuration keys (SPEC §9): their types, defaults and value checks, in one table that
 * keys.ts (`aam config get|set|unset|add|list`), validate.ts (files) and load.ts (merging) share.
 */
import { isIdentityPattern } from "../trust/identity_pattern.ts";

export interface RegistryEntry {
  name: string;
  /** A folder path, file:// URL, http(s):// URL or git+<url> (SPEC §4). */
  url: string;
  default?: boolean;
  /** Pinned attestation keys (`aam registry trust`, SPEC §5a): its signed snapshot is then mandatory. */
  attestation?: AttestationPin;
}

/** A registry's pin: the signed registry name, the attestation key fingerprints, the lowest serial accepted at first contact. */
export interface AttestationPin {
  name: string;
  /** Lowercase hex SHA-256 fingerprints of Ed25519 keys. */
  keys: string[];
  min_serial?: number;
}

export const SIGNING_METHODS = ["ed25519", "openpgp", "gpg", "sigstore"] as const;
export type SigningMethod = (typeof SIGNING_METHODS)[number];
export const FAILURE_MODES = ["error", "warn", "ignore"] as const;
export type OnSignatureFailure = (typeof FAILURE_MODES)[number];

export interface SigstoreConfig {
  fulcio_url?: string;
  rekor_url?: string;
  tsa_url?: string;
  oidc_issuer?: string;
  /** Base URL that Fulcio, Rekor and the TSA default to when not set one by one. */
  endpoint?: string;
}

export interface SecurityConfig {
  signing_method?: SigningMethod;
  /** Key name or fingerprint in `$AAM_HOME/keys/`. */
  signing_key?: string;
  /** Key id or fingerprint for `--signing-method gpg`. */
  gpg_key?: string;
  /** GnuPG home (`--homedir`) for `--signing-method gpg`; gpg's own default when absent. */
  gpg_home?: string;
  require_signature?: boolean;
  /** Fingerprints: 64 lowercase hex (Ed25519) or 40 uppercase hex (OpenPGP). */
  trusted_keys?: string[];
  /** Fingerprints that never verify, even when trusted (`aam key revoke`). */
  revoked_keys?: string[];
  /** Sigstore identity patterns (SPEC §6): `user@domain`, `*@domain`, `github:user`, workflow URIs. */
  trusted_identities?: string[];
  /** OIDC issuer URLs a Sigstore certificate may come from; empty means any. */
  allowed_issuers?: string[];
  on_signature_failure?: OnSignatureFailure;
  verify_transparency_log?: boolean;
  /** Fingerprint or Sigstore identity pattern → package patterns (`@team/*`, `tool`) it may sign. */
  signing_delegates?: Record<string, string[]>;
  /** A registry's attestation (SPEC §5a), by a key pinned for it, makes a version trusted without an author signature (§6 table). */
  trust_registry_attestations?: boolean;
  /** Every version needs a registry's attestation by a pinned key, besides what trusts its author (§6 table). */
  require_registry_attestation?: boolean;
  /** Aliases of pinned registries whose attestations may count (SPEC §5a, §6). */
  trusted_registries?: string[];
  sigstore?: SigstoreConfig;
}

/**
 * A configuration as a file holds it: only the keys that are set. `security` is always present
 * (possibly empty) so callers can spread it.
 */
export interface Config {
  registries?: RegistryEntry[];
  security: SecurityConfig;
}

/** The merged configuration: every key that has a default is filled in. */
export interface ResolvedConfig extends Config {
  registries: RegistryEntry[];
  security: SecurityConfig & {
    signing_method: SigningMethod;
    require_signature: boolean;
    trusted_keys: string[];
    revoked_keys: string[];
    trusted_identities: string[];
    allowed_issuers: string[];
    on_signature_failure: OnSignatureFailure;
    verify_transparency_log: boolean;
    signing_delegates: Record<string, string[]>;
    trust_registry_attestations: boolean;
    require_registry_attestation: boolean;
    sigstore: SigstoreConfig;
  };
}

export type KeyType = "string" | "bool" | "enum" | "list" | "map" | "registries";

export interface KeySpec {
  /** Dotted path, e.g. `security.trusted_keys`. */
  key: string;
  type: KeyType;
  /** Absent: the key has no default (unset means "not configured"). */
  default?: unknown;
  /** Allowed values of an enum key. */
  values?: readonly string[];
  /** Checks one string value (a list or map item, or a string key); returns the problem, if any. */
  check?: (value: string) => string | undefined;
  /** Canonical spelling of one string value (e.g. fingerprint case). */
  normalize?: (value: string) => string;
  /** One line for `aam config list --help` and error hints. */
  doc: string;
}

const FINGERPRINT_RE = /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;

function checkFingerprint(v: string): string | undefined {
  return FINGERPRINT_RE.test(v) ? undefined : "is not a key fingerprint (64 hex digits for Ed25519, 40 for OpenPGP)";
}

/** SPEC §5 spellings: Ed25519 fingerprints lowercase, OpenPGP fingerprints uppercase. */
export function normalizeFingerprint(v: string): string {
  return v.length === 40 ? v.toUpperCase() : v.toLowerCase();
}

function checkUrl(v: string): string | undefined {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:" ? undefined : "must be an http(s) URL";
  } catch {
    // Unparseable: report it as a bad value rather than an exception.
    return "must be an http(s) URL";
  }
}

function checkNonEmpty(v: string): string | undefined {
  return v.trim() === "" ? "must not be empty" : undefined;
}

function checkNoSpaces(v: string): string | undefined {
  return v.trim() === "" ? "must not be empty" : /\s/.test(v.trim()) ? "must not contain spaces" : undefined;
}

function checkPackagePattern(v: string): string | undefined {
  return /^(@[a-z0-9*][a-z0-9_*-]*\/)?[a-z0-9*][a-z0-9*-]*$/.test(v) ? undefined : "is not a package pattern such as @team/* or tool";
}

export const CONFIG_KEYS: readonly KeySpec[] = [
  { key: "registries", type: "registries", default: [], doc: "configured registries; change them with `aam registry add|remove`" },
  { key: "security.signing_method", type: "enum", values: SIGNING_METHODS, default: "ed25519", doc: "how `--sign` signs" },
  { key: "security.signing_key", type: "string", check: checkNonEmpty, doc: "key name or fingerprint to sign with" },
  { key: "security.gpg_key", type: "string", check: checkNonEmpty, doc: "gpg key for --signing-method gpg" },
  { key: "security.gpg_home", type: "string", check: checkNonEmpty, doc: "GnuPG home folder for --signing-method gpg" },
  { key: "security.require_signature", type: "bool", default: false, doc: "refuse unsigned packages" },
  { key: "security.trusted_keys", type: "list", default: [], check: checkFingerprint, normalize: normalizeFingerprint, doc: "trusted key fingerprints" },
  { key: "security.revoked_keys", type: "list", default: [], check: checkFingerprint, normalize: normalizeFingerprint, doc: "revoked key fingerprints" },
  { key: "security.trusted_identities", type: "list", default: [], check: checkNoSpaces, doc: "trusted Sigstore identity patterns" },
  { key: "security.allowed_issuers", type: "list", default: [], check: checkUrl, doc: "allowed Sigstore OIDC issuers (empty: any)" },
  { key: "security.on_signature_failure", type: "enum", values: FAILURE_MODES, default: "warn", doc: "what a failed signature check does" },
  { key: "security.verify_transparency_log", type: "bool", default: true, doc: "check Sigstore transparency-log entries" },
  { key: "security.signing_delegates", type: "map", default: {}, check: checkPackagePattern, doc: "fingerprint-or-identity=pattern,... limits a key or Sigstore identity to packages" },
  { key: "security.trust_registry_attestations", type: "bool", default: false, doc: "a pinned registry's attestation (aam registry trust) trusts a version without an author signature" },
  { key: "security.require_registry_attestation", type: "bool", default: false, doc: "every version also needs a pinned registry's attestation" },
  { key: "security.trusted_registries", type: "list", check: checkNonEmpty, doc: "aliases of pinned registries whose attestations may count (`aam registry trust`)" },
  { key: "security.sigstore.fulcio_url", type: "string", check: checkUrl, doc: "Fulcio (certificate authority) URL" },
  { key: "security.sigstore.rekor_url", type: "string", check: checkUrl, doc: "Rekor (transparency log) URL" },
  { key: "security.sigstore.tsa_url", type: "string", check: checkUrl, doc: "timestamp authority URL" },
  { key: "security.sigstore.oidc_issuer", type: "string", check: checkUrl, doc: "OIDC issuer for keyless signing" },
  { key: "security.sigstore.endpoint", type: "string", check: checkUrl, doc: "base URL for Fulcio, Rekor and the TSA when not set one by one" },
];

export const KEY_NAMES: readonly string[] = CONFIG_KEYS.map((s) => s.key);

export function keySpec(key: string): KeySpec | undefined {
  return CONFIG_KEYS.find((s) => s.key === key);
}

/**
 * A signing_delegates key in its stored spelling: a fingerprint (SPEC §5 case) or a Sigstore
 * identity pattern, where the documentation's `user@github` / `user@gitlab` mean `github:user` / `gitlab:user`.
 */
export function normalizeDelegateKey(who: string): string {
  if (FINGERPRINT_RE.test(who)) return normalizeFingerprint(who);
  const m = /^([^@\s]+)@(github|gitlab)$/.exec(who);
  return m ? `${m[2]}:${m[1]}` : who;
}

/** Checks a signing_delegates key: a key fingerprint or a Sigstore identity pattern. */
export function checkDelegateKey(who: string): string | undefined {
  const n = normalizeDelegateKey(who);
  if (FINGERPRINT_RE.test(n) || isIdentityPattern(n)) return undefined;
  return "is neither a key fingerprint (64 hex digits for Ed25519, 40 for OpenPGP) nor a Sigstore identity pattern (user@domain, *@domain, github:user, gitlab:user, a workflow URI)";
}

/** A fresh copy of every default; never share the arrays. */
export function defaultConfig(): ResolvedConfig {
  return {
    registries: [],
    security: {
      signing_method: "ed25519",
      require_signature: false,
      trusted_keys: [],
      revoked_keys: [],
      trusted_identities: [],
      allowed_issuers: [],
      on_signature_failure: "warn",
      verify_transparency_log: true,
      signing_delegates: {},
      trust_registry_attestations: false,
      require_registry_attestation: false,
      sigstore: {},
    },
  };
}

/** The defaults, frozen. Use defaultConfig() for a copy you can change. */
export const DEFAULT_CONFIG: Readonly<ResolvedConfig> = deepFreeze(defaultConfig());

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
