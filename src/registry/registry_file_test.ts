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
