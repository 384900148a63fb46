/**
 * Reading `aam.yaml` text into a Manifest (SPEC §2), and the check that every artifact path
 * exists. Pure: the caller reads the file and answers the existence questions.
 */
import { AamError, type Problem } from "../errors.ts";
import { parseYaml } from "../encoding/yaml.ts";
import type { Manifest } from "./schema.ts";
import { validateManifest } from "./validate.ts";

/**
 * Parses and validates manifest text.
 * @param file named in errors (a path, or `archive.aam!aam.yaml`)
 * @throws {AamError} Error for YAML syntax errors and for schema problems, with `problems` holding
 * every problem and its field path.
 */
export function parseManifest(text: string, file: string): Manifest {
  const v = validateManifest(parseYaml(text, file));
  if (v.problems.length > 0 || !v.manifest) {
    const n = v.problems.length;
    throw new AamError("Error", `Invalid manifest "${file}": ${n} problem${n === 1 ? "" : "s"}`, {
      file,
      problems: v.problems,
      hint: "fix the fields named above, then run `aam pkg validate`",
    });
  }
  return v.manifest;
}

/** What a path is: true (exists, kind unknown), "file", "dir", or false (absent, or neither kind, e.g. a link). */
export type PathKind = boolean | "file" | "dir";

/**
 * Problems for artifact paths that do not exist in the package folder. A path that ends with
 * `/` must be a folder. The CLI passes a checker backed by the file system (lstat, so a
 * symbolic link, which pack refuses, answers false).
 */
export function checkArtifactPaths(manifest: Pick<Manifest, "artifacts">, exists: (relPath: string) => PathKind): Problem[] {
  const problems: Problem[] = [];
  for (const [kind, list] of Object.entries(manifest.artifacts)) {
    (list ?? []).forEach((a, i) => {
      const path = `artifacts.${kind}[${i}].path`;
      const found = exists(a.path);
      if (found === false) problems.push({ path, message: `"${a.path}" does not exist in the package folder (or is not a regular file or folder)` });
      else if (a.path.endsWith("/") && found === "file") problems.push({ path, message: `"${a.path}" ends with '/' but is a file, not a folder` });
    });
  }
  return problems;
}
