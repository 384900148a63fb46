/**
 * Tamper matrix (SPEC §6): for each file of a signed version (archive, .sig, metadata.yaml), bytes
 * changed in each region, and files swapped between versions and packages. Every case must be
 * detected by `aam verify --require-signature` with the error named in the table (README, Reliability).
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { cpSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, makePackage, errorName } from "../helpers.ts";

type Mutate = (p: (pkg: string, file: string) => string) => void;

/** Changes one character at `at` (an index into the text) to another of the same kind (hex stays hex). */
function swapChar(text: string, at: number): string {
  const c = text[at];
  // Stay within the field's alphabet (hex or base64) so the change is a wrong value, not a malformed one.
  const alt = /[0-9a-f]/.test(c) ? (c === "0" ? "1" : "0") : /[A-Za-z]/.test(c) ? (c === "A" ? "B" : "A") : c === "+" ? "/" : c === "/" ? "+" : "#";
  return text.slice(0, at) + alt + text.slice(at + 1);
}
const editText = (file: string, fn: (t: string) => string) => writeFileSync(file, fn(readFileSync(file, "utf8")));
const editBytes = (file: string, fn: (b: Uint8Array) => Uint8Array) => writeFileSync(file, fn(new Uint8Array(readFileSync(file))));
const flipAt = (at: (n: number) => number) => (b: Uint8Array) => {
  const out = b.slice();
  out[at(b.length)] ^= 0x01;
  return out;
};
/** The position of the value of `"field": "` in a .sig, plus `skip` characters into the value. */
const sigValue = (t: string, field: string, skip = 10) => t.indexOf(`"${field}": "`) + field.length + 5 + skip;

interface Case {
  file: "archive" | "sig" | "metadata";
  region: string;
  mutate: Mutate;
  expect: "TamperedPackage" | "InvalidSignature" | "MalformedSignature" | "SignatureNotFound" | "Error";
}

