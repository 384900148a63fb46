import { describe, test, expect } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalBytes, canonicalJson } from "./jcs.ts";
import { toHex } from "./hex.ts";

const VECTORS = join(import.meta.dir, "../../test/vectors/jcs");
const names = readdirSync(VECTORS)
  .filter((f) => f.endsWith(".input.json"))
  .map((f) => f.slice(0, -".input.json".length));

/** The double whose IEEE-754 bits are `hex`. */
function fromIeee(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe("canonicalJson()", () => {
  test("the RFC 8785 test data are all present", () => {
    expect(names.sort()).toEqual(["arrays", "french", "structures", "unicode", "values", "weird"]);
  });

  test.each(names)("canonicalJson() writes the RFC 8785 %p vector byte for byte", (name) => {
    const input = JSON.parse(readFileSync(join(VECTORS, `${name}.input.json`), "utf8"));
    const expected = readFileSync(join(VECTORS, `${name}.output.json`));
    expect(toHex(canonicalBytes(input))).toBe(toHex(new Uint8Array(expected)));
  });

  // RFC 8785 Appendix B: IEEE-754 bits -> the canonical number text.
  const numbers: [string, string][] = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  test.each(numbers)("canonicalJson() writes the double %p as %p (RFC 8785 Appendix B)", (bits, text) => {
    expect(canonicalJson(fromIeee(bits))).toBe(text);
  });

  test.each(["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])("canonicalJson() refuses the non-finite double %p", (bits) => {
    expect(() => canonicalJson({ n: fromIeee(bits) })).toThrow(TypeError);
  });

  test("canonicalJson() refuses a lone surrogate in a value or a member name", () => {
    expect(() => canonicalJson(["a\ud800"])).toThrow(TypeError);
    expect(() => canonicalJson({ "\udc00x": 1 })).toThrow(TypeError);
    expect(canonicalJson("\ud83d\ude02")).toBe('"😂"');
  });

  test("canonicalJson() refuses values JSON cannot carry instead of dropping them", () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(TypeError);
    expect(() => canonicalJson([() => 1])).toThrow(TypeError);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });

  test("canonicalJson() refuses nesting deeper than any AAM document, without a stack overflow", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(TypeError);
  });

  test("canonicalJson() gives the same text whatever the member order", () => {
    const a = JSON.parse('{"b":{"y":1,"x":[2,{"q":1,"p":0}]},"a":"€"}');
    const b = JSON.parse('{"a":"€","b":{"x":[2,{"p":0,"q":1}],"y":1}}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":"€","b":{"x":[2,{"p":0,"q":1}],"y":1}}');
  });

  test("canonicalJson() keeps a __proto__ member as data", () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"z":1},"a":2}'))).toBe('{"__proto__":{"z":1},"a":2}');
  });
});
