import { describe, expect, test } from "bun:test";
import { BUILTIN_EXCLUDES, createIgnoreFilter } from "./ignore.ts";

describe("createIgnoreFilter()", () => {
  test("leaves out .git/, node_modules/, dist/, .aam/ and *.aam at any depth", () => {
    const skip = createIgnoreFilter(null);
    expect(BUILTIN_EXCLUDES).toContain("node_modules/");
    for (const [p, isDir] of [
      [".git", true],
      ["node_modules", true],
      ["skills/x/node_modules", true],
      ["dist", true],
      [".aam", true],
      ["old-1.0.0.aam", false],
      ["sub/pkg.aam", false],
    ] as const) {
      expect(skip(p, isDir)).toBe(true);
    }
  });

  test("keeps ordinary files, and a file named like an excluded folder", () => {
    const skip = createIgnoreFilter(null);
    expect(skip("aam.yaml", false)).toBe(false);
    expect(skip("skills/reviewer/SKILL.md", false)).toBe(false);
    expect(skip("dist", false)).toBe(false); // "dist/" names folders only
    expect(skip("notes.aam.md", false)).toBe(false);
  });

  test("applies .aamignore patterns, including negation", () => {
    const skip = createIgnoreFilter("*.log\nsecret/\n!keep.log\n");
    expect(skip("debug.log", false)).toBe(true);
    expect(skip("keep.log", false)).toBe(false);
    expect(skip("secret", true)).toBe(true);
    expect(skip("docs/a.md", false)).toBe(false);
  });

  test("never leaves out the root aam.yaml, whatever .aamignore says", () => {
    expect(createIgnoreFilter("aam.yaml\n*.yaml\n")("aam.yaml", false)).toBe(false);
    expect(createIgnoreFilter("*.yaml\n")("sub/aam.yaml", false)).toBe(true);
  });
});
