import { describe, test, expect } from "bun:test";
import semver from "semver";
import { compareWithBuild, comparePrecedence, parseVersion } from "./version_order.ts";

// version_order.ts must read and order versions exactly as semver does for strict input.
const CORPUS = [
  "0.0.0", "0.0.1", "0.1.0", "1.0.0", "1.2.3", "10.0.0", "2.0.0", "1.10.0", "1.9.9",
  "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
  "1.0.0-rc.1", "1.0.0-0", "1.0.0-1", "1.0.0-10", "1.0.0-2", "1.0.0-a-b", "1.0.0--", "1.0.0-0a", "1.0.0-00a",
  "1.0.0+build", "1.0.0+001", "1.0.0+1", "1.0.0+01", "1.0.0+a.b", "1.0.0+a", "1.0.0+a.1", "1.0.0-rc.1+b.2",
  "9007199254740991.0.0", "9007199254740992.0.0", "1.0.0-9007199254740991", "1.0.0-9007199254740992", "1.0.0-99999999999999999999",
  // refused
  "v1.2.3", "=1.2.3", " 1.2.3", "1.2.3 ", "1.2", "1", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3+", "1.2.3-01",
  "1.2.3-a..b", "1.2.3+a..b", "1.2.3-é", "", "^1.2.3", "1.2.3.4", "x.1.2", "1.2.3-a_b", `1.0.0-${"a".repeat(260)}`,
];

/** semver's strict reading with AAM's rule that a version is written as semver prints it back. */
function semverStrict(s: string): semver.SemVer | null {
  if (s.length > 256) return null;
  const v = semver.parse(s);
  return v && v.version + (v.build.length > 0 ? `+${v.build.join(".")}` : "") === s ? v : null;
}

describe("version_order", () => {
  test.each(CORPUS)("parseVersion(%p) accepts exactly what semver does", (s) => {
    const mine = parseVersion(s);
    const theirs = semverStrict(s);
    expect(mine !== null).toBe(theirs !== null);
    if (mine && theirs) {
      expect(mine.main).toEqual([theirs.major, theirs.minor, theirs.patch]);
      expect(mine.prerelease).toEqual([...theirs.prerelease]);
      expect(mine.build).toEqual([...theirs.build]);
    }
  });

  test("orders every pair as semver.compare and semver.compareBuild do", () => {
    const valid = CORPUS.filter((s) => semverStrict(s) !== null);
    expect(valid.length).toBeGreaterThan(30);
    for (const a of valid) {
      for (const b of valid) {
        const pa = parseVersion(a)!;
        const pb = parseVersion(b)!;
        expect([a, b, comparePrecedence(pa, pb)]).toEqual([a, b, semver.compare(a, b)]);
        expect([a, b, compareWithBuild(pa, pb)]).toEqual([a, b, semver.compareBuild(a, b)]);
      }
    }
  });
});
