import { describe, test, expect } from "bun:test";
import { nextRecord } from "./next_record.ts";
import { meta, record, state, sum, ver } from "../../test/helpers/attest_data.ts";

const REJ = { reason: "malware", at: "2026-12-01T10:00:00Z" };

describe("nextRecord()", () => {
  test("nextRecord() lists the versions attested now, with their signers, and leaves the rest pending", () => {
    const m = meta([ver("1.0.0", sum(1)), ver("1.1.0", sum(2))], { latest: "1.1.0" });
    const r = nextRecord(m, new Map([["1.0.0", ["fp1"]]]), undefined);
    expect(r).toEqual(record({ "1.0.0": state(sum(1), { signers: ["fp1"] }) }, {}));
  });

  test("nextRecord() answers null while no version is attested", () => {
    expect(nextRecord(meta([ver("1.0.0", sum(1))], { latest: "1.0.0" }), new Map(), undefined)).toBeNull();
  });

  test("nextRecord() keeps a version the last record vouched for, with its yank from metadata.yaml", () => {
    const prev = record({ "1.0.0": state(sum(1), { signers: ["fp1"] }) }, { latest: "1.0.0" });
    const m = meta([ver("1.0.0", sum(1), { yanked: true }), ver("2.0.0", sum(2))], { latest: "2.0.0" });
    expect(nextRecord(m, new Map([["2.0.0", []]]), prev)).toEqual(
      record({ "1.0.0": state(sum(1), { yanked: true, signers: ["fp1"] }), "2.0.0": state(sum(2)) }, { latest: "2.0.0" }),
    );
  });

  test("nextRecord() drops a kept version whose checksum changed unless it is attested again", () => {
    const prev = record({ "1.0.0": state(sum(1), { signers: ["fp1"] }) }, {});
    const m = meta([ver("1.0.0", sum(9))], {});
    expect(nextRecord(m, new Map(), prev)).toBeNull();
    expect(nextRecord(m, new Map([["1.0.0", ["fp2"]]]), prev)!.versions["1.0.0"]).toEqual(state(sum(9), { signers: ["fp2"] }));
  });

  test("nextRecord() always lists a rejected version, pending or not, so the rejection sticks", () => {
    const m = meta([ver("1.0.0", sum(1), { rejected: REJ })], {});
    expect(nextRecord(m, new Map(), undefined)).toEqual(record({ "1.0.0": state(sum(1), { rejected: REJ }) }, {}));
  });

  test("nextRecord() keeps the last tag target while metadata.yaml's points at a pending version", () => {
    const prev = record({ "1.0.0": state(sum(1)) }, { latest: "1.0.0" });
    const m = meta([ver("1.0.0", sum(1)), ver("2.0.0", sum(2))], { latest: "2.0.0", beta: "2.0.0" });
    expect(nextRecord(m, new Map(), prev)!.dist_tags).toEqual({ latest: "1.0.0" });
  });

  test("nextRecord() drops a tag removed from metadata.yaml and takes metadata.yaml's owners", () => {
    const prev = record({ "1.0.0": state(sum(1)) }, { latest: "1.0.0", old: "1.0.0" }, ["x"]);
    const m = meta([ver("1.0.0", sum(1))], { latest: "1.0.0" }, { owners: ["github:alice"] });
    expect(nextRecord(m, new Map(), prev)).toEqual(record({ "1.0.0": state(sum(1)) }, { latest: "1.0.0" }, ["github:alice"]));
  });

  test("nextRecord() skips a version that is not SemVer or is named like an Object.prototype member", () => {
    const prev = record({ "1.0.0": state(sum(1)) }, {});
    const m = meta([ver("1.0.0", sum(1)), ver("constructor", sum(2)), ver("__proto__", sum(3))], { latest: "constructor" });
    const r = nextRecord(m, new Map([["constructor", []], ["__proto__", []]]), prev)!;
    expect(Object.keys(r.versions)).toEqual(["1.0.0"]);
    expect(r.dist_tags).toEqual({});
  });
});
