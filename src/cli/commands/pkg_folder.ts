/**
 * `aam pkg validate` and `aam pkg pack`'s work on a package folder: its aam.yaml checked, then the
 * folder packed into its output file. Apart from pkg_sign.ts, so `pkg pack` loads no signing or
 * registry code.
 */
import type { Context } from "../context.ts";
import { AamError, type Problem } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { parseYaml } from "../../encoding/yaml.ts";
import { validateManifest } from "../../manifest/validate.ts";
import { checkArtifactPaths } from "../../manifest/load.ts";
import type { Manifest } from "../../manifest/schema.ts";
import { toFsName } from "../../manifest/name.ts";
import { packToFile } from "../../archive/index.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";

export interface Validated {
  manifest?: Manifest;
  problems: Problem[];
  warnings: Problem[];
  file: string;
}

export async function validateFolder(dir: string): Promise<Validated> {
  const file = fs.path.join(dir, "aam.yaml");
  const text = await fs.readTextIfExists(file, DOCUMENT_LIMIT);
  if (text === null) {
    throw new AamError("NotFound", `Cannot find aam.yaml in "${dir}"`, { file, hint: `aam pkg init ${dir} --name <name>` });
  }
  const v = validateManifest(parseYaml(text, file));
  const problems = [...v.problems];
  if (v.manifest) {
    const kinds = new Map<string, "file" | "dir">();
    for (const [kind, list] of Object.entries(v.manifest.artifacts)) {
      for (const a of list ?? []) {
        const st = await fs.stat(fs.path.join(dir, ...a.path.replace(/\/$/, "").split("/")));
        if (st?.isDirectory) kinds.set(a.path, "dir");
        else if (st?.isFile) kinds.set(a.path, "file");
        void kind;
      }
    }
    problems.push(...checkArtifactPaths(v.manifest, (p: string) => kinds.get(p) ?? false));
  }
  return { manifest: problems.length === 0 ? v.manifest : undefined, problems, warnings: v.warnings ?? [], file };
}

export function requireValid(v: Validated): Manifest {
  if (!v.manifest) {
    throw new AamError("Error", `Invalid manifest "${v.file}": ${v.problems.length} problem(s)`, {
      file: v.file,
      problems: v.problems,
      hint: "fix the fields named above, then run `aam pkg validate`",
    });
  }
  return v.manifest;
}

async function outputPath(dir: string, output: string | undefined, m: Manifest, cwd: string): Promise<string> {
  const fileName = `${toFsName(m.name)}-${m.version}.aam`;
  if (!output) return fs.path.join(dir, "dist", fileName);
  const abs = fs.path.resolve(cwd, output);
  const st = await fs.stat(abs);
  if (st?.isDirectory || output.endsWith("/")) return fs.path.join(abs, fileName);
  return abs;
}

/** Packs the folder straight into its output file (streamed: memory does not grow with the package). */
export async function packFolder(ctx: Context, dir: string, output?: string) {
  const manifest = requireValid(await validateFolder(dir));
  const file = await outputPath(dir, output, manifest, ctx.cwd);
  await fs.mkdirp(fs.path.dirname(file));
  try {
    const packed = await packToFile(dir, file, { onProgress: (n: number) => ctx.out.progress("Packing", n) });
    return { manifest, file, ...packed };
  } finally {
    ctx.out.clearProgress();
  }
}
