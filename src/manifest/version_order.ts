/**
 * Strict SemVer 2.0.0 versions (SPEC §1) read and ordered without loading `semver`: most runs
 * (`verify`, `info`, offline entries) only check and order versions, and loading semver's range
 * grammar (~40 regular expressions, an LRU cache) cost ~5-20 ms of a Bun start-up. The rules are
 * semver 7's own for strict input, so the two agree: version_order_test.ts checks this against semver
 * over a corpus. Ranges stay with semver (semver.ts).
 */

/** npm's limit on a version's length. */
export const MAX_VERSION_LENGTH = 256;

// semver's strict FULL expression without its optional `v`: numbers without leading zeros, a
// prerelease identifier numeric or holding a letter or `-`, build identifiers any [0-9A-Za-z-]+.
const PRE_ID = "(?:0|[1-9]\\d*|\\d*[a-zA-Z-][a-zA-Z0-9-]*)";
const STRICT = new RegExp(
  `^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`,
);
const NUMERIC = /^[0-9]+$/;

export interface ParsedVersion {
  main: [number, number, number];
  /** Numeric identifiers below 2^53 - 1 as numbers, as semver keeps them. */
  prerelease: (number | string)[];
  build: string[];
}

/** The version, or null when `s` is not one strict SemVer 2.0.0 version written as semver prints it. */
export function parseVersion(s: string): ParsedVersion | null {
  if (s.length > MAX_VERSION_LENGTH) return null;
  const m = STRICT.exec(s);
  if (!m) return null;
  const main: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (main.some((n) => n > Number.MAX_SAFE_INTEGER)) return null; // semver refuses these
  const prerelease = m[4] ? m[4].split(".").map((id) => (NUMERIC.test(id) && Number(id) < Number.MAX_SAFE_INTEGER ? Number(id) : id)) : [];
  return { main, prerelease, build: m[5] ? m[5].split(".") : [] };
}

/** semver's compareIdentifiers: numeric identifiers by value and below alphanumeric ones. */
function compareIds(a: number | string, b: number | string): number {
  const an = NUMERIC.test(String(a));
  const bn = NUMERIC.test(String(b));
  const x = an && bn ? Number(a) : a;
  const y = an && bn ? Number(b) : b;
  return x === y ? 0 : an && !bn ? -1 : bn && !an ? 1 : x < y ? -1 : 1;
}

/** Identifier lists element by element; the shorter list first when one is a prefix of the other. */
function compareLists(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; ; i++) {
    if (a[i] === undefined && b[i] === undefined) return 0;
    if (b[i] === undefined) return 1;
    if (a[i] === undefined) return -1;
    if (a[i] !== b[i]) return compareIds(a[i], b[i]);
  }
}

/** SemVer precedence (§11): main numbers, then a prerelease below its release. Build metadata does not count. */
export function comparePrecedence(a: ParsedVersion, b: ParsedVersion): number {
  for (let i = 0; i < 3; i++) if (a.main[i] !== b.main[i]) return a.main[i] < b.main[i] ? -1 : 1;
  const ar = a.prerelease.length === 0;
  const br = b.prerelease.length === 0;
  if (ar || br) return ar && br ? 0 : ar ? 1 : -1;
  return compareLists(a.prerelease, b.prerelease);
}

/** Precedence, then build metadata compared as identifiers (semver's compareBuild). */
export function compareWithBuild(a: ParsedVersion, b: ParsedVersion): number {
  return comparePrecedence(a, b) || compareLists(a.build, b.build);
}
