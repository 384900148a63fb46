/**
 * Keyless signing (SPEC §5 `sigstore` entries): an ephemeral key, a short-lived certificate from
 * Fulcio for the OIDC identity token, the signature logged in Rekor and timestamped by a TSA.
 * Answers the bundle as JSON (v0.2 message signature over the artifact's bytes). This is the one
 * place AAM talks to Sigstore services; every failure is a coded AamError that names the service
 * and never the token.
 */
import { AamError } from "../../errors.ts";
import { loadSignLibs } from "./_libs.ts";
import { asBuffer } from "../../runtime/index.ts";

export const DEFAULT_FULCIO_URL = "https://fulcio.sigstore.dev";
export const DEFAULT_REKOR_URL = "https://rekor.sigstore.dev";
export const DEFAULT_TSA_URL = "https://timestamp.sigstore.dev";

export interface SigstoreServices {
  fulcioUrl: string;
  rekorUrl: string;
  tsaUrl: string;
}

export interface CreateBundleOptions extends SigstoreServices {
  artifact: Uint8Array;
  identityToken: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

const SERVICE_OF: Record<string, [string, keyof SigstoreServices, string]> = {
  CA_CREATE_SIGNING_CERTIFICATE_ERROR: ["Fulcio (certificate authority)", "fulcioUrl", "security.sigstore.fulcio_url"],
  TLOG_CREATE_ENTRY_ERROR: ["Rekor (transparency log)", "rekorUrl", "security.sigstore.rekor_url"],
  TLOG_FETCH_ENTRY_ERROR: ["Rekor (transparency log)", "rekorUrl", "security.sigstore.rekor_url"],
  TSA_CREATE_TIMESTAMP_ERROR: ["the timestamp authority", "tsaUrl", "security.sigstore.tsa_url"],
};

/** Network-level failures (no route, refused, DNS, timeout) as opposed to an answer from the service. */
function isUnreachable(e: unknown): boolean {
  for (let c: unknown = e, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) {
    const code = String((c as { code?: unknown }).code ?? "");
    if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|FETCH_ERROR|ERR_SOCKET)/.test(code)) return true;
    if (/network|connect|timed? ?out|dns|lookup/i.test(String((c as { message?: unknown }).message ?? ""))) return true;
  }
  return false;
}

function toAam(e: unknown, s: SigstoreServices): AamError {
  const code = String((e as { code?: unknown })?.code ?? "");
  if (code === "IDENTITY_TOKEN_PARSE_ERROR" || code === "IDENTITY_TOKEN_READ_ERROR") {
    // @sigstore/sign puts the token itself in this message: never show it.
    return new AamError("UsageError", 'Cannot sign with "sigstore": the OIDC identity token is not a valid JWT', {
      hint: "pass a fresh token with --identity-token or SIGSTORE_ID_TOKEN",
    });
  }
  const svc = SERVICE_OF[code];
  const detail = e instanceof Error ? e.message : String(e);
  if (svc) {
    const [name, key, configKey] = svc;
    if (isUnreachable(e)) {
      return new AamError("Error", `Cannot sign with "sigstore": ${name} at ${s[key]} is unreachable`, {
        actual: detail,
        hint: `keyless signing needs the network; check the connection, or set ${configKey} (aam config set ${configKey} <url>)`,
        cause: e,
      });
    }
    return new AamError("Error", `Cannot sign with "sigstore": ${name} at ${s[key]} refused the request`, {
      actual: detail,
      hint: svc[1] === "fulcioUrl" ? "the identity token may be expired or for another audience (Sigstore expects aud \"sigstore\"); get a fresh one" : `check ${configKey}`,
      cause: e,
    });
  }
  return new AamError("Error", `Cannot sign with "sigstore": ${detail}`, { hint: "run again with --verbose, or check security.sigstore.* URLs", cause: e });
}

/** @throws {AamError} UsageError (bad token) or Error (a service is unreachable or refuses). */
export async function createSigstoreBundle(o: CreateBundleOptions): Promise<Record<string, unknown>> {
  const { sign, bundle } = await loadSignLibs();
  const timeout = o.timeoutMs ?? 30_000;
  const signer = new sign.FulcioSigner({
    fulcioBaseURL: o.fulcioUrl,
    identityProvider: { getToken: async () => o.identityToken },
    timeout,
  });
  const witnesses = [new sign.RekorWitness({ rekorBaseURL: o.rekorUrl, timeout }), new sign.TSAWitness({ tsaBaseURL: o.tsaUrl, timeout })];
  try {
    const made = await new sign.MessageSignatureBundleBuilder({ signer, witnesses }).create({ data: asBuffer(o.artifact) });
    return bundle.bundleToJSON(made as Parameters<typeof bundle.bundleToJSON>[0]) as unknown as Record<string, unknown>;
  } catch (e) {
    throw toAam(e, o);
  }
}
