import { describe, test, expect } from "bun:test";
import { combineTrust, type AttestationState, type AuthorState } from "./attestation_table.ts";

// [author, attestation, tra, rra, expected: "author" | "registry" | "both" | error code]
const table: [AuthorState, AttestationState, boolean, boolean, string][] = [
  // off/off: as before attestations existed
  ["trusted", "absent", false, false, "author"],
  ["trusted", "valid", false, false, "both"],
  ["absent", "valid", false, false, "SignatureNotFound"],
  ["untrusted", "valid", false, false, "UntrustedSigner"],
  ["invalid", "valid", false, false, "InvalidSignature"],
  // on/off: either side
  ["absent", "valid", true, false, "registry"],
  ["untrusted", "valid", true, false, "registry"],
  ["trusted", "absent", true, false, "author"],
  ["absent", "absent", true, false, "SignatureNotFound"],
  ["absent", "untrusted", true, false, "UntrustedSigner"],
  ["untrusted", "untrusted", true, false, "UntrustedSigner"],
  // off/on: both sides
  ["trusted", "valid", false, true, "both"],
  ["trusted", "absent", false, true, "SignatureNotFound"],
  ["trusted", "untrusted", false, true, "UntrustedSigner"],
  ["absent", "valid", false, true, "SignatureNotFound"],
  ["untrusted", "valid", false, true, "UntrustedSigner"],
  // on/on: the attestation decides
  ["absent", "valid", true, true, "registry"],
  ["invalid", "valid", true, true, "registry"],
  ["trusted", "valid", true, true, "both"],
  ["trusted", "absent", true, true, "SignatureNotFound"],
  ["trusted", "untrusted", true, true, "UntrustedSigner"],
];

describe("combineTrust()", () => {
  test.each(table)("combineTrust(author %p, attestation %p, tra %p, rra %p) -> %p", (author, attestation, tra, rra, expected) => {
    const r = combineTrust(author, attestation, tra, rra);
    if (r.trusted) expect(r.by).toBe(expected as "author");
    else expect(r.code).toBe(expected as "UntrustedSigner");
  });

  test("combineTrust() never trusts without a trusted author or a valid attestation, in any setting", () => {
    const authors: AuthorState[] = ["untrusted", "invalid", "absent"];
    const attestations: AttestationState[] = ["untrusted", "absent"];
    for (const a of authors) for (const t of attestations) for (const tra of [false, true]) for (const rra of [false, true]) expect(combineTrust(a, t, tra, rra).trusted).toBe(false);
  });
});
