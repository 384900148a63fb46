import { describe, test, expect, beforeAll } from "bun:test";
import { serializeSigFile } from "../signing/sig_file.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import { verifyPackage, type VerifyInput } from "./pipeline.ts";
import { settle, signedPromptPackage, testPolicy } from "../../test/helpers/pipeline_fixtures.ts";

let archive: Uint8Array;
let checksum: string;
let sigText: string;
let fp: string;

const policy = (p: Partial<TrustPolicy> = {}): TrustPolicy => testPolicy([fp], p);
const input = (p: Partial<VerifyInput> = {}): VerifyInput => ({
  name: "@a/p",
  version: "1.0.0",
  archive,
  expectedChecksum: checksum,
  sigText,
  files: { archive: "p.aam", sig: "p.sig" },
  ...p,
});
async function code(p: Promise<unknown>): Promise<string> {
  const r = await settle(p);
  return "code" in r ? r.code : "ok";
}

beforeAll(async () => {
  const packed = await signedPromptPackage("@a/p", "1.0.0", new Date("2026-11-21T00:00:00Z"));
  archive = packed.bytes;
  checksum = packed.checksum;
  fp = packed.fp;
  sigText = serializeSigFile({ version: 1, package: "@a/p", package_version: "1.0.0", package_hash: checksum, signatures: [packed.entry] });
});

describe("verifyPackage()", () => {
  test("verifies a signed package by a trusted key", async () => {
    const r = await verifyPackage(input(), policy());
    expect(r).toMatchObject({ outcome: "verified", checksum, checks: { checksum: "passed", identity: "passed", signature: "passed", trust: "passed" } });
  });

  test("checks the checksum first: a wrong metadata checksum is TamperedPackage even with ignore", async () => {
    const other = `sha256:${"0".repeat(64)}`;
    expect(await code(verifyPackage(input({ expectedChecksum: other }), policy({ onSignatureFailure: "ignore" })))).toBe("TamperedPackage");
  });

  test("identity: an archive verified as another version is TamperedPackage", async () => {
    expect(await code(verifyPackage(input({ version: "2.0.0", sigText: null }), policy()))).toBe("TamperedPackage");
  });

  describe("when the signer is not trusted", () => {
    test("error throws UntrustedSigner", async () => {
      expect(await code(verifyPackage(input(), policy({ trustedKeys: [] })))).toBe("UntrustedSigner");
    });
    test("warn goes on with a warning", async () => {
      const r = await verifyPackage(input(), policy({ trustedKeys: [], onSignatureFailure: "warn" }));
      expect(r.outcome).toBe("warned");
      expect(r.warnings.length).toBe(1);
    });
    test("require_signature makes it an error whatever on_signature_failure says", async () => {
      expect(await code(verifyPackage(input(), policy({ trustedKeys: [], onSignatureFailure: "ignore", requireSignature: true })))).toBe("UntrustedSigner");
    });
    test("a revoked key never verifies, even when listed as trusted", async () => {
      expect(await code(verifyPackage(input(), policy({ revokedKeys: [fp] })))).toBe("UntrustedSigner");
    });
    test("a delegated key verifies only packages matching its patterns", async () => {
      expect(await code(verifyPackage(input(), policy({ signingDelegates: { [fp]: ["@b/*"] } })))).toBe("UntrustedSigner");
      expect(await code(verifyPackage(input(), policy({ signingDelegates: { [fp]: ["@a/*"] } })))).toBe("ok");
    });
  });

  test("unsigned: reported when optional, SignatureNotFound when required", async () => {
    expect((await verifyPackage(input({ sigText: null }), policy())).outcome).toBe("unsigned");
    expect(await code(verifyPackage(input({ sigText: null }), policy({ requireSignature: true })))).toBe("SignatureNotFound");
  });

  test("a malformed .sig is MalformedSignature, a bad signature InvalidSignature", async () => {
    expect(await code(verifyPackage(input({ sigText: "[]" }), policy()))).toBe("MalformedSignature");
    const sig = JSON.parse(sigText);
    sig.signatures[0].signature = sig.signatures[0].signature.replace(/^./, (c: string) => (c === "A" ? "B" : "A"));
    expect(await code(verifyPackage(input({ sigText: JSON.stringify(sig) }), policy()))).toBe("InvalidSignature");
  });

  test("a .sig naming another version is TamperedPackage even when its hash matches", async () => {
    const sig = JSON.parse(sigText);
    sig.package_version = "1.0.1";
    expect(await code(verifyPackage(input({ sigText: JSON.stringify(sig) }), policy({ onSignatureFailure: "ignore" })))).toBe("ok");
    expect(await code(verifyPackage(input({ sigText: JSON.stringify(sig) }), policy()))).toBe("TamperedPackage");
  });

  test("--no-verify skips signature steps but never the checksum", async () => {
    expect((await verifyPackage(input({ sigText: "garbage" }), policy(), { skipSignatures: true })).outcome).toBe("skipped");
    expect(await code(verifyPackage(input({ expectedChecksum: `sha256:${"1".repeat(64)}` }), policy(), { skipSignatures: true }))).toBe("TamperedPackage");
  });
});
