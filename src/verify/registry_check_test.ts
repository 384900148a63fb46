import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packDirectory } from "../archive/index.ts";
import { initRegistry } from "../registry/init.ts";
import { publishVersion } from "../registry/writer.ts";
import { RegistryReader } from "../registry/reader.ts";
import { fileSource } from "../registry/source_fs.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import { verifyRegistry } from "./registry_check.ts";

const now = new Date("2026-11-21T00:00:00Z");
const policy: TrustPolicy = {
  trustedKeys: [],
  revokedKeys: [],
  trustedIdentities: [],
  allowedIssuers: [],
  signingDelegates: {},
  requireSignature: false,
  onSignatureFailure: "warn",
};
// More versions than one batch (registry_check.ts BATCH_VERSIONS = 64), so failures span two.
const VERSIONS = Array.from({ length: 70 }, (_, i) => `1.0.${i}`);
let dir: string;
let root: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aam-regcheck-"));
  root = join(dir, "reg");
  await initRegistry(root, { now });
  for (const version of VERSIONS) {
    const src = join(dir, `src-${version}`);
    mkdirSync(join(src, "prompts"), { recursive: true });
    writeFileSync(join(src, "aam.yaml"), `name: "@t/many"\nversion: "${version}"\ndescription: d\nartifacts:\n  prompts: [{name: x, path: prompts/x.md}]\n`);
    writeFileSync(join(src, "prompts", "x.md"), `version ${version}\n`);
    const { bytes } = await packDirectory(src);
    await publishVersion(root, { archive: bytes, name: "@t/many", version, description: "d", artifactTypes: ["prompts"], dependencies: {} }, { now, actor: "test" });
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verify = () => verifyRegistry(new RegistryReader(fileSource(root)), policy);

describe("verifyRegistry()", () => {
  test("checks every version, in batches", async () => {
    const r = await verify();
    expect(r).toMatchObject({ ok: true, packages: 1, versions: VERSIONS.length, unsigned: VERSIONS.length, failures: [] });
  });

  test("reports failures in version order, across batches and whatever failed first", async () => {
    const file = (v: string) => join(root, "packages", "t--many", `${v}.aam`);
    const flip = (v: string) => {
      const b = readFileSync(file(v));
      b[b.length - 20] ^= 1;
      writeFileSync(file(v), b);
    };
    flip("1.0.68"); // second batch
    rmSync(file("1.0.40")); // fails before its archive is read
    flip("1.0.3");
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => `${f.subject}:${f.code}`)).toEqual([
      "@t/many@1.0.3:TamperedPackage",
      "@t/many@1.0.40:NotFound",
      "@t/many@1.0.68:TamperedPackage",
    ]);
    expect(r.unsigned).toBe(VERSIONS.length - 3);
  });
});
