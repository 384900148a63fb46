import { describe, test, expect } from "bun:test";
import { parseYaml } from "../encoding/yaml.ts";
import { validateManifest, artifactPathProblem, isLicenseExpression } from "./validate.ts";

const GOOD = {
  name: "@author/my-package",
  version: "1.0.0",
  description: "What it does",
  author: "author",
  license: "Apache-2.0",
  repository: "https://example.org/repo",
  keywords: ["audit", "review"],
  artifacts: {
    skills: [{ name: "reviewer", path: "skills/reviewer/", description: "Reviews" }],
    agents: [],
    prompts: [{ name: "finding", path: "prompts/finding.md" }],
    instructions: [],
  },
  dependencies: { "@author/base": "^1.0.0", plain: "*" },
};

const paths = (v: { problems: { path: string }[] }) => v.problems.map((p) => p.path);

describe("validateManifest()", () => {
  test("validateManifest() accepts the SPEC §2 example with no problems and no warnings", () => {
    const v = validateManifest(structuredClone(GOOD));
    expect(v.problems).toEqual([]);
    expect(v.warnings).toEqual([]);
    expect(v.manifest).toEqual(GOOD);
  });

  test("validateManifest() reads the SPEC §2 example YAML (unquoted version 1.0.0)", () => {
    const text = `name: "@author/my-package"\nversion: 1.0.0\ndescription: "What it does"\nartifacts:\n  skills: [{name: reviewer, path: skills/reviewer/, description: "..."}]\n  agents: []\n  instructions:\n`;
    const v = validateManifest(parseYaml(text, "aam.yaml"));
    expect(v.problems).toEqual([]);
    expect(v.manifest?.artifacts).toEqual({ skills: [{ name: "reviewer", path: "skills/reviewer/", description: "..." }], agents: [], prompts: [], instructions: [] });
  });

  test("validateManifest() reports several problems at once, each with its field path", () => {
    const v = validateManifest({
      name: "Bad Name",
      version: "one",
      description: "x".repeat(257),
      license: "MIT OR",
      repository: "not a url",
      keywords: ["ok", 3],
      artifacts: {
        skills: [{ name: "s", path: "../escape" }, { name: "Bad", path: "/abs" }, "str"],
        tools: [],
      },
      dependencies: { "@a/b": "^^1", "Bad/Name": "1.0.0", "@c/d": 2 },
    });
    expect(paths(v).sort()).toEqual(
      [
        "name",
        "version",
        "description",
        "license",
        "repository",
        "keywords[1]",
        "artifacts.skills[0].path",
        "artifacts.skills[1].name",
        "artifacts.skills[1].path",
        "artifacts.skills[2]",
        "artifacts.tools",
        'dependencies["@a/b"]',
        'dependencies["Bad/Name"]',
        'dependencies["@c/d"]',
      ].sort(),
    );
  });

  test("validateManifest() reports missing required fields", () => {
    expect(paths(validateManifest({})).sort()).toEqual(["artifacts", "description", "name", "version"]);
  });

  test("validateManifest() reports a non-mapping document at (root)", () => {
    for (const doc of [null, "text", [1], 3]) {
      const v = validateManifest(doc);
      expect(paths(v)).toEqual(["(root)"]);
      expect(v.manifest).toBeUndefined();
    }
  });

  test("validateManifest() explains that YAML read `version: 1.0` as a number", () => {
    const v = validateManifest(parseYaml("version: 1.0\n", "aam.yaml"));
    const p = v.problems.find((x) => x.path === "version");
    expect(p?.message).toContain("quote");
  });

  test("validateManifest() requires at least one artifact in all", () => {
    const v = validateManifest({ ...GOOD, artifacts: { skills: [], agents: [], prompts: [], instructions: [] } });
    expect(paths(v)).toEqual(["artifacts"]);
  });

  test("validateManifest() refuses duplicate artifact names within a kind", () => {
    const v = validateManifest({ ...GOOD, artifacts: { skills: [{ name: "a", path: "a.md" }, { name: "a", path: "b.md" }] } });
    expect(paths(v)).toEqual(["artifacts.skills[1].name"]);
  });

  test("validateManifest() refuses a dependency on the package itself", () => {
    const v = validateManifest({ ...GOOD, dependencies: { "@author/my-package": "*" } });
    expect(paths(v)).toEqual(['dependencies["@author/my-package"]']);
  });

  test("validateManifest() warns about unknown fields and suggests the likely one", () => {
    const v = validateManifest({ ...GOOD, dependency: {}, homepage: "x", artifacts: { skills: [{ name: "a", path: "a.md", extra: 1 }] } });
    expect(v.problems).toEqual([]);
    expect(v.warnings.map((w) => w.path).sort()).toEqual(["artifacts.skills[0].extra", "dependency", "homepage"]);
    expect(v.warnings.find((w) => w.path === "dependency")?.message).toContain('"dependencies"');
  });

  test("validateManifest() warns about an empty description but accepts it", () => {
    const v = validateManifest({ ...GOOD, description: "" });
    expect(v.problems).toEqual([]);
    expect(v.warnings.map((w) => w.path)).toEqual(["description"]);
  });

  test("validateManifest() keeps well-formed artifacts in the best-effort manifest when other fields fail", () => {
    const v = validateManifest({ name: "Bad", version: "1.0.0", description: "d", artifacts: { skills: [{ name: "s", path: "skills/s/" }, { name: "t", path: "../t" }] } });
    expect(paths(v)).toEqual(["name", "artifacts.skills[1].path"]);
    expect(v.manifest?.artifacts.skills).toEqual([{ name: "s", path: "skills/s/" }]);
  });
});

describe("artifactPathProblem()", () => {
  test.each(["skills/a/", "prompts/x.md", "a", "./a.md", "a/b/c.txt"])("artifactPathProblem(%p) accepts a safe relative path", (p) => {
    expect(artifactPathProblem(p)).toBeUndefined();
  });

  test.each(["", "/etc/passwd", "C:/x", "..", "../x", "a/../b", "a/..", "a\\b", "a//b", "a\u0000b"])("artifactPathProblem(%p) refuses it", (p) => {
    expect(artifactPathProblem(p)).toBeString();
  });
});

describe("isLicenseExpression()", () => {
  test.each(["MIT", "Apache-2.0", "GPL-2.0-or-later", "GPL-2.0+", "MIT OR Apache-2.0", "(MIT AND BSD-3-Clause) OR Apache-2.0", "GPL-2.0-only WITH Classpath-exception-2.0", "LicenseRef-mine", "SEE LICENSE IN LICENSE.txt", "UNLICENSED"])(
    "isLicenseExpression(%p) is true",
    (s) => expect(isLicenseExpression(s)).toBe(true),
  );
  test.each(["", "MIT OR", "(MIT", "MIT)", "AND MIT", "MIT Apache-2.0", "MIT; rm -rf", "()"])("isLicenseExpression(%p) is false", (s) =>
    expect(isLicenseExpression(s)).toBe(false),
  );
});
