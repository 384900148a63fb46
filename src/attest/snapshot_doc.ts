/**
 * `snapshot.json` (SPEC §5a): the registry's signed root. Parsed as untrusted input with every field
 * checked and no field beyond the v1 schema allowed, so the signature covers all that is read.
 */
import { AamError } from "../errors.ts";
import { isChecksum } from "../encoding/sha256.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { MAX_DOCUMENT_BYTES } from "../read_limits.ts";
import { BIN_ID_RE } from "./bin.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { canonicalBase64, HEX64_RE, isObject, isTime, ownValue, parseJsonText, Problems } from "./_fields.ts";
import type { AuditHead, Snapshot, SnapshotSignature, UnsignedSnapshot } from "./types.ts";

/** More signatures than any registry's key set: a root with more is refused before any is checked. */
export const MAX_SNAPSHOT_SIGNATURES = 16;

const ROOT_KEYS = ["version", "registry", "serial", "created_at", "expires_at", "registry_yaml", "audit_head", "bins", "signatures"] as const;

/**
 * Parses and checks `snapshot.json`. It checks form only; signatures are checked by
 * verifySnapshotSignatures (snapshot_verify.ts).
 * @param text The file's text (untrusted).
 * @param file Its path or URL, for error details.
 * @throws {AamError} TamperedPackage (SPEC §5a step 1: a root that cannot carry a valid signature)
 * naming the file and the first bad field, every problem in `details.problems`. Never anything else.
 */
export function parseSnapshot(text: string, file: string): Snapshot {
  const p = new Problems();
  try {
    const doc = parseJsonText(text, MAX_DOCUMENT_BYTES, p);
    if (p.list.length === 0 && !isObject(doc)) p.add("", "not a JSON object");
    if (p.list.length > 0 || !isObject(doc)) throw fail(p, file);
    const root = checkRoot(doc, p);
    if (p.list.length > 0 || !root) throw fail(p, file);
    return root;
  } catch (e) {
    // Untrusted input: anything unforeseen still ends as a coded error.
    if (e instanceof AamError) throw e;
    if (p.list.length === 0) p.add("", "unreadable");
    throw fail(p, file);
  }
}

function checkRoot(doc: Record<string, unknown>, p: Problems): Snapshot | null {
  p.onlyKeys(doc, ROOT_KEYS, "");
  if (ownValue(doc, "version") !== 1) p.add("version", `unsupported version ${JSON.stringify(ownValue(doc, "version")) ?? "(missing)"} (expected 1)`);
  const registry = ownValue(doc, "registry");
  if (!isValidRegistryName(registry)) p.add("registry", "not a registry name (^[a-z0-9][a-z0-9._-]{0,63}$)");
  const serial = ownValue(doc, "serial");
  if (typeof serial !== "number" || !Number.isSafeInteger(serial) || serial < 1) p.add("serial", "not a positive integer");
  const created = ownValue(doc, "created_at");
  if (!isTime(created)) p.add("created_at", "not an ISO 8601 UTC time (2026-01-01T12:00:00Z)");
  const expires = ownValue(doc, "expires_at");
  if (!isTime(expires)) p.add("expires_at", "not an ISO 8601 UTC time (2026-01-01T12:00:00Z)");
  else if (isTime(created) && Date.parse(expires) <= Date.parse(created)) p.add("expires_at", "not after created_at");
  const registryYaml = ownValue(doc, "registry_yaml");
  if (!isChecksum(registryYaml)) p.add("registry_yaml", "not a sha256:<64 lowercase hex> checksum");
  const auditHead = checkAuditHead(ownValue(doc, "audit_head"), p);
  const bins: Record<string, string> = {};
  const b = ownValue(doc, "bins");
  if (!isObject(b)) p.add("bins", "not a JSON object");
  else {
    for (const [id, h] of Object.entries(b)) {
      if (!BIN_ID_RE.test(id)) p.add(`bins.${id}`, "not a bin id (two lowercase hex digits)");
      else if (!isChecksum(h)) p.add(`bins.${id}`, "not a sha256:<64 lowercase hex> checksum");
      else bins[id] = h;
    }
  }
  const signatures = checkSignatures(ownValue(doc, "signatures"), p);
  if (p.list.length > 0 || !auditHead) return null;
  return {
    version: 1,
    registry: registry as string,
    serial: serial as number,
    created_at: created as string,
    expires_at: expires as string,
    registry_yaml: registryYaml as string,
    audit_head: auditHead,
    bins,
    signatures,
  };
}

