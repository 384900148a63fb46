import { describe, test, expect } from "bun:test";
import { AamError, type ErrorCode } from "../errors.ts";
import { decideSignatureOutcome } from "./decide.ts";
import type { TrustPolicy } from "./policy.ts";

const fail = (code: ErrorCode) => new AamError(code, `Cannot verify "@a/b@1.0.0": ${code}`, { hint: "h" });
type Setting = TrustPolicy["onSignatureFailure"];

// [failure code | null, on_signature_failure, require_signature, expected: outcome or "throws"]
const table: [ErrorCode | null, Setting, boolean, "ok" | "warn" | "skipped" | "throws"][] = [
  [null, "error", false, "ok"],
  [null, "warn", true, "ok"],
  ["InvalidSignature", "error", false, "throws"],
  ["InvalidSignature", "warn", false, "warn"],
  ["InvalidSignature", "ignore", false, "skipped"],
  ["UntrustedSigner", "error", false, "throws"],
  ["UntrustedSigner", "warn", false, "warn"],
  ["UntrustedSigner", "ignore", false, "skipped"],
  ["MalformedSignature", "warn", false, "warn"],
  ["SignatureNotFound", "ignore", false, "skipped"],
  // require_signature wins over warn and ignore
  ["InvalidSignature", "warn", true, "throws"],
  ["UntrustedSigner", "ignore", true, "throws"],
  ["SignatureNotFound", "warn", true, "throws"],
  ["MalformedSignature", "ignore", true, "throws"],
  // steps 1–2 and other errors are never softened
  ["TamperedPackage", "warn", false, "throws"],
  ["TamperedPackage", "ignore", false, "throws"],
  ["UnsafeArchive", "ignore", false, "throws"],
  ["Error", "warn", false, "throws"],
];

describe("decideSignatureOutcome()", () => {
  test.each(table)("decideSignatureOutcome(%p) under %p, require_signature %p -> %p", (code, setting, required, expected) => {
    const failure = code ? fail(code) : null;
    const p = { onSignatureFailure: setting, requireSignature: required };
    if (expected === "throws") {
      let thrown: unknown;
      try {
        decideSignatureOutcome(failure, p);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBe(failure!); // the very error, code and details intact
      return;
    }
    const r = decideSignatureOutcome(failure, p);
    expect(r.outcome).toBe(expected);
    if (expected === "warn") expect(r.warning).toContain(failure!.message);
    else expect(r.warning).toBeUndefined();
  });
  test("decideSignatureOutcome() fails closed on an unknown setting", () => {
    const f = fail("InvalidSignature");
    expect(() => decideSignatureOutcome(f, { onSignatureFailure: "maybe" as Setting, requireSignature: false })).toThrow(f);
  });
});
