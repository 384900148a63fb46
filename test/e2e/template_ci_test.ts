/** The registry template's CI scripts (verify.sh, attest.sh), run locally against a registry made from the template and a bare git repository. */
import { test, expect, beforeEach, afterEach } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, makePackage, run as sh, ROOT } from "../helpers.ts";

let dir: string;
const env = { AAM_PASSPHRASE: "ci" };
const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir, env });
const ci = () => sh("sh", [join(dir, "reg", ".aam-ci", "verify.sh")], { env: { AAM: `node ${join(ROOT, "dist", "cli.js")}`, AAM_HOME: join(dir, "ci-home"), NO_COLOR: "1" } });

beforeEach(() => {
  dir = tempDir();
  run(["registry", "init", "reg", "--default", "--require-signatures"]);
  run(["key", "generate", "--name", "ci"]);
});
afterEach(() => removeDir(dir));

test("registry init copies the CI workflows, the script and trusted-keys", () => {
  for (const f of [".github/workflows/aam-verify.yml", ".github/workflows/aam-attest.yml", ".gitlab-ci.yml", ".aam-ci/verify.sh", ".aam-ci/attest.sh", ".aam-ci/lib.sh", "trusted-keys", ".gitattributes", "README.md"]) {
    expect(existsSync(join(dir, "reg", f))).toBe(true);
  }
  expect(readFileSync(join(dir, "reg", ".github/workflows/aam-verify.yml"), "utf8")).toContain("verify.sh");
});

test("a good push passes; a signer missing from trusted-keys, an unsigned or a tampered package fails", () => {
  makePackage(join(dir, "p"), "@ci/pkg", "1.0.0");
  expect(run(["pkg", "publish", "p", "--sign"]).code).toBe(0);
  const fp = JSON.parse(run(["key", "list", "--json"]).stdout).keys[0].fingerprint;

  expect(ci().code).not.toBe(0); // nobody is trusted yet
  appendFileSync(join(dir, "reg", "trusted-keys"), `${fp}\n`);
  const good = ci();
  expect(good.stderr).toBe("");
  expect(good.code).toBe(0);

  // An unsigned version slipped in by editing files (the registry itself refuses unsigned publishes).
  writeFileSync(join(dir, "reg", ".env"), "REQUIRE_SIGNATURES=false\n");
  makePackage(join(dir, "p2"), "@ci/pkg", "1.1.0");
  const reg = readFileSync(join(dir, "reg", "registry.yaml"), "utf8");
  writeFileSync(join(dir, "reg", "registry.yaml"), reg.replace("require_signatures: true", "require_signatures: false"));
  expect(run(["pkg", "publish", "p2"]).code).toBe(0);
  expect(ci().code).toBe(13);

  const archive = join(dir, "reg", "packages", "ci--pkg", "1.0.0.aam");
  const b = readFileSync(archive);
  b[b.length - 30] ^= 1;
  writeFileSync(archive, b);
  expect(ci().code).not.toBe(0);
});

