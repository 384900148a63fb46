/**
 * Versions and ranges (SPEC §1): Semantic Versioning 2.0.0, ranges as npm reads them, both through
 * the `semver` package, so there is one grammar. Only its function modules are bundled (the build's
 * dist/vendor/semver.cjs, scripts/vendor_semver.cjs) and loaded on first use (scripts/lazy_cjs.mjs):
 * scripts/bench/parsers.mjs measured load + validate and sort 10 versions in a fresh process at
 * 6.4 / 17.1 / 10.2 ms (Node / Bun / Deno) against 10.5 / 20.4 / 13.8 ms for the whole package, and
 * 5.4 / 13.2 / 10.0 ms for the grammar AAM had of its own: about 1 ms on Node, 4 ms on Bun, for one
 * grammar instead of two.
 */
import semver from "semver";

/** npm's limit on a version's or a range's length. */
const MAX_LENGTH = 256;

/**
 * The version as semver reads it strictly, or null. semver also takes `v1.2.3` and surrounding
 * spaces and prints them away: AAM takes only the text semver prints back (a version is an
 * identity, written one way).
 */
function parse(s: string): ReturnType<typeof semver.parse> {
  if (s.length > MAX_LENGTH) return null;
  const v = semver.parse(s);
  if (v === null) return null;
  return v.version + (v.build.length > 0 ? `+${v.build.join(".")}` : "") === s ? v : null;
}

function parsed(s: string): NonNullable<ReturnType<typeof semver.parse>> {
  const p = parse(s);
  if (!p) throw new TypeError(`Invalid Version: ${s}`);
  return p;
}

/**
 * True for a strict SemVer 2.0.0 version: `1.2.3`, `1.0.0-rc.1+build.5`.
 * `v1.2.3`, `=1.2.3`, ` 1.2.3` and `1.2` are refused: a version is an identity, written one way.
 */
export function isValidVersion(s: unknown): boolean {
  return typeof s === "string" && parse(s) !== null;
}

/**
 * True for a range npm accepts: exact `1.2.3`, `>=1.0.0`, `^1.2.0`, `~1.2.0`, `*`, `1.x`,
 * `>=1.0.0 <2.0.0`, `^1.0.0 || ^2.0.0`, `1.0.0 - 1.5.0`. The empty string (npm's "*") is
 * refused: write `*` to mean any version.
 */
export function isValidRange(s: unknown): boolean {
  return typeof s === "string" && s.trim() !== "" && s.length <= MAX_LENGTH && semver.validRange(s) !== null;
}

/** True when `range` is one exact version (`1.2.3` or `=1.2.3`), which also pins yanked versions. */
export function isExactRange(range: string): boolean {
  const r = range.trim().replace(/^=\s*/, "");
  return isValidVersion(r);
}

/**
 * SemVer precedence: negative, zero or positive. Build metadata does not count (SemVer §10).
 * @throws {TypeError} when either side is not a valid version (a programmer error: validate first).
 */
export function compareVersions(a: string, b: string): number {
  return semver.compare(parsed(a), parsed(b));
}

/** Precedence, then build metadata compared as identifiers, so the order is (nearly) total. */
function compareBuildOf(a: string, b: string): number {
  return semver.compareBuild(parsed(a), parsed(b));
}

/**
 * Does `version` satisfy `range`? As npm: a prerelease satisfies only a range that names a
 * prerelease of the same `major.minor.patch` (`^1.0.0` does not take `1.1.0-beta.1`).
 * Invalid input answers false.
 */
export function satisfies(version: string, range: string): boolean {
  if (!isValidVersion(version) || !isValidRange(range)) return false;
  return semver.satisfies(version, range);
}

/** The highest of `versions` that satisfies every one of `ranges`, or null. Invalid versions are skipped. */
export function maxSatisfying(versions: readonly string[], ranges: readonly string[]): string | null {
  let best: string | null = null;
  for (const v of versions) {
    if (!isValidVersion(v)) continue;
    if (!ranges.every((r) => satisfies(v, r))) continue;
    if (best === null || compareBuildOf(v, best) > 0) best = v;
  }
  return best;
}

/**
 * Ascending copy of `versions`. Ties in precedence (`1.0.0+a`, `1.0.0+b`) are ordered by build
 * metadata; what is still equal (`+01` and `+1`) keeps its input order (a stable sort).
 * @throws {TypeError} when an entry is not a valid version.
 */
export function sortVersions(versions: readonly string[]): string[] {
  return [...versions].sort(compareBuildOf);
}
