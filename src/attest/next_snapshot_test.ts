import { describe, test, expect } from "bun:test";
import { catchAamError } from "../../test/helpers/errors.ts";
import { binOf } from "./bin.ts";
import { parseBin } from "./bin_doc.ts";
import { nextSnapshot, type NextSnapshotInput } from "./next_snapshot.ts";
import { parseExpiresDays, durationDays } from "./expires.ts";
import { record, state, sum } from "../../test/helpers/attest_data.ts";
import type { BinDoc } from "./types.ts";

const NOW = new Date("2026-12-01T10:00:00.456Z");
const base = (over: Partial<NextSnapshotInput> = {}): NextSnapshotInput => ({
  previous: null,
  changes: new Map(),
  registry: "acme",
  registryYaml: sum(1),
  auditHead: { seq: 4, sha256: "aa".repeat(32) },
  now: NOW,
  expiresDays: 30,
  ...over,
});
const recA = record({ "1.0.0": state(sum(2)) }, { latest: "1.0.0" });
const recB = record({ "2.0.0": state(sum(3)) }, {});

// Two names in one bin and one in another, found rather than assumed.
const names = Array.from({ length: 600 }, (_, i) => `p${i}`);
const A = names[0];
const SAME_BIN = names.find((n) => n !== A && binOf(n) === binOf(A))!;
const OTHER_BIN = names.find((n) => binOf(n) !== binOf(A))!;

describe("nextSnapshot()", () => {
  test("nextSnapshot() starts at serial 1 with only the bins that hold packages", () => {
    const s = nextSnapshot(base({ changes: new Map([[A, recA], [OTHER_BIN, recB]]) }));
    expect(s.root).toMatchObject({ version: 1, registry: "acme", serial: 1, created_at: "2026-12-01T10:00:00Z", expires_at: "2026-12-31T10:00:00Z", registry_yaml: sum(1), audit_head: { seq: 4 } });
    expect(Object.keys(s.root.bins).sort()).toEqual([binOf(A), binOf(OTHER_BIN)].sort());
    for (const b of s.bins) {
      expect(s.root.bins[b.id]).toBe(b.checksum);
      expect(parseBin(b.text, "b", b.id)).toEqual(b.doc);
    }
  });

  test("nextSnapshot() raises the serial by one and rewrites only the changed bin, keeping its other packages", () => {
    const first = nextSnapshot(base({ changes: new Map([[A, recA], [SAME_BIN, recB], [OTHER_BIN, recB]]) }));
    const bins = new Map<string, BinDoc>(first.bins.map((b) => [b.id, b.doc]));
    const recA2 = record({ ...recA.versions, "1.1.0": state(sum(4)) }, { latest: "1.1.0" });
    const second = nextSnapshot(base({ previous: { root: first.root, bins }, changes: new Map([[A, recA2]]), now: new Date("2026-12-02T00:00:00Z") }));
    expect(second.root.serial).toBe(2);
    expect(second.bins.map((b) => b.id)).toEqual([binOf(A)]);
    expect(second.bins[0].doc).toEqual({ [A]: recA2, [SAME_BIN]: recB });
    expect(second.root.bins[binOf(OTHER_BIN)]).toBe(first.root.bins[binOf(OTHER_BIN)]);
    expect(second.root.bins[binOf(A)]).not.toBe(first.root.bins[binOf(A)]);
  });

  test("nextSnapshot() rewrites nothing when a change leaves a bin's bytes as they were (a re-sign)", () => {
    const first = nextSnapshot(base({ changes: new Map([[A, recA]]) }));
    const again = nextSnapshot(base({ previous: { root: first.root, bins: new Map([[binOf(A), first.bins[0].doc]]) }, changes: new Map([[A, structuredClone(recA)]]) }));
    expect(again.bins).toEqual([]);
    expect(again.root.serial).toBe(2);
    expect(again.root.bins).toEqual(first.root.bins);
    const resign = nextSnapshot(base({ previous: { root: first.root, bins: new Map() }, changes: new Map(), expiresDays: 1 }));
    expect(resign.root).toMatchObject({ serial: 2, expires_at: "2026-12-02T10:00:00Z", bins: first.root.bins });
  });

  test("nextSnapshot() removes a package that left and skips removing one never listed", () => {
    const first = nextSnapshot(base({ changes: new Map([[A, recA], [SAME_BIN, recB]]) }));
    const bins = new Map(first.bins.map((b) => [b.id, b.doc]));
    const next = nextSnapshot(base({ previous: { root: first.root, bins }, changes: new Map([[A, null], [OTHER_BIN, null]]) }));
    expect(next.bins.map((b) => [b.id, Object.keys(b.doc)])).toEqual([[binOf(A), [SAME_BIN]]]);
    expect(Object.hasOwn(next.root.bins, binOf(OTHER_BIN))).toBe(false);
  });

  test("nextSnapshot() needs the current contents of a listed bin it changes", () => {
    const first = nextSnapshot(base({ changes: new Map([[A, recA]]) }));
    expect(() => nextSnapshot(base({ previous: { root: first.root, bins: new Map() }, changes: new Map([[SAME_BIN, recB]]) }))).toThrow(TypeError);
  });

  test("nextSnapshot() refuses a registry renamed since the current snapshot (PolicyViolation)", () => {
    const first = nextSnapshot(base({ changes: new Map([[A, recA]]) }));
    const err = catchAamError(() => nextSnapshot(base({ previous: { root: first.root, bins: new Map() }, registry: "other" })));
    expect(err).toMatchObject({ code: "PolicyViolation", details: { expected: "acme", actual: "other" } });
  });

  test("nextSnapshot() refuses a bad file-system name or duration", () => {
    expect(() => nextSnapshot(base({ changes: new Map([["../x", recA]]) }))).toThrow(TypeError);
    expect(() => nextSnapshot(base({ expiresDays: 366 }))).toThrow(TypeError);
  });
});

describe("parseExpiresDays()", () => {
  test("parseExpiresDays() takes 1 to 365, defaulting to 30", () => {
    expect(parseExpiresDays(undefined)).toBe(30);
    expect(parseExpiresDays("1")).toBe(1);
    expect(parseExpiresDays(365)).toBe(365);
  });
  test.each(["0", "366", "1.5", "-1", "1e2", "", "abc", "0x10"])("parseExpiresDays(%p) is a UsageError", (v) => {
    expect(catchAamError(() => parseExpiresDays(v)).code).toBe("UsageError");
  });
  test("durationDays() gives back the days an earlier snapshot was signed for (reject reuses it)", () => {
    const s = nextSnapshot(base({ expiresDays: 7 })).root;
    expect(durationDays(s)).toBe(7);
  });
});
