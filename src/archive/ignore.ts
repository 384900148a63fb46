/**
 * What `aam pkg pack` leaves out (SPEC §3): `.git/`, `node_modules/`, `dist/`, `.aam/`, earlier
 * `*.aam` archives, and whatever a `.aamignore` (gitignore syntax) at the package root names.
 * The built-in rules are gitignore patterns too, so they apply at any depth; `aam.yaml` at the root
 * is always kept. Pure: the caller reads `.aamignore`.
 */
import ignore from "ignore";

export const BUILTIN_EXCLUDES: readonly string[] = Object.freeze([".git/", "node_modules/", "dist/", ".aam/", "*.aam"]);

export const IGNORE_FILE = ".aamignore";

/** Answers whether a relative, "/"-separated path is left out of the archive. */
export type IgnoreFilter = (relPath: string, isDirectory: boolean) => boolean;

/**
 * Builds the filter from the `.aamignore` text (null when there is none).
 * @example
 * ```ts
 * const skip = createIgnoreFilter("*.log\n");
 * skip("debug.log", false); // true
 * skip("node_modules", true); // true
 * ```
 */
export function createIgnoreFilter(aamignore: string | null): IgnoreFilter {
  const ig = ignore().add(BUILTIN_EXCLUDES as string[]);
  if (aamignore !== null) ig.add(aamignore);
  return (relPath, isDirectory) => {
    if (relPath === "aam.yaml") return false; // the manifest is what makes the folder a package
    return ig.ignores(isDirectory ? `${relPath}/` : relPath);
  };
}
