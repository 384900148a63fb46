import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { fs } from "../../runtime/index.ts";
import { Output } from "../../cli/output.ts";
import { makeContext } from "../../cli/context.ts";
import { createSigstoreBundle } from "./create_bundle.ts";
import { signWithSigstore } from "./sign.ts";
import { verifySigstoreBundle } from "./verify_bundle.ts";
import { startSigstoreStandIns, fakeIdentityToken, type SigstoreStandIns } from "../../../test/sigstore_mock.ts";
import { catchAamError as failure } from "../../testing.ts";

const ARTIFACT = new TextEncoder().encode("an .aam archive's bytes");
const ISSUER = "https://accounts.example.com";


function context(home: string) {
  const err: string[] = [];
  const out = new Output({ stdout: () => {}, stderr: (s) => err.push(s), stdoutIsTTY: false, stderrIsTTY: false, noColor: true }, { json: false, quiet: false, verbose: false });
  return { ctx: makeContext(out, home, home), err };
}

describe("keyless signing against local stand-ins", () => {
  let s: SigstoreStandIns;
  beforeAll(async () => {
    s = await startSigstoreStandIns();
  });
  afterAll(async () => await s.close());

  test("createSigstoreBundle() makes a bundle that verifies with the stand-ins' root and names the token's subject", async () => {
    const bundle = await createSigstoreBundle({ artifact: ARTIFACT, identityToken: fakeIdentityToken("alice@example.com", ISSUER), fulcioUrl: s.url, rekorUrl: s.url, tsaUrl: s.url });
    const v = await verifySigstoreBundle({ bundle, artifact: ARTIFACT, trustedRoot: s.trustedRoot, bundleFile: "new", trustedRootFile: "mock" });
    expect(v).toMatchObject({ identity: "alice@example.com", issuer: ISSUER, content: "message_signature", transparency_log_checked: true });
    expect(v.integrated_time).toBeString();
    expect(v.timestamp_authority_time).toBeString();
    const tampered = ARTIFACT.slice();
    tampered[3] ^= 1;
    const err = await failure(verifySigstoreBundle({ bundle, artifact: tampered, trustedRoot: s.trustedRoot, bundleFile: "new", trustedRootFile: "mock" }));
    expect(err.code).toBe("InvalidSignature");
  });

  test("createSigstoreBundle() throws Error naming Fulcio when it is unreachable", async () => {
    const closed = "http://127.0.0.1:9"; // discard port: nothing listens there
    const err = await failure(createSigstoreBundle({ artifact: ARTIFACT, identityToken: fakeIdentityToken("a@example.com", ISSUER), fulcioUrl: closed, rekorUrl: s.url, tsaUrl: s.url, timeoutMs: 2000 }));
    expect(err.code).toBe("Error");
    expect(err.message).toContain(closed);
  });

  test("signWithSigstore() signs through the security.sigstore.* services and checks the bundle against the local root", async () => {
    const home = await fs.makeTempDir("aam-sign-");
    try {
      await fs.writeFileAtomic(fs.path.join(home, "config.yaml"), `security:\n  sigstore:\n    fulcio_url: ${s.url}\n    rekor_url: ${s.url}\n    tsa_url: ${s.url}\n`);
      await fs.writeFileAtomic(fs.path.join(home, "trusted_root.json"), s.trustedRoot);
      const { ctx, err } = context(home);
      const made = await signWithSigstore(ctx, ARTIFACT, "", { identityToken: fakeIdentityToken("ci@example.com", ISSUER) });
      expect(made.keys).toEqual([]);
      expect(made.entry.algorithm).toBe("sigstore");
      expect(err.join("")).toBe(""); // checked against the local root before writing: no warning
    } finally {
      await fs.remove(home);
    }
  });

  test("signWithSigstore() throws UsageError without a token", async () => {
    const home = await fs.makeTempDir("aam-sign-");
    try {
      const { ctx } = context(home);
      const err = await failure(signWithSigstore(ctx, ARTIFACT, "", { identityToken: "  " }));
      expect(err.code).toBe("UsageError");
      expect(err.details.hint).toContain("SIGSTORE_ID_TOKEN");
    } finally {
      await fs.remove(home);
    }
  });
});
