import { describe, test, expect } from "bun:test";
import { parseManifest, checkArtifactPaths, type PathKind } from "./load.ts";
import type { Manifest } from "./schema.ts";
import { catchAamError } from "../../test/helpers/errors.ts";


const TEXT = `name: "@a/b"\nversion: "1.2.3"\ndescription: "d"\nartifacts:\n  prompts:\n    - {name: p, path: prompts/p.md}\n`;

describe("parseManifest()", () => {
  test("parseManifest() returns the manifest of valid text", () => {
    const m = parseManifest(TEXT, "aam.yaml");
    expect(m).toMatchObject({ name: "@a/b", version: "1.2.3", artifacts: { prompts: [{ name: "p", path: "prompts/p.md" }], skills: [] } });
  });

  test("parseManifest() throws Error with every problem and the file", () => {
    const err = catchAamError(() => parseManifest(`name: X\nversion: 1.0\nartifacts: {}\n`, "pkg/aam.yaml"));
    expect(err.code).toBe("Error");
    expect(err.details.file).toBe("pkg/aam.yaml");
    expect(err.details.hint).toBeTruthy();
    expect(err.details.problems?.map((p) => p.path).sort()).toEqual(["artifacts", "description", "name", "version"]);
  });

  test("parseManifest() throws Error naming the file for YAML syntax errors", () => {
    const err = catchAamError(() => parseManifest("name: [unclosed\n", "x.aam!aam.yaml"));
    expect(err).toMatchObject({ code: "Error", details: { file: "x.aam!aam.yaml" } });
  });
});

describe("checkArtifactPaths()", () => {
  const m: Pick<Manifest, "artifacts"> = {
    artifacts: {
      skills: [{ name: "s", path: "skills/s/" }, { name: "f", path: "skills/f/" }],
      agents: [{ name: "a", path: "agents/a.md" }],
      prompts: [{ name: "p", path: "prompts/p.md" }, { name: "d", path: "prompts/dir" }],
      instructions: [],
    },
  };
  const fsView: Record<string, PathKind> = { "skills/s/": "dir", "skills/f/": "file", "prompts/p.md": true, "prompts/dir": "dir" };

  test("checkArtifactPaths() reports a missing path and a file where a folder is required", () => {
    const problems = checkArtifactPaths(m, (p) => fsView[p] ?? false);
    expect(problems.map((p) => p.path)).toEqual(["artifacts.skills[1].path", "artifacts.agents[0].path"]);
  });

  test("checkArtifactPaths() reports nothing when every path exists", () => {
    expect(checkArtifactPaths(m, (p) => (p.endsWith("/") ? "dir" : "file"))).toEqual([]);
  });
});
