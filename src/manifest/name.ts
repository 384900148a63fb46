/**
 * Package names, file-system names and command-line package references (SPEC §1).
 *
 * The file-system name of `@author/pkg` is `author--pkg`. The mapping is not one-to-one: the name
 * regex allows `--` inside plain names and inside scopes, so `@a/b`, `a--b` (plain) and, for
 * longer names, `@a--b/c` and `@a/b--c` share a file-system name. AAM therefore never trusts a
 * folder name for identity: when a registry is read, `metadata.yaml`'s `name` (and the archive's
 * own `aam.yaml`, SPEC §6 step 2) is the authority, and `fromFsName` is only a best guess for
 * display. Writers must refuse a name whose file-system name is already taken by another name.
 */
import { AamError } from "../errors.ts";
import { isValidRange, isValidVersion } from "./semver.ts";

/** SPEC §1, exactly: `@author/my-package` or `my-package`, lowercase, each part at most 64 characters. */
export const NAME_RE = /^(@[a-z0-9][a-z0-9_-]{0,63}\/)?[a-z0-9][a-z0-9-]{0,63}$/;

const SCOPE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const BARE_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A dist-tag starts with a letter and is not itself a version or range (`x` and `X` are ranges). */
const TAG_RE = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

const NAME_HINT = "use lowercase letters, digits and '-', optionally scoped: @author/my-package";

export function isValidName(s: unknown): boolean {
  return typeof s === "string" && NAME_RE.test(s);
}

export function isValidTag(s: unknown): boolean {
  return typeof s === "string" && TAG_RE.test(s) && !isValidRange(s);
}

/**
 * `@author/my-package` → `author--my-package`; `my-package` → `my-package`.
 * @throws {AamError} UsageError for an invalid name, so no `/`, `..` or other path syntax can
 * ever reach a path built from the result.
 */
export function toFsName(name: string): string {
  if (!isValidName(name)) {
    throw new AamError("UsageError", `Invalid package name "${name}"`, { package: name, hint: NAME_HINT });
  }
  if (!name.startsWith("@")) return name;
  const slash = name.indexOf("/");
  return `${name.slice(1, slash)}--${name.slice(slash + 1)}`;
}

/**
 * Best guess at the package name of a file-system name: `author--x` → `@author/x` when the part
 * before the first `--` is a valid scope and the rest a valid name; otherwise the plain name.
 * Null when it maps to no valid name. See the module comment: prefer the name in metadata.yaml.
 */
export function fromFsName(fsName: string): string | null {
  const i = fsName.indexOf("--");
  if (i > 0) {
    const scope = fsName.slice(0, i);
    const bare = fsName.slice(i + 2);
    if (SCOPE_RE.test(scope) && BARE_RE.test(bare)) return `@${scope}/${bare}`;
  }
  return BARE_RE.test(fsName) ? fsName : null;
}

/** A parsed `name`, `name@1.2.3`, `name@^1.2.0` or `name@<dist-tag>`; at most one of version, range, tag. */
export interface PackageRef {
  name: string;
  /** An exact version. */
  version?: string;
  /** A range that is not an exact version (`^1.0.0`, `>=2.0.0`, `1.x`): install picks the highest match. */
  range?: string;
  /** A dist-tag such as `latest`, `stable`. None given means the caller's default (`latest`). */
  tag?: string;
}

/**
 * Parses a package reference from the command line.
 * @throws {AamError} UsageError for an invalid name or a suffix that is neither a version, a
 * range nor a dist-tag.
 * @example Reading references
 * ```ts
 * parsePackageRef("@a/b@1.0.0"); // { name: "@a/b", version: "1.0.0" }
 * parsePackageRef("tool@^1.2"); // { name: "tool", range: "^1.2" }
 * parsePackageRef("tool@next"); // { name: "tool", tag: "next" }
 * ```
 */
export function parsePackageRef(s: string): PackageRef {
  const ref = String(s).trim();
  // The "@" of a scope is at index 0; a version separator is any later "@".
  const at = ref.indexOf("@", 1);
  const name = at === -1 ? ref : ref.slice(0, at);
  const spec = at === -1 ? undefined : ref.slice(at + 1);
  if (!isValidName(name)) {
    const lower = name.toLowerCase();
    throw new AamError("UsageError", `Invalid package reference "${ref}": "${name}" is not a package name`, {
      package: name,
      hint: lower !== name && isValidName(lower) ? `names are lowercase: ${lower}${spec !== undefined ? `@${spec}` : ""}` : NAME_HINT,
    });
  }
  if (spec === undefined) return { name };
  if (isValidVersion(spec)) return { name, version: spec };
  if (/^v\d/i.test(spec) && isValidVersion(spec.slice(1))) {
    throw new AamError("UsageError", `Invalid package reference "${ref}": versions are written without "v"`, {
      package: name,
      hint: `${name}@${spec.slice(1)}`,
    });
  }
  if (isValidRange(spec)) return { name, range: spec.trim() };
  if (isValidTag(spec)) return { name, tag: spec };
  throw new AamError("UsageError", `Invalid package reference "${ref}": "${spec}" is not a version, range or dist-tag`, {
    package: name,
    hint: `write ${name}, ${name}@1.2.3, ${name}@^1.2.0 or ${name}@latest`,
  });
}
