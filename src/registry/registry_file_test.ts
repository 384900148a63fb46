import { test, expect } from "bun:test";
import { envRequiresSignatures, parseRegistryFile } from "./registry_file.ts";

test("envRequiresSignatures() honours REQUIRE_SIGNATURES=true, quoted or exported", () => {
  expect(envRequiresSignatures("REQUIRE_SIGNATURES=true\n")).toBe(true);
  expect(envRequiresSignatures('export REQUIRE_SIGNATURES="true"')).toBe(true);
  expect(envRequiresSignatures("OTHER=1\nREQUIRE_SIGNATURES=false")).toBe(false);
  expect(envRequiresSignatures("# REQUIRE_SIGNATURES=true")).toBe(false);
  expect(envRequiresSignatures(null)).toBe(false);
});

test("parseRegistryFile() refuses an unknown api_version with a coded error", () => {
  expect(() => parseRegistryFile("api_version: 2\n", null, "r.yaml")).toThrow();
  try {
    parseRegistryFile("api_version: 2\n", null, "r.yaml");
  } catch (e) {
    expect((e as { code: string }).code).toBe("Error");
  }
  expect(parseRegistryFile("name: x\nrequire_signatures: false\n", "REQUIRE_SIGNATURES=1", "r.yaml").require_signatures).toBe(true);
});

test("withAttestationKeys() lists new attestation keys once, sorted, and leaves the rest of registry.yaml alone", async () => {
  const { withAttestationKeys } = await import("./registry_file.ts");
  const a = "aa".repeat(32);
  const b = "bb".repeat(32);
  const base = "name: acme # ours\nrequire_signatures: false\n";
  const once = withAttestationKeys(base, [b], "r.yaml")!;
  expect(once).toBe(`${base}attestation_keys: [${b}]\n`);
  const twice = withAttestationKeys(once, [a, b], "r.yaml")!;
  expect(twice).toBe(`${base}attestation_keys: [${a}, ${b}]\n`);
  expect(withAttestationKeys(twice, [a], "r.yaml")).toBeNull();
  // A block list written by hand is left as it is.
  expect(withAttestationKeys(`${base}attestation_keys:\n  - ${a}\n`, [b], "r.yaml")).toBeNull();
  expect(withAttestationKeys("name: x", [a], "r.yaml")).toBe(`name: x\nattestation_keys: [${a}]\n`);
});
