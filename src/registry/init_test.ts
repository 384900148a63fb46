import { test, expect, beforeEach, afterEach } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync, symlinkSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initRegistry } from "./init.ts";
import { TEMPLATE_FILES } from "./template_files.ts";

const now = new Date("2026-11-21T00:00:00Z");
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aam-init-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("initRegistry() writes every template file into an empty folder, executable where marked", async () => {
  const { kept } = await initRegistry(join(dir, "reg"), { name: "team", now });
  expect(kept).toEqual([]);
  for (const rel of Object.keys(TEMPLATE_FILES)) expect(existsSync(join(dir, "reg", rel))).toBe(true);
  expect(statSync(join(dir, "reg", ".aam-ci/verify.sh")).mode & 0o100).toBe(0o100);
  expect(readFileSync(join(dir, "reg", "registry.yaml"), "utf8")).toContain("name: team");
  expect(readdirSync(join(dir, "reg")).filter((n) => n.includes(".tmp"))).toEqual([]);
});

test("initRegistry() never overwrites a file already there and reports it as kept", async () => {
  const reg = join(dir, "reg");
  mkdirSync(join(reg, ".github", "workflows"), { recursive: true });
  writeFileSync(join(reg, "README.md"), "my own readme\n");
  writeFileSync(join(reg, "trusted-keys"), "# mine\n");
  writeFileSync(join(reg, ".github", "workflows", "aam-verify.yml"), "my workflow\n");
  const { kept } = await initRegistry(reg, { now });
  expect(kept.sort()).toEqual([".github/workflows/aam-verify.yml", "README.md", "trusted-keys"]);
  expect(readFileSync(join(reg, "README.md"), "utf8")).toBe("my own readme\n");
  expect(readFileSync(join(reg, "trusted-keys"), "utf8")).toBe("# mine\n");
  expect(readFileSync(join(reg, ".github", "workflows", "aam-verify.yml"), "utf8")).toBe("my workflow\n");
  expect(existsSync(join(reg, "registry.yaml"))).toBe(true);
});

test("initRegistry() does not write through a symbolic link planted at a template path", async () => {
  const reg = join(dir, "reg");
  mkdirSync(reg);
  writeFileSync(join(dir, "victim"), "precious\n");
  symlinkSync(join(dir, "victim"), join(reg, "README.md"));
  const { kept } = await initRegistry(reg, { now });
  expect(kept).toEqual(["README.md"]);
  expect(readFileSync(join(dir, "victim"), "utf8")).toBe("precious\n");
});

for (const existing of ["registry.yaml", "index.yaml", "audit.log", "packages/a--b/metadata.yaml"]) {
  test(`initRegistry() refuses a folder that already holds registry data (${existing}) and writes nothing`, async () => {
    const reg = join(dir, "reg");
    mkdirSync(join(reg, "packages", "a--b"), { recursive: true });
    writeFileSync(join(reg, existing), "x: 1\n");
    const before = readdirSync(reg).sort();
    let code = "";
    try {
      await initRegistry(reg, { now });
    } catch (e) {
      code = (e as { code: string }).code;
    }
    expect(code).toBe("UsageError");
    expect(readdirSync(reg).sort()).toEqual(before);
    expect(readFileSync(join(reg, existing), "utf8")).toBe("x: 1\n");
  });
}
