/**
 * Every documented `--json` output matches its schema in docs/schemas/ (issue 9; SPEC §10: "`--json`
 * prints one JSON document on stdout and nothing else there"). Stdout must parse, whole, as one
 * JSON document, on success and on failure.
 *
 * No validator ships in node_modules, so this file carries a minimal one for the subset of JSON
 * Schema the schemas use: type, required, properties, additionalProperties, items, enum, and
 * `$ref` to another file of docs/schemas/.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { readdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, tempDir, removeDir, makePackage, ROOT, type RunResult } from "../helpers.ts";

type Schema = Record<string, unknown>;
const SCHEMA_DIR = join(ROOT, "docs", "schemas");
const KNOWN_KEYWORDS = new Set(["$schema", "title", "description", "type", "required", "properties", "additionalProperties", "items", "enum", "$ref"]);

function loadSchema(name: string): Schema {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8"));
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Problems of `value` against `schema`, each with its JSON path; empty when it conforms. */
function validate(schema: Schema, value: unknown, path = "$"): string[] {
  if (typeof schema.$ref === "string") return validate(loadSchema(schema.$ref), value, path);
  const out: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const t = typeOf(value);
    if (!types.some((x) => x === t || (x === "number" && t === "integer"))) return [`${path}: expected ${types.join("|")}, got ${t}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    out.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in obj)) out.push(`${path}: missing required "${k}"`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) out.push(...validate(props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}: "${k}" is not a documented field`);
      else if (typeof schema.additionalProperties === "object") out.push(...validate(schema.additionalProperties as Schema, v, `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...validate(schema.items as Schema, v, `${path}[${i}]`)));
  return out;
}

/** Keywords the minimal validator does not know: a schema using one would be checked only in part. */
function unknownKeywords(schema: unknown, path = ""): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const s = schema as Schema;
  const out = Object.keys(s).filter((k) => !KNOWN_KEYWORDS.has(k)).map((k) => `${path}/${k}`);
  for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) out.push(...unknownKeywords(v, `${path}/properties/${k}`));
  if (typeof s.items === "object") out.push(...unknownKeywords(s.items, `${path}/items`));
  if (typeof s.additionalProperties === "object") out.push(...unknownKeywords(s.additionalProperties, `${path}/additionalProperties`));
  return out;
}

const used = new Set<string>();

/** Stdout is exactly one JSON document that conforms to `schemaName`; returns it. */
function expectDocument(r: RunResult, schemaName: string, label: string): Record<string, unknown> {
  used.add(schemaName);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`${label}: stdout is not exactly one JSON document (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
  expect({ label, problems: validate(loadSchema(schemaName), doc) }).toEqual({ label, problems: [] });
  return doc;
}

function expectError(r: RunResult, code: string, label: string): void {
  const doc = expectDocument(r, "error.schema.json", label) as { error: { code: string; exit_code: number } };
  expect({ label, code: doc.error.code, exit: r.code }).toEqual({ label, code, exit: doc.error.exit_code });
}

describe("JSON schemas", () => {
  test("validate() reports a wrong type, a missing field, an undocumented field and a bad enum value", () => {
    const schema = loadSchema("verify.schema.json");
    expect(validate(schema, { ok: true, results: [] })).toEqual([]);
    expect(validate(schema, { ok: "yes", results: [] }).length).toBe(1);
    expect(validate(schema, { ok: true })).toEqual(['$: missing required "results"']);
    expect(validate(schema, { ok: true, results: [], extra: 1 })).toEqual(['$: "extra" is not a documented field']);
    expect(validate(schema, { ok: true, results: [{ package: "a", version: "1.0.0", checksum: "x", outcome: "great", checks: {}, signers: [], warnings: [] }] }).length).toBeGreaterThan(0);
  });

  test("every schema uses only keywords the checker understands, and is documented in json-output.md", () => {
    const doc = readFileSync(join(ROOT, "docs", "json-output.md"), "utf8");
    for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".json"))) {
      expect({ f, unknown: unknownKeywords(loadSchema(f)) }).toEqual({ f, unknown: [] });
      expect({ f, documented: doc.includes(`schemas/${f}`) }).toEqual({ f, documented: true });
    }
  });
});

