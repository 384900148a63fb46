/**
 * The `<version>.sig` envelope (SPEC §5): a JSON document with one entry per signature,
 * discriminated on `algorithm` (`ed25519`, `openpgp`, `sigstore`), plus the registry's own
 * `registry-attestation` entries (SPEC §5a). Those are kept apart, in `attestations`: they never
 * count as an author's signature (SPEC §6 "Trust is per kind of entry"), so every reader of
 * `signatures` sees authors only, and a version with only attestations reads as unsigned there.
 *
 * `parseSigFile` takes untrusted text and is safe on any input: every failure is an AamError
 * `MalformedSignature` naming the file and the JSON path of the first bad field, with all
 * problems in `details.problems`. It checks form only (SPEC §6 step 4): whether a signature
 * verifies is step 5. Unknown fields are ignored (and dropped when the document is rewritten).
 */
import { AamError, type Problem } from "../errors.ts";
import { isChecksum } from "../encoding/sha256.ts";
import { fingerprint as ed25519Fingerprint } from "./ed25519/fingerprint.ts";
import { MAX_SIG_BYTES } from "../read_limits.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { canonicalBase64, isObject, ownValue as own } from "../encoding/json_fields.ts";

/** A `.sig` larger than this is refused before parsing. */
export const MAX_SIG_FILE_BYTES = MAX_SIG_BYTES;

export interface Ed25519Entry {
  algorithm: "ed25519";
  /** Lowercase hex SHA-256 of the 32 raw public key bytes. */
  key_fingerprint: string;
  /** Base64 of the 32 raw public key bytes. */
  public_key: string;
  /** Base64 of the 64-byte signature over `aam-signature-v1:<package_hash>`. */
  signature: string;
  signed_at: string;
}

export interface OpenPgpEntry {
  algorithm: "openpgp";
  /** 40 (v4) or 64 (v6) uppercase hex digits. */
  key_fingerprint: string;
  /** ASCII-armoured detached signature over the `.aam` file's bytes. */
  signature: string;
  /** ASCII-armoured public key, optional. */
  public_key?: string;
  signed_at: string;
}

export interface SigstoreEntry {
  algorithm: "sigstore";
  /** A Sigstore bundle (JSON) with a message signature over the `.aam` file's bytes. */
  bundle: Record<string, unknown>;
}

export type SigEntry = Ed25519Entry | OpenPgpEntry | SigstoreEntry;

/** A registry's attestation (SPEC §5a): Ed25519 over `aam-registry-attestation-v1:<registry>:<package>@<version>:<package_hash>`. */
export interface RegistryAttestationEntry {
  algorithm: "registry-attestation";
  /** The signing registry's name (registry.yaml `name`). */
  registry: string;
  key_fingerprint: string;
  public_key: string;
  signature: string;
  signed_at: string;
}
export type SigAlgorithm = SigEntry["algorithm"];

export interface SigFile {
  version: 1;
  package: string;
  package_version: string;
  package_hash: string;
  signatures: SigEntry[];
  /** `registry-attestation` entries, written after the author entries in the file's `signatures`. */
  attestations?: RegistryAttestationEntry[];
}

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses and checks the form of a `.sig` document.
 * @param text The file's text (untrusted).
 * @param file Its path or URL, for error details.
 * @throws {AamError} MalformedSignature (with `details.file` and `details.field`) for oversized
 * input, invalid JSON, a wrong schema, bad base64, wrong key or signature lengths, an Ed25519
 * fingerprint that does not match its key, or an unknown algorithm. Never any other exception.
 * @example
 * ```ts
 * const sig = parseSigFile(await fs.readText(path), path);
 * for (const entry of sig.signatures) if (entry.algorithm === "ed25519") ...
 * ```
 */
export function parseSigFile(text: string, file: string): SigFile {
  const problems: Problem[] = [];
  const fail = () => {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
    return new AamError("MalformedSignature", `Cannot read signature file "${file}": ${first.path ? `${first.path}: ` : ""}${first.message}${more}`, {
      file,
      field: first.path || undefined,
      problems,
      hint: "the .sig is damaged or was edited; fetch it again from the registry, or re-sign the version with `aam pkg sign`",
    });
  };
  try {
    if (typeof text !== "string") {
      problems.push({ path: "", message: "not text" });
      throw fail();
    }
    // Characters never outnumber UTF-8 bytes, so the cheap length test comes first.
    if (text.length > MAX_SIG_FILE_BYTES || new TextEncoder().encode(text).length > MAX_SIG_FILE_BYTES) {
      problems.push({ path: "", message: `larger than ${MAX_SIG_FILE_BYTES} bytes` });
      throw fail();
    }
    let doc: unknown;
    try {
      // A byte-order mark some editors add is not part of the JSON.
      doc = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
    } catch (e) {
      problems.push({ path: "", message: `not valid JSON (${e instanceof Error ? e.message.split("\n")[0] : "syntax error"})` });
      throw fail();
    }
    const sig = checkDocument(doc, problems);
    if (problems.length > 0 || !sig) throw fail();
    return sig;
  } catch (e) {
    // Untrusted input: anything unforeseen still ends as a coded error, never a stack trace.
    if (e instanceof AamError) throw e;
    if (problems.length === 0) problems.push({ path: "", message: "unreadable" });
    throw fail();
  }
}

