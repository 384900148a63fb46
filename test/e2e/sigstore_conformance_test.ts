/**
 * The sigstore-conformance bundle-verify cases (test/vectors/sigstore-conformance, SPEC §10
 * verify-blob) run through `aam verify-blob` the way the upstream harness runs a client
 * (test/client.py `build_verify_args`): each case with the artifact's path and again with its
 * `sha256:<hex>`, with `--key key.pub` when the case has one, otherwise the case's identity and
 * issuer; under Node, Bun and Deno, with the network forbidden. Every case without `_fail` must
 * verify; every `_fail` case must be refused for a verification reason, one of REFUSALS (never
 * `Error`, an internal error or a stack trace), the one written below for it, the same in both modes
 * and on every runtime.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { readdirSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { aamAsync, RUNTIMES, ROOT, tempDir, removeDir, type RuntimeName, type RunResult } from "../helpers.ts";
import { EXIT_CODES, type ErrorCode } from "../../src/errors.ts";

const CASES_DIR = join(ROOT, "test", "vectors", "sigstore-conformance", "bundle-verify");
const PROD_ROOT = join(ROOT, "..", "shared", "fixtures", "sigstore", "trusted_root.production.json");
// The harness's defaults (test/client.py): the conformance beacon's workflow and GitHub's issuer.
const DEFAULT_IDENTITY = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER = "https://token.actions.githubusercontent.com";

/** The verification reasons a `_fail` case may be refused for (issue 17 §2); no case is exempt. */
const REFUSALS = ["InvalidSignature", "UntrustedSigner", "MalformedSignature", "TamperedPackage"] as const satisfies readonly ErrorCode[];
type Refusal = (typeof REFUSALS)[number];

/**
 * Why each `_fail` case that is not refused as InvalidSignature is refused. Pinned per case so that
 * a case that starts failing for another reason (or an internal error) is noticed.
 */
const REFUSED_AS: Record<string, Refusal> = {
  // The bundle does not parse as a Sigstore bundle (protobuf-specs' rules), or is not JSON.
  "bundle-empty-certificate-chain_fail": "MalformedSignature",
  "bundle-malformed-json_fail": "MalformedSignature",
  "bundle-unknown-version_fail": "MalformedSignature",
  "intoto-missing-inclusion-proof_fail": "MalformedSignature", // v0.2 requires an inclusion proof
  "invalid-inclusion-proof_fail": "MalformedSignature", // v0.2 requires a checkpoint in the proof
  "rekor2-no-inclusion-proof_fail": "MalformedSignature",
  // Signed by another signer than the one asked for.
  "managed-key-no-key_fail": "UntrustedSigner", // a key-signed bundle checked for an identity
  "managed-key-wrong-key_fail": "UntrustedSigner", // its hint names another key than key.pub
  // The bundle is sound, but the case's own trusted_root.json gives its Rekor key no validFor.start:
  // the key is trusted for no time, so the log entry vouches for no one (trusted_root.ts UNBOUNDED_AS).
  "trust-root-tlog-missing-validity-start_fail": "UntrustedSigner",
};

/** Cases not run, with the reason. None: every case applies to `aam verify-blob` in both modes. */
const NOT_APPLICABLE: Record<string, string> = {};

interface Case {
  name: string;
  bundle: string;
  artifact: string;
  trustedRoot: string;
  key?: string;
  identity: string;
  issuer: string;
  shouldFail: boolean;
}

function loadCases(): Case[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(CASES_DIR, name);
      const opt = (f: string) => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
      const text = (f: string) => (opt(f) ? readFileSync(join(dir, f), "utf8").trim() : undefined);
      return {
        name,
        bundle: join(dir, "bundle.sigstore.json"),
        artifact: opt("artifact") ?? join(CASES_DIR, "a.txt"),
        trustedRoot: opt("trusted_root.json") ?? PROD_ROOT,
        key: opt("key.pub"),
        identity: text("identity") ?? DEFAULT_IDENTITY,
        issuer: text("issuer") ?? DEFAULT_ISSUER,
        shouldFail: name.endsWith("_fail"),
      };
    });
}

const CASES = loadCases();
const RUN = CASES.filter((c) => !(c.name in NOT_APPLICABLE));
const MODES = ["file", "digest"] as const;
type Mode = (typeof MODES)[number];

function args(c: Case, mode: Mode): string[] {
  const subject = mode === "file" ? c.artifact : `sha256:${createHash("sha256").update(readFileSync(c.artifact)).digest("hex")}`;
  const signer = c.key ? ["--key", c.key] : ["--certificate-identity", c.identity, "--certificate-oidc-issuer", c.issuer];
  return ["verify-blob", subject, "--bundle", c.bundle, ...signer, "--trusted-root", c.trustedRoot, "--json"];
}

/** Runs every case, two at a time (the machine is shared), and answers the results by case name. */
async function runAll(rt: RuntimeName, mode: Mode, home: string): Promise<Map<string, RunResult>> {
  const out = new Map<string, RunResult>();
  let next = 0;
  const worker = async () => {
    while (next < RUN.length) {
      const c = RUN[next++];
      out.set(c.name, await aamAsync(rt, args(c, mode), { cwd: home, home, offline: true }));
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

test("the copy holds the 70 upstream cases, each with a bundle, and every refusal reason names a real _fail case", () => {
  expect(CASES.length).toBe(70);
  for (const c of CASES) expect(existsSync(c.bundle)).toBe(true);
  const names = new Set(CASES.filter((c) => c.shouldFail).map((c) => c.name));
  for (const n of [...Object.keys(REFUSED_AS), ...Object.keys(NOT_APPLICABLE)]) expect(names.has(n) || n in NOT_APPLICABLE).toBe(true);
  expect(RUN.length).toBe(CASES.length - Object.keys(NOT_APPLICABLE).length);
});

describe.each(RUNTIMES)("sigstore-conformance bundle-verify under %s, no network", (rt: RuntimeName) => {
  describe.each(MODES)("%s mode", (mode: Mode) => {
    let home: string;
    let results: Map<string, RunResult>;
    beforeAll(async () => {
      home = tempDir();
      results = await runAll(rt, mode, home);
    }, 600_000);
    afterAll(() => removeDir(home));

    test.each(RUN.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const r = results.get(c.name)!;
      expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
      expect(r.stderr).not.toContain("    at "); // no stack trace, whatever the outcome
      const doc = JSON.parse(r.stdout);
      if (!c.shouldFail) {
        expect({ code: r.code, ok: doc.ok, error: doc.error }).toEqual({ code: 0, ok: true, error: undefined });
        if (c.key) expect(doc.key_fingerprint).toMatch(/^[0-9a-f]{64}$/);
        else expect({ identity: doc.identity, issuer: doc.issuer }).toEqual({ identity: c.identity, issuer: c.issuer });
        expect(doc.checksum).toBe(`sha256:${createHash("sha256").update(readFileSync(c.artifact)).digest("hex")}`);
        return;
      }
      const want = REFUSED_AS[c.name] ?? "InvalidSignature";
      expect(REFUSALS).toContain(doc.error?.code);
      expect({ code: r.code, ok: doc.ok, error: doc.error?.code }).toEqual({ code: EXIT_CODES[want], ok: false, error: want });
      expect(doc.error.hint).toBeString();
    });
  });
});
