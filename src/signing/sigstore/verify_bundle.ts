/**
 * Verifies a Sigstore bundle over an artifact, offline (SPEC §5 `sigstore` entries, §8
 * `verify-blob`): the certificate chains to the trusted root's CA at the time the transparency log
 * (signed entry timestamp, inclusion proof) or a timestamp authority vouches for, never the wall
 * clock; the signature covers the artifact (message signature) or an in-toto statement whose
 * subject digest is the artifact's SHA-256 (DSSE). Answers who signed; it does not judge whether
 * that signer is trusted (trust/policy.ts and expect_signer.ts do, with anchored patterns:
 * @sigstore/verify's own SAN policy is an unanchored RegExp, so it is never given one).
 *
 * The artifact is its bytes, only its SHA-256 (digest mode, digest_content.ts), or a file's SHA-256
 * hashed as it streamed past (checked, and refused, as its bytes would be). A bundle is keyless
 * (a Fulcio certificate) or made with a managed key (managed_key.ts), which the caller supplies.
 *
 * Errors: a bundle that does not parse is MalformedSignature; one that does not verify is
 * InvalidSignature, with the Sigstore error code in `actual`; one signed by another kind of signer
 * than expected (a key where a certificate is expected, or the other way round, or a key other
 * than the given one) is UntrustedSigner.
 */
import { AamError } from "../../errors.ts";
import { asBuffer, createSha256 } from "../../runtime/index.ts";
import { loadVerifyLibs, type VerifyLibs } from "./_libs.ts";
import { equalBytes } from "../../encoding/bytes.ts";
import { parseTrustedRoot } from "./trusted_root.ts";
import { checkInTotoSubject } from "./in_toto_subject.ts";
import { digestSignatureContent, loadCurves } from "./digest_content.ts";
import type { ManagedKey } from "./managed_key.ts";
import { materialForSigner } from "./signer_material.ts";
import { fromHex, toHex } from "../../encoding/hex.ts";

export interface BundleCheck {
  /** The bundle as parsed JSON. */
  bundle: unknown;
  /**
   * The artifact's bytes, or only its SHA-256 (32 bytes): a digest the user gave, or, `streamed`,
   * the file's own, hashed as it was read, for a bundle that needs no bytes (artifact_need.ts).
   */
  artifact: Uint8Array | { sha256: Uint8Array; streamed?: boolean };
  /** trusted_root.json text. */
  trustedRoot: string;
  /** Where the bundle and the root came from, for messages. */
  bundleFile: string;
  trustedRootFile: string;
  /** security.verify_transparency_log; default true. Off: log entries are ignored and a TSA timestamp is required. */
  verifyTransparencyLog?: boolean;
  /** The managed key the bundle must be signed with; without it the bundle must carry a certificate. */
  publicKey?: ManagedKey;
}

export interface BundleVerification {
  /** The certificate's subject alternative name (e-mail, URI); "" for a managed key. */
  identity: string;
  /** The certificate's OIDC issuer extension; "" when absent. */
  issuer: string;
  /** A managed key's fingerprint (SPEC §5: hex SHA-256 of its SPKI DER), when it signed. */
  key_fingerprint?: string;
  content: "message_signature" | "dsse";
  media_type: string;
  log_index?: string;
  /** Rekor integrated time (ISO 8601), when the log entry carries one. */
  integrated_time?: string;
  /** RFC 3161 timestamp authority time(s) (ISO 8601). */
  timestamp_authority_time?: string;
  transparency_log_checked: boolean;
}

const TRUST_HINT =
  "the bundle may come from another Sigstore instance (e.g. staging), or the trusted root is out of date: `aam trust-root update`, or pass the instance's root with --trusted-root";

/** What each Sigstore verification error means for the user, and what to try. */
const EXPLAIN: Record<string, [string, string]> = {
  SIGNATURE_ERROR: ["the signature does not match the artifact", "the file differs from the one that was signed"],
  CERTIFICATE_ERROR: ["the signing certificate does not chain to a trusted CA, or was not valid at the signing time", TRUST_HINT],
  TIMESTAMP_ERROR: ["no trusted timestamp vouches for the signing time", TRUST_HINT],
  TLOG_INCLUSION_PROMISE_ERROR: ["the transparency log's signed entry timestamp does not verify", TRUST_HINT],
  TLOG_INCLUSION_PROOF_ERROR: ["the transparency log's inclusion proof does not verify", TRUST_HINT],
  TLOG_MISSING_INCLUSION_ERROR: ["the transparency-log entry has neither a signed entry timestamp nor an inclusion proof", "re-create the bundle with a current Sigstore client"],
  TLOG_BODY_ERROR: ["the transparency-log entry does not match the signature or the artifact", "the file or bundle was altered"],
  TLOG_ERROR: ["the transparency-log entries do not verify", TRUST_HINT],
  PUBLIC_KEY_ERROR: ["the bundle's public key is not valid at the signing time", "check the key given with --key"],
};

type VerificationContent = ReturnType<VerifyLibs["bundle"]["bundleFromJSON"]>["verificationMaterial"]["content"];

