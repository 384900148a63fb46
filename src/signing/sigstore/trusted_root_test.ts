import { describe, test, expect } from "bun:test";
import { AamError } from "../../errors.ts";
import { parseTrustedRoot } from "./trusted_root.ts";
import { rootText } from "./_fixtures_test_helpers.ts";

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AamError);
    return (e as AamError).code;
  }
  return undefined;
}

describe("parseTrustedRoot()", () => {
  test("parseTrustedRoot() reads the production and staging roots and counts their parts", async () => {
    const prod = await parseTrustedRoot(await rootText("production"), "prod");
    expect(prod.summary.certificate_authorities).toBeGreaterThan(0);
    expect(prod.summary.transparency_logs).toBeGreaterThan(0);
    expect(prod.summary.timestamp_authorities).toBeGreaterThan(0);
    expect(prod.summary.media_type).toStartWith("application/vnd.dev.sigstore.trustedroot");
    const staging = await parseTrustedRoot(await rootText("staging"), "staging");
    expect(staging.summary.transparency_logs).toBeGreaterThan(0);
  });

  test("parseTrustedRoot() throws Error for text that is not a trusted root", async () => {
    const good = JSON.parse(await rootText("production"));
    const garbledCa = structuredClone(good);
    garbledCa.certificateAuthorities[0].certChain.certificates[0].rawBytes = "AAAA";
    for (const text of ["", "{", "[]", "{}", JSON.stringify({ ...good, mediaType: "application/json" }), JSON.stringify({ ...good, certificateAuthorities: [] }), JSON.stringify(garbledCa), (await rootText("production")).slice(0, 500)]) {
      expect(await code(parseTrustedRoot(text, "x.json"))).toBe("Error");
    }
  });
});