function checkDocument(doc: unknown, problems: Problem[]): SigFile | null {
  if (!isObject(doc)) {
    problems.push({ path: "", message: "not a JSON object" });
    return null;
  }
  const add = (path: string, message: string) => problems.push({ path, message });
  if (own(doc, "version") !== 1) add("version", `unsupported version ${JSON.stringify(own(doc, "version")) ?? "(missing)"} (expected 1)`);
  const pkg = own(doc, "package");
  if (typeof pkg !== "string" || pkg.length === 0) add("package", "not a non-empty string");
  const ver = own(doc, "package_version");
  if (typeof ver !== "string" || ver.length === 0) add("package_version", "not a non-empty string");
  const hash = own(doc, "package_hash");
  if (!isChecksum(hash)) add("package_hash", "not a sha256:<64 lowercase hex> checksum");
  const list = own(doc, "signatures");
  const signatures: SigEntry[] = [];
  const attestations: RegistryAttestationEntry[] = [];
  if (!Array.isArray(list)) add("signatures", "not an array");
  else {
    list.forEach((e, i) => {
      const at = `signatures[${i}]`;
      if (isObject(e) && own(e, "algorithm") === "registry-attestation") {
        const a = checkAttestation(e, at, problems);
        if (a) attestations.push(a);
        return;
      }
      const entry = checkEntry(e, at, problems);
      if (entry) signatures.push(entry);
    });
  }
  if (problems.length > 0) return null;
  const out: SigFile = { version: 1, package: pkg as string, package_version: ver as string, package_hash: hash as string, signatures };
  if (attestations.length > 0) out.attestations = attestations;
  return out;
}

