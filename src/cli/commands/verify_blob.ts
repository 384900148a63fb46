/**
 * `aam verify-blob <file> --bundle <b.json> --certificate-identity <id> --certificate-oidc-issuer <url>
 * [--trusted-root <f>]` (SPEC §8, §10): checks a Sigstore bundle over any file, like
 * `cosign verify-blob`, against a local trusted root. Never opens a network connection.
 */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import { BLOB_LIMIT, DOCUMENT_LIMIT } from "../../read_limits.ts";

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
      hint: "aam verify-blob <file> --signature <file.sig> --key <pub.pem>, or aam verify-blob <file> --bundle <b.json> --certificate-identity <id> --certificate-oidc-issuer <url>",
    });
  }
  const file = fs.path.resolve(ctx.cwd, fileArg);
  const artifact = await readArtifact(file);
  const { verifyBlobWithKey } = await import("./verify_blob_key.ts");
  await verifyBlobWithKey(ctx, file, artifact, o.signature, o.key);
}

async function readArtifact(file: string): Promise<Uint8Array> {
  const artifact = await fs.readFileIfExists(file, BLOB_LIMIT);
  if (!artifact) throw new AamError("NotFound", `Cannot find file "${file}"`, { file, hint: "check the path of the file to verify" });
  return artifact;
}

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("<file>", "Verify a Sigstore bundle over a file, offline")
    .option("--bundle <file>", "The Sigstore bundle (JSON, v0.1 to v0.3)")
    .option("--certificate-identity <id>", "Expected signer: exact address or workflow URI, *@domain, github:<owner>, gitlab:<owner>")
    .option("--certificate-oidc-issuer <url>", "Expected OIDC issuer, exactly")
    .option("--trusted-root <file>", "Sigstore trusted root (default: $AAM_HOME/trusted_root.json)")
    .option("--signature <file>", "Instead of a bundle: a detached Ed25519 signature (64 raw bytes), checked with --key")
    .option("--key <pub.pem>", "The Ed25519 public key (PEM) that made --signature")
    .example("aam verify-blob a.txt --bundle a.txt.sigstore.json --certificate-identity me@example.com --certificate-oidc-issuer https://github.com/login/oauth")
    .example("aam verify-blob SHA256SUMS --signature SHA256SUMS.sig --key release-key.pem")
    .action(async (fileArg: string, o: Flags) => {
      if (o.signature !== undefined || o.key !== undefined) return keyMode(ctx, fileArg, o);
      const missing = [
        ["--bundle", o.bundle],
        ["--certificate-identity", o.certificateIdentity],
        ["--certificate-oidc-issuer", o.certificateOidcIssuer],
      ].filter(([, v]) => typeof v !== "string" || v === "").map(([n]) => n);
      if (missing.length > 0) {
        throw new AamError("UsageError", `Cannot verify "${fileArg}" without ${missing.join(", ")}`, {
          hint: "keyless verification needs the bundle, the signer's identity and its OIDC issuer: aam verify-blob <file> --bundle <b.json> --certificate-identity <id> --certificate-oidc-issuer <url>",
        });
      }
      const file = fs.path.resolve(ctx.cwd, fileArg);
      const artifact = await readArtifact(file);
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
      const v = await verifySigstoreBundle({ bundle, artifact, trustedRoot: root.text, bundleFile, trustedRootFile: root.file, verifyTransparencyLog: checkLog });
      verifyExpectedSigner(v, { identity: o.certificateIdentity!, issuer: o.certificateOidcIssuer! }, file);
      if (ctx.out.json) {
        ctx.out.data({ ok: true, file, checksum: checksumOf(artifact), bundle: bundleFile, trusted_root: root.file, ...v });
        return;
      }
      const when = [v.log_index !== undefined ? `log index ${v.log_index}` : "", v.integrated_time ? `integrated ${v.integrated_time}` : "", v.timestamp_authority_time ? `timestamped ${v.timestamp_authority_time}` : ""].filter(Boolean).join(", ");
      ctx.out.line(`${ctx.out.paint("green", "✓")} Verified ${file}: signed by ${u(v.identity)} (issuer ${u(v.issuer)})${when ? `, ${when}` : ""}`);
    });
}
