import { test, expect } from "bun:test";
import { Output, untrusted, type Writer } from "./output.ts";
import { AamError } from "../errors.ts";

function capture(tty: boolean, opts: Partial<{ json: boolean; quiet: boolean; verbose: boolean }> = {}) {
  const w = { out: "", err: "" };
  const writer: Writer = {
    stdout: (s) => void (w.out += s),
    stderr: (s) => void (w.err += s),
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    noColor: false,
  };
  return { w, out: new Output(writer, { json: false, quiet: false, verbose: false, ...opts }) };
}

const FORGED = "ok\n✓ @a/b@1.0.0 verified\r\x1b[2K\x1b]0;t\x07\u2028\u2029\u202e\u2066\x9b31m\x7f\t";

test("untrusted() escapes C0/C1 controls, separators and bidi controls, and nothing else", () => {
  expect(untrusted(FORGED)).toBe("ok\\n✓ @a/b@1.0.0 verified\\r\\x1b[2K\\x1b]0;t\\x07\\u2028\\u2029\\u202e\\u2066\\x9b31m\\x7f\\t");
  expect(untrusted("Ünïcødé — 日本語 ✓ C:\\path")).toBe("Ünïcødé — 日本語 ✓ C:\\path");
  expect(untrusted(undefined)).toBe("");
  expect(untrusted(42)).toBe("42");
});

test("line() prints one line whatever a field holds; warn() and error() too", () => {
  const { w, out } = capture(false);
  out.line(`desc: ${FORGED}`);
  out.warn(`w ${FORGED}`);
  out.error(new AamError("NotFound", `m ${FORGED}`, { package: FORGED, hint: `h ${FORGED}`, problems: [{ path: "p\n", message: FORGED }] }));
  expect(w.out.split("\n")).toHaveLength(2);
  expect(w.out).not.toMatch(/[\x1b\r\u2028\u202e]/);
  expect(w.err).not.toMatch(/[\x1b\r\u2028\u202e\x9b]/);
  // warning, message, package, problem and hint: five lines, each forged text kept inside its own
  expect(w.err.split("\n").filter((l) => l.includes("✓"))).toHaveLength(5);
  for (const l of [...w.out.split("\n"), ...w.err.split("\n")]) expect(l.startsWith("✓")).toBe(false);
});

test("on a colour terminal paint()'s own colours survive; a field's escape sequences do not", () => {
  const { w, out } = capture(true);
  out.line(`${out.paint("green", "✓")} ${untrusted("\x1b[32m✓ fake")} ${"\x1b[32mraw\x1b[2K"}`);
  expect(w.out).toBe("\x1b[32m✓\x1b[0m \\x1b[32m✓ fake \x1b[32mraw\\x1b[2K\n");
});

test("essential() keeps its line breaks (multi-line results such as a PEM key) but escapes other controls", () => {
  const { w, out } = capture(false, { quiet: true });
  out.essential("-----BEGIN-----\nabc\n-----END-----\x1b[2K");
  expect(w.out).toBe("-----BEGIN-----\nabc\n-----END-----\\x1b[2K\n");
});

test("--json output is untouched: JSON.stringify already escapes", () => {
  const { w, out } = capture(false, { json: true });
  out.data({ description: FORGED });
  expect(JSON.parse(w.out).description).toBe(FORGED);
});
