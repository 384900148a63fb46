/** `aam registry init`: a new registry tree made from registry-template/, embedded in the program (SPEC §4). */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { serializeRegistryFile } from "./registry_file.ts";
import { REGISTRY_FILE } from "./layout.ts";
import { TEMPLATE_FILES } from "./template_files.ts";

/** Writes the embedded registry-template/ into `dir`. */
async function writeTemplate(dir: string): Promise<void> {
  for (const [rel, f] of Object.entries(TEMPLATE_FILES)) {
    if (rel === REGISTRY_FILE) continue; // written below with this registry's values
    const p = fs.path.join(dir, ...rel.split("/"));
    await fs.mkdirp(fs.path.dirname(p));
    await fs.writeFileAtomic(p, f.text, { mode: f.executable ? 0o755 : 0o644 });
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
  await writeTemplate(dir);
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
