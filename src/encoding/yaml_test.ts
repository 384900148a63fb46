import { describe, test, expect } from "bun:test";
import YAML from "yaml";
import { AamError } from "../errors.ts";
import { MAX_YAML_BYTES, parseYaml, stringifyYaml } from "./yaml.ts";

/** The AamError parseYaml throws for `text`, or a failure if it reads it. */
function refused(text: string): AamError {
  try {
    parseYaml(text, "hostile.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(AamError);
    expect(e).toMatchObject({ code: "Error", details: { file: "hostile.yaml" } });
    expect((e as AamError).details.hint).toBeTruthy();
    return e as AamError;
  }
  throw new Error(`parseYaml read ${JSON.stringify(text.slice(0, 80))}`);
}

/** Ten anchors, each a list of ten aliases to the one before: 10^10 nodes once expanded. */
const BILLION_LAUGHS =
  "a: &a [x,x,x,x,x,x,x,x,x,x]\n" +
  Array.from({ length: 9 }, (_, i) => `${"bcdefghij"[i]}: &${"bcdefghij"[i]} [${Array(10).fill(`*${"abcdefghij"[i]}`).join(",")}]`).join("\n") +
  "\n";

describe("parseYaml(): hostile and generated YAML", () => {
  test("parseYaml() reads back what stringifyYaml writes, on a seeded set of generated documents", () => {
    let s = 42;
    const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const atoms = ["a", "1.0", "1.2.3", "true", "null", "~", "-x", "a: b", "a #b", "a#b", "'q'", '"d"', "x\\y", "é ü", "", " pad ", "0x1F", ".5", "[1]", "{}", "@at", "é\t", "*x", "&y", "---", "__proto__", "2024-01-01T00:00:00Z", "line\nbreak"];
    const value = (d: number): unknown => {
      const k = rnd(d > 2 ? 4 : 6);
      if (k === 0) return atoms[rnd(atoms.length)];
      if (k === 1) return rnd(2) === 0;
      if (k === 2) return rnd(100_000) - 50;
      if (k === 3) return null;
      if (k === 4) return Array.from({ length: rnd(4) }, () => value(d + 1));
      return Object.fromEntries(Array.from({ length: rnd(4) }, () => [["k", "name", "a.b", "x-y", "1", "on", "@s/p", "a b"][rnd(8)], value(d + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      const doc = { root: value(0) };
      const text = stringifyYaml(doc);
      expect(parseYaml(text, "gen.yaml")).toEqual(YAML.parse(text));
      expect(parseYaml(text, "gen.yaml")).toEqual(JSON.parse(JSON.stringify(doc)));
    }
  });

  test("parseYaml() reads the core schema as the yaml package does: numbers, booleans, nulls, strings", () => {
    const text = "i: 8123\nneg: -4\nf: 1.5\nhex: 0x1F\noct: 0o17\ninf: .inf\nt: true\nn: null\nt2: ~\ne:\nd: 2024-01-01\nv: 1.0.0\ns: 'it''s'\nq: \"\\u00e9\\x41\"\nl: [a, 'b', \"c\"]\nm: {a: 1}\n";
    expect(parseYaml(text, "core.yaml")).toEqual(YAML.parse(text));
  });

  test("parseYaml() reads an empty file or a comment-only file as null, as an empty document", () => {
    expect(parseYaml("", "e.yaml")).toBeNull();
    expect(parseYaml("# nothing here\n", "e.yaml")).toBeNull();
    expect(parseYaml("---\n", "e.yaml")).toBeNull();
  });

  test("parseYaml() refuses a duplicate key", () => {
    expect(refused("name: a\ndescription: x\nname: b\n").message).toContain("unique");
  });

  test("parseYaml() refuses more than one document", () => {
    expect(refused("a: 1\n---\na: 2\n").message).toContain("multiple documents");
  });

  test("parseYaml() refuses a billion-laughs alias bomb before any consumer walks it", () => {
    expect(refused(BILLION_LAUGHS).message).toContain("alias count");
  });

  test("parseYaml() refuses more than 100 aliases, and an alias to no anchor", () => {
    refused(`a: &a x\nb: [${Array(101).fill("*a").join(", ")}]\n`);
    refused("security:\n  trusted_identities: [*@example.com]\n");
  });

  test("parseYaml() reads a few aliases that expand no further than the text is long", () => {
    expect(parseYaml("keys: &k [ab, cd]\nmore: *k\n", "a.yaml")).toEqual({ keys: ["ab", "cd"], more: ["ab", "cd"] });
  });

  test("parseYaml() ends 20,000 levels of nesting in a coded error, not a crash, and reads 1,000", () => {
    refused("[".repeat(20_000) + "]".repeat(20_000));
    expect(parseYaml("[".repeat(1_000) + "]".repeat(1_000), "deep.yaml")).toBeInstanceOf(Array);
  });

  test("parseYaml() refuses input over MAX_YAML_BYTES before parsing it", () => {
    const big = "a: " + "x".repeat(MAX_YAML_BYTES);
    const e = refused(big);
    expect(e.message).toContain(`larger than ${MAX_YAML_BYTES} bytes`);
  });

  test("parseYaml() reads a 1 MiB document of 100,000 keys in linear time", () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `k${i}: v${i}`).join("\n") + "\n";
    const t0 = performance.now();
    const doc = parseYaml(text, "big.yaml") as Record<string, string>;
    expect(Object.keys(doc).length).toBe(100_000);
    expect(doc.k99999).toBe("v99999");
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  test("parseYaml() keeps a __proto__ key an own property: no prototype is changed", () => {
    const doc = parseYaml("__proto__: {polluted: true}\nname: x\n", "p.yaml") as Record<string, unknown>;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(doc, "__proto__")).toBe(true);
    expect((doc as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("parseYaml() outside the fast reader's subset", () => {
  test("refuses a value that contains itself (`&a [1, *a]`), and reads an alias that only shares a node", () => {
    expect(() => parseYaml("a: &a [1, *a]\n", "x.yaml")).toThrow(/contains itself/);
    expect(() => parseYaml("a: &a\n  b: *a\n", "x.yaml")).toThrow(/contains itself/);
    expect(parseYaml("a: &a [1, 2]\nb: *a\n", "x.yaml")).toEqual({ a: [1, 2], b: [1, 2] });
  });

  test("refuses tags outside the core schema (!!binary, !!timestamp, local tags) instead of making Buffers or Dates", () => {
    for (const t of ["a: !!binary aGVsbG8=\n", "a: !!timestamp 2001-12-14\n", "a: !foo x\n", "a: !!set {x}\n"]) {
      expect(() => parseYaml(t, "x.yaml")).toThrow(/core schema|Cannot parse/);
    }
    expect(parseYaml("a: !!str 5\nb: !!int '7'\n", "x.yaml")).toEqual({ a: "5", b: 7 });
  });

  test("names the line and column of a syntax error once, in AAM's words", () => {
    let err: unknown;
    try {
      parseYaml("name: x\nlist:\n  - a\n - b\n", "aam.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AamError);
    const m = (err as AamError).message;
    expect(m).toMatch(/^Cannot parse "aam\.yaml" at line 4, column \d+: /);
    expect(m.match(/at line/g)?.length).toBe(1);
  });
});