function checkEntry(e: unknown, at: string, problems: Problem[]): SigEntry | null {
  const start = problems.length;
  const add = (field: string, message: string) => problems.push({ path: `${at}.${field}`, message });
  if (!isObject(e)) {
    problems.push({ path: at, message: "not a JSON object" });
    return null;
  }
  const algorithm = own(e, "algorithm");
  switch (algorithm) {
    case "ed25519": {
      const k = checkEd25519Fields(e, at, problems);
      if (problems.length > start || !k) return null;
      return { algorithm, ...k };
    }
    case "openpgp": {
      const fp = own(e, "key_fingerprint");
      if (typeof fp !== "string" || !/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(fp)) add("key_fingerprint", "not 40 or 64 hex digits");
      const sig = own(e, "signature");
      if (typeof sig !== "string" || !sig.includes("-----BEGIN PGP SIGNATURE-----")) add("signature", "not an ASCII-armoured OpenPGP signature");
      const pub = own(e, "public_key");
      if (pub !== undefined && (typeof pub !== "string" || !pub.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----"))) {
        add("public_key", "not an ASCII-armoured OpenPGP public key");
      }
      const signedAt = checkTimestamp(own(e, "signed_at"), `${at}.signed_at`, problems);
      if (problems.length > start) return null;
      const entry: OpenPgpEntry = { algorithm, key_fingerprint: (fp as string).toUpperCase(), signature: sig as string, signed_at: signedAt! };
      if (pub !== undefined) entry.public_key = pub as string;
      return entry;
    }
    case "sigstore": {
      const bundle = own(e, "bundle");
      if (!isObject(bundle)) add("bundle", "not a JSON object (a Sigstore bundle)");
      if (problems.length > start) return null;
      return { algorithm, bundle: bundle as Record<string, unknown> };
    }
    default:
      add("algorithm", `unknown algorithm ${JSON.stringify(algorithm) ?? "(missing)"} (expected ed25519, openpgp, sigstore or registry-attestation)`);
      return null;
  }
}

/** The fields an Ed25519 author entry and a registry attestation share: key, fingerprint, signature, time. */
function checkEd25519Fields(e: Record<string, unknown>, at: string, problems: Problem[]): Omit<Ed25519Entry, "algorithm"> | null {
  const start = problems.length;
  const add = (field: string, message: string) => problems.push({ path: `${at}.${field}`, message });
  const pub = canonicalBase64(own(e, "public_key"));
  if (!pub || pub.length !== 32) add("public_key", "not base64 of 32 bytes");
  const sig = canonicalBase64(own(e, "signature"));
  if (!sig || sig.length !== 64) add("signature", "not base64 of 64 bytes");
  const fp = own(e, "key_fingerprint");
  if (typeof fp !== "string" || !/^[0-9a-fA-F]{64}$/.test(fp)) add("key_fingerprint", "not 64 hex digits");
  else if (pub && pub.length === 32 && fp.toLowerCase() !== ed25519Fingerprint(pub)) add("key_fingerprint", "does not match the SHA-256 of public_key");
  const signedAt = checkTimestamp(own(e, "signed_at"), `${at}.signed_at`, problems);
  if (problems.length > start) return null;
  return { key_fingerprint: (fp as string).toLowerCase(), public_key: own(e, "public_key") as string, signature: own(e, "signature") as string, signed_at: signedAt! };
}

function checkAttestation(e: Record<string, unknown>, at: string, problems: Problem[]): RegistryAttestationEntry | null {
  const start = problems.length;
  const registry = own(e, "registry");
  if (!isValidRegistryName(registry)) problems.push({ path: `${at}.registry`, message: "not a registry name (^[a-z0-9][a-z0-9._-]{0,63}$)" });
  const k = checkEd25519Fields(e, at, problems);
  if (problems.length > start || !k) return null;
  return { algorithm: "registry-attestation", registry: registry as string, ...k };
}

function checkTimestamp(v: unknown, path: string, problems: Problem[]): string | null {
  if (typeof v !== "string" || !TIMESTAMP_RE.test(v) || Number.isNaN(Date.parse(v))) {
    problems.push({ path, message: "not an ISO 8601 date-time (e.g. 2025-01-01T12:00:00Z)" });
    return null;
  }
  return v;
}

/**
 * Writes a `.sig` document: fixed key order, 2-space indent, trailing newline, so the same
 * signatures always give the same bytes.
 */
export function serializeSigFile(sig: SigFile): string {
  const doc = {
    version: sig.version,
    package: sig.package,
    package_version: sig.package_version,
    package_hash: sig.package_hash,
    signatures: [...sig.signatures.map(orderEntry), ...(sig.attestations ?? []).map(orderAttestation)],
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

function orderAttestation(e: RegistryAttestationEntry): Record<string, unknown> {
  return { algorithm: e.algorithm, registry: e.registry, key_fingerprint: e.key_fingerprint, public_key: e.public_key, signature: e.signature, signed_at: e.signed_at };
}

function orderEntry(e: SigEntry): Record<string, unknown> {
  switch (e.algorithm) {
    case "ed25519":
      return { algorithm: e.algorithm, key_fingerprint: e.key_fingerprint, public_key: e.public_key, signature: e.signature, signed_at: e.signed_at };
    case "openpgp": {
      const o: Record<string, unknown> = { algorithm: e.algorithm, key_fingerprint: e.key_fingerprint };
      if (e.public_key !== undefined) o.public_key = e.public_key;
      o.signature = e.signature;
      o.signed_at = e.signed_at;
      return o;
    }
    case "sigstore":
      return { algorithm: e.algorithm, bundle: e.bundle };
  }
}

/**
 * Adds an entry to a `.sig`, answering a new document. An entry by the same key (same algorithm
 * and fingerprint, compared case-insensitively) is replaced in place, so re-signing does not pile
 * up entries; others are kept, so several keys and methods can sign one version (rotation).
 * A Sigstore entry replaces only an identical one (each signing uses a fresh certificate).
 */
export function addEntry(sig: SigFile, entry: SigEntry): SigFile {
  const same = (e: SigEntry): boolean => {
    if (e.algorithm !== entry.algorithm) return false;
    if (e.algorithm === "sigstore" || entry.algorithm === "sigstore") {
      return JSON.stringify(e) === JSON.stringify(entry);
    }
    return e.key_fingerprint.toLowerCase() === entry.key_fingerprint.toLowerCase();
  };
  const i = sig.signatures.findIndex(same);
  const signatures = [...sig.signatures];
  if (i >= 0) signatures[i] = entry;
  else signatures.push(entry);
  return { ...sig, signatures };
}
