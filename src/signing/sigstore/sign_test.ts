import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { createSigstoreBundle } from "./create_bundle.ts";
import { sigstoreSigner } from "./sign.ts";
import { verifySigstoreBundle } from "./verify_bundle.ts";
import { startSigstoreStandIns, fakeIdentityToken, type SigstoreStandIns } from "../../../test/sigstore_mock.ts";
import { catchAamError as failure } from "../../../test/helpers/errors.ts";

const ARTIFACT = new TextEncoder().encode("an .aam archive's bytes");
const ISSUER = "https://accounts.example.com";


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

  test("sigstoreSigner() signs through the given services and checks the bundle against the local root", async () => {
    const warnings: string[] = [];
    const signer = sigstoreSigner({
      identityToken: fakeIdentityToken("ci@example.com", ISSUER),
      services: { fulcioUrl: s.url, rekorUrl: s.url, tsaUrl: s.url },
      trustedRoot: { text: s.trustedRoot, file: "mock" },
      verifyTransparencyLog: true,
      now: () => new Date(),
      warn: (m) => warnings.push(m),
    });
    const made = await signer.sign(ARTIFACT, "");
    expect(made.keys).toEqual([]);
    expect(made.entry.algorithm).toBe("sigstore");
    expect(warnings).toEqual([]); // checked against the local root before writing: no warning
  });

  test("sigstoreSigner() warns when the new bundle cannot be checked, and refuses an expired token", async () => {
    const warnings: string[] = [];
    const base = { services: { fulcioUrl: s.url, rekorUrl: s.url, tsaUrl: s.url }, verifyTransparencyLog: true, now: () => new Date(), warn: (m: string) => warnings.push(m) };
    await sigstoreSigner({ ...base, identityToken: fakeIdentityToken("ci@example.com", ISSUER), trustedRoot: null }).sign(ARTIFACT, "");
    expect(warnings.join("\n")).toContain("aam trust-root import");
    const later = () => new Date(Date.now() + 24 * 3600 * 1000);
    const err = await failure(sigstoreSigner({ ...base, now: later, identityToken: fakeIdentityToken("ci@example.com", ISSUER), trustedRoot: null }).sign(ARTIFACT, ""));
    expect(err.code).toBeString();
  });
});
