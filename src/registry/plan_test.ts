import { describe, test, expect } from "bun:test";
import { checkFolderOwner, planAddSignatures, planDistTagAdd, planDistTagRemove, planPublish, planYank, type PublishInput } from "./plan.ts";
import type { Metadata } from "./metadata.ts";
import { catchAamError } from "../../test/helpers/errors.ts";

const NOW = new Date("2026-11-21T10:00:00.500Z");
const SUM = `sha256:${"a".repeat(64)}`;
const archive = new Uint8Array([1, 2, 3]);

function input(version: string, extra: Partial<PublishInput> = {}): PublishInput & { checksum: string } {
  return { archive, name: "@a/b", version, description: `d ${version}`, artifactTypes: ["prompts"], dependencies: {}, checksum: SUM, ...extra };
}

/** The metadata after publishing `versions` in order, planned without a file system. */
function published(...versions: string[]): Metadata {
  let meta: Metadata | null = null;
  for (const v of versions) meta = planPublish(meta, input(v), NOW, "t").metadata;
  return meta!;
}

describe("planPublish()", () => {
  test("planPublish() adds the archive, the version record and a package.publish event", () => {
    const c = planPublish(null, input("1.0.0"), NOW, "alice");
    expect(c.files).toEqual([{ rel: "packages/a--b/1.0.0.aam", data: archive }]);
    expect(c.metadata.versions).toEqual([{ version: "1.0.0", published: "2026-11-21T10:00:00Z", checksum: SUM, size: 3, dependencies: {}, yanked: false }]);
    expect(c.metadata.dist_tags).toEqual({ latest: "1.0.0" });
    expect(c.events).toEqual([{ event: "package.publish", package: "@a/b", version: "1.0.0", actor: "alice", details: { checksum: SUM, size: 3, tag: "latest" } }]);
  });

  test("planPublish() throws PolicyViolation for a version already published", () => {
    const err = catchAamError(() => planPublish(published("1.0.0"), input("1.0.0"), NOW, "t"));
    expect(err).toMatchObject({ code: "PolicyViolation", details: { package: "@a/b", version: "1.0.0" } });
  });

  test("planPublish() keeps the owners: only `aam owner` changes them", () => {
    const owned = { ...published("1.0.0"), owners: ["github:acme"] };
    expect(planPublish(owned, input("1.1.0"), NOW, "t").metadata.owners).toEqual(["github:acme"]);
    expect(planPublish(published("1.0.0"), input("1.1.0"), NOW, "t").metadata).not.toHaveProperty("owners");
  });

  test("planPublish() moves latest only forward, and keeps latest's description", () => {
    const meta = published("2.0.0", "1.5.0");
    expect(meta.dist_tags.latest).toBe("2.0.0");
    expect(meta.description).toBe("d 2.0.0");
    expect(meta.versions.map((v) => v.version)).toEqual(["1.5.0", "2.0.0"]);
  });

  test("planPublish() moves latest backwards when the tag is named", () => {
    const c = planPublish(published("2.0.0"), input("1.5.0", { tag: "latest" }), NOW, "t");
    expect(c.metadata.dist_tags.latest).toBe("1.5.0");
  });

  test("planPublish() writes the .sig and a signature.add event per signature, and published keys", () => {
    const sig = { algorithm: "ed25519" as const, key_fingerprint: "f".repeat(64), signed_at: "2026-11-21T10:00:00Z" };
    const c = planPublish(null, input("1.0.0", { sigText: "{}", signatures: [sig], keys: [{ fileName: "k.pem", text: "pem", fingerprint: "f".repeat(64) }] }), NOW, "t");
    expect(c.files.map((f) => f.rel)).toEqual(["packages/a--b/1.0.0.aam", "packages/a--b/1.0.0.sig", "keys/k.pem"]);
    expect(c.events.map((e) => e.event)).toEqual(["package.publish", "signature.add", "key.publish"]);
  });
});

describe("checkFolderOwner()", () => {
  test("checkFolderOwner() throws PolicyViolation when a--b's folder is changed for @a/b", () => {
    const other = { ...published("1.0.0"), name: "a--b" };
    const err = catchAamError(() => checkFolderOwner(other, "@a/b", { root: "/r", file: "/r/packages/a--b/metadata.yaml" }));
    expect(err).toMatchObject({ code: "PolicyViolation", details: { package: "@a/b", expected: "a--b", actual: "@a/b" } });
  });

  test("checkFolderOwner() accepts the owner and a new package", () => {
    expect(() => checkFolderOwner(published("1.0.0"), "@a/b", { root: "/r", file: "m" })).not.toThrow();
    expect(() => checkFolderOwner(null, "@a/b", { root: "/r", file: "m" })).not.toThrow();
  });
});

describe("planYank()", () => {
  test("planYank() marks only that version yanked", () => {
    const c = planYank(published("1.0.0", "1.1.0"), { name: "@a/b", version: "1.0.0" }, NOW, "t");
    expect(c.metadata.versions.map((v) => [v.version, v.yanked])).toEqual([["1.0.0", true], ["1.1.0", false]]);
    expect(c.events).toEqual([{ event: "version.yank", package: "@a/b", version: "1.0.0", actor: "t", details: {} }]);
    expect(c.files).toEqual([]);
  });

  test("planYank() throws NotFound for an unknown version or package", () => {
    expect(catchAamError(() => planYank(published("1.0.0"), { name: "@a/b", version: "9.9.9" }, NOW, "t")).code).toBe("NotFound");
    expect(catchAamError(() => planYank(null, { name: "@a/b", version: "1.0.0" }, NOW, "t")).code).toBe("NotFound");
  });
});

describe("dist-tag planners", () => {
  test("planDistTagAdd() points a tag at a published version", () => {
    const c = planDistTagAdd(published("1.0.0", "2.0.0"), { name: "@a/b", version: "1.0.0", tag: "stable" }, NOW, "t");
    expect(c.metadata.dist_tags).toEqual({ latest: "2.0.0", stable: "1.0.0" });
  });

  test("planDistTagRemove() refuses latest (UsageError) and unknown tags (NotFound)", () => {
    const meta = published("1.0.0");
    expect(catchAamError(() => planDistTagRemove(meta, { name: "@a/b", tag: "latest" }, NOW, "t")).code).toBe("UsageError");
    expect(catchAamError(() => planDistTagRemove(meta, { name: "@a/b", tag: "beta" }, NOW, "t")).code).toBe("NotFound");
  });
});

describe("planAddSignatures()", () => {
  const update = { sigText: "{}", packageHash: SUM, signatures: [{ algorithm: "sigstore" as const }], added: [{ algorithm: "sigstore" as const }] };

  test("planAddSignatures() records the signatures of the published archive", () => {
    const c = planAddSignatures(published("1.0.0"), { name: "@a/b", version: "1.0.0", update }, NOW, "t");
    expect(c.files.map((f) => f.rel)).toEqual(["packages/a--b/1.0.0.sig"]);
    expect(c.metadata.versions[0].signatures).toEqual([{ algorithm: "sigstore" }]);
  });

  test("planAddSignatures() throws TamperedPackage when the signed bytes are not the published archive", () => {
    const other = { ...update, packageHash: `sha256:${"b".repeat(64)}` };
    expect(catchAamError(() => planAddSignatures(published("1.0.0"), { name: "@a/b", version: "1.0.0", update: other }, NOW, "t")).code).toBe("TamperedPackage");
  });
});
