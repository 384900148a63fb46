import { describe, test, expect } from "bun:test";
import { catchAamError } from "../../test/helpers/errors.ts";
import { checkSigners, mergeWithBin } from "./merge.ts";
import { meta, record, state, sum, ver } from "../../test/helpers/attest_data.ts";

const REJ = { reason: "malware", at: "2026-12-01T10:00:00Z" };
const BIN = record({ "1.0.0": state(sum(1), { signers: ["ab".repeat(32)] }), "1.1.0": state(sum(2)) }, { latest: "1.1.0", stable: "1.0.0" });
const META = () => meta([ver("1.0.0", sum(1)), ver("1.1.0", sum(2)), ver("1.2.0", sum(3))], { latest: "1.1.0", stable: "1.0.0" });

describe("mergeWithBin()", () => {
  test("mergeWithBin() reports versions the bin does not list as pending", () => {
    const s = mergeWithBin(META(), BIN, "m.yaml");
    expect(s.pending).toEqual(["1.2.0"]);
    expect(s.versions.map((v) => [v.version, v.pending])).toEqual([
      ["1.0.0", false],
      ["1.1.0", false],
      ["1.2.0", true],
    ]);
    expect(s.versions[0].signers).toEqual(["ab".repeat(32)]);
  });

  test("mergeWithBin() treats every version as pending for a package the snapshot does not list", () => {
    const s = mergeWithBin(META(), undefined, "m.yaml");
    expect(s.pending).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
    expect(s.dist_tags).toEqual({ latest: "1.1.0", stable: "1.0.0" });
  });

  test("mergeWithBin() throws TamperedPackage when metadata.yaml drops a version the bin lists (deletion)", () => {
    const m = META();
    m.versions.splice(1, 1);
    const err = catchAamError(() => mergeWithBin(m, BIN, "m.yaml"));
    expect(err).toMatchObject({ code: "TamperedPackage", details: { package: "@a/pkg", version: "1.1.0", expected: sum(2), actual: "(missing)", file: "m.yaml" } });
  });

  test("mergeWithBin() throws TamperedPackage for an older metadata.yaml swapped in (mix-and-match)", () => {
    // A copy from before 1.1.0 was published: 1.1.0 is missing, whatever else it says.
    const old = meta([ver("1.0.0", sum(1))], { latest: "1.0.0" });
    expect(catchAamError(() => mergeWithBin(old, BIN, "m.yaml")).code).toBe("TamperedPackage");
  });

  test("mergeWithBin() throws TamperedPackage when a listed version's checksum differs", () => {
    const m = META();
    m.versions[0].checksum = sum(7);
    expect(catchAamError(() => mergeWithBin(m, BIN, "m.yaml"))).toMatchObject({ code: "TamperedPackage", details: { version: "1.0.0", expected: sum(1), actual: sum(7) } });
  });

  test("mergeWithBin() applies a yank or a rejection from either side", () => {
    const bin = record({ "1.0.0": state(sum(1), { yanked: true }), "1.1.0": state(sum(2), { rejected: REJ }) }, {});
    const s = mergeWithBin(META(), bin, "m.yaml"); // metadata.yaml un-yanks and un-rejects: ignored
    expect(s.versions[0].yanked).toBe(true);
    expect(s.versions[1].rejected).toEqual(REJ);
    const m = META();
    m.versions[1].yanked = true;
    m.versions[2].rejected = REJ;
    const t = mergeWithBin(m, BIN, "m.yaml");
    expect(t.versions[1].yanked).toBe(true);
    expect(t.versions[2].rejected).toEqual(REJ);
  });

  test("mergeWithBin() keeps the bin's dist-tag when metadata.yaml moves it back", () => {
    const m = META();
    m.dist_tags.latest = "1.0.0";
    expect(mergeWithBin(m, BIN, "m.yaml").dist_tags.latest).toBe("1.1.0");
  });

  test("mergeWithBin() takes metadata.yaml's dist-tag when it moves forward, even to a pending version", () => {
    const m = META();
    m.dist_tags.latest = "1.2.0";
    m.dist_tags.next = "1.2.0";
    expect(mergeWithBin(m, BIN, "m.yaml").dist_tags).toEqual({ latest: "1.2.0", stable: "1.0.0", next: "1.2.0" });
  });

  test("mergeWithBin() keeps the bin's dist-tag when metadata.yaml drops it or names no version", () => {
    const m = META();
    delete m.dist_tags.stable;
    m.dist_tags.latest = "garbage";
    expect(mergeWithBin(m, BIN, "m.yaml").dist_tags).toEqual({ latest: "1.1.0", stable: "1.0.0" });
  });
});

describe("checkSigners()", () => {
  const fp = "ab".repeat(32);
  test("checkSigners() passes when the .sig still carries every listed signer (fingerprints in any case)", () => {
    expect(() => checkSigners("@a/pkg", "1.0.0", [fp, "github:alice"], ["github:alice", fp.toUpperCase(), "other"], "x.sig")).not.toThrow();
    expect(() => checkSigners("@a/pkg", "1.0.0", [], [], "x.sig")).not.toThrow();
  });
  test("checkSigners() throws TamperedPackage when a listed signer's signature was stripped", () => {
    const err = catchAamError(() => checkSigners("@a/pkg", "1.0.0", [fp, "github:alice"], ["github:alice"], "x.sig"));
    expect(err).toMatchObject({ code: "TamperedPackage", details: { package: "@a/pkg", version: "1.0.0", expected: fp, file: "x.sig" } });
  });
  test("checkSigners() does not let an identity differing in case stand in for the listed one", () => {
    expect(catchAamError(() => checkSigners("@a/pkg", "1.0.0", ["github:alice"], ["github:Alice"], "x.sig")).code).toBe("TamperedPackage");
  });
});
