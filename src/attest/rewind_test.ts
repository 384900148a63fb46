import { describe, test, expect } from "bun:test";
import { catchAamError } from "../../test/helpers/errors.ts";
import { assertNoRewinds, findRewinds } from "./rewind.ts";
import { meta, record, state, sum, ver } from "../../test/helpers/attest_data.ts";

const BEFORE = record(
  { "1.0.0": state(sum(1), { yanked: true }), "1.1.0": state(sum(2), { rejected: { reason: "malware", at: "2026-12-01T10:00:00Z" } }), "2.0.0": state(sum(3)) },
  { latest: "2.0.0", beta: "1.1.0" },
);
const SAME = () => meta([ver("1.0.0", sum(1), { yanked: true }), ver("1.1.0", sum(2), { rejected: { reason: "malware", at: "2026-12-01T10:00:00Z" } }), ver("2.0.0", sum(3))], { latest: "2.0.0", beta: "1.1.0" });

describe("findRewinds()", () => {
  test("findRewinds() finds nothing when history only moves forward", () => {
    const m = SAME();
    m.versions.push(ver("2.1.0", sum(4), { yanked: true }));
    m.versions[2].yanked = true;
    m.dist_tags.latest = "2.1.0";
    delete m.dist_tags.beta; // removing a tag is not a rewind
    expect(findRewinds("@a/pkg", BEFORE, m)).toEqual([]);
    expect(findRewinds("@a/pkg", undefined, m)).toEqual([]);
  });

  test("findRewinds() sees a version removed", () => {
    const m = SAME();
    m.versions.splice(2, 1);
    m.dist_tags.latest = "1.1.0";
    expect(findRewinds("@a/pkg", BEFORE, m).map((r) => r.kind)).toEqual(["version-removed", "tag-lowered"]);
  });

  test("findRewinds() sees a checksum changed (a version re-published with other bytes)", () => {
    const m = SAME();
    m.versions[2].checksum = sum(9);
    expect(findRewinds("@a/pkg", BEFORE, m)).toEqual([{ package: "@a/pkg", kind: "checksum-changed", version: "2.0.0", before: sum(3), after: sum(9) }]);
  });

  test("findRewinds() sees a yank undone and a rejection undone", () => {
    const m = SAME();
    m.versions[0].yanked = false;
    delete m.versions[1].rejected;
    expect(findRewinds("@a/pkg", BEFORE, m).map((r) => [r.kind, r.version])).toEqual([
      ["unyanked", "1.0.0"],
      ["unrejected", "1.1.0"],
    ]);
  });

  test("findRewinds() sees latest moved back to an older signed version", () => {
    const m = SAME();
    m.dist_tags.latest = "1.0.0";
    expect(findRewinds("@a/pkg", BEFORE, m)).toEqual([{ package: "@a/pkg", kind: "tag-lowered", tag: "latest", before: "2.0.0", after: "1.0.0" }]);
  });

  test("findRewinds() counts a tag on something that is not a version as lowered", () => {
    const m = SAME();
    m.dist_tags.latest = "not-a-version";
    expect(findRewinds("@a/pkg", BEFORE, m).map((r) => r.kind)).toEqual(["tag-lowered"]);
  });

  test("findRewinds() treats a tag named like an Object.prototype member as any other", () => {
    const before = record({ "1.0.0": state(sum(1)) }, { constructor: "1.0.0" });
    expect(findRewinds("@a/pkg", before, meta([ver("1.0.0", sum(1))], {}))).toEqual([]);
  });

  test("findRewinds() sees every version removed when the package is gone", () => {
    expect(findRewinds("@a/pkg", BEFORE, null).map((r) => r.version)).toEqual(["1.0.0", "1.1.0", "2.0.0"]);
  });
});

describe("assertNoRewinds()", () => {
  const rewinds = [
    ...findRewinds("@a/pkg", BEFORE, meta([], {})),
    { package: "@b/other", kind: "unyanked" as const, version: "1.0.0" },
  ];
  test("assertNoRewinds() throws PolicyViolation naming every refused rewind and the --allow-rewind flags", () => {
    const err = catchAamError(() => assertNoRewinds(rewinds, new Set()));
    expect(err).toMatchObject({ code: "PolicyViolation", details: { package: "@a/pkg", version: "1.0.0" } });
    expect(err.details.problems!.length).toBe(4);
    expect(err.details.hint).toContain("--allow-rewind @a/pkg --allow-rewind @b/other");
  });
  test("assertNoRewinds() lets through only the packages named with --allow-rewind", () => {
    const err = catchAamError(() => assertNoRewinds(rewinds, new Set(["@a/pkg"])));
    expect(err.details.problems!.map((p) => p.path)).toEqual(["@b/other"]);
    expect(() => assertNoRewinds(rewinds, new Set(["@a/pkg", "@b/other"]))).not.toThrow();
  });
  test("assertNoRewinds() does not take a file-system name for the package name", () => {
    expect(() => assertNoRewinds(rewinds, new Set(["a--pkg", "b--other"]))).toThrow();
  });
});
