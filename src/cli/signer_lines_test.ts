import { describe, test, expect } from "bun:test";
import { reportSteps, logEntryUrl } from "./signer_lines.ts";
import type { VerifyReport } from "../verify/pipeline.ts";

const mark = { ok: "✓", bad: "⚠" };

describe("reportSteps()", () => {
  test("a trusted Sigstore signer: the documentation's lines, with the log entry at the given Rekor", () => {
    const r: VerifyReport = {
      package: "@a/b",
      version: "1.0.0",
      checksum: "sha256:ab",
      outcome: "verified",
      checks: { checksum: "passed", identity: "passed", signature: "passed", trust: "passed" },
      signers: [{ algorithm: "sigstore", valid: true, trusted: true, identity: "author@example.org", issuer: "https://x", info: { log_index: "42", integrated_time: "2026-02-07T14:30:00Z" } }],
      warnings: [],
    };
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
    const r: VerifyReport = {
      package: "@a/b",
      version: "1.0.0",
      checksum: "sha256:ab",
      outcome: "warned",
      checks: { checksum: "passed", identity: "passed", signature: "warned", trust: "skipped" },
      signers: [{ algorithm: "openpgp", valid: false, trusted: false, key_fingerprint: "AB\u001b[2J", reason: "SHA1 is too weak" }],
      warnings: [],
    };
    const lines = reportSteps(r, "https://r", mark);
    expect(lines[1]).toBe("⚠ GPG signature not valid: SHA1 is too weak");
    expect(lines.join("\n")).not.toContain("\u001b");
    expect(lines.some((l) => l.includes("trusted"))).toBe(false);
    expect(logEntryUrl({ info: {} }, "https://r")).toBeUndefined();
  });
});
