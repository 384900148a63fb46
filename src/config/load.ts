/**
 * Finding and reading configuration files (SPEC §9): `$AAM_HOME/config.yaml` (the user's) and
 * `.aam/config.yaml` in the current folder (the project's; only the current folder is looked
 * at, not its parents, so a file higher up never changes trust settings by surprise).
 * Precedence: project > user > defaults, except that a project file `aam config trust-project`
 * has not recorded can only tighten security (project_policy.ts).
 */
import { fs, proc } from "../runtime/index.ts";
import { parseYaml } from "../encoding/yaml.ts";
import { sha256Hex } from "../encoding/sha256.ts";
import type { Config, ResolvedConfig } from "./schema.ts";
import { validateConfig } from "./validate.ts";
import { applyProjectConfig, type IgnoredSetting } from "./project_policy.ts";
import { isTrustedProject, readTrustedProjects } from "./trusted_projects.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export const CONFIG_FILE = "config.yaml";

export interface LoadedConfig {
  /** The configuration in effect: defaults < user < what the project file may change. */
  merged: ResolvedConfig;
  /** The user's file as written (only set keys); `{ security: {} }` when absent. */
  user: Config;
  /** The project's file as written, or null when there is none. */
  project: Config | null;
  userFile: string;
  projectFile: string;
  /** Whether `aam config trust-project` recorded this exact project file (then it applies whole). */
  projectTrusted: boolean;
  /** Project settings left out because the file is not trusted and they would loosen security. */
  ignored: IgnoredSetting[];
}

/** A project file read once: its real path, the bytes' SHA-256 and the configuration parsed from those bytes. */
export interface ProjectFile {
  realPath: string;
  sha256: string;
  text: string;
  config: Config;
}

/** `$AAM_HOME` (a leading `~` is expanded, a relative path made absolute) or `~/.aam`. */
export function aamHome(): string {
  const env = proc.env("AAM_HOME");
  if (!env) return fs.path.join(proc.homedir(), ".aam");
  const expanded = env === "~" ? proc.homedir() : env.startsWith("~/") ? fs.path.join(proc.homedir(), env.slice(2)) : env;
  return fs.path.resolve(expanded);
}

/** The project configuration file for a working folder. */
export function projectConfigFile(cwd: string): string {
  return fs.path.join(cwd, ".aam", CONFIG_FILE);
}

/**
 * Reads and checks one configuration file; null when it does not exist.
 * @throws {AamError} Error for YAML syntax errors or schema problems, naming the file.
 */
export async function readConfigFile(file: string): Promise<Config | null> {
  const text = await fs.readTextIfExists(file, DOCUMENT_LIMIT);
  if (text === null) return null;
  return validateConfig(parseYaml(text, file), file);
}

/**
 * Reads a project file once: the bytes are hashed and the same bytes parsed, so what is trusted
 * is exactly what applies (no check-then-reread). Null when there is no file, or when it is the
 * user's own file (run from the folder that holds `$AAM_HOME`, e.g. ~ with AAM_HOME=~/.aam).
 * @throws {AamError} Error when the file is not a regular file of at most 16 MiB, or not valid configuration.
 */
export async function readProjectFile(projectFile: string, userFile: string): Promise<ProjectFile | null> {
  const realPath = await fs.realPath(projectFile);
  if (realPath === null) return null;
  if (realPath === ((await fs.realPath(userFile)) ?? fs.path.resolve(userFile))) return null;
  // The real path is read, not the link: the recorded path names the bytes that were hashed.
  // One open of a regular file within the document limit (a FIFO or a folder is refused, never waited on).
  const bytes = await fs.readFileIfExists(realPath, DOCUMENT_LIMIT);
  if (bytes === null) return null;
  const text = new TextDecoder().decode(bytes);
  return { realPath, sha256: sha256Hex(bytes), text, config: validateConfig(parseYaml(text, projectFile), projectFile) };
}

/**
 * Loads the user's and the project's configuration and merges them over the defaults; an
 * untrusted project file only tightens (project_policy.ts). Missing files are fine.
 * @throws {AamError} Error when a file exists but is not valid YAML or has schema problems.
 */
export async function loadConfig(opts: { home?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const home = opts.home ?? aamHome();
  const cwd = opts.cwd ?? proc.cwd();
  const userFile = fs.path.join(home, CONFIG_FILE);
  const projectFile = projectConfigFile(cwd);
  const user = (await readConfigFile(userFile)) ?? { security: {} };
  const pf = await readProjectFile(projectFile, userFile);
  const project = pf?.config ?? null;
  const projectTrusted = pf !== null && isTrustedProject(await readTrustedProjects(home), pf.realPath, pf.sha256);
  const { effective, ignored } = applyProjectConfig(user, project, projectTrusted);
  return { merged: effective, user, project, userFile, projectFile, projectTrusted, ignored };
}
