/**
 * `aam verify-blob <file|sha256:<hex>> --bundle <b.json> (--certificate-identity <id>
 * --certificate-oidc-issuer <url> | --key <pub.pem>) [--trusted-root <f>]` (SPEC §8, §10): checks a
 * Sigstore bundle over any file, or over a SHA-256 digest alone, like `cosign verify-blob`, against
 * a local trusted root; keyless by identity and issuer, or made with a managed key. With
 * `--signature <f> --key <pub.pem>` instead of a bundle: a detached Ed25519 signature, as AAM's
 * release SHA256SUMS.sig (verify_blob_key.ts). Never opens a network connection.
 */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import type { ManagedKey } from "../../signing/sigstore/managed_key.ts";
import type { BundleCheck } from "../../signing/sigstore/verify_bundle.ts";
import { fs } from "../../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { fromHex } from "../../encoding/hex.ts";
import { openBlob, type OpenedBlob } from "./verify_blob_read.ts";

const DIGEST_RE = /^sha256:[0-9a-fA-F]{64}$/;
const SIGNER_USAGE =
  "aam verify-blob <file|sha256:<hex>> --bundle <b.json> --certificate-identity <id> --certificate-oidc-issuer <url>, or with --key <pub.pem> for a bundle made with a managed key";

/** Which signer the user expects: a certificate identity and issuer, or a managed key's file. */
function expectedSigner(fileArg: string, o: Flags): { identity: string; issuer: string } | { key: string } {
  const given = (v: unknown): v is string => typeof v === "string" && v !== "";
  if (!given(o.bundle)) throw new AamError("UsageError", `Cannot verify "${fileArg}" without --bundle`, { hint: SIGNER_USAGE });
  if (given(o.key)) {
    if (o.certificateIdentity !== undefined || o.certificateOidcIssuer !== undefined) {
      throw new AamError("UsageError", `Cannot verify "${fileArg}" with both --key and --certificate-identity/--certificate-oidc-issuer`, {
        hint: "a bundle is signed either with a managed key (--key) or keyless with a certificate (identity and issuer): give one of them",
      });
    }
    return { key: o.key };
  }
  const missing = [
    ["--certificate-identity", o.certificateIdentity],
    ["--certificate-oidc-issuer", o.certificateOidcIssuer],
  ].filter(([, v]) => !given(v)).map(([n]) => n);
  if (missing.length > 0) {
    throw new AamError("UsageError", `Cannot verify "${fileArg}" without ${missing.join(", ")} (or --key)`, {
      hint: `keyless verification needs the signer's identity and its OIDC issuer: ${SIGNER_USAGE}`,
    });
  }
  return { identity: o.certificateIdentity!, issuer: o.certificateOidcIssuer! };
}

/** The digest given instead of a file (`sha256:<64 hex>`), or the file, opened to be read once (verify_blob_read.ts). */
async function openArtifact(ctx: Context, fileArg: string): Promise<{ label: string; digest: { sha256: Uint8Array; checksum: string } } | { label: string; file: OpenedBlob }> {
  if (fileArg.startsWith("sha256:")) {
    if (!DIGEST_RE.test(fileArg)) {
      throw new AamError("UsageError", `Cannot read digest "${fileArg}": a SHA-256 digest is sha256: and 64 hex digits`, {
        hint: "give the file, or its digest as `sha256:$(sha256sum <file> | cut -d' ' -f1)`; a file whose name starts with sha256: can be given as ./sha256:…",
      });
    }
    const checksum = fileArg.toLowerCase();
    return { label: checksum, digest: { sha256: fromHex(checksum.slice(7)), checksum } };
  }
  const file = fs.path.resolve(ctx.cwd, fileArg);
  const opened = await openBlob(file);
  if (!opened) throw new AamError("NotFound", `Cannot find file "${file}"`, { file, hint: "check the path of the file to verify" });
  return { label: file, file: opened };
}

interface Flags {
  bundle?: string;
  signature?: string;
  key?: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  trustedRoot?: string;
}

async function readRoot(ctx: Context, given: string | undefined): Promise<{ text: string; file: string }> {
  const file = given ? fs.path.resolve(ctx.cwd, given) : fs.path.join(ctx.home, "trusted_root.json");
  const text = await fs.readTextIfExists(file, DOCUMENT_LIMIT);
  if (text !== null) return { text, file };
  throw new AamError("NotFound", `Cannot find trusted root "${file}"`, {
    file,
    hint: given ? "check the path given to --trusted-root" : "import one with `aam trust-root import <file>` (offline) or fetch it with `aam trust-root update`",
  });
}