describe("--json output under node", () => {
  let dir: string;
  const home = () => join(dir, "home");
  const env = { AAM_PASSPHRASE: "schema test" };
  const run = (args: string[], cwd = dir, h = home()) => aam("node", [...args, "--json"], { cwd, home: h, env });
  const runAsync = (args: string[]) => aamAsync("node", [...args, "--json"], { cwd: dir, home: home(), env });
  let archive = "";

  beforeAll(() => {
    dir = tempDir("aam-json-");
  });
  afterAll(() => removeDir(dir));

  test("registry init, key generate, pkg validate/pack/sign/publish", () => {
    expectDocument(run(["registry", "init", "reg", "--name", "team", "--default"]), "registry-init.schema.json", "registry init");
    const key = expectDocument(run(["key", "generate", "--name", "release"]), "key-generate.schema.json", "key generate");
    expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    makePackage(join(dir, "p"), "@me/p", "1.0.0");
    expectDocument(run(["pkg", "validate", "p"]), "pkg-validate.schema.json", "pkg validate");
    const packed = expectDocument(run(["pkg", "pack", "p"]), "pkg-pack.schema.json", "pkg pack");
    archive = String(packed.path);
    expectDocument(run(["pkg", "sign", archive]), "pkg-sign.schema.json", "pkg sign");
    const pub = expectDocument(run(["pkg", "publish", "p"]), "pkg-publish.schema.json", "pkg publish");
    expect(pub.signed).toBe(true);
  });

  test("read-only commands: search, info, verify, registry verify, key list, config, dist-tag ls, owner ls, doctor", async () => {
    const cases: [string[], string][] = [
      [["search"], "search.schema.json"],
      [["info", "@me/p", "--signatures", "--audit-log"], "info.schema.json"],
      [["verify", "@me/p"], "verify.schema.json"],
      [["registry", "verify"], "registry-verify.schema.json"],
      [["key", "list"], "key-list.schema.json"],
      [["config", "get", "security.trusted_keys"], "config-get.schema.json"],
      [["config", "list"], "config-list.schema.json"],
      [["dist-tag", "ls", "@me/p"], "dist-tag-ls.schema.json"],
      [["owner", "ls", "@me/p"], "owner-ls.schema.json"],
      [["doctor"], "doctor.schema.json"],
    ];
    const results = await Promise.all(cases.map(([args]) => runAsync(args)));
    cases.forEach(([args, schema], i) => {
      expect({ cmd: args.join(" "), code: results[i].code }).toEqual({ cmd: args.join(" "), code: 0 });
      expectDocument(results[i], schema, args.join(" "));
    });
    const info = JSON.parse(results[1].stdout);
    expect(info.signatures[0]).toMatchObject({ algorithm: "ed25519", valid: true, trusted: true });
    expect(info.audit_log.map((e: { event: string }) => e.event)).toContain("package.publish");
  });

  test("offline: prepare, verify --offline, bundle export/import, install", () => {
    expectDocument(run(["verify", "--offline-prepare", "@me/p"]), "verify-offline-prepare.schema.json", "verify --offline-prepare");
    const off = expectDocument(run(["verify", "--offline", "@me/p"]), "verify-offline.schema.json", "verify --offline");
    expect((off.results as { outcome: string }[])[0].outcome).toBe("verified");
    expectDocument(run(["bundle", "export", "@me/p", "--output", "p.aambundle"]), "bundle-export.schema.json", "bundle export");
    // The importing machine trusts the signer by fingerprint.
    const other = join(dir, "other");
    const fp = (JSON.parse(run(["key", "list"]).stdout).keys[0] as { fingerprint: string }).fingerprint;
    expect(run(["key", "trust", fp], dir, other).code).toBe(0);
    expectDocument(run(["bundle", "import", "p.aambundle"], dir, other), "bundle-import.schema.json", "bundle import");
    const inst = expectDocument(run(["install", "@me/p"]), "install.schema.json", "install");
    expect((inst.installed as { signer: string }[])[0].signer).toBe(`ed25519:${fp}`);
  });

  test("failures print exactly one error document whose exit_code is the exit status", () => {
    expectError(run(["info", "@me/none"]), "NotFound", "info of a missing package");
    expectError(run(["verify", "--bogus", "@me/p"]), "UsageError", "unknown option");
    expectError(run(["nosuchcommand"]), "UsageError", "unknown command");
    expectError(run(["verify", "--offline", "@me/none"]), "OfflineCacheMiss", "offline miss");
    expectError(run(["pkg", "publish", "p"]), "PolicyViolation", "republish");
    const bytes = readFileSync(archive);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(join(dir, "t.aam"), bytes);
    writeFileSync(join(dir, "t.aam.sig"), readFileSync(`${archive}.sig`));
    expectError(run(["verify", "--file", "t.aam"]), "TamperedPackage", "tampered archive");
  });

  test("documents that report their own failure: pkg validate, registry verify", () => {
    writeFileSync(join(dir, "p", "aam.yaml"), "name: Bad Name\nversion: one\n");
    const v = run(["pkg", "validate", "p"]);
    expect(v.code).toBe(1);
    expect(expectDocument(v, "pkg-validate.schema.json", "invalid manifest").ok).toBe(false);
    appendFileSync(join(dir, "reg", "audit.log"), '{"seq":99}\n');
    const r = run(["registry", "verify"]);
    expect(r.code).not.toBe(0);
    const doc = expectDocument(r, "registry-verify.schema.json", "broken registry") as { ok: boolean; audit_log: { ok: boolean } };
    expect(doc.ok).toBe(false);
    expect(doc.audit_log.ok).toBe(false);
  });

  test("every schema in docs/schemas/ was checked against real output", () => {
    const all = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".json") && f !== "verify-report.schema.json");
    expect(all.filter((f) => !used.has(f))).toEqual([]);
  });
});
