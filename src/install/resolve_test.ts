import { describe, test, expect } from "bun:test";
import { AamError } from "../errors.ts";
import { resolveDependencies, REQUESTED, type VersionCandidate } from "./resolve.ts";
import { catchAamError } from "../../test/helpers/errors.ts";

type Registry = Record<string, Record<string, { deps?: Record<string, string>; yanked?: boolean }>>;

function source(reg: Registry, opts: { throwNotFound?: boolean } = {}) {
  const calls: string[] = [];
  const getVersions = async (name: string): Promise<VersionCandidate[]> => {
    calls.push(name);
    const pkg = reg[name];
    if (!pkg) {
      if (opts.throwNotFound) throw new AamError("NotFound", `Cannot find package "${name}"`, { package: name });
      return [];
    }
    return Object.entries(pkg).map(([version, v]) => ({ version, dependencies: v.deps ?? {}, yanked: v.yanked }));
  };
  return { getVersions, calls };
}

async function resolve(reg: Registry, roots: [string, string][]): Promise<Record<string, string>> {
  const m = await resolveDependencies(roots.map(([name, range]) => ({ name, range })), source(reg).getVersions);
  return Object.fromEntries(m);
}


describe("resolveDependencies()", () => {
  test("resolveDependencies() picks the highest version of a package without dependencies", async () => {
    expect(await resolve({ a: { "1.0.0": {}, "1.2.0": {}, "2.0.0": {} } }, [["a", "^1.0.0"]])).toEqual({ a: "1.2.0" });
  });

  test("resolveDependencies() resolves a diamond to one version meeting both ranges", async () => {
    const reg: Registry = {
      app: { "1.0.0": { deps: { left: "^1.0.0", right: "^1.0.0" } } },
      left: { "1.0.0": { deps: { base: "^1.2.0" } } },
      right: { "1.0.0": { deps: { base: "<1.5.0" } } },
      base: { "1.0.0": {}, "1.2.0": {}, "1.4.9": {}, "1.5.0": {}, "2.0.0": {} },
    };
    expect(await resolve(reg, [["app", "1.0.0"]])).toEqual({ app: "1.0.0", left: "1.0.0", right: "1.0.0", base: "1.4.9" });
  });

  test("resolveDependencies() lowers an earlier pick when a new constraint arrives, and drops what the old pick needed", async () => {
    const reg: Registry = {
      a: {
        "1.4.0": { deps: { d: "^1.0.0" } },
        "1.9.0": { deps: { d: "^2.0.0", extra: "*" } },
      },
      b: { "1.0.0": { deps: { a: "<1.5.0" } } },
      d: { "1.0.0": {}, "2.0.0": {} },
      extra: { "1.0.0": {} },
    };
    expect(await resolve(reg, [["a", "^1.0.0"], ["b", "*"]])).toEqual({ a: "1.4.0", b: "1.0.0", d: "1.0.0" });
  });

  test("resolveDependencies() accepts dependency cycles", async () => {
    const reg: Registry = {
      x: { "1.0.0": { deps: { y: "^1.0.0" } } },
      y: { "1.0.0": { deps: { x: "^1.0.0" } } },
    };
    expect(await resolve(reg, [["x", "*"]])).toEqual({ x: "1.0.0", y: "1.0.0" });
  });

  test("resolveDependencies() reads each package's versions once", async () => {
    const reg: Registry = { a: { "1.0.0": { deps: { b: "*" } } }, b: { "1.0.0": { deps: { a: "*" } } } };
    const src = source(reg);
    await resolveDependencies([{ name: "a", range: "*" }], src.getVersions);
    expect(src.calls.sort()).toEqual(["a", "b"]);
  });

  test("resolveDependencies() throws Error for a range conflict, naming every range and who asked", async () => {
    const reg: Registry = {
      app: { "1.0.0": { deps: { left: "1.0.0", right: "1.0.0" } } },
      left: { "1.0.0": { deps: { base: "^1.0.0" } } },
      right: { "1.0.0": { deps: { base: "^2.0.0" } } },
      base: { "1.0.0": {}, "2.0.0": {} },
    };
    const err = await catchAamError(resolve(reg, [["app", "1.0.0"]]));
    expect(err).toMatchObject({
      code: "Error",
      details: {
        package: "base",
        problems: [
          { path: "left@1.0.0", message: "asks for ^1.0.0" },
          { path: "right@1.0.0", message: "asks for ^2.0.0" },
        ],
      },
    });
    expect(err.details.hint).toBeTruthy();
  });

  test("resolveDependencies() throws Error when the request conflicts with a dependency", async () => {
    const reg: Registry = { a: { "1.0.0": { deps: { b: "^1.0.0" } } }, b: { "1.0.0": {}, "2.0.0": {} } };
    const err = await catchAamError(resolve(reg, [["a", "1.0.0"], ["b", "2.0.0"]]));
    expect(err.code).toBe("Error");
    expect(err.details.problems?.map((p) => p.path)).toEqual([REQUESTED, "a@1.0.0"]);
  });

  test("resolveDependencies() throws NotFound for a missing dependency, naming who needs it", async () => {
    const reg: Registry = { a: { "1.0.0": { deps: { ghost: "^1.0.0" } } } };
    const err = await catchAamError(resolve(reg, [["a", "*"]]));
    expect(err).toMatchObject({ code: "NotFound", details: { package: "ghost", problems: [{ path: "a@1.0.0" }] } });
  });

  test("resolveDependencies() treats a NotFound thrown by getVersions as a missing package", async () => {
    const err = await catchAamError(resolveDependencies([{ name: "ghost", range: "*" }], source({}, { throwNotFound: true }).getVersions));
    expect(err).toMatchObject({ code: "NotFound", details: { package: "ghost" } });
  });

  test("resolveDependencies() passes other getVersions failures through", async () => {
    const boom = new AamError("TamperedPackage", "bad metadata");
    const err = await catchAamError(resolveDependencies([{ name: "a", range: "*" }], async () => Promise.reject(boom)));
    expect(err).toBe(boom);
  });

  test("resolveDependencies() throws NotFound when no version meets a single range", async () => {
    const err = await catchAamError(resolve({ a: { "1.0.0": {} } }, [["a", "^2.0.0"]]));
    expect(err).toMatchObject({ code: "NotFound", details: { package: "a", expected: "^2.0.0", actual: "1.0.0" } });
  });

  describe("when versions are prereleases", () => {
    const reg: Registry = { a: { "1.0.0": {}, "1.1.0-beta.1": {}, "2.0.0-rc.1": {} } };

    test("resolveDependencies() skips prereleases for an ordinary range", async () => {
      expect(await resolve(reg, [["a", "^1.0.0"]])).toEqual({ a: "1.0.0" });
      expect(await resolve(reg, [["a", "*"]])).toEqual({ a: "1.0.0" });
    });

    test("resolveDependencies() takes a prerelease a range names", async () => {
      expect(await resolve(reg, [["a", ">=1.1.0-beta.0 <2.0.0"]])).toEqual({ a: "1.1.0-beta.1" });
      expect(await resolve(reg, [["a", "2.0.0-rc.1"]])).toEqual({ a: "2.0.0-rc.1" });
    });
  });

  describe("when a version is yanked", () => {
    const reg: Registry = { a: { "1.0.0": {}, "1.1.0": { yanked: true } }, b: { "1.0.0": { deps: { a: "1.1.0" } } } };

    test("resolveDependencies() skips a yanked version for a range", async () => {
      expect(await resolve(reg, [["a", "^1.0.0"]])).toEqual({ a: "1.0.0" });
    });

    test("resolveDependencies() takes a yanked version pinned exactly, by the request or a dependency", async () => {
      expect(await resolve(reg, [["a", "1.1.0"]])).toEqual({ a: "1.1.0" });
      expect(await resolve(reg, [["a", "=1.1.0"]])).toEqual({ a: "1.1.0" });
      expect(await resolve(reg, [["b", "*"]])).toEqual({ b: "1.0.0", a: "1.1.0" });
    });

    test("resolveDependencies() throws NotFound with a hint when only a yanked version matches", async () => {
      const err = await catchAamError(resolve(reg, [["a", "^1.1.0"]]));
      expect(err.code).toBe("NotFound");
      expect(err.details.hint).toContain("a@1.1.0");
    });
  });

  test("resolveDependencies() throws Error for an invalid range in a dependency's metadata", async () => {
    const err = await catchAamError(resolve({ a: { "1.0.0": { deps: { b: "not a range" } } }, b: { "1.0.0": {} } }, [["a", "*"]]));
    expect(err).toMatchObject({ code: "Error", details: { package: "b", actual: "not a range" } });
  });

  test("resolveDependencies() throws UsageError for an invalid requested range", async () => {
    expect((await catchAamError(resolve({ a: { "1.0.0": {} } }, [["a", "latest"]]))).code).toBe("UsageError");
  });

  test("resolveDependencies() skips versions that are not SemVer", async () => {
    expect(await resolve({ a: { "1.0.0": {}, "9.9": {}, "v10.0.0": {} } }, [["a", "*"]])).toEqual({ a: "1.0.0" });
  });

  test("resolveDependencies() throws Error instead of looping when the choice never settles", async () => {
    // a@2 needs b@1, b@1 needs a@1, a@1 needs b@2, b@2 needs nothing: a flips between 1 and 2 forever.
    const reg: Registry = {
      a: { "1.0.0": { deps: { b: "2.0.0" } }, "2.0.0": { deps: { b: "1.0.0" } } },
      b: { "1.0.0": { deps: { a: "1.0.0" } }, "2.0.0": {} },
    };
    const err = await catchAamError(resolve(reg, [["a", "*"], ["b", "*"]]));
    expect(err.code).toBe("Error");
    expect(err.details.problems?.map((p) => p.path).sort()).toEqual(["a", "b"]);
  });

  test("resolveDependencies() returns an empty map for no requests", async () => {
    expect((await resolveDependencies([], source({}).getVersions)).size).toBe(0);
  });
});
