/**
 * Dependency resolution for `aam install` (SPEC §9): for each package, the highest version that
 * satisfies every range placed on it by the request and by the selected versions of the
 * packages that need it. Pure: versions come from the `getVersions` callback.
 *
 * Method: repeat until nothing changes: walk from the requested packages through the current
 * selections, gather every range, and re-pick each package. A new constraint can lower an earlier
 * pick; a package whose new version no longer needs a dependency drops that dependency's ranges
 * (and the dependency itself, when nothing else needs it). There is no backtracking: when the
 * ranges on a package cannot all be met and the packages that asked for them are settled, the
 * result is an error naming every range and who asked for it. Cycles are fine.
 *
 * Yanked versions are skipped unless a range pins that exact version (`1.2.3` or `=1.2.3`).
 * Prereleases follow npm: a range takes a prerelease only when it names one of the same
 * `major.minor.patch`.
 */
import { AamError, type Problem } from "../errors.ts";
import { isExactRange, isValidRange, isValidVersion, maxSatisfying, satisfies, sortVersions } from "../manifest/semver.ts";

export interface VersionCandidate {
  version: string;
  dependencies?: Record<string, string>;
  yanked?: boolean;
}

export type GetVersions = (name: string) => Promise<readonly VersionCandidate[]>;

export interface DependencyRequest {
  name: string;
  range: string;
}

/** Who asked for a range, as shown in errors. */
export const REQUESTED = "(requested)";

interface Constraint {
  range: string;
  /** `name@version` of the asking package, or REQUESTED. */
  from: string;
  /** The asking package's name; absent for the request itself. */
  fromName?: string;
}

const MAX_LISTED_VERSIONS = 20;

function describe(cs: Constraint[]): string {
  return cs.map((c) => `${c.range} (from ${c.from})`).join(", ");
}

function problemsOf(cs: Constraint[]): Problem[] {
  return cs.map((c) => ({ path: c.from, message: `asks for ${c.range}` }));
}

function listVersions(versions: string[]): string {
  const sorted = sortVersions(versions);
  const shown = sorted.slice(-MAX_LISTED_VERSIONS).join(", ");
  return sorted.length > MAX_LISTED_VERSIONS ? `…, ${shown}` : shown || "none";
}

function exactOf(range: string): string {
  return range.trim().replace(/^=\s*/, "");
}

/** Picks the version for one package, or returns the error that explains why none fits. */
function pick(name: string, candidates: readonly VersionCandidate[] | null, cs: Constraint[]): string | AamError {
  const askers = [...new Set(cs.map((c) => c.from))].join(", ");
  if (candidates === null) {
    return new AamError("NotFound", `Cannot find package "${name}" (needed by ${askers})`, {
      package: name,
      problems: problemsOf(cs),
      hint: `check the name and the registry: aam search ${name.replace(/^@[^/]+\//, "")}`,
    });
  }
  const bad = cs.find((c) => !isValidRange(c.range));
  if (bad) {
    return new AamError("Error", `Cannot resolve "${name}": ${bad.from} asks for it with the invalid range "${bad.range}"`, {
      package: name,
      actual: bad.range,
      problems: problemsOf([bad]),
      hint: "the requesting package's metadata is invalid; ask its maintainers to publish a fixed version",
    });
  }
  const valid = candidates.filter((c) => isValidVersion(c.version));
  const pinned = new Set(cs.filter((c) => isExactRange(c.range)).map((c) => exactOf(c.range)));
  const eligible = valid.filter((c) => !c.yanked || pinned.has(c.version)).map((c) => c.version);
  const best = maxSatisfying(eligible, cs.map((c) => c.range));
  if (best !== null) return best;

  // Nothing meets every range. One range no version meets is a missing version (NotFound);
  // otherwise the ranges contradict each other (Error).
  const unmet = cs.find((c) => !eligible.some((v) => satisfies(v, c.range)));
  if (unmet) {
    const yanked = valid.filter((c) => c.yanked && satisfies(c.version, unmet.range)).map((c) => c.version);
    return new AamError("NotFound", `Cannot find a version of "${name}" that satisfies ${unmet.range} (from ${unmet.from})`, {
      package: name,
      expected: unmet.range,
      actual: listVersions(eligible),
      problems: problemsOf([unmet]),
      hint:
        yanked.length > 0
          ? `${name}@${sortVersions(yanked).at(-1)} matches but was yanked; pin the exact version to use it anyway`
          : `aam info ${name} lists its versions`,
    });
  }
  return new AamError("Error", `Cannot resolve "${name}": no version satisfies every range: ${describe(cs)}`, {
    package: name,
    actual: listVersions(eligible),
    problems: problemsOf(cs),
    hint: "install other versions of the requesting packages whose ranges agree, or ask their maintainers to widen them",
  });
}

