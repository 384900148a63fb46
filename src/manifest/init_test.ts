import { describe, test, expect } from "bun:test";
import { manifestTemplate, scaffoldFiles } from "./init.ts";
import { parseManifest, checkArtifactPaths } from "./load.ts";
import { catchAamError } from "../../test/helpers/errors.ts";


describe("manifestTemplate()", () => {
  test("manifestTemplate() produces a valid manifest with one example skill", () => {
    const m = parseManifest(manifestTemplate({ name: "@me/tool", version: "1.0.0", description: "Does: things # really", author: "Me" }), "aam.yaml");
    expect(m).toMatchObject({ name: "@me/tool", version: "1.0.0", description: "Does: things # really", author: "Me" });
    expect(m.artifacts.skills).toEqual([{ name: "tool", path: "skills/tool/", description: "An example skill: edit SKILL.md" }]);
  });

  test("manifestTemplate() accepts an empty description and no author", () => {
    const m = parseManifest(manifestTemplate({ name: "tool", version: "0.1.0", description: "" }), "aam.yaml");
    expect(m.author).toBeUndefined();
  });

  test.each([
    [{ name: "Bad", version: "1.0.0", description: "" }, "name"],
    [{ name: "ok", version: "1", description: "" }, "version"],
    [{ name: "ok", version: "1.0.0", description: "x".repeat(300) }, "description"],
  ])("manifestTemplate() throws UsageError listing the bad field (%#)", (opts, field) => {
    const err = catchAamError(() => manifestTemplate(opts));
    expect(err.code).toBe("UsageError");
    expect(err.details.problems?.map((p) => p.path)).toContain(field);
  });
});

describe("scaffoldFiles()", () => {
  test("scaffoldFiles() writes aam.yaml and every artifact it names, so validate passes", () => {
    const files = scaffoldFiles({ name: "@me/my-package", version: "1.0.0", description: "x" });
    expect(Object.keys(files).sort()).toEqual(["aam.yaml", "skills/my-package/SKILL.md"]);
    const m = parseManifest(files["aam.yaml"], "aam.yaml");
    const dirs = new Set(Object.keys(files).flatMap((f) => f.split("/").slice(0, -1).map((_, i, a) => `${a.slice(0, i + 1).join("/")}/`)));
    expect(checkArtifactPaths(m, (p) => (files[p] !== undefined ? "file" : dirs.has(p) ? "dir" : false))).toEqual([]);
  });
});
