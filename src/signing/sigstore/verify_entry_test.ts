import { describe, test, expect } from "bun:test";
import { verifySigstoreEntry } from "./verify_entry.ts";
import { GOOD, GHA_IDENTITY, GHA_ISSUER, readFixture, readFixtureText, rootText } from "../../../test/helpers/sigstore_fixtures.ts";

const entryOf = async (name: string) => ({ algorithm: "sigstore" as const, bundle: JSON.parse(await readFixtureText(name)) });

describe("verifySigstoreEntry()", () => {
  test("verifySigstoreEntry() answers valid with identity, issuer, log index and integrated time", async () => {
    const archive = await readFixture("a.txt");
    const r = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive, packageHash: "", now: new Date(), trustedRoot: await rootText("production") });
    expect(r).toMatchObject({ algorithm: "sigstore", valid: true, identity: GHA_IDENTITY, issuer: GHA_ISSUER, info: { log_index: "79571823", integrated_time: "2024-03-19T17:26:26Z", issuer: GHA_ISSUER } });
  });

  test("verifySigstoreEntry() answers invalid, pointing at trust-root import, without a trusted root", async () => {
    const r = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive: await readFixture("a.txt"), packageHash: "", now: new Date() });
    expect(r.valid).toBe(false);
    expect(r.reason).toContain("aam trust-root import");
  });

  test("verifySigstoreEntry() answers invalid with the error code for other bytes, a bad bundle or another root", async () => {
    const archive = await readFixture("a.txt");
    const root = await rootText("production");
    const tampered = archive.slice();
    tampered[0] ^= 1;
    const bad = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive: tampered, packageHash: "", now: new Date(), trustedRoot: root });
    expect(bad).toMatchObject({ valid: false });
    expect(bad.reason).toStartWith("InvalidSignature:");
    const malformed = await verifySigstoreEntry({ algorithm: "sigstore", bundle: { mediaType: "x" } }, { archive, packageHash: "", now: new Date(), trustedRoot: root });
    expect(malformed.reason).toStartWith("MalformedSignature:");
    const staging = await verifySigstoreEntry(await entryOf(GOOD[1].bundle), { archive, packageHash: "", now: new Date(), trustedRoot: await rootText("staging") });
    expect(staging.valid).toBe(false);
  });

  test("verifySigstoreEntry() notes in info when the transparency log was not checked", async () => {
    const f = GOOD.find((g) => g.bundle.includes("rekor2-tsa"))!;
    const r = await verifySigstoreEntry(await entryOf(f.bundle), { archive: await readFixture("a.txt"), packageHash: "", now: new Date(), trustedRoot: await rootText("staging"), verifyTransparencyLog: false });
    expect(r.valid).toBe(true);
    expect(r.info?.transparency_log).toBeString();
    expect(r.info?.log_index).toBeUndefined();
  });
});