/** --signature with --key: a detached Ed25519 signature (verify_blob_key.ts), never with a bundle. */
async function keyMode(ctx: Context, fileArg: string, o: Flags): Promise<void> {
  if (typeof o.signature !== "string" || typeof o.key !== "string" || o.bundle !== undefined) {
    throw new AamError("UsageError", `Cannot verify "${fileArg}": --signature and --key go together, without --bundle`, {
      hint: "aam verify-blob <file> --signature <file.sig> --key <pub.pem>, or " + SIGNER_USAGE,
    });
  }
  const subject = await openArtifact(ctx, fileArg);
  if (!("file" in subject)) {
    throw new AamError("UsageError", `Cannot verify "${fileArg}" with --signature: a detached signature is checked against the file, not a digest`, {
      hint: "give the file itself",
    });
  }
  // The signature signs the file's checksum (SPEC §5 message): the file is hashed, never held.
  const { checksum } = await subject.file.read(false);
  const { verifyBlobWithKey } = await import("./verify_blob_key.ts");
  await verifyBlobWithKey(ctx, subject.label, checksum, o.signature, o.key);
}

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("<file>", "Verify a Sigstore bundle over a file (or a sha256:<hex> digest), offline")
    .option("--bundle <file>", "The Sigstore bundle (JSON, v0.1 to v0.3)")
    .option("--certificate-identity <id>", "Expected signer: exact address or workflow URI, *@domain, github:<owner>, gitlab:<owner>")
    .option("--certificate-oidc-issuer <url>", "Expected OIDC issuer, exactly")
    .option("--key <pub.pem>", "Expected managed key (PEM public key) of a bundle made with `cosign sign-blob --key`, or the Ed25519 key of --signature")
    .option("--signature <file>", "Instead of a bundle: a detached Ed25519 signature (64 raw bytes), checked with --key")
    .option("--trusted-root <file>", "Sigstore trusted root (default: $AAM_HOME/trusted_root.json)")
    .example("aam verify-blob a.txt --bundle a.txt.sigstore.json --certificate-identity me@example.com --certificate-oidc-issuer https://github.com/login/oauth")
    .example("aam verify-blob sha256:<64 hex> --bundle a.txt.sigstore.json --key cosign.pub")
    .example("aam verify-blob SHA256SUMS --signature SHA256SUMS.sig --key release-key.pem")
    .action(async (fileArg: string, o: Flags) => {
      if (o.signature !== undefined) return keyMode(ctx, fileArg, o);
      const signer = expectedSigner(fileArg, o);
      const subject = await openArtifact(ctx, fileArg);
      try {
        await bundleMode(ctx, o, signer, subject);
      } finally {
        if ("file" in subject) await subject.file.close();
      }
    });
}

type Subject = Awaited<ReturnType<typeof openArtifact>>;

/**
 * The artifact as verify_bundle.ts takes it: the given digest; or the file read once, kept whole
 * only when the bundle's signer needs its bytes, else its SHA-256 hashed as it streamed past.
 */
async function artifactOf(subject: Subject, bundle: unknown, publicKey: ManagedKey | undefined): Promise<{ artifact: BundleCheck["artifact"]; checksum: string }> {
  if ("digest" in subject) return { artifact: { sha256: subject.digest.sha256 }, checksum: subject.digest.checksum };
  const { needsArtifactBytes } = await import("../../signing/sigstore/artifact_need.ts");
  const read = await subject.file.read(await needsArtifactBytes(bundle, publicKey ? [publicKey] : []));
  return { artifact: read.bytes ?? { sha256: read.sha256, streamed: true }, checksum: read.checksum };
}

async function bundleMode(ctx: Context, o: Flags, signer: ReturnType<typeof expectedSigner>, subject: Subject): Promise<void> {
  const label = subject.label;
  const bundleFile = fs.path.resolve(ctx.cwd, o.bundle!);
  const bundleText = await fs.readTextIfExists(bundleFile, DOCUMENT_LIMIT);
  if (bundleText === null) throw new AamError("NotFound", `Cannot find bundle "${bundleFile}"`, { file: bundleFile, hint: "check the path given to --bundle" });
  let bundle: unknown;
  try {
    bundle = JSON.parse(bundleText);
  } catch (e) {
    throw new AamError("MalformedSignature", `Cannot read Sigstore bundle "${bundleFile}": not valid JSON`, { file: bundleFile, hint: "the bundle is damaged or truncated; get it again from the signer", cause: e });
  }
  const root = await readRoot(ctx, o.trustedRoot);
  const checkLog = (await ctx.config()).merged.security.verify_transparency_log !== false;
  if (!checkLog) ctx.out.warn("security.verify_transparency_log is false: transparency-log entries are not checked, and only a timestamp authority can vouch for the signing time");
  const { verifySigstoreBundle } = await import("../../signing/sigstore/verify_bundle.ts");
  const { verifyExpectedSigner } = await import("../../signing/sigstore/expect_signer.ts");
  const { managedKeyFromPem } = await import("../../signing/sigstore/managed_key.ts");
  let publicKey: ManagedKey | undefined;
  if ("key" in signer) {
    const keyFile = fs.path.resolve(ctx.cwd, signer.key);
    const pem = await fs.readTextIfExists(keyFile, DOCUMENT_LIMIT);
    if (pem === null) throw new AamError("NotFound", `Cannot find key "${keyFile}"`, { file: keyFile, hint: "check the path given to --key" });
    publicKey = managedKeyFromPem(pem, keyFile);
  }
  const { artifact, checksum } = await artifactOf(subject, bundle, publicKey);
  const v = await verifySigstoreBundle({ bundle, artifact, trustedRoot: root.text, bundleFile, trustedRootFile: root.file, verifyTransparencyLog: checkLog, publicKey });
  if ("identity" in signer) verifyExpectedSigner(v, signer, label);
  if (ctx.out.json) {
    ctx.out.data({ ok: true, ...("file" in subject ? { file: label } : { digest: checksum }), checksum, bundle: bundleFile, trusted_root: root.file, ...v });
    return;
  }
  const when = [v.log_index !== undefined ? `log index ${v.log_index}` : "", v.integrated_time ? `integrated ${v.integrated_time}` : "", v.timestamp_authority_time ? `timestamped ${v.timestamp_authority_time}` : ""].filter(Boolean).join(", ");
  const by = v.key_fingerprint ? `key sha256:${v.key_fingerprint}` : `${u(v.identity)} (issuer ${u(v.issuer)})`;
  ctx.out.line(`${ctx.out.paint("green", "✓")} Verified ${label}: signed by ${by}${when ? `, ${when}` : ""}`);
}