// p("a", "1.0.0.aam") is a file of the version under test; the other versions are the swap sources.
const CASES: Case[] = [
  { file: "archive", region: "gzip header (mtime byte)", mutate: (p) => editBytes(p("a", "1.0.0.aam"), flipAt(() => 4)), expect: "TamperedPackage" },
  { file: "archive", region: "deflate body (middle)", mutate: (p) => editBytes(p("a", "1.0.0.aam"), flipAt((n) => n >> 1)), expect: "TamperedPackage" },
  { file: "archive", region: "gzip trailer (CRC32)", mutate: (p) => editBytes(p("a", "1.0.0.aam"), flipAt((n) => n - 8)), expect: "TamperedPackage" },
  { file: "archive", region: "gzip trailer (ISIZE)", mutate: (p) => editBytes(p("a", "1.0.0.aam"), flipAt((n) => n - 1)), expect: "TamperedPackage" },
  { file: "archive", region: "truncated", mutate: (p) => editBytes(p("a", "1.0.0.aam"), (b) => b.subarray(0, b.length - 100)), expect: "TamperedPackage" },
  { file: "archive", region: "one byte appended", mutate: (p) => editBytes(p("a", "1.0.0.aam"), (b) => new Uint8Array([...b, 0])), expect: "TamperedPackage" },
  { file: "archive", region: "swapped with another version's", mutate: (p) => cpSync(p("a", "1.1.0.aam"), p("a", "1.0.0.aam")), expect: "TamperedPackage" },
  { file: "archive", region: "swapped with another package's", mutate: (p) => cpSync(p("b", "1.0.0.aam"), p("a", "1.0.0.aam")), expect: "TamperedPackage" },
  {
    // A forger without the key moves a whole signed version (archive, .sig, checksum) under another version number.
    file: "archive",
    region: "archive + .sig + checksum of another version",
    mutate: (p) => {
      cpSync(p("a", "1.1.0.aam"), p("a", "1.0.0.aam"));
      cpSync(p("a", "1.1.0.sig"), p("a", "1.0.0.sig"));
      const m = readFileSync(p("a", "metadata.yaml"), "utf8");
      const sums = [...m.matchAll(/checksum: (sha256:[0-9a-f]{64})/g)].map((x) => x[1]);
      writeFileSync(p("a", "metadata.yaml"), m.replace(sums[0], sums[1]));
    },
    expect: "TamperedPackage",
  },
  {
    file: "archive",
    region: "archive + .sig + checksum of another package",
    mutate: (p) => {
      cpSync(p("b", "1.0.0.aam"), p("a", "1.0.0.aam"));
      cpSync(p("b", "1.0.0.sig"), p("a", "1.0.0.sig"));
      const other = /checksum: (sha256:[0-9a-f]{64})/.exec(readFileSync(p("b", "metadata.yaml"), "utf8"))![1];
      editText(p("a", "metadata.yaml"), (m) => m.replace(/checksum: sha256:[0-9a-f]{64}/, `checksum: ${other}`));
    },
    expect: "TamperedPackage",
  },
  { file: "sig", region: "package_hash (one hex digit)", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => swapChar(t, sigValue(t, "package_hash", 20))), expect: "TamperedPackage" },
  { file: "sig", region: "package (another name)", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => t.replace('"package": "@t/a"', '"package": "@t/b"')), expect: "TamperedPackage" },
  { file: "sig", region: "package_version (another version)", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => t.replace('"package_version": "1.0.0"', '"package_version": "1.1.0"')), expect: "TamperedPackage" },
  { file: "sig", region: "signature (one base64 character)", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => swapChar(t, sigValue(t, "signature", 20))), expect: "InvalidSignature" },
  { file: "sig", region: "public_key (one base64 character)", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => swapChar(t, sigValue(t, "public_key", 20))), expect: "MalformedSignature" },
  { file: "sig", region: "key_fingerprint (one hex digit)", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => swapChar(t, sigValue(t, "key_fingerprint", 20))), expect: "MalformedSignature" },
  { file: "sig", region: "algorithm", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => t.replace('"ed25519"', '"ed25518"')), expect: "MalformedSignature" },
  { file: "sig", region: "JSON structure (closing brace removed)", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => t.trimEnd().slice(0, -1)), expect: "MalformedSignature" },
  { file: "sig", region: "truncated to half", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => t.slice(0, t.length >> 1)), expect: "MalformedSignature" },
  { file: "sig", region: "not UTF-8 / binary", mutate: (p) => writeFileSync(p("a", "1.0.0.sig"), new Uint8Array([0xff, 0xfe, 0, 1, 2])), expect: "MalformedSignature" },
  { file: "sig", region: "signatures list emptied", mutate: (p) => editText(p("a", "1.0.0.sig"), (t) => JSON.stringify({ ...JSON.parse(t), signatures: [] })), expect: "SignatureNotFound" },
  { file: "sig", region: "deleted", mutate: (p) => rmSync(p("a", "1.0.0.sig")), expect: "SignatureNotFound" },
  { file: "sig", region: "swapped with another version's", mutate: (p) => cpSync(p("a", "1.1.0.sig"), p("a", "1.0.0.sig")), expect: "TamperedPackage" },
  { file: "sig", region: "swapped with another package's", mutate: (p) => cpSync(p("b", "1.0.0.sig"), p("a", "1.0.0.sig")), expect: "TamperedPackage" },
  { file: "metadata", region: "checksum (one hex digit)", mutate: (p) => editText(p("a", "metadata.yaml"), (t) => swapChar(t, t.indexOf("checksum: sha256:") + 30)), expect: "TamperedPackage" },
  {
    file: "metadata",
    region: "checksum of another version",
    mutate: (p) => {
      const m = readFileSync(p("a", "metadata.yaml"), "utf8");
      const sums = [...m.matchAll(/checksum: (sha256:[0-9a-f]{64})/g)].map((x) => x[1]);
      writeFileSync(p("a", "metadata.yaml"), m.replace(sums[0], "X").replace(sums[1], sums[0]).replace("X", sums[1]));
    },
    expect: "TamperedPackage",
  },
  { file: "metadata", region: "name (another package)", mutate: (p) => editText(p("a", "metadata.yaml"), (t) => t.replace("name: \"@t/a\"", "name: \"@t/b\"").replace("name: '@t/a'", "name: '@t/b'").replace("name: @t/a", "name: \"@t/b\"")), expect: "TamperedPackage" },
  { file: "metadata", region: "swapped with another package's", mutate: (p) => cpSync(p("b", "metadata.yaml"), p("a", "metadata.yaml")), expect: "TamperedPackage" },
  { file: "metadata", region: "YAML structure broken", mutate: (p) => editText(p("a", "metadata.yaml"), (t) => t.replace("versions:", "versions: [")), expect: "Error" },
  { file: "metadata", region: "checksum field type (a number)", mutate: (p) => editText(p("a", "metadata.yaml"), (t) => t.replace(/checksum: sha256:[0-9a-f]{64}/, "checksum: 12")), expect: "Error" },
  // (Cut after the record, a truncation only drops later versions: metadata.yaml is not signed, so that
  // is a roll-back `verify` cannot see; `registry verify` warns about the archives it no longer lists.)
  { file: "metadata", region: "truncated inside the version's record", mutate: (p) => editText(p("a", "metadata.yaml"), (t) => t.slice(0, t.indexOf("checksum: sha256:") + 30)), expect: "Error" },
];

describe("reliability: tamper matrix (aam verify --require-signature, bun)", () => {
  let dir: string;
  let pristine: string;
  beforeAll(() => {
    dir = tempDir("aam-tamper-");
    const run = (args: string[]) => aam("bun", args, { cwd: dir, home: dir });
    expect(run(["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--no-passphrase"]).code).toBe(0);
    for (const [name, v] of [["@t/a", "1.0.0"], ["@t/a", "1.1.0"], ["@t/b", "1.0.0"]]) {
      makePackage(join(dir, `src-${name.slice(3)}-${v}`), name, v);
      expect(run(["pkg", "publish", `src-${name.slice(3)}-${v}`, "--sign"]).code).toBe(0);
    }
    pristine = join(dir, "pristine");
    cpSync(join(dir, "reg"), pristine, { recursive: true });
    // The untampered version verifies, so every failure below is the tampering's doing.
    expect(run(["verify", "@t/a@1.0.0", "--require-signature"]).code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  test.each(CASES.map((c) => [c.file, c.region, c] as const))("%s: %s is detected", (_f, _r, c) => {
    rmSync(join(dir, "reg"), { recursive: true, force: true });
    cpSync(pristine, join(dir, "reg"), { recursive: true });
    const p = (pkg: string, file: string) => join(dir, "reg", "packages", `t--${pkg}`, file);
    c.mutate(p);
    const r = aam("bun", ["verify", "@t/a@1.0.0", "--require-signature"], { cwd: dir, home: dir });
    expect({ code: r.code, error: errorName(r.stderr) }).toEqual({ code: { TamperedPackage: 10, InvalidSignature: 11, MalformedSignature: 14, SignatureNotFound: 13, Error: 1 }[c.expect], error: c.expect });
    expect(r.stderr).toContain("hint:");
  });
});