/** A template script run as CI runs it: a clean environment (no CI variables of the machine running the test) plus `env`. */
function script(name: string, checkout: string, env: Record<string, string> = {}) {
  const r = spawnSync("sh", [join(checkout, ".aam-ci", name)], {
    cwd: checkout,
    env: { PATH: process.env.PATH ?? "", HOME: dir, AAM: `node ${join(ROOT, "dist", "cli.js")}`, NO_COLOR: "1", ...GIT_ENV, ...env },
    encoding: "utf8",
  });
  return { code: r.status ?? 128, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" };

test("pull-request flow: publish in a branch, verify.sh passes, merge, attest.sh on main signs and pushes the snapshot", () => {
  const bare = join(dir, "bare.git");
  const git = (cwd: string, args: string[]) => {
    const r = sh("git", args, { cwd, env: GIT_ENV });
    expect({ git: args.join(" "), code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ git: args.join(" "), code: 0, stderr: "" });
    return r.stdout.trim();
  };
  const clone = (name: string, branch = "main") => (git(dir, ["clone", "--quiet", "--branch", branch, bare, name]), join(dir, name));
  const mainHead = () => git(bare, ["rev-parse", "main"]);
  const subjects = () => git(bare, ["log", "--format=%s", "main"]).split("\n");
  // The registry made by `registry init` (it requires signatures) is main's first commit.
  git(dir, ["init", "--bare", "--quiet", "--initial-branch", "main", bare]);
  git(join(dir, "reg"), ["init", "--quiet", "--initial-branch", "main"]);
  git(join(dir, "reg"), ["add", "-A"]);
  git(join(dir, "reg"), ["commit", "--quiet", "-m", "registry"]);
  git(join(dir, "reg"), ["push", "--quiet", bare, "main"]);
  // A maintainer accepts the author's key on main first.
  const authorFp = JSON.parse(run(["key", "list", "--json"]).stdout).keys[0].fingerprint;
  const maint = clone("maint");
  appendFileSync(join(maint, "trusted-keys"), `${authorFp}\n`);
  git(maint, ["commit", "--quiet", "-am", "trust the author"]);
  git(maint, ["push", "--quiet", "origin", "main"]);

  // The author publishes in a branch and pushes it for a pull request.
  const author = clone("author");
  git(author, ["checkout", "--quiet", "-b", "publish-pkg"]);
  makePackage(join(dir, "p"), "@ci/pkg", "1.0.0");
  expect(run(["pkg", "publish", "p", "--sign", "--registry", author]).code).toBe(0);
  git(author, ["add", "-A"]);
  git(author, ["commit", "--quiet", "-m", "publish @ci/pkg@1.0.0"]);
  git(author, ["push", "--quiet", "-u", "origin", "publish-pkg"]);

  // CI on the pull request: verify.sh passes; attest.sh refuses, there and on any branch but main.
  const pr = clone("pr", "publish-pkg");
  const keyPair = generateKeyPairSync("ed25519");
  const pem = keyPair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const ciFp = createHash("sha256").update(keyPair.publicKey.export({ type: "spki", format: "der" }).subarray(-32)).digest("hex");
  const checked = script("verify.sh", pr, { GITHUB_BASE_REF: "main" });
  expect({ code: checked.code, stderr: checked.stderr }).toEqual({ code: 0, stderr: "" });
  const before = mainHead();
  const inPr = script("attest.sh", pr, { AAM_ATTEST_KEY: pem, GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main", GITHUB_REF_NAME: "1/merge" });
  expect(inPr.code).toBe(15);
  expect(inPr.stderr).toContain("refusing to attest in a pull (merge) request");
  const inGitlabMr = script("attest.sh", pr, { AAM_ATTEST_KEY: pem, GITLAB_CI: "true", CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_IID: "1" });
  expect(inGitlabMr.code).toBe(15);
  const onBranch = script("attest.sh", pr, { AAM_ATTEST_KEY: pem });
  expect(onBranch.code).toBe(15);
  expect(onBranch.stderr).toContain('refusing to attest on branch "publish-pkg"');
  expect(mainHead()).toBe(before);
  expect(existsSync(join(pr, "snapshot.json"))).toBe(false);

  // The maintainer merges; CI on main attests with the key from its secret and pushes the result.
  git(maint, ["pull", "--quiet", "--no-rebase", "origin", "main"]);
  git(maint, ["fetch", "--quiet", "origin", "publish-pkg"]);
  git(maint, ["merge", "--quiet", "--no-ff", "-m", "merge publish-pkg", "FETCH_HEAD"]);
  git(maint, ["push", "--quiet", "origin", "main"]);
  const noKey = script("attest.sh", clone("ci0"));
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toContain("no attestation key");
  const attested = script("attest.sh", clone("ci1"), { AAM_ATTEST_KEY: pem, GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF_NAME: "main" });
  expect({ code: attested.code, stderr: attested.stderr }).toEqual({ code: 0, stderr: "" });
  expect(attested.stdout).toContain("pushed snapshot 1 to main");
  expect(subjects().slice(0, 2)).toEqual(["aam: registry attest (snapshot 1)", "merge publish-pkg"]);

  // What main now holds verifies: snapshot 1 signed by the CI key, nothing pending, the attestation in the .sig.
  const out = clone("out");
  const v = run(["registry", "verify", out, "--json"]);
  expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: "" });
  expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, versions: 1, snapshot: { serial: 1, pending: [], signed_by: [ciFp] } });
  const sig = JSON.parse(readFileSync(join(out, "packages", "ci--pkg", "1.0.0.sig"), "utf8"));
  expect(sig.signatures.map((e: { algorithm: string; key_fingerprint: string }) => [e.algorithm, e.key_fingerprint])).toEqual([
    ["ed25519", authorFp],
    ["registry-attestation", ciFp],
  ]);
  const afterAttest = script("verify.sh", out);
  expect({ code: afterAttest.code, stderr: afterAttest.stderr }).toEqual({ code: 0, stderr: "" });

  // Run again with nothing pending (the key from a file this time): nothing to do, nothing pushed.
  const head = mainHead();
  writeFileSync(join(dir, "attest.pem"), pem);
  const idle = script("attest.sh", out, { AAM_ATTEST_KEY_FILE: join(dir, "attest.pem") });
  expect({ code: idle.code, stderr: idle.stderr }).toEqual({ code: 0, stderr: "" });
  expect(idle.stdout).toContain("nothing to attest");
  expect(mainHead()).toBe(head);
  // ...unless the snapshot expires within AAM_ATTEST_RENEW_DAYS: then it is re-signed.
  const renewed = script("attest.sh", out, { AAM_ATTEST_KEY_FILE: join(dir, "attest.pem"), AAM_ATTEST_RENEW_DAYS: "31" });
  expect({ code: renewed.code, stderr: renewed.stderr }).toEqual({ code: 0, stderr: "" });
  expect(subjects()[0]).toBe("aam: registry attest (snapshot 2)");

  // A publish lands on main while CI attests an older checkout: the push is refused, and attest.sh
  // attests again on the new head, so the newer version is not left out.
  const publishOnMain = (version: string) => {
    git(maint, ["pull", "--quiet", "--no-rebase", "origin", "main"]);
    makePackage(join(dir, "p"), "@ci/pkg", version);
    expect(run(["pkg", "publish", "p", "--sign", "--registry", maint]).code).toBe(0);
    git(maint, ["add", "-A"]);
    git(maint, ["commit", "--quiet", "-m", `publish @ci/pkg@${version}`]);
    git(maint, ["push", "--quiet", "origin", "main"]);
  };
  publishOnMain("1.1.0");
  const stale = clone("stale");
  publishOnMain("1.2.0");
  const raced = script("attest.sh", stale, { AAM_ATTEST_KEY: pem });
  expect({ code: raced.code, stderr: raced.stderr }).toEqual({ code: 0, stderr: "" });
  expect(raced.stdout).toContain("the push of snapshot 3 was refused");
  expect(raced.stdout).toContain("pushed snapshot 3 to main");
  expect(subjects().slice(0, 2)).toEqual(["aam: registry attest (snapshot 3)", "publish @ci/pkg@1.2.0"]);
  const last = clone("last");
  const v2 = JSON.parse(run(["registry", "verify", last, "--json"]).stdout);
  expect(v2).toMatchObject({ ok: true, versions: 3, snapshot: { serial: 3, pending: [] } });
}, 180_000);
