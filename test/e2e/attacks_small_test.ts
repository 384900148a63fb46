/**
 * Trust boundary, the small ones: each attack through the CLI next to a positive control
 * (the honest case still works).
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, errorName } from "../helpers.ts";

let dir: string;
beforeAll(() => {
  dir = tempDir("aam-attacks-");
});
afterAll(() => removeDir(dir));

const node = (args: string[], env: Record<string, string> = {}) => aam("node", args, { cwd: dir, home: dir, env: { AAM_PASSPHRASE: "x", ...env } });

describe("registry init never clobbers", () => {
  test("existing README and CI files are kept and named; the rest of the template is written", () => {
    const reg = join(dir, "init-kept");
    mkdirSync(join(reg, ".github", "workflows"), { recursive: true });
    writeFileSync(join(reg, "README.md"), "# my project\n");
    writeFileSync(join(reg, ".github", "workflows", "aam-verify.yml"), "name: mine\n");
    const r = node(["registry", "init", reg]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("kept existing README.md");
    expect(r.stdout).toContain("kept existing .github/workflows/aam-verify.yml");
    expect(readFileSync(join(reg, "README.md"), "utf8")).toBe("# my project\n");
    expect(readFileSync(join(reg, ".github", "workflows", "aam-verify.yml"), "utf8")).toBe("name: mine\n");
    expect(existsSync(join(reg, ".aam-ci", "verify.sh"))).toBe(true);
    expect(existsSync(join(reg, "registry.yaml"))).toBe(true);
    const j = JSON.parse(node(["registry", "init", join(dir, "init-json"), "--json"]).stdout);
    expect(j.kept).toEqual([]);
  });

  test("an existing registry is refused with a clear error and left byte-for-byte as it was", () => {
    const reg = join(dir, "init-twice");
    expect(node(["registry", "init", reg, "--name", "first"]).code).toBe(0);
    writeFileSync(join(reg, "README.md"), "edited\n");
    const before = readFileSync(join(reg, "registry.yaml"), "utf8");
    const r = node(["registry", "init", reg, "--name", "second"]);
    expect(r.code).toBe(2);
    expect(errorName(r.stderr)).toBe("UsageError");
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
    expect(readFileSync(join(reg, "registry.yaml"), "utf8")).toBe(before);
    expect(readFileSync(join(reg, "README.md"), "utf8")).toBe("edited\n");
  });
});
