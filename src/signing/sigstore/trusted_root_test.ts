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

describe("parseTrustedRoot() and validity intervals", () => {
  const without = (root: Record<string, any>, edit: (r: Record<string, any>) => void) => {
    const r = structuredClone(root);
    edit(r);
    return JSON.stringify(r);
  };

  test.each([
    ["a transparency log", "tlogs[0].publicKey", (r: Record<string, any>) => delete r.tlogs[0].publicKey.validFor.start],
    ["a transparency log (validFor absent)", "tlogs[0].publicKey", (r: Record<string, any>) => delete r.tlogs[0].publicKey.validFor],
    ["a later transparency log", `tlogs[LAST].publicKey`, (r: Record<string, any>) => delete r.tlogs[r.tlogs.length - 1].publicKey.validFor.start],
    ["a certificate authority", "certificateAuthorities[0]", (r: Record<string, any>) => delete r.certificateAuthorities[0].validFor.start],
    ["a CT log", "ctlogs[0].publicKey", (r: Record<string, any>) => delete r.ctlogs[0].publicKey.validFor.start],
    ["a timestamp authority", "timestampAuthorities[0]", (r: Record<string, any>) => (r.timestampAuthorities[0].validFor.start = "not a time")],
  ])("a root where %s has no validFor.start is refused, naming it (%s)", async (_what, where, edit) => {
    const root = JSON.parse(await rootText("production"));
    const e = await catchAamError(parseTrustedRoot(without(root, edit), "x.json"));
    expect(e.code).toBe("Error");
    expect(e.message).toContain(where.replace("LAST", String(root.tlogs.length - 1)));
    expect(e.message).toContain("validFor.start");
    expect(e.details.hint).toContain("aam trust-root update");
    // Verifying against it, the same refusal says why no signer can be trusted.
    const v = await catchAamError(parseTrustedRoot(without(root, edit), "x.json", "verify"));
    expect({ code: v.code, message: v.message }).toEqual({ code: "UntrustedSigner", message: e.message });
  });

  test("a root whose every interval has a start (and open ends) is accepted", async () => {
    const root = JSON.parse(await rootText("production"));
    const open = without(root, (r) => {
      for (const t of r.tlogs) delete t.publicKey.validFor.end;
    });
    expect((await parseTrustedRoot(open, "x.json")).summary.transparency_logs).toBe(root.tlogs.length);
  });
});
