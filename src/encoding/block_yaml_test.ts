import { describe, test, expect } from "bun:test";
import YAML from "yaml";
import { parseBlockYaml } from "./block_yaml.ts";
import { stringifyYaml } from "./yaml.ts";

/** Whenever the fast reader answers, it must answer what the full parser does. */
function agrees(text: string): unknown {
  const fast = parseBlockYaml(text);
  if (fast !== null) expect(fast).toEqual(YAML.parse(text));
  return fast;
}

describe("parseBlockYaml()", () => {
  test("parseBlockYaml() reads what stringifyYaml writes for an index, as the yaml package does", () => {
    const doc = {
      packages: [
        { name: "@a/b", description: "Reviews code: fast", latest: "1.2.3", keywords: ["x", "y"], artifact_types: [], signed: true, updated_at: "2024-01-01T00:00:00.000Z" },
        { name: "c", description: "it's \"quoted\" # not a comment", latest: "0.0.1", keywords: [], artifact_types: ["skills"], signed: false, updated_at: "" },
      ],
    };
    const text = stringifyYaml(doc);
    expect(parseBlockYaml(text)).toEqual(doc);
  });

  test("parseBlockYaml() agrees with the yaml package on a seeded set of generated documents", () => {
    let s = 42;
    const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const atoms = ["a", "1.0", "1.2.3", "true", "null", "~", "-x", "a: b", "a #b", "a#b", "'q'", '"d"', "x\\y", "é ü", "", " pad ", "0x1F", ".5", "[1]", "{}", "@at", "é\t"];
    const value = (d: number): unknown => {
      const k = rnd(d > 2 ? 3 : 5);
      if (k === 0) return atoms[rnd(atoms.length)];
      if (k === 1) return rnd(2) === 0;
      if (k === 2) return rnd(100);
      if (k === 3) return Array.from({ length: rnd(3) }, () => value(d + 1));
      return Object.fromEntries(Array.from({ length: rnd(3) }, () => [["k", "name", "a.b", "x-y", "1", "on"][rnd(6)], value(d + 1)]));
    };
    let answered = 0;
    for (let i = 0; i < 500; i++) if (agrees(stringifyYaml({ root: value(0) })) !== null) answered++;
    expect(answered).toBeGreaterThan(50); // the fast path is really exercised
  });

  test("parseBlockYaml() answers null outside its subset, leaving it to the full parser", () => {
    for (const text of [
      "a: 1.5\n", // a float
      "a: 012\n", // an int the fast reader leaves to the full parser
      "a: 0x1F\n",
      "a: null\n",
      "a:\n", // an empty value (null)
      "a: b\na: c\n", // a duplicate key
      '"a": b\n',
      'a: "b"c\n', // text after a closing quote
      "a: {b: 1}\n", // a flow mapping
      "a: [[1], 2]\n", // a nested flow collection
      "a: [1, 2,]\n", // a trailing comma
      "a: [1, , 2]\n", // an empty item
      "a: [x]y]\n",
      'a: ["x" y]\n',
      "a: &x b\nc: *x\n", // anchors and aliases
      "a: !!str b\n",
      "a: |\n  text\n",
      "a: b\n  c\n", // a multi-line plain scalar
      '"a": b\n', // a quoted key
      "a: \"\\x41\"\n", // a YAML-only escape
      "---\na: b\n",
      "a:\n\t- b\n",
      "__proto__: x\n",
      "",
    ]) {
      expect(parseBlockYaml(text)).toBeNull();
    }
  });

  test("parseBlockYaml() reads one-line flow sequences of scalars as the full parser does", () => {
    expect(agrees('trusted_keys: ["ab", \'c\'\'d\', e f, 3, true]\n')).toEqual({ trusted_keys: ["ab", "c'd", "e f", 3, true] });
    expect(agrees('k: [ "a, b" ,"c]" ] # keys\n')).toEqual({ k: ["a, b", "c]"] });
    expect(agrees("k:\n  - [a]\n  - []\n")).toEqual({ k: [["a"], []] });
  });

  test("parseBlockYaml() agrees with the yaml package on seeded hand-written flow sequences", () => {
    let s = 7;
    const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16) % n;
    const items = ["a", '"a b"', "'it''s'", "1", "01", "1.5", "true", "null", "~", '"x,y"', "a b", "-x", ":x", "a:b", "a: b", "#x", "a #x", '"\\u00e9"', "é", "[", "'", '"', "{}", "[]", "*x", "&x y", "?", "- a", "x]"];
    const seps = [",", ", ", " ,", " , "];
    let answered = 0;
    for (let i = 0; i < 2000; i++) {
      const n = rnd(4);
      let body = "";
      for (let j = 0; j < n; j++) body += (j > 0 ? seps[rnd(seps.length)] : "") + items[rnd(items.length)];
      const text = `k: [${rnd(2) ? " " : ""}${body}${rnd(2) ? " " : ""}]${rnd(3) === 0 ? " # c" : ""}\n`;
      let full: unknown;
      try {
        full = YAML.parse(text);
      } catch {
        expect(parseBlockYaml(text)).toBeNull(); // invalid YAML is never read
        continue;
      }
      const fast = parseBlockYaml(text);
      if (fast !== null) {
        expect(fast).toEqual(full as object);
        answered++;
      }
    }
    expect(answered).toBeGreaterThan(200);
  });

  test("parseBlockYaml() reads decimal integers as numbers, as the core schema does", () => {
    expect(agrees("size: 8123\nn: 0\n")).toEqual({ size: 8123, n: 0 });
  });

  test("parseBlockYaml() skips comments as the yaml package does (the aam.yaml that pkg init writes)", () => {
    const text = [
      "# AAM package manifest.",
      'name: "@x/y"',
      'version: "1.0.0"',
      'description: ""   # at most 256 characters',
      "# author: your-name",
      "keywords: []",
      "artifacts:                             # at least one artifact",
      "  skills:",
      '    - name: "y"',
      '      path: "skills/y/"   # a folder',
      "      description: \"An example skill: edit SKILL.md # not a comment\"",
      "      note: it's plain # a comment",
      "      quote: 'a '' b' # c",
      "  agents: [] # none",
      "#   \"@author/base\": \"^1.0.0\"",
      "",
    ].join("\n");
    const v = agrees(text) as Record<string, unknown>;
    expect(v).not.toBeNull();
    expect(v.artifacts).toEqual({ skills: [{ name: "y", path: "skills/y/", description: "An example skill: edit SKILL.md # not a comment", note: "it's plain", quote: "a ' b" }], agents: [] });
  });

  test("parseBlockYaml() reads sequences at the key's indentation and nested mappings", () => {
    const text = "a:\n- x\n- k: v\n  j: w\nb:\n  c:\n    - 'it''s'\n";
    expect(agrees(text)).toEqual({ a: ["x", { k: "v", j: "w" }], b: { c: ["it's"] } });
  });
});
