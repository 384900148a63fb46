import { describe, test, expect } from "bun:test";
import { catchAamError } from "../../test/helpers/errors.ts";
import { binOf } from "./bin.ts";
import { parseBin, serializeBin } from "./bin_doc.ts";
import type { BinDoc } from "./types.ts";

const FS = "author--pkg";
const BIN = binOf(FS);
const SUM = `sha256:${"ab".repeat(32)}`;
const good = (): BinDoc => ({
  [FS]: {
    dist_tags: { latest: "1.1.0" },
    owners: ["cd".repeat(32)],
    versions: {
      "1.0.0": { checksum: SUM, yanked: true, rejected: null, signers: ["ef".repeat(32), "github:alice"] },
      "1.1.0": { checksum: SUM, yanked: false, rejected: { reason: "malware", at: "2026-12-01T10:00:00Z" }, signers: [] },
    },
  },
});

describe("parseBin()", () => {
  test("parseBin() reads back what serializeBin() writes", () => {
    expect(parseBin(serializeBin(good()), "b.json", BIN)).toEqual(good());
  });

  test("serializeBin() gives equal bytes for equal bins, whatever the key order", () => {
    const a = good();
    const b: BinDoc = JSON.parse(JSON.stringify({ [FS]: { versions: a[FS].versions, owners: a[FS].owners, dist_tags: a[FS].dist_tags } }));
    expect(serializeBin(b)).toBe(serializeBin(a));
  });

  test("parseBin() refuses a package filed in another bin", () => {
    const other = BIN === "00" ? "01" : "00";
    const err = catchAamError(() => parseBin(serializeBin(good()), "b.json", other));
    expect(err).toMatchObject({ code: "TamperedPackage", details: { file: "b.json", field: FS } });
  });

  const cases: [string, (d: any) => void, string][] = [
    ["an unknown field", (d) => (d[FS].extra = 1), `${FS}.extra`],
    ["a tag naming a version the record lacks", (d) => (d[FS].dist_tags.latest = "9.9.9"), `${FS}.dist_tags.latest`],
    ["a version that is not SemVer", (d) => (d[FS].versions["v1"] = d[FS].versions["1.0.0"]), `${FS}.versions.v1`],
    ["a bad checksum", (d) => (d[FS].versions["1.0.0"].checksum = "sha256:AB"), `${FS}.versions.1.0.0.checksum`],
    ["yanked as a string", (d) => (d[FS].versions["1.0.0"].yanked = "false"), `${FS}.versions.1.0.0.yanked`],
    ["rejected as true", (d) => (d[FS].versions["1.0.0"].rejected = true), `${FS}.versions.1.0.0.rejected`],
    ["a rejection without a reason", (d) => (d[FS].versions["1.0.0"].rejected = { reason: "", at: "2026-12-01T10:00:00Z" }), `${FS}.versions.1.0.0.rejected.reason`],
    ["a signer listed twice", (d) => d[FS].versions["1.0.0"].signers.push("github:alice"), `${FS}.versions.1.0.0.signers[2]`],
    ["a signer with a control character", (d) => (d[FS].versions["1.0.0"].signers[0] = "a\nb"), `${FS}.versions.1.0.0.signers[0]`],
    ["owners that are not a list", (d) => (d[FS].owners = "x"), `${FS}.owners`],
    ["a __proto__ package", (d) => (d["__proto___"] = d[FS]), "__proto__"],
    ["a __proto__ version", (d) => Object.defineProperty(d[FS].versions, "__proto__", { value: d[FS].versions["1.0.0"], enumerable: true }), `${FS}.versions.__proto__`],
  ];
  test.each(cases)("parseBin() refuses %s with TamperedPackage and its field path", (_what, mutate, field) => {
    const d = JSON.parse(serializeBin(good()));
    mutate(d);
    const text = JSON.stringify(d).replace('"__proto___"', '"__proto__"');
    const err = catchAamError(() => parseBin(text, "b.json", BIN));
    expect(err.code).toBe("TamperedPackage");
    expect(err.details.problems!.map((p) => p.path)).toContain(field);
  });

  test("parseBin() answers only TamperedPackage for any mangled input (seeded)", () => {
    const base = serializeBin(good());
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      const chars = [...base];
      for (let j = 0; j < 3; j++) chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(Math.floor(rnd() * 128));
      try {
        parseBin(chars.join(""), "b.json", BIN);
      } catch (e) {
        expect((e as { code?: string }).code).toBe("TamperedPackage");
      }
    }
    expect(catchAamError(() => parseBin("[]", "b.json", BIN)).code).toBe("TamperedPackage");
    expect(catchAamError(() => parseBin("x".repeat(17 * 1024 * 1024), "b.json", BIN)).code).toBe("TamperedPackage");
  });
});
