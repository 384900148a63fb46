import { describe, test, expect } from "bun:test";
import { reportSteps, logEntryUrl, signerDetail } from "./signer_lines.ts";
import type { VerifyReport } from "../verify/pipeline.ts";

const mark = { ok: "✓", bad: "⚠" };

/** A report of @a/b@1.0.0 with these signers. */
function report(outcome: VerifyReport["outcome"], checks: VerifyReport["checks"], signers: VerifyReport["signers"]): VerifyReport {
  return { package: "@a/b", version: "1.0.0", checksum: "sha256:ab", outcome, checks, signers, warnings: [] };
}
const PASSED: VerifyReport["checks"] = { checksum: "passed", identity: "passed", signature: "passed", trust: "passed" };

describe("reportSteps()", () => {
  test("a trusted Sigstore signer: the documentation's lines, with the log entry at the given Rekor", () => {
    const r = report("verified", PASSED, [{ algorithm: "sigstore", valid: true, trusted: true, identity: "author@example.org", issuer: "https://x", info: { log_index: "42", integrated_time: "2026-02-07T14:30:00Z" } }]);
    expect(reportSteps(r, "https://rekor.example/", mark)).toEqual([
      "✓ Checksum verified: sha256:ab",
      "✓ Sigstore signature valid",
      "  Identity: author@example.org",
      "  Issuer: https://x",
      "  Issued: 2026-02-07T14:30:00Z",
      "  Transparency log: https://rekor.example/api/v1/log/entries?logIndex=42",
      "✓ Identity trusted",
    ]);
  });

  test("a failed signature says why and has no trust line; untrusted text is neutralised", () => {
    const r = report("warned", { ...PASSED, signature: "warned", trust: "skipped" }, [{ algorithm: "openpgp", valid: false, trusted: false, key_fingerprint: "AB\u001b[2J", reason: "SHA1 is too weak" }]);
    const lines = reportSteps(r, "https://r", mark);
    expect(lines[1]).toBe("⚠ GPG signature not valid: SHA1 is too weak");
    expect(lines.join("\n")).not.toContain("\u001b");
    expect(lines.some((l) => l.includes("trusted"))).toBe(false);
    expect(logEntryUrl({ info: {} }, "https://r")).toBeUndefined();
  });

  test("a registry attestation: the registry and its time, then whether it counts", () => {
    const att = { algorithm: "registry-attestation", registry: "acme", key_fingerprint: "ab".repeat(32), signed_at: "2026-02-07T14:31:00Z", valid: true };
    expect(signerDetail({ ...att, trusted: true }, "https://r")).toEqual(["Registry: acme", "Timestamp: 2026-02-07T14:31:00Z"]);
    const r = report("verified", PASSED, [
      { ...att, trusted: true, trust_reason: 'key is pinned for registry "acme"' },
      { ...att, registry: "other", trusted: false, trust_reason: "not pinned" },
    ]);
    expect(reportSteps(r, "https://r", mark)).toEqual([
      "✓ Checksum verified: sha256:ab",
      "✓ Registry attestation signature valid",
      "  Registry: acme",
      "  Timestamp: 2026-02-07T14:31:00Z",
      "✓ Registry key pinned",
      "✓ Registry attestation signature valid",
      "  Registry: other",
      "  Timestamp: 2026-02-07T14:31:00Z",
      "⚠ Registry attestation not counted: not pinned",
    ]);
  });
});
