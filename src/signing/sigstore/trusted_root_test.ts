import { describe, test, expect } from "bun:test";
import { parseTrustedRoot } from "./trusted_root.ts";
import { rootText } from "../../../test/helpers/sigstore_fixtures.ts";
import { catchAamError } from "../../../test/helpers/errors.ts";


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
      expect((await catchAamError(parseTrustedRoot(text, "x.json"))).code).toBe("Error");
    }
  });
});
