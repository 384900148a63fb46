/**
 * `snapshot/bins/<xx>.json` (SPEC §5a): parsed as untrusted input (a registry is not trusted until
 * the bin's hash matches the signed root), written with sorted keys so equal bins are equal bytes.
 */
import { AamError } from "../errors.ts";
import { isChecksum } from "../encoding/sha256.ts";
import { fromFsName, isValidTag } from "../manifest/name.ts";
import { isValidVersion } from "../manifest/semver.ts";
import { MAX_DOCUMENT_BYTES } from "../read_limits.ts";
import { binOf } from "./bin.ts";
import { isObject, isTime, ownValue, parseJsonText, Problems } from "./_fields.ts";
import type { BinDoc, PackageRecord, Rejection, VersionState } from "./types.ts";

/** An owner or signer: a key fingerprint or a Sigstore identity; printable, one line. */
const PRINCIPAL_RE = /^[^\u0000-\u001f\u007f]{1,512}$/;
const MAX_REASON = 4096;

/**
 * Parses and checks a bin file.
 * @param text The file's text (untrusted until its hash is checked against the root).
 * @param file Its path or URL, for error details.
 * @param binId The bin it must be (`xx`): a package filed in another bin is refused.
 * @throws {AamError} TamperedPackage naming the file and the first bad field, with every problem
 * in `details.problems`. Never any other exception.
 */
export function parseBin(text: string, file: string, binId: string): BinDoc {
  const p = new Problems();
  try {
    const doc = parseJsonText(text, MAX_DOCUMENT_BYTES, p);
    const out: BinDoc = {};
    if (p.list.length === 0) {
      if (!isObject(doc)) p.add("", "not a JSON object");
      else {
        for (const [fsName, rec] of Object.entries(doc)) {
          const r = checkRecord(rec, fsName, p);
          // Keys are stored only once valid, so no `__proto__` or other odd name reaches an object.
          if (fromFsName(fsName) === null) p.add(fsName, "not a package file-system name");
          else if (binOf(fsName) !== binId) p.add(fsName, `belongs in bin ${binOf(fsName)}, not ${binId}`);
          else if (r) out[fsName] = r;
        }
      }
    }
    if (p.list.length > 0) throw fail(p, file);
    return out;
  } catch (e) {
    // Untrusted input: anything unforeseen still ends as a coded error.
    if (e instanceof AamError) throw e;
    if (p.list.length === 0) p.add("", "unreadable");
    throw fail(p, file);
  }
}

function checkRecord(rec: unknown, at: string, p: Problems): PackageRecord | null {
  const start = p.list.length;
  if (!isObject(rec)) {
    p.add(at, "not a JSON object");
    return null;
  }
  p.onlyKeys(rec, ["dist_tags", "owners", "versions"], at);
  const versions: Record<string, VersionState> = {};
  const vs = ownValue(rec, "versions");
  if (!isObject(vs)) p.add(`${at}.versions`, "not a JSON object");
  else {
    for (const [v, st] of Object.entries(vs)) {
      const s = checkVersion(st, `${at}.versions.${v}`, p);
      if (!isValidVersion(v)) p.add(`${at}.versions.${v}`, "not a SemVer 2.0.0 version");
      else if (s) versions[v] = s;
    }
  }
  const tags: Record<string, string> = {};
  const dt = ownValue(rec, "dist_tags");
  if (!isObject(dt)) p.add(`${at}.dist_tags`, "not a JSON object");
  else {
    for (const [t, v] of Object.entries(dt)) {
      if (!isValidTag(t)) p.add(`${at}.dist_tags.${t}`, "not a dist-tag name");
      else if (typeof v !== "string" || !Object.prototype.hasOwnProperty.call(versions, v)) p.add(`${at}.dist_tags.${t}`, "does not name a version of this record");
      else tags[t] = v;
    }
  }
  const owners = principals(ownValue(rec, "owners"), `${at}.owners`, p);
  if (p.list.length > start) return null;
  return { dist_tags: tags, owners, versions };
}

function checkVersion(st: unknown, at: string, p: Problems): VersionState | null {
  const start = p.list.length;
  if (!isObject(st)) {
    p.add(at, "not a JSON object");
    return null;
  }
  p.onlyKeys(st, ["checksum", "yanked", "rejected", "signers"], at);
  const checksum = ownValue(st, "checksum");
  if (!isChecksum(checksum)) p.add(`${at}.checksum`, "not a sha256:<64 lowercase hex> checksum");
  const yanked = ownValue(st, "yanked");
  if (typeof yanked !== "boolean") p.add(`${at}.yanked`, "not true or false");
  const rejected = checkRejection(ownValue(st, "rejected"), `${at}.rejected`, p);
  const signers = principals(ownValue(st, "signers"), `${at}.signers`, p);
  if (p.list.length > start) return null;
  return { checksum: checksum as string, yanked: yanked as boolean, rejected, signers };
}

function checkRejection(v: unknown, at: string, p: Problems): Rejection | null {
  if (v === null) return null;
  if (!isObject(v)) {
    p.add(at, "not null or {reason, at}");
    return null;
  }
  p.onlyKeys(v, ["reason", "at"], at);
  const reason = ownValue(v, "reason");
  if (typeof reason !== "string" || reason.length === 0 || reason.length > MAX_REASON) p.add(`${at}.reason`, `not a string of 1 to ${MAX_REASON} characters`);
  const when = ownValue(v, "at");
  if (!isTime(when)) p.add(`${at}.at`, "not an ISO 8601 UTC time (2026-01-01T12:00:00Z)");
  return { reason: reason as string, at: when as string };
}

function principals(v: unknown, at: string, p: Problems): string[] {
  if (!Array.isArray(v)) {
    p.add(at, "not a list");
    return [];
  }
  const seen = new Set<string>();
  v.forEach((s, i) => {
    if (typeof s !== "string" || !PRINCIPAL_RE.test(s)) p.add(`${at}[${i}]`, "not a key fingerprint or identity");
    else if (seen.has(s)) p.add(`${at}[${i}]`, "listed twice");
    else seen.add(s);
  });
  return [...seen];
}

function fail(p: Problems, file: string): AamError {
  const first = p.list[0];
  const more = p.list.length > 1 ? ` (and ${p.list.length - 1} more)` : "";
  return new AamError("TamperedPackage", `Cannot read snapshot bin "${file}": ${first.path ? `${first.path}: ` : ""}${first.message}${more}`, {
    file,
    field: first.path || undefined,
    problems: p.list,
    hint: "the registry's signed snapshot is damaged or was edited; ask its maintainers to run `aam registry attest`",
  });
}

/** Bin file text: keys sorted at every level, 2-space indent, trailing newline; equal bins give equal bytes. */
export function serializeBin(doc: BinDoc): string {
  return JSON.stringify(sorted(doc), null, 2) + "\n";
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sorted(v[k]);
  return out;
}
