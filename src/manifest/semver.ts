/**
 * Versions and ranges (SPEC §1): Semantic Versioning 2.0.0, ranges as npm reads them.
 *
 * Versions are read and ordered here with the grammar and precedence rules of SemVer 2.0.0 (§9–11;
 * the pattern is the one semver.org publishes); semver_test.ts checks both against the `semver`
 * package on generated versions. Ranges are npm's grammar and go to the `semver` package, loaded
 * only when a range is judged (install, dependency checks): verifying a package, which only reads
 * and orders versions, never loads it.
 *
 * Why versions are not read with `semver` too (scripts/bench/parsers.mjs, one interleaved run,
 * load + validate and sort 10 versions in a fresh process, medians Node / Bun / Deno): this module
 * 5.4 / 13.2 / 10.0 ms; `semver/functions/valid` + `compare-build` 6.4 / 17.1 / 10.2 ms (they build
 * semver's ~40 regular expressions); the whole package 10.5 / 20.4 / 13.8 ms; nothing 2.4 / 5.7 /
 * 8.5 ms. A small margin, but on Bun its ~4 ms is more than what is left under the
 * `dist/aam verify --offline` target (3 × `bun -e 0`, BENCHMARKS.md).
 */
import semver from "semver";

/** SemVer 2.0.0 (semver.org): major.minor.patch, optional -prerelease and +build. */
const VERSION_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface Parsed {
  main: [number, number, number];
  pre: string[];
  build: string[];
}

function parse(s: string): Parsed | null {
  if (s.length > 256) return null; // npm's limit too
  const m = VERSION_RE.exec(s);
  if (!m) return null;
  const main = [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number];
  // Beyond 2^53 a number part has no exact value: refused, as npm refuses it.
  if (main.some((n) => n > Number.MAX_SAFE_INTEGER)) return null;
  return { main, pre: m[4] ? m[4].split(".") : [], build: m[5] ? m[5].split(".") : [] };
}

function parsed(s: string): Parsed {
  const p = parse(s);
  if (!p) throw new TypeError(`Invalid Version: ${s}`);
  return p;
}

const NUMERIC = /^[0-9]+$/;

/**
 * SemVer §11.4: numeric identifiers by value (exactly, at any length) and below alphanumeric ones,
 * which compare in ASCII order. Build identifiers may have leading zeros: equal values then order
 * by their text, so the order stays total.
 */
function compareIdentifiers(a: string, b: string): number {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) {
    const x = a.replace(/^0+(?=.)/, "");
    const y = b.replace(/^0+(?=.)/, "");
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  } else if (an !== bn) {
    return an ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Identifier lists compared in order; a list that runs out first is lower. */
function compareLists(a: string[], b: string[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length || i >= b.length) return Math.sign(a.length - b.length);
    const d = compareIdentifiers(a[i], b[i]);
    if (d !== 0) return d;
  }
}

function comparePrecedence(a: Parsed, b: Parsed): number {
  for (let i = 0; i < 3; i++) if (a.main[i] !== b.main[i]) return a.main[i] < b.main[i] ? -1 : 1;
  // A version without a prerelease ranks above every prerelease of it (SemVer §11.3).
  if (!a.pre.length || !b.pre.length) return Math.sign(b.pre.length - a.pre.length);
  return compareLists(a.pre, b.pre);
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
  return typeof s === "string" && s.trim() !== "" && s.length <= 256 && semver.validRange(s) !== null;
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
  return comparePrecedence(parsed(a), parsed(b));
}

/** Precedence, then build metadata compared as identifiers, so the order is total (as semver.compareBuild). */
function compareBuild(a: string, b: string): number {
  const pa = parsed(a);
  const pb = parsed(b);
  return comparePrecedence(pa, pb) || compareLists(pa.build, pb.build);
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
    if (best === null || compareBuild(v, best) > 0) best = v;
  }
  return best;
}

/**
 * Ascending copy of `versions`. Ties in precedence (`1.0.0+a`, `1.0.0+b`) are ordered by build
 * metadata so the order is total and the same on every machine.
 * @throws {TypeError} when an entry is not a valid version.
 */
export function sortVersions(versions: readonly string[]): string[] {
  return [...versions].sort(compareBuild);
}
