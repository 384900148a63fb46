import { describe, test, expect } from "bun:test";
import { isValidVersion, isValidRange, isExactRange, compareVersions, satisfies, maxSatisfying, sortVersions } from "./semver.ts";

describe("isValidVersion()", () => {
  test.each([
    ["1.0.0", true],
    ["0.0.0", true],
    ["1.2.3-rc.1", true],
    ["1.2.3+build.5", true],
    ["1.2.3-rc.1+build.5", true],
    ["v1.2.3", false],
    ["=1.2.3", false],
    [" 1.2.3", false],
    ["1.2.3 ", false],
    ["1.2", false],
    ["1", false],
    ["01.2.3", false],
    ["1.2.3-", false],
    ["", false],
    ["^1.2.3", false],
  ])("isValidVersion(%p) is %p", (v, ok) => {
    expect(isValidVersion(v)).toBe(ok);
  });

  test("isValidVersion() refuses numbers (YAML's `version: 1.0`)", () => {
    expect(isValidVersion(1)).toBe(false);
  });
});

describe("isValidRange()", () => {
  test.each([
    ["1.2.3", true],
    [">=1.0.0", true],
    ["^1.2.0", true],
    ["~1.2.0", true],
    ["*", true],
    ["1.x", true],
    [">=1.0.0 <2.0.0", true],
    ["^1.0.0 || ^2.0.0", true],
    ["1.0.0 - 1.5.0", true],
    ["", false],
    ["   ", false],
    ["latest", false],
    ["^^1", false],
    ["file:../x", false],
  ])("isValidRange(%p) is %p", (r, ok) => {
    expect(isValidRange(r)).toBe(ok);
  });
});

test("isExactRange() is true only for one exact version", () => {
  expect(isExactRange("1.2.3")).toBe(true);
  expect(isExactRange("=1.2.3")).toBe(true);
  expect(isExactRange("^1.2.3")).toBe(false);
  expect(isExactRange("1.2")).toBe(false);
});

describe("compareVersions()", () => {
  test("compareVersions() orders by SemVer precedence, prereleases before releases", () => {
    expect(compareVersions("1.0.0", "2.0.0")).toBeLessThan(0);
    expect(compareVersions("1.10.0", "1.9.0")).toBeGreaterThan(0);
    expect(compareVersions("1.0.0-rc.1", "1.0.0")).toBeLessThan(0);
    expect(compareVersions("1.0.0-alpha.10", "1.0.0-alpha.9")).toBeGreaterThan(0);
    expect(compareVersions("1.0.0+a", "1.0.0+b")).toBe(0);
  });

  test("compareVersions() throws TypeError on an invalid version", () => {
    expect(() => compareVersions("nope", "1.0.0")).toThrow(TypeError);
  });
});

describe("satisfies()", () => {
  test.each([
    ["1.4.0", "^1.2.0", true],
    ["2.0.0", "^1.2.0", false],
    ["1.2.9", "~1.2.0", true],
    ["1.3.0", "~1.2.0", false],
    ["0.2.5", "^0.2.0", true],
    ["0.3.0", "^0.2.0", false],
    ["5.0.0", "*", true],
    ["1.1.0-beta.1", "^1.0.0", false], // npm: a prerelease only matches a range naming that tuple
    ["1.1.0-beta.2", ">=1.1.0-beta.1", true],
    ["1.2.0-beta.1", ">=1.1.0-beta.1", false],
    ["1.1.0-beta.1", "*", false],
    ["1.0.0", "nonsense", false],
    ["bad", "*", false],
  ])("satisfies(%p, %p) is %p", (v, r, ok) => {
    expect(satisfies(v, r)).toBe(ok);
  });
});

describe("maxSatisfying()", () => {
  const versions = ["1.0.0", "1.5.0", "1.9.9", "2.0.0", "2.1.0-rc.1", "not-a-version"];

  test("maxSatisfying() picks the highest version that satisfies every range", () => {
    expect(maxSatisfying(versions, ["^1.0.0"])).toBe("1.9.9");
    expect(maxSatisfying(versions, ["^1.0.0", "<1.6.0"])).toBe("1.5.0");
    expect(maxSatisfying(versions, [">=1.0.0"])).toBe("2.0.0");
    expect(maxSatisfying(versions, [])).toBe("2.1.0-rc.1");
  });

  test("maxSatisfying() answers null when the ranges conflict", () => {
    expect(maxSatisfying(versions, ["^1.0.0", "^2.0.0"])).toBeNull();
  });
});

test("sortVersions() sorts ascending into a copy, ties broken by build metadata", () => {
  const input = ["1.10.0", "1.2.0", "1.0.0+b", "1.0.0-rc.1", "1.0.0+a"];
  expect(sortVersions(input)).toEqual(["1.0.0-rc.1", "1.0.0+a", "1.0.0+b", "1.2.0", "1.10.0"]);
  expect(input[0]).toBe("1.10.0");
});

describe("versions are exactly SemVer 2.0.0", () => {
  // Generated versions and near-misses against the regular expression semver.org publishes (an
  // oracle independent of the `semver` package AAM reads versions with) and the spec's own order.
  const SEMVER_ORG =
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
  let s = 11;
  const rnd = (n: number) => (((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16) % n);
  const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)];
  const nums = ["0", "1", "2", "9", "10", "01", "00", "123", "9007199254740991", "9007199254740992", ""];
  const ids = ["alpha", "beta", "rc", "0", "1", "2", "10", "01", "a-b", "-", "x1", "1x", "", "Z", "é"];
  const version = () => {
    let v = `${pick(nums)}.${pick(nums)}.${pick(nums)}`;
    if (rnd(2)) v += "-" + Array.from({ length: 1 + rnd(3) }, () => pick(ids)).join(".");
    if (rnd(3) === 0) v += "+" + Array.from({ length: 1 + rnd(2) }, () => pick(["b", "001", "1", "sha.5", "x-y"])).join(".");
    if (rnd(20) === 0) v = pick(["v", "=", " ", ""]) + v + pick(["", " ", "."]);
    return v;
  };
  const samples = Array.from({ length: 3000 }, version);

  test("isValidVersion() accepts exactly what semver.org's pattern accepts (numbers within 2^53)", () => {
    let valid = 0;
    for (const v of samples) {
      const m = SEMVER_ORG.exec(v);
      const theirs = m !== null && [m[1], m[2], m[3]].every((n) => Number(n) <= Number.MAX_SAFE_INTEGER);
      expect([v, isValidVersion(v)]).toEqual([v, theirs]);
      if (theirs) valid++;
    }
    expect(valid).toBeGreaterThan(500); // both answers are really exercised
  });

  test("sortVersions() gives the precedence order of the SemVer 2.0.0 spec's example (§11)", () => {
    const order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"];
    for (let k = 0; k < 5; k++) {
      const shuffled = [...order].sort(() => rnd(3) - 1);
      expect(sortVersions(shuffled)).toEqual(order);
    }
  });
});