function checkAuditHead(v: unknown, p: Problems): AuditHead | null {
  if (!isObject(v)) {
    p.add("audit_head", "not a JSON object {seq, sha256}");
    return null;
  }
  p.onlyKeys(v, ["seq", "sha256"], "audit_head");
  const seq = ownValue(v, "seq");
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) p.add("audit_head.seq", "not a non-negative integer");
  const sha = ownValue(v, "sha256");
  if (typeof sha !== "string" || !HEX64_RE.test(sha)) p.add("audit_head.sha256", "not 64 lowercase hex digits");
  return { seq: seq as number, sha256: sha as string };
}

function checkSignatures(v: unknown, p: Problems): SnapshotSignature[] {
  if (!Array.isArray(v)) {
    p.add("signatures", "not a list");
    return [];
  }
  if (v.length > MAX_SNAPSHOT_SIGNATURES) {
    p.add("signatures", `more than ${MAX_SNAPSHOT_SIGNATURES} signatures`);
    return [];
  }
  const out: SnapshotSignature[] = [];
  v.forEach((s, i) => {
    const at = `signatures[${i}]`;
    const start = p.list.length;
    if (!isObject(s)) return p.add(at, "not a JSON object");
    p.onlyKeys(s, ["key_fingerprint", "public_key", "signature"], at);
    const pub = canonicalBase64(ownValue(s, "public_key"), 32);
    if (!pub) p.add(`${at}.public_key`, "not base64 of 32 bytes");
    if (!canonicalBase64(ownValue(s, "signature"), 64)) p.add(`${at}.signature`, "not base64 of 64 bytes");
    const fp = ownValue(s, "key_fingerprint");
    if (typeof fp !== "string" || !HEX64_RE.test(fp)) p.add(`${at}.key_fingerprint`, "not 64 lowercase hex digits");
    else if (pub && fingerprint(pub) !== fp) p.add(`${at}.key_fingerprint`, "does not match the SHA-256 of public_key");
    if (p.list.length === start) out.push({ key_fingerprint: fp as string, public_key: ownValue(s, "public_key") as string, signature: ownValue(s, "signature") as string });
  });
  return out;
}

function fail(p: Problems, file: string): AamError {
  const first = p.list[0];
  const more = p.list.length > 1 ? ` (and ${p.list.length - 1} more)` : "";
  return new AamError("TamperedPackage", `Cannot read registry snapshot "${file}": ${first.path ? `${first.path}: ` : ""}${first.message}${more}`, {
    file,
    field: first.path || undefined,
    problems: p.list,
    hint: "the registry's snapshot.json is damaged or was edited; ask its maintainers to run `aam registry attest`",
  });
}

/** The document without `signatures`: the part that is canonicalised and signed. */
export function unsignedPart(s: UnsignedSnapshot): UnsignedSnapshot {
  const bins: Record<string, string> = {};
  for (const id of Object.keys(s.bins).sort()) bins[id] = s.bins[id];
  return {
    version: 1,
    registry: s.registry,
    serial: s.serial,
    created_at: s.created_at,
    expires_at: s.expires_at,
    registry_yaml: s.registry_yaml,
    audit_head: { seq: s.audit_head.seq, sha256: s.audit_head.sha256 },
    bins,
  };
}

/** `snapshot.json` text: schema order, bins sorted, 2-space indent, trailing newline. */
export function serializeSnapshot(s: Snapshot): string {
  const signatures = s.signatures.map((x) => ({ key_fingerprint: x.key_fingerprint, public_key: x.public_key, signature: x.signature }));
  return JSON.stringify({ ...unsignedPart(s), signatures }, null, 2) + "\n";
}
