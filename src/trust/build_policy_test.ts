import { describe, test, expect } from "bun:test";
import { buildPolicy } from "./build_policy.ts";
import { catchAamError } from "../../test/helpers/errors.ts";

describe("buildPolicy()", () => {
  test("carries trust_registry_attestations and require_registry_attestation, off by default", () => {
    expect(buildPolicy({ security: {} })).toMatchObject({ trustRegistryAttestations: false, requireRegistryAttestation: false });
    expect(buildPolicy({ security: { trust_registry_attestations: true, require_registry_attestation: true } })).toMatchObject({ trustRegistryAttestations: true, requireRegistryAttestation: true });
  });

  test("--no-verify cannot skip a required registry attestation (PolicyViolation naming the key)", () => {
    const e = catchAamError(() => buildPolicy({ security: { require_registry_attestation: true } }, { noVerify: true }));
    expect(e.code).toBe("PolicyViolation");
    expect(e.message).toContain("security.require_registry_attestation");
    expect(buildPolicy({ security: { trust_registry_attestations: true } }, { noVerify: true }).requireSignature).toBe(false);
  });
});
