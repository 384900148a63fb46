import { test, expect } from "bun:test";
import { parseMetadata, serializeMetadata } from "./metadata.ts";
import { AamError } from "../errors.ts";

const GOOD = `name: "@a/b"
description: d
keywords: [x]
dist_tags: {latest: 1.0.0}
versions:
  - version: 1.0.0
    published: "2026-11-21T10:00:00Z"
    checksum: "sha256:${"a".repeat(64)}"
    size: 10
    dependencies: {}
    yanked: false
`;

test("parseMetadata() round-trips through serializeMetadata()", () => {
  const m = parseMetadata(GOOD, "m.yaml");
  expect(parseMetadata(serializeMetadata(m), "m.yaml")).toEqual(m);
});

test("parseMetadata() reports every problem with its field path", () => {
  const bad = `name: 5\nversions:\n  - version: 1.0.0\n    checksum: md5:x\n    size: -1\n    yanked: "no"\n`;
  try {
    parseMetadata(bad, "m.yaml");
    throw new Error("should have thrown");
  } catch (e) {
    expect(e).toBeInstanceOf(AamError);
    const paths = (e as AamError).details.problems!.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "versions[0].checksum", "versions[0].size", "versions[0].yanked"]));
    expect((e as AamError).details.file).toBe("m.yaml");
  }
});

test("parseMetadata() refuses a version listed twice", () => {
  const twice = GOOD + GOOD.split("versions:\n")[1];
  expect(() => parseMetadata(twice, "m.yaml")).toThrow(AamError);
});

test("parseMetadata() reads a rejection and the owners, and refuses malformed ones", () => {
  const withBoth = GOOD.replace("    yanked: false\n", '    yanked: false\n    rejected: {reason: "malware", at: "2026-12-01T10:00:00Z"}\n') + 'owners: ["github:alice"]\n';
  const m = parseMetadata(withBoth, "m.yaml");
  expect(m.versions[0].rejected).toEqual({ reason: "malware", at: "2026-12-01T10:00:00Z" });
  expect(m.owners).toEqual(["github:alice"]);
  expect(parseMetadata(serializeMetadata(m), "m.yaml")).toEqual(m);
  const bad = GOOD.replace("    yanked: false\n", "    yanked: false\n    rejected: true\n") + "owners: alice\n";
  try {
    parseMetadata(bad, "m.yaml");
    throw new Error("should have thrown");
  } catch (e) {
    expect((e as AamError).details.problems!.map((p) => p.path)).toEqual(["versions[0].rejected", "owners"]);
  }
});
