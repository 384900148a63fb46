/** `aam registry init`: a new registry tree made from registry-template/ (SPEC §4). */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { serializeRegistryFile } from "./registry_file.ts";
import { REGISTRY_FILE } from "./layout.ts";

/** Finds registry-template/ beside the package root, from src/registry/ or from dist/. */
export async function findTemplateDir(): Promise<string> {
  let dir = fs.path.dirname(fs.fromFileUrl(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const cand = fs.path.join(dir, "registry-template");
    if (await fs.stat(fs.path.join(cand, REGISTRY_FILE))) return cand;
    dir = fs.path.dirname(dir);
  }
  throw new AamError("NotFound", "Cannot find registry-template/ next to the aam installation", {
    hint: "reinstall aam (npm ci) so that registry-template/ is present",
  });
}

async function copyTree(from: string, to: string): Promise<void> {
  await fs.mkdirp(to);
  for (const e of await fs.readDir(from)) {
    const src = fs.path.join(from, e.name);
    const dst = fs.path.join(to, e.name);
    if (e.isDirectory) await copyTree(src, dst);
    else if (e.isFile) await fs.copyFile(src, dst);
  }
}

export interface InitOptions {
  name?: string;
  description?: string;
  requireSignatures?: boolean;
  now: Date;
}

export async function initRegistry(dir: string, opts: InitOptions): Promise<void> {
  if (await fs.stat(fs.path.join(dir, REGISTRY_FILE))) {
    throw new AamError("UsageError", `Cannot create a registry in "${dir}": one is already there`, {
      file: fs.path.join(dir, REGISTRY_FILE),
      hint: `use it with \`aam registry add <name> ${dir}\`, or pick an empty folder`,
    });
  }
  await copyTree(await findTemplateDir(), dir);
  await fs.writeFileAtomic(
    fs.path.join(dir, REGISTRY_FILE),
    serializeRegistryFile({
      name: opts.name ?? fs.path.basename(fs.path.resolve(dir)),
      description: opts.description ?? "",
      api_version: 1,
      created_at: opts.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      require_signatures: Boolean(opts.requireSignatures),
    }),
  );
}