function sameSelection(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * Resolves the requested packages and everything they depend on.
 * @param roots the requested packages and ranges (an exact version for `name@1.2.3`)
 * @param getVersions every published version of a package, with its dependencies; may throw
 *   AamError NotFound or answer [] for an unknown package
 * @returns package name → chosen version, requested packages first, then breadth-first
 * @throws {AamError} NotFound when a package, or a version meeting a range, does not exist;
 *   Error when ranges conflict or a dependency range is invalid; UsageError for an invalid
 *   requested range
 */
export async function resolveDependencies(roots: readonly DependencyRequest[], getVersions: GetVersions): Promise<Map<string, string>> {
  for (const r of roots) {
    if (!isValidRange(r.range)) {
      throw new AamError("UsageError", `Invalid version range "${r.range}" for "${r.name}"`, {
        package: r.name,
        actual: r.range,
        hint: `use 1.2.3, >=1.2.3, ^1.2.3, ~1.2.3 or *, e.g. ${r.name}@^1.0.0`,
      });
    }
  }
  const cache = new Map<string, Promise<readonly VersionCandidate[] | null>>();
  const versionsOf = (name: string) => {
    let p = cache.get(name);
    if (!p) {
      p = getVersions(name).then(
        (list) => (list.length === 0 ? null : list),
        (e) => {
          if (e instanceof AamError && e.code === "NotFound") return null;
          throw e;
        },
      );
      cache.set(name, p);
    }
    return p;
  };

  let selected = new Map<string, string>();
  const seen = new Set<string>();
  for (;;) {
    // 1. Every range in force: the request's, and those of the currently selected versions reachable from it.
    const constraints = new Map<string, Constraint[]>();
    const order: string[] = [];
    const add = (name: string, c: Constraint) => {
      if (!constraints.has(name)) {
        constraints.set(name, []);
        order.push(name);
      }
      constraints.get(name)!.push(c);
    };
    for (const r of roots) add(r.name, { range: r.range, from: REQUESTED });
    for (let i = 0; i < order.length; i++) {
      const name = order[i];
      const version = selected.get(name);
      if (version === undefined) continue;
      const rec = (await versionsOf(name))?.find((c) => c.version === version);
      const deps = Object.entries(rec?.dependencies ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [dep, range] of deps) add(dep, { range, from: `${name}@${version}`, fromName: name });
    }

    // 2. Re-pick every package under those ranges.
    const next = new Map<string, string>();
    const failures: { name: string; error: AamError }[] = [];
    for (const name of order) {
      const got = pick(name, await versionsOf(name), constraints.get(name)!);
      if (typeof got === "string") next.set(name, got);
      else failures.push({ name, error: got });
    }

    // 3. A failure caused by a package that is itself changing this round may go away next round;
    //    one whose askers are all settled is final.
    const pending = new Set(failures.map((f) => f.name));
    for (const n of order) if (next.get(n) !== selected.get(n)) pending.add(n);
    for (const f of failures) {
      const settled = constraints.get(f.name)!.every((c) => c.fromName === undefined || !pending.has(c.fromName));
      if (settled) throw f.error;
      const old = selected.get(f.name);
      if (old !== undefined) next.set(f.name, old);
    }

    if (sameSelection(next, selected)) {
      // Only failures waiting on each other are left: nothing will change, so they are final.
      if (failures.length > 0) throw failures[0].error;
      // Re-order as walked this round so the answer is deterministic.
      return new Map(order.filter((n) => next.has(n)).map((n) => [n, next.get(n)!]));
    }
    const state = JSON.stringify([...next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (seen.has(state)) {
      throw new AamError("Error", `Cannot resolve dependencies: the choice keeps changing between versions of ${[...next.keys()].filter((k) => next.get(k) !== selected.get(k)).map((k) => `"${k}"`).join(", ")}`, {
        problems: [...next].map(([n, v]) => ({ path: n, message: `last chosen ${v}` })),
        hint: "request exact versions (name@1.2.3) of the packages named above",
      });
    }
    seen.add(state);
    selected = next;
  }
}