/**
 * Which certificate of the bundle's chain is a root (self-issued: subject equal to issuer), as
 * "certificate N of M", or null. Sigstore bundles must not carry a root (protobuf-specs: the chain
 * holds the leaf and intermediates; roots come from the trusted root alone). @sigstore/verify only
 * looks at the first certificate, so a root beside it was ignored, or, in the leaf's place,
 * failed somewhere inside the library; either way the bundle is refused here for that reason.
 * Compares DER names only: no key is parsed, so a hostile certificate cannot throw past this.
 */
function selfIssuedCertificate(core: VerifyLibs["core"], content: VerificationContent): string | null {
  const raw: Uint8Array[] =
    content.$case === "x509CertificateChain"
      ? content.x509CertificateChain.certificates.map((c) => c.rawBytes)
      : content.$case === "certificate"
        ? [content.certificate.rawBytes]
        : [];
  for (let i = 0; i < raw.length; i++) {
    let selfIssued = false;
    try {
      const cert = core.X509Certificate.parse(asBuffer(raw[i]));
      selfIssued = equalBytes(cert.subject, cert.issuer);
    } catch {
      continue; // an unreadable certificate is reported by toSignedEntity below (MalformedSignature)
    }
    if (selfIssued) return raw.length === 1 ? "its only certificate is self-issued" : `certificate ${i + 1} of ${raw.length} is self-issued`;
  }
  return null;
}

type MessageSignature = Extract<ReturnType<VerifyLibs["bundle"]["bundleFromJSON"]>["content"], { $case: "messageSignature" }>["messageSignature"];

/**
 * Digest mode: the signature content checked against the given SHA-256 (hex). The bundle's own
 * message digest must be that SHA-256 too, so a bundle over another file is refused even before
 * its signature is looked at.
 * @throws {AamError} InvalidSignature when the bundle signs another digest or another hash.
 */
async function digestModeSignature(bundleFile: string, m: MessageSignature, hex: string) {
  const refuse = (detail: string, actual: string) =>
    new AamError("InvalidSignature", `Cannot verify Sigstore bundle "${bundleFile}": ${detail}`, {
      file: bundleFile,
      expected: `sha256:${hex}`,
      actual,
      hint: "the digest is not the one that was signed: check the file it was computed from, or verify the file itself",
    });
  const d = m.messageDigest;
  // HashAlgorithm: 0 unspecified (read as SHA-256 by Sigstore clients), 1 SHA2_256.
  if (!d || (d.algorithm !== 0 && d.algorithm !== 1)) throw refuse("it signs a digest made with another hash than SHA-256", `hash algorithm ${d?.algorithm ?? "missing"}`);
  const signed = toHex(new Uint8Array(d.digest));
  if (signed !== hex) throw refuse("it signs another digest", `sha256:${signed}`);
  return digestSignatureContent(await loadCurves(), asBuffer(new Uint8Array(m.signature)), fromHex(hex));
}

/**
 * A streamed file's message signature: the bundle's own digest is what the log entry must record,
 * as over the bytes (digest_content.ts), and the signature is checked against the file's SHA-256.
 * Over the bytes @sigstore/verify hashes with the bundle's digest algorithm: for any other than
 * SHA-256 the caller keeps the bytes (artifact_need.ts), so a streamed one verifies nothing here.
 */
async function streamedFileSignature(m: MessageSignature, hex: string) {
  const d = m.messageDigest;
  const sha256 = !d || d.algorithm === 0 || d.algorithm === 1;
  const content = digestSignatureContent(await loadCurves(), asBuffer(new Uint8Array(m.signature)), fromHex(hex), new Uint8Array(d?.digest ?? []));
  return sha256 ? content : { ...content, verifySignature: () => false };
}

function toIso(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, "Z");
}

/**
 * @throws {AamError} MalformedSignature (bundle does not parse), InvalidSignature (does not verify),
 *   UntrustedSigner (another kind of signer than expected, or a trusted root authority valid since
 *   no time), UsageError (unreadable --key), Error (unreadable trusted root).
 */
