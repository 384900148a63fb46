/**
 * Under `on_signature_failure: warn` (the default), the warning and the `--json` report say why a
 * signature failed or was not trusted (issue 17 §1): a gpg-made SHA-1 signature used to give exit 0
 * with `signers: []` and no reason. The signatures are gpg's fixtures (test/vectors/openpgp-keys).
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { aam, RUNTIMES, ROOT, tempDir, removeDir, type RuntimeName } from "../helpers.ts";

const VEC = join(ROOT, "test", "vectors", "openpgp-keys");
const ED25519 = readFileSync(join(VEC, "keys.tsv"), "utf8").split("\n").find((l) => l.startsWith("ed25519\t"))!.split("\t")[1];

/** A copy of the fixture package whose .sig holds the ed25519 key's `digest` signature only. */
function signedCopy(dir: string, digest: string): string {
  const file = join(dir, `${digest}.aam`);
  copyFileSync(join(VEC, "package.aam"), file);
  const sig = {
    version: 1,
    package: "@acme/matrix",
    package_version: "1.0.0",
    package_hash: `sha256:${createHash("sha256").update(readFileSync(file)).digest("hex")}`,
    signatures: [
      {
        algorithm: "openpgp",
        key_fingerprint: ED25519,
        public_key: readFileSync(join(VEC, "ed25519.pub.asc"), "utf8"),
        signature: readFileSync(join(VEC, `ed25519.${digest}.asc`), "utf8"),
        signed_at: "2026-01-01T00:00:00Z",
      },
    ],
  };
  writeFileSync(`${file}.sig`, JSON.stringify(sig));
  return file;
}

describe.each(RUNTIMES)("warn mode says why, under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir });
  beforeAll(() => {
    dir = tempDir("aam-warn-reason-");
  });
  afterAll(() => removeDir(dir));

  test("a SHA-1 signature from a trusted key: exit 0, the signer and its reason in the JSON and the warning", () => {
    expect(run(["key", "trust", join(VEC, "ed25519.pub.asc")]).code).toBe(0);
    const file = signedCopy(dir, "SHA1");
    const j = run(["verify", "--file", file, "--json"]);
    expect(j.code).toBe(0);
    const r = JSON.parse(j.stdout).results[0];
    expect(r.outcome).toBe("warned");
    expect(r.signers).toHaveLength(1);
    expect(r.signers[0]).toMatchObject({ algorithm: "openpgp", key_fingerprint: ED25519, valid: false });
    expect(r.signers[0].reason).toMatch(/SHA1|too weak/);
    expect(r.warnings[0]).toContain(r.signers[0].reason);
    const h = run(["verify", "--file", file]);
    expect(h.code).toBe(0);
    expect(h.stderr).toMatch(/SHA1|too weak/);
    // The control: the same key's SHA-256 signature verifies.
    const ok = JSON.parse(run(["verify", "--file", signedCopy(dir, "SHA256"), "--json"]).stdout).results[0];
    expect(ok).toMatchObject({ outcome: "verified", signers: [{ valid: true, trusted: true }] });
  });

  test("a valid signature from a key that is not trusted: the signer and its trust reason", () => {
    // A home that trusts nothing; the .sig carries the public key, which may check but never trust.
    const other = join(dir, "other");
    mkdirSync(other);
    const j = aam(rt, ["verify", "--file", signedCopy(dir, "SHA256"), "--json"], { cwd: other, home: other });
    expect(j.code).toBe(0);
    const r = JSON.parse(j.stdout).results[0];
    expect(r.outcome).toBe("warned");
    expect(r.signers).toEqual([expect.objectContaining({ key_fingerprint: ED25519, valid: true, trusted: false })]);
    expect(r.signers[0].trust_reason).toBeTruthy();
    expect(r.warnings[0]).toContain(r.signers[0].trust_reason);
  });
});
