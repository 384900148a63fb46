/**
 * DSSE bundles sign an in-toto statement, not the artifact (SPEC §8 `verify-blob`): the artifact
 * is bound only through a `subject[].digest.sha256`. @sigstore/verify leaves that check to the
 * caller. Pure.
 */
const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/**
 * Answers null when the statement names an artifact with SHA-256 `sha256Hex`, else why not.
 * @param payload The DSSE envelope's payload bytes (already authenticated by the signature check).
 */
export function checkInTotoSubject(payloadType: string, payload: Uint8Array, sha256Hex: string): string | null {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return `the DSSE payload type is "${payloadType}", not an in-toto statement`;
  let statement: unknown;
  try {
    statement = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return "the DSSE payload is not a JSON in-toto statement";
  }
  const subjects = (statement as { subject?: unknown })?.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) return "the in-toto statement names no subject";
  const want = sha256Hex.toLowerCase();
  const hit = subjects.some((s) => {
    const d = (s as { digest?: { sha256?: unknown } })?.digest?.sha256;
    return typeof d === "string" && d.toLowerCase() === want;
  });
  return hit ? null : "no subject of the in-toto statement has the file's SHA-256 digest";
}