export async function verifySigstoreBundle(c: BundleCheck): Promise<BundleVerification> {
  const { verify, bundle: bundleLib, core } = await loadVerifyLibs();
  const { material } = await parseTrustedRoot(c.trustedRoot, c.trustedRootFile, "verify");
  const malformed = (detail: string, cause?: unknown) =>
    new AamError("MalformedSignature", `Cannot read Sigstore bundle "${c.bundleFile}": ${detail}`, {
      file: c.bundleFile,
      hint: "the bundle is damaged or not a Sigstore bundle (v0.1 to v0.3 JSON); get it again from the signer",
      cause,
    });
  // Bundles are attacker-controlled: parsing and certificate decoding errors become MalformedSignature.
  let bundle: ReturnType<typeof bundleLib.bundleFromJSON>;
  let entity: ReturnType<typeof verify.toSignedEntity>;
  try {
    bundle = bundleLib.bundleFromJSON(c.bundle);
  } catch (e) {
    throw malformed(e instanceof Error ? e.message : String(e), e);
  }
  const isDsse = bundleLib.isBundleWithDsseEnvelope(bundle);
  const trust = materialForSigner(core, material, bundle.verificationMaterial.content, c.publicKey, c.bundleFile);
  const rootInChain = selfIssuedCertificate(core, bundle.verificationMaterial.content);
  if (rootInChain !== null) {
    throw new AamError("InvalidSignature", `Cannot verify Sigstore bundle "${c.bundleFile}": its certificate chain contains a root certificate (${rootInChain})`, {
      file: c.bundleFile,
      actual: "a self-issued (root) certificate in the bundle's verification material",
      hint: "a Sigstore bundle carries the signing certificate (and intermediates), never a root: roots come only from the trusted root (`aam trust-root`); get a bundle made by a current Sigstore client",
    });
  }
  const bytes = c.artifact instanceof Uint8Array ? c.artifact : undefined;
  const streamed = !(c.artifact instanceof Uint8Array) && c.artifact.streamed === true;
  try {
    entity = isDsse ? verify.toSignedEntity(bundle) : verify.toSignedEntity(bundle, asBuffer(bytes ?? new Uint8Array(0)));
  } catch (e) {
    throw malformed(`its certificate or timestamps do not parse (${e instanceof Error ? e.message : String(e)})`, e);
  }
  const hex = bytes ? createSha256().update(bytes).digestHex() : toHex((c.artifact as { sha256: Uint8Array }).sha256);
  if (!bytes && !isDsse && bundle.content.$case === "messageSignature") {
    const m = bundle.content.messageSignature;
    entity = { ...entity, signature: streamed ? await streamedFileSignature(m, hex) : await digestModeSignature(c.bundleFile, m, hex) };
  }
  const checkLog = c.verifyTransparencyLog !== false;
  if (!checkLog) {
    // Unchecked log entries vouch for nothing, not even the time: only a TSA timestamp can.
    entity = { ...entity, tlogEntries: [], timestamps: entity.timestamps.filter((t) => t.$case === "timestamp-authority") };
  }
  let signer: ReturnType<InstanceType<typeof verify.Verifier>["verify"]>;
  try {
    signer = new verify.Verifier(trust, checkLog ? {} : { tlogThreshold: 0 }).verify(entity);
  } catch (e) {
    const code = (e as { code?: unknown })?.code;
    // Sigstore's verification errors carry a code; anything else is a part of the bundle (a
    // timestamp, an extension) that failed to parse on the way.
    if (typeof code !== "string") throw malformed(`a part of it does not parse (${e instanceof Error ? e.message : String(e)})`, e);
    const key = code;
    const [what, hint] = EXPLAIN[key] ?? ["the bundle does not verify", TRUST_HINT];
    const digestOnly = !bytes && !streamed && !isDsse && key === "SIGNATURE_ERROR";
    const detail =
      !checkLog && key === "TIMESTAMP_ERROR"
        ? "with security.verify_transparency_log off, only a timestamp authority can vouch for the signing time, and this bundle has no usable one"
        : digestOnly
          ? "the signature does not match the digest (given a digest, only ECDSA signatures can be checked; give the file for other keys)"
          : what;
    throw new AamError("InvalidSignature", `Cannot verify Sigstore bundle "${c.bundleFile}": ${detail}`, {
      file: c.bundleFile,
      actual: `${key}: ${e instanceof Error ? e.message : String(e)}`,
      hint,
      cause: e,
    });
  }
  if (isDsse) {
    const env = bundle.content.$case === "dsseEnvelope" ? bundle.content.dsseEnvelope : undefined;
    const problem = checkInTotoSubject(env?.payloadType ?? "", new Uint8Array(env?.payload ?? []), hex);
    if (problem) {
      throw new AamError("InvalidSignature", `Cannot verify Sigstore bundle "${c.bundleFile}": ${problem}`, {
        file: c.bundleFile,
        expected: `sha256:${hex}`,
        hint: "the file differs from the one the in-toto statement names",
      });
    }
  }
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const seconds = entry ? Number(entry.integratedTime) : 0;
  const tsaTimes: string[] = [];
  for (const t of bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []) {
    try {
      tsaTimes.push(toIso(core.RFC3161Timestamp.parse(asBuffer(t.signedTimestamp)).signingTime));
    } catch {
      // Already verified by the Verifier; a timestamp we cannot re-read only loses its display.
    }
  }
  return {
    identity: signer.identity?.subjectAlternativeName ?? "",
    issuer: signer.identity?.extensions?.issuer ?? "",
    ...(c.publicKey ? { key_fingerprint: c.publicKey.fingerprint } : {}),
    content: isDsse ? "dsse" : "message_signature",
    media_type: bundle.mediaType,
    ...(entry && checkLog ? { log_index: String(entry.logIndex) } : {}),
    ...(checkLog && seconds > 0 ? { integrated_time: toIso(new Date(seconds * 1000)) } : {}),
    ...(tsaTimes.length > 0 ? { timestamp_authority_time: tsaTimes.join(", ") } : {}),
    transparency_log_checked: checkLog,
  };
}
