/**
 * History that must not be undone (SPEC §5a "Attest refuses changes since the last snapshot that
 * undo history"): a version removed, a checksum changed, a yank or reject undone, a dist-tag moved
 * to a lower version. Each is refused unless its package is named with `--allow-rewind <pkg>`.
 */
import { AamError } from "../errors.ts";
import { compareVersions, isValidVersion } from "../manifest/semver.ts";
import type { Metadata } from "../registry/metadata.ts";
import { ownValue } from "./_fields.ts";
import type { PackageRecord } from "./types.ts";

export type RewindKind = "version-removed" | "checksum-changed" | "unyanked" | "unrejected" | "tag-lowered";

export interface Rewind {
  package: string;
  kind: RewindKind;
  version?: string;
  tag?: string;
  /** What the last snapshot says (a checksum or, for a tag, its version). */
  before?: string;
  /** What metadata.yaml says now. */
  after?: string;
}

/**
 * The changes from the last snapshot's record to the package's metadata.yaml that undo history.
 * @param pkg The package name, as `--allow-rewind` takes it.
 * @param before The record in the last snapshot (undefined: the package is new, nothing to undo).
 * @param now metadata.yaml as it is, or null when the package is gone from the registry.
 */
export function findRewinds(pkg: string, before: PackageRecord | undefined, now: Metadata | null): Rewind[] {
  if (!before) return [];
  const out: Rewind[] = [];
  const current = new Map((now?.versions ?? []).map((v) => [v.version, v]));
  for (const [version, was] of Object.entries(before.versions)) {
    const is = current.get(version);
    if (!is) {
      out.push({ package: pkg, kind: "version-removed", version, before: was.checksum });
      continue;
    }
    if (is.checksum !== was.checksum) out.push({ package: pkg, kind: "checksum-changed", version, before: was.checksum, after: is.checksum });
    if (was.yanked && !is.yanked) out.push({ package: pkg, kind: "unyanked", version });
    if (was.rejected && !is.rejected) out.push({ package: pkg, kind: "unrejected", version, before: was.rejected.reason });
  }
  for (const [tag, was] of Object.entries(before.dist_tags)) {
    const is = now ? ownValue(now.dist_tags, tag) : undefined;
    // A removed tag is not a rewind (`aam dist-tag rm`); a tag on something that is not a version cannot be ordered, so it counts as lowered.
    if (is === undefined) continue;
    if (!isValidVersion(is) || compareVersions(is, was) < 0) out.push({ package: pkg, kind: "tag-lowered", tag, before: was, after: is });
  }
  return out;
}

/** One line per rewind, for reports and the error's problems. */
export function describeRewind(r: Rewind): string {
  switch (r.kind) {
    case "version-removed":
      return `${r.package}@${r.version} was removed`;
    case "checksum-changed":
      return `${r.package}@${r.version} changed checksum from ${r.before} to ${r.after}`;
    case "unyanked":
      return `${r.package}@${r.version} was un-yanked`;
    case "unrejected":
      return `${r.package}@${r.version} was rejected ("${r.before}") and is no longer`;
    case "tag-lowered":
      return `${r.package} dist-tag "${r.tag}" moved from ${r.before} down to ${r.after}`;
  }
}

/**
 * Refuses rewinds whose package is not in `allowed` (the `--allow-rewind` names).
 * @throws {AamError} PolicyViolation listing each refused rewind, with the flags that would allow them.
 */
export function assertNoRewinds(rewinds: readonly Rewind[], allowed: ReadonlySet<string>): void {
  const refused = rewinds.filter((r) => !allowed.has(r.package));
  if (refused.length === 0) return;
  const packages = [...new Set(refused.map((r) => r.package))];
  const first = refused[0];
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : "";
  throw new AamError("PolicyViolation", `Cannot attest: ${describeRewind(first)} since the last snapshot${more}`, {
    package: first.package,
    ...(first.version ? { version: first.version } : {}),
    problems: refused.map((r) => ({ path: r.package, message: describeRewind(r) })),
    hint: `undoing history needs consent: if this is intended, run again with ${packages.map((p) => `--allow-rewind ${p}`).join(" ")}`,
  });
}
