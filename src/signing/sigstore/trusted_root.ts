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
 * Parses and checks a trusted root.
 * @param file Where the text came from, for messages.
 * @throws {AamError} Error when the text is not a usable Sigstore trusted root.
 */
export async function parseTrustedRoot(text: string, file: string): Promise<ParsedTrustedRoot> {
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
