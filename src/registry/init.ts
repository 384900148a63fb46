/** `aam registry init`: a new registry tree made from registry-template/, embedded in the program (SPEC §4). */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { serializeRegistryFile } from "./registry_file.ts";
import { AUDIT_LOG_FILE, INDEX_FILE, PACKAGES_DIR, REGISTRY_FILE } from "./layout.ts";
import { TEMPLATE_FILES } from "./template_files.ts";

export interface InitOptions {
  name?: string;
  description?: string;
  requireSignatures?: boolean;
  now: Date;
}

export interface InitResult {
  /** Template files (relative, '/'-separated) that were already there and were left untouched. */
  kept: string[];
}

/** The files whose presence means `dir` already is (or was) a registry: init refuses rather than mixing. */
async function existingRegistryData(dir: string): Promise<string | null> {
  for (const f of [REGISTRY_FILE, INDEX_FILE, AUDIT_LOG_FILE]) {
    if (await fs.stat(fs.path.join(dir, f))) return f;
  }
  const pkgs = await fs.readDirIfExists(fs.path.join(dir, PACKAGES_DIR)).catch(() => []);
  if (pkgs.some((e) => e.name !== ".gitkeep")) return `${PACKAGES_DIR}/`;
  return null;
}

function alreadyThere(dir: string, what: string): AamError {
  return new AamError("UsageError", `Cannot create a registry in "${dir}": one is already there (${what} exists)`, {
    file: fs.path.join(dir, what),
    hint: `use it with \`aam registry add <name> ${dir}\`, or pick an empty folder`,
  });
}

/**
 * Writes registry-template/ into `dir` like `git init`: a file already there (a README, CI files,
 * trusted-keys...) is never overwritten and is reported in `kept`; a folder that already holds
 * registry data is refused before anything is written. Each file appears whole or not at all
 * (temp file, then link(2), which fails rather than replace), and registry.yaml comes last, so an
 * interrupted init is not mistaken for a registry and can simply be run again.
 */
export async function initRegistry(dir: string, opts: InitOptions): Promise<InitResult> {
  const existing = await existingRegistryData(dir);
  if (existing) throw alreadyThere(dir, existing);
  const kept: string[] = [];
  for (const [rel, f] of Object.entries(TEMPLATE_FILES)) {
    if (rel === REGISTRY_FILE) continue; // written below with this registry's values
    const p = fs.path.join(dir, ...rel.split("/"));
    await fs.mkdirp(fs.path.dirname(p));
    if (!(await fs.createExclusiveComplete(p, f.text, f.executable ? 0o755 : 0o644))) kept.push(rel);
  }
  const created = await fs.createExclusiveComplete(
    fs.path.join(dir, REGISTRY_FILE),
    serializeRegistryFile({
      name: opts.name ?? fs.path.basename(fs.path.resolve(dir)),
      description: opts.description ?? "",
      api_version: 1,
      created_at: opts.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      require_signatures: Boolean(opts.requireSignatures),
    }),
  );
  if (!created) throw alreadyThere(dir, REGISTRY_FILE);
  return { kept };
}
