/**
 * `$AAM_HOME/state/trusted-projects.json`: the project files `aam config trust-project` recorded
 * (SPEC §9), each by its real path (symbolic links resolved) and the SHA-256 of the exact bytes
 * that were shown and parsed. A file whose bytes change is untrusted again.
 *
 * The state file is the user's; still, one that cannot be read as expected trusts nothing
 * (failing closed), and `trust-project` then writes a fresh one.
 */
import { fs } from "../runtime/index.ts";
import { AamError } from "../errors.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export const TRUSTED_PROJECTS_FILE = "trusted-projects.json";

export interface TrustedProject {
  /** Real path of the project's `.aam/config.yaml`. */
  path: string;
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string;
  trusted_at: string;
}

export function trustedProjectsFile(home: string): string {
  return fs.path.join(home, "state", TRUSTED_PROJECTS_FILE);
}

function isEntry(v: unknown): v is TrustedProject {
  const e = v as TrustedProject;
  return typeof v === "object" && v !== null && typeof e.path === "string" && typeof e.sha256 === "string" && /^[0-9a-f]{64}$/.test(e.sha256) && typeof e.trusted_at === "string";
}

/** The recorded projects; none when the file is missing or not what `trust-project` writes. */
export async function readTrustedProjects(home: string): Promise<TrustedProject[]> {
  const file = trustedProjectsFile(home);
  let bytes: Uint8Array | null;
  try {
    bytes = await fs.readFileIfExists(file, DOCUMENT_LIMIT);
  } catch (e) {
    if (e instanceof AamError) return []; // too large or not a file: nothing is trusted
    throw e;
  }
  if (bytes === null) return [];
  try {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as { projects?: unknown };
    return Array.isArray(doc?.projects) ? doc.projects.filter(isEntry) : [];
  } catch {
    // Not JSON: trust nothing rather than fail every command in every project.
    return [];
  }
}

/** Is this exact file (real path and content hash) recorded as trusted? */
export function isTrustedProject(list: TrustedProject[], realPath: string, sha256: string): boolean {
  return list.some((p) => p.path === realPath && p.sha256 === sha256);
}

/** Records a project file as trusted, replacing an earlier record of the same path; written atomically. */
export async function recordTrustedProject(home: string, realPath: string, sha256: string, now: Date): Promise<string> {
  const file = trustedProjectsFile(home);
  const projects = (await readTrustedProjects(home)).filter((p) => p.path !== realPath);
  projects.push({ path: realPath, sha256, trusted_at: now.toISOString() });
  await fs.mkdirp(fs.path.dirname(file), 0o700);
  await fs.writeFileAtomic(file, JSON.stringify({ version: 1, projects }, null, 2) + "\n", { mode: 0o600 });
  return file;
}
