/**
 * Reading a Sigstore trusted root (`trusted_root.json`, SPEC §8): the Fulcio CAs, Rekor and CT log
 * keys and timestamp authorities that Sigstore bundles are verified against, offline.
 * Pure: takes the file's text and answers the parsed root and its trust material, or a coded error.
 */
import { AamError } from "../../errors.ts";
import { loadVerifyLibs, type VerifyLibs } from "./_libs.ts";

export type TrustedRoot = ReturnType<VerifyLibs["specs"]["TrustedRoot"]["fromJSON"]>;
export type TrustMaterial = ReturnType<VerifyLibs["verify"]["toTrustMaterial"]>;

export interface TrustedRootSummary {
  media_type: string;
  certificate_authorities: number;
  transparency_logs: number;
  ct_logs: number;
  timestamp_authorities: number;
}

export interface ParsedTrustedRoot {
  root: TrustedRoot;
  material: TrustMaterial;
  summary: TrustedRootSummary;
}

const MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.trustedroot";
const HINT = "get the current one with `aam trust-root update` (online), or copy a trusted_root.json and run `aam trust-root import <file>`";

/**
 * The first authority (transparency log, CT log, certificate authority, timestamp authority) whose
 * validity interval lacks its required start, as a JSON path, or null. A missing start must not be
 * read as "valid since forever" (sigstore-conformance trust-root-tlog-missing-validity-start_fail):
 * a key is trusted only for the time its root says, and this one says nothing.
 */
function missingValidityStart(json: Record<string, unknown>): string | null {
  const groups: [string, (e: Record<string, unknown>) => unknown][] = [
    ["tlogs", (e) => (e.publicKey as Record<string, unknown> | undefined)?.validFor],
    ["ctlogs", (e) => (e.publicKey as Record<string, unknown> | undefined)?.validFor],
    ["certificateAuthorities", (e) => e.validFor],
    ["timestampAuthorities", (e) => e.validFor],
  ];
  for (const [key, validFor] of groups) {
    const list = json[key];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (typeof e !== "object" || e === null) continue; // the protobuf reader reports the shape
      const v = validFor(e as Record<string, unknown>) as Record<string, unknown> | undefined;
      const start = v && typeof v === "object" ? v.start : undefined;
      const where = key === "tlogs" || key === "ctlogs" ? `${key}[${i}].publicKey` : `${key}[${i}]`;
      if (typeof start !== "string" || start === "" || Number.isNaN(Date.parse(start))) return where;
    }
  }
  return null;
}

/**
 * What a root with an authority valid since no time is refused as. Importing it (`aam trust-root
 * import`) judges no signer: `Error`. Verifying against it, the bundle may be sound but its log entry
 * (or certificate, or timestamp) can only be vouched for by a key the root trusts for no time, so no
 * signer is trusted: `UntrustedSigner` (SPEC §10 exit 12, "valid, but no signer is trusted"), as cosign
 * and sigstore-go refuse such a root as trust material rather than the bundle as malformed or forged.
 */
const UNBOUNDED_AS = { import: "Error", verify: "UntrustedSigner" } as const;

/**
 * Parses and checks a trusted root.
 * @param file Where the text came from, for messages.
 * @param use Whether the root is being installed or a bundle is being verified against it.
 * @throws {AamError} Error when the text is not a usable Sigstore trusted root; a log, CA or TSA
 *   whose validFor has no start is Error on import and UntrustedSigner when verifying.
 */
export async function parseTrustedRoot(text: string, file: string, use: keyof typeof UNBOUNDED_AS = "import"): Promise<ParsedTrustedRoot> {
  const { specs, verify } = await loadVerifyLibs();
  const fail = (detail: string, cause?: unknown) => new AamError("Error", `Cannot read trusted root "${file}": ${detail}`, { file, hint: HINT, cause });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail("not valid JSON", e);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw fail("not a JSON object");
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== "string" || !mediaType.startsWith(MEDIA_TYPE_PREFIX)) {
    throw fail(`mediaType is ${JSON.stringify(mediaType) ?? "missing"}, expected ${MEDIA_TYPE_PREFIX}+json`);
  }
  const unbounded = missingValidityStart(json as Record<string, unknown>);
  if (unbounded) {
    throw new AamError(UNBOUNDED_AS[use], `Cannot use trusted root "${file}": ${unbounded} has no validFor.start, so it is trusted for no time`, {
      file,
      field: `${unbounded}.validFor.start`,
      hint: "every key and certificate authority in a trusted root must say since when it is valid (a missing start is not \"always\"); the file is damaged or was edited: get a genuine copy with `aam trust-root update`, or import Sigstore's trusted_root.json again",
    });
  }
  // The file is attacker-reachable input (it may come from a bundle or a USB stick): protobuf and
  // certificate parsing errors become one coded error.
  let root: TrustedRoot;
  let material: TrustMaterial;
  try {
    root = specs.TrustedRoot.fromJSON(json);
    material = verify.toTrustMaterial(root);
  } catch (e) {
    throw fail(`not a valid trusted root (${e instanceof Error ? e.message : String(e)})`, e);
  }
  const summary: TrustedRootSummary = {
    media_type: mediaType,
    certificate_authorities: root.certificateAuthorities.length,
    transparency_logs: root.tlogs.length,
    ct_logs: root.ctlogs.length,
    timestamp_authorities: root.timestampAuthorities.length,
  };
  if (summary.certificate_authorities === 0) throw fail("it names no certificate authority");
  if (summary.transparency_logs === 0 && summary.timestamp_authorities === 0) throw fail("it names no transparency log and no timestamp authority");
  return { root, material, summary };
}
