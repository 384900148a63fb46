import { describe, test, expect } from "bun:test";
import { NAME_RE, isValidName, isValidTag, toFsName, fromFsName, parsePackageRef } from "./name.ts";
import { catchAamError } from "../../test/helpers/errors.ts";


const p63 = "a".repeat(63);
const p64 = "a".repeat(64);
const p65 = "a".repeat(65);

describe("isValidName()", () => {
  test.each([
    ["my-package", true],
    ["@author/my-package", true],
    ["a", true],
    ["0", true],
    [p64, true],
    [p65, false],
    [`@${p64}/${p64}`, true],
    [`@${p65}/x`, false],
    [`@x/${p65}`, false],
    [`@${p63}_/x`, true],
    ["@a_b/c", true],
    ["a_b", false], // '_' only in scopes
    ["a--b", true], // allowed by SPEC §1 even though it looks like a file-system name
    ["My-Package", false],
    ["@Author/x", false],
    ["-a", false],
    ["@-a/b", false],
    ["@a/-b", false],
    ["@a/", false],
    ["@/b", false],
    ["@a/b/c", false],
    ["a/b", false],
    ["../x", false],
    ["", false],
    ["a ", false],
    ["a\n", false],
  ])("isValidName(%p) is %p", (name, ok) => {
    expect(isValidName(name)).toBe(ok);
    expect(NAME_RE.test(name)).toBe(ok);
  });

  test("isValidName() refuses non-strings", () => {
    expect(isValidName(42)).toBe(false);
    expect(isValidName(null)).toBe(false);
  });
});

describe("toFsName()", () => {
  test("toFsName() maps a scoped name to scope--name and leaves a plain name alone", () => {
    expect(toFsName("@author/my-package")).toBe("author--my-package");
    expect(toFsName("my-package")).toBe("my-package");
  });

  test("toFsName() maps @a/b and the plain name a--b to the same folder (documented ambiguity)", () => {
    expect(toFsName("@a/b")).toBe(toFsName("a--b"));
  });

  test.each(["../evil", "@a/../b", "A", "", "@a/b/c"])("toFsName() throws UsageError for invalid name %p", (name) => {
    expect(catchAamError(() => toFsName(name))).toMatchObject({ code: "UsageError", details: { package: name } });
  });
});

describe("fromFsName()", () => {
  test("fromFsName() reads scope--name as a scoped name", () => {
    expect(fromFsName("author--x")).toBe("@author/x");
    expect(fromFsName("a_b--c")).toBe("@a_b/c");
  });

  test("fromFsName() keeps a name without a valid scope part as a plain name", () => {
    expect(fromFsName("x")).toBe("x");
    expect(fromFsName("my-package")).toBe("my-package");
    expect(fromFsName("a---b")).toBe("a---b"); // "-b" is no valid bare name, so no scope
  });

  test("fromFsName() splits at the first '--'", () => {
    expect(fromFsName("a--b--c")).toBe("@a/b--c");
  });

  test("fromFsName() answers null for text that is no name", () => {
    expect(fromFsName("..")).toBeNull();
    expect(fromFsName("A--b")).toBeNull();
    expect(fromFsName("")).toBeNull();
  });

  test("fromFsName() inverts toFsName() for scoped names without '--' in the scope", () => {
    for (const n of ["@a/b", "@author/my-package", `@${p64}/${p64}`, "plain"]) expect(fromFsName(toFsName(n))).toBe(n);
  });
});

describe("isValidTag()", () => {
  test.each([
    ["latest", true],
    ["next", true],
    ["beta.1", true],
    ["x", false], // a range: any version
    ["1.0.0", false],
    ["1", false],
    ["-x", false],
    ["", false],
  ])("isValidTag(%p) is %p", (tag, ok) => {
    expect(isValidTag(tag)).toBe(ok);
  });
});

describe("parsePackageRef()", () => {
  test.each([
    ["my-package", { name: "my-package" }],
    ["my-package@1.2.3", { name: "my-package", version: "1.2.3" }],
    ["my-package@1.2.3-rc.1+b5", { name: "my-package", version: "1.2.3-rc.1+b5" }],
    ["@a/b", { name: "@a/b" }],
    ["@a/b@1.0.0", { name: "@a/b", version: "1.0.0" }],
    ["@a/b@latest", { name: "@a/b", tag: "latest" }],
    ["x@next", { name: "x", tag: "next" }],
    ["x@^1.0.0", { name: "x", range: "^1.0.0" }],
    ["x@~1.2", { name: "x", range: "~1.2" }],
    ["x@>=1.0.0 <2.0.0", { name: "x", range: ">=1.0.0 <2.0.0" }],
    ["x@*", { name: "x", range: "*" }],
    ["x@1", { name: "x", range: "1" }],
    [" x@1.0.0 ", { name: "x", version: "1.0.0" }],
  ])("parsePackageRef(%p) reads %p", (raw, want) => {
    expect(parsePackageRef(raw)).toEqual(want);
  });

  test.each(["", "@", "@a", "@a/", "X", "x@", "x@!!", "x@1.0.0@2", "../x@1.0.0", "@a/b@@1"])(
    "parsePackageRef(%p) throws UsageError with a hint",
    (raw) => {
      const err = catchAamError(() => parsePackageRef(raw));
      expect(err.code).toBe("UsageError");
      expect(err.details.hint).toBeTruthy();
    },
  );

  test("parsePackageRef() suggests the lowercase name for an uppercase one", () => {
    expect(catchAamError(() => parsePackageRef("My-Pkg@1.0.0")).details.hint).toContain("my-pkg@1.0.0");
  });

  test("parsePackageRef() refuses a 'v' prefix and suggests the bare version", () => {
    const err = catchAamError(() => parsePackageRef("x@v1.2.3"));
    expect(err).toMatchObject({ code: "UsageError", details: { hint: "x@1.2.3" } });
  });
});
