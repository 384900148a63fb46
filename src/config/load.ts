/**
 * Finding and reading configuration files (SPEC §9): `$AAM_HOME/config.yaml` (the user's) and
 * `.aam/config.yaml` in the current folder (the project's; only the current folder is looked
 * at, not its parents, so a file higher up never changes trust settings by surprise).
 * Precedence: project > user > defaults; see merge.ts for how lists combine.
 */
import { fs, proc } from "../runtime/index.ts";
import { parseYaml } from "../encoding/yaml.ts";
import type { Config, ResolvedConfig } from "./schema.ts";
import { validateConfig } from "./validate.ts";
import { mergeConfigs, securityKeysSet } from "./merge.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export const CONFIG_FILE = "config.yaml";

export interface LoadedConfig {
  merged: ResolvedConfig;
  /** The user's file as written (only set keys); `{ security: {} }` when absent. */
  user: Config;
  /** The project's file, or null when there is none. */
  project: Config | null;
  userFile: string;
  projectFile: string;
  /** `security.*` keys the project file overrides: a cloned repository can change trust. */
  projectSecurityKeys: string[];
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
 * Loads the user's and the project's configuration and merges them over the defaults.
 * Missing files are fine.
 * @throws {AamError} Error when a file exists but is not valid YAML or has schema problems.
 */
export async function loadConfig(opts: { home?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const home = opts.home ?? aamHome();
  const cwd = opts.cwd ?? proc.cwd();
  const userFile = fs.path.join(home, CONFIG_FILE);
  const projectFile = projectConfigFile(cwd);
  const user = (await readConfigFile(userFile)) ?? { security: {} };
  // Run from the folder that holds $AAM_HOME (e.g. ~ with AAM_HOME=~/.aam), both names are one
  // file: read it once, as the user's.
  const project = fs.path.resolve(projectFile) === fs.path.resolve(userFile) ? null : await readConfigFile(projectFile);
  return { merged: mergeConfigs(user, project), user, project, userFile, projectFile, projectSecurityKeys: securityKeysSet(project) };
}
