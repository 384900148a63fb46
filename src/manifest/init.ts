/**
 * `aam pkg init` content (SPEC §2, §10): a commented `aam.yaml` and one example skill, so that
 * `aam pkg validate` passes straight after `aam pkg init`.
 */
import { AamError } from "../errors.ts";
import { parseYaml } from "../encoding/yaml.ts";
import { validateManifest } from "./validate.ts";

export interface InitOptions {
  name: string;
  version: string;
  description: string;
  author?: string;
}

// JSON strings are valid YAML double-quoted scalars, so any text (quotes, '#', ': ') stays data.
const q = (s: string): string => JSON.stringify(s);

function skillName(name: string): string {
  return name.slice(name.indexOf("/") + 1);
}

function skillPath(name: string): string {
  return `skills/${skillName(name)}/`;
}

/**
 * The text of a new `aam.yaml`.
 * @throws {AamError} UsageError when the options would not make a valid manifest (bad name,
 * version, or a description over 256 characters), with every problem listed.
 */
export function manifestTemplate(opts: InitOptions): string {
  const author = opts.author?.trim();
  const text = [
    "# AAM package manifest. Check it with `aam pkg validate`, pack it with `aam pkg pack`.",
    `name: ${q(opts.name)}`,
    `version: ${q(opts.version)}`,
    `description: ${q(opts.description)}   # at most 256 characters`,
    author ? `author: ${q(author)}` : "# author: your-name",
    "# license: Apache-2.0                  # an SPDX identifier",
    "# repository: https://example.org/repo",
    "keywords: []",
    "artifacts:                             # at least one artifact in all; paths are relative, '/' ends a folder",
    "  skills:",
    `    - name: ${q(skillName(opts.name))}`,
    `      path: ${q(skillPath(opts.name))}`,
    `      description: ${q("An example skill: edit SKILL.md")}`,
    "  agents: []",
    "  prompts: []",
    "  instructions: []",
    "# dependencies:                        # package name: version range (1.2.3, >=1.2.3, ^1.2.3, ~1.2.3, *)",
    '#   "@author/base": "^1.0.0"',
    "",
  ].join("\n");
  const v = validateManifest(parseYaml(text, "aam.yaml"));
  if (v.problems.length > 0) {
    throw new AamError("UsageError", `Cannot create a package "${opts.name}": ${v.problems.map((p) => `${p.path} ${p.message}`).join("; ")}`, {
      problems: v.problems,
      hint: "aam pkg init --name @author/my-package --version 1.0.0 --description 'What it does'",
    });
  }
  return text;
}

/**
 * Every file `aam pkg init` writes, by relative path: `aam.yaml` and the example skill.
 * @throws {AamError} UsageError as manifestTemplate does.
 */
export function scaffoldFiles(opts: InitOptions): Record<string, string> {
  const name = skillName(opts.name);
  const about = opts.description.trim() || `What ${name} does and when to use it`;
  return {
    "aam.yaml": manifestTemplate(opts),
    [`${skillPath(opts.name)}SKILL.md`]: [
      "---",
      `name: ${q(name)}`,
      `description: ${q(about)}`,
      "---",
      "",
      `# ${name}`,
      "",
      "Describe what this skill does, when an agent should use it, and the steps to follow.",
      "",
    ].join("\n"),
  };
}
