/**
 * `aam registry attest` end to end (SPEC §5a): attestations in the .sig, the signed snapshot and
 * its bins, the audit events, history rewinds refused unless allowed, failing versions reported.
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aam, RUNTIMES, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";

/** A registry "acme" with an attestation key "regkey" and @acme/hello@1.0.0 (unsigned) attested. */
function attestedRegistry(run: (args: string[]) => { code: number }, dir: string, attestFlags: string[] = []): void {
  expect(run(["registry", "init", "reg", "--name", "acme", "--default"]).code).toBe(0);
  expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
  makePackage(join(dir, "pkg"), "@acme/hello", "1.0.0");
  expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
  expect(run(["registry", "attest", "--key", "regkey", "--all", ...attestFlags]).code).toBe(0);
}

describe.each(RUNTIMES)("registry attest under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir });
  const reg = (...p: string[]) => join(dir, "reg", ...p);
  const json = (args: string[]) => {
    const r = run([...args, "--json"]);
    return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : null };
  };
  const events = () => readFileSync(reg("audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const setMeta = (edit: (text: string) => string) => {
    const f = reg("packages", "acme--hello", "metadata.yaml");
    writeFileSync(f, edit(readFileSync(f, "utf8")));
  };

  beforeEach(() => {
    dir = tempDir();
    expect(run(["registry", "init", "reg", "--name", "acme", "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "author", "--no-passphrase"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
    makePackage(join(dir, "pkg"), "@acme/hello", "1.0.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0);
    makePackage(join(dir, "pkg"), "@acme/hello", "1.1.0");
    expect(run(["pkg", "publish", "pkg"]).code).toBe(0); // unsigned
  });
  afterEach(() => removeDir(dir));

  test("attest --all adds registry-attestation entries, signs snapshot 1 with its bin, and logs the events", () => {
    const r = json(["registry", "attest", "--key", "regkey", "--all"]);
    expect(r.code).toBe(0);
    expect(r.doc).toMatchObject({ ok: true, registry: "acme", serial: 1, failed: [] });
    expect(r.doc.attested).toEqual([
      { package: "@acme/hello", version: "1.0.0" },
      { package: "@acme/hello", version: "1.1.0" },
    ]);
    const regFp = JSON.parse(run(["key", "list", "--json"]).stdout).keys.find((k: { name: string }) => k.name === "regkey").fingerprint;
    const sig11 = JSON.parse(readFileSync(reg("packages", "acme--hello", "1.1.0.sig"), "utf8"));
    expect(sig11.signatures).toMatchObject([{ algorithm: "registry-attestation", registry: "acme", key_fingerprint: regFp }]);
    const sig10 = JSON.parse(readFileSync(reg("packages", "acme--hello", "1.0.0.sig"), "utf8"));
    expect(sig10.signatures.map((s: { algorithm: string }) => s.algorithm)).toEqual(["ed25519", "registry-attestation"]);

    const snap = JSON.parse(readFileSync(reg("snapshot.json"), "utf8"));
    expect(snap).toMatchObject({ version: 1, registry: "acme", serial: 1, signatures: [{ key_fingerprint: regFp }] });
    const bins = readdirSync(reg("snapshot", "bins"));
    expect(bins.map((b) => b.replace(".json", ""))).toEqual(Object.keys(snap.bins));
    const bin = JSON.parse(readFileSync(reg("snapshot", "bins", bins[0]), "utf8"));
    expect(bin["acme--hello"].dist_tags).toEqual({ latest: "1.1.0" });
    expect(Object.keys(bin["acme--hello"].versions)).toEqual(["1.0.0", "1.1.0"]);
    // The bin's hash is the root's entry; registry.yaml's too.
    const sha = (f: string) => "sha256:" + sh("sha256sum", [f]).stdout.split(" ")[0];
    expect(snap.bins[bins[0].replace(".json", "")]).toBe(sha(reg("snapshot", "bins", bins[0])));
    expect(snap.registry_yaml).toBe(sha(reg("registry.yaml")));

    const ev = events();
    expect(ev.slice(-4).map((e) => [e.event, e.version])).toEqual([
      ["version.approve", "1.0.0"],
      ["version.approve", "1.1.0"],
      ["key.publish", null],
      ["snapshot.sign", null],
    ]);
    // The attestation key, for convenience only: listed in registry.yaml, published in keys/.
    expect(readFileSync(reg("registry.yaml"), "utf8")).toContain(`attestation_keys: [${regFp}]`);
    expect(readFileSync(reg("keys", `${regFp}.pem`), "utf8")).toContain("BEGIN PUBLIC KEY");
    expect(ev[ev.length - 1].details.serial).toBe(1);
    // audit_head is the line before snapshot.sign.
    expect(snap.audit_head).toEqual({ seq: ev.length - 1, sha256: ev[ev.length - 1].prev });

    // An attestation is never an author's signature: the unsigned version still reads as unsigned.
    const v = json(["verify", "@acme/hello@1.1.0"]);
    expect(v.code).toBe(0);
    expect(v.doc.outcome ?? v.doc.results?.[0]?.outcome).toBe("unsigned");
    expect(run(["registry", "verify"]).code).toBe(0);
  });

  test("attest with no packages re-signs (serial 2, no bin rewritten); a new version is attested alone", () => {
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    const binsBefore = JSON.parse(readFileSync(reg("snapshot.json"), "utf8")).bins;
    const r = json(["registry", "attest", "--key", "regkey", "--expires", "7"]);
    expect(r.doc).toMatchObject({ serial: 2, bins: [], attested: [] });
    const snap = JSON.parse(readFileSync(reg("snapshot.json"), "utf8"));
    expect(snap.bins).toEqual(binsBefore);
    expect(Date.parse(snap.expires_at) - Date.parse(snap.created_at)).toBe(7 * 86_400_000);
    makePackage(join(dir, "pkg"), "@acme/hello", "1.2.0");
    expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
    const n = json(["registry", "attest", "--key", "regkey", "--all"]);
    expect(n.doc).toMatchObject({ serial: 3, attested: [{ package: "@acme/hello", version: "1.2.0" }] });
  });

  test("an older snapshot.json put back is refused before anything is signed (TamperedPackage, 10); restored, attest goes on at the next serial", () => {
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    const old = readFileSync(reg("snapshot.json"));
    expect(run(["registry", "attest", "--key", "regkey"]).code).toBe(0);
    const newest = readFileSync(reg("snapshot.json"));
    const logBefore = readFileSync(reg("audit.log"), "utf8");
    writeFileSync(reg("snapshot.json"), old);
    const r = run(["registry", "attest", "--key", "regkey"]);
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code: 10, name: "TamperedPackage" });
    expect(r.stderr).toContain("the audit log says serial 2 was signed");
    expect(readFileSync(reg("audit.log"), "utf8")).toBe(logBefore);
    expect(readFileSync(reg("snapshot.json"))).toEqual(old);
    // Reject builds on the snapshot too.
    expect(run(["registry", "reject", "@acme/hello@1.1.0", "--reason", "r", "--key", "regkey"]).code).toBe(10);
    writeFileSync(reg("snapshot.json"), newest);
    expect(json(["registry", "attest", "--key", "regkey"]).doc).toMatchObject({ serial: 3 });
  });

  test("moving latest back or un-yanking is refused (PolicyViolation, 15) unless --allow-rewind names the package", () => {
    expect(run(["yank", "@acme/hello@1.0.0"]).code).toBe(0);
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    setMeta((t) => t.replace("latest: 1.1.0", "latest: 1.0.0").replace("yanked: true", "yanked: false"));
    const r = run(["registry", "attest", "--key", "regkey", "--all"]);
    expect(r.code).toBe(15);
    expect(errorName(r.stderr)).toBe("PolicyViolation");
    expect(r.stderr).toContain("--allow-rewind @acme/hello");
    expect(JSON.parse(readFileSync(reg("snapshot.json"), "utf8")).serial).toBe(1); // nothing written
    expect(run(["registry", "attest", "--key", "regkey", "--all", "--allow-rewind", "@acme/other"]).code).toBe(15);
    const ok = json(["registry", "attest", "--key", "regkey", "--all", "--allow-rewind", "@acme/hello"]);
    expect(ok.code).toBe(0);
    expect(ok.doc.serial).toBe(2);
  });

  test("a version that fails the pipeline is reported and not attested; the others are (exit code of the failure)", () => {
    const archive = reg("packages", "acme--hello", "1.1.0.aam");
    const bytes = readFileSync(archive);
    bytes[bytes.length - 30] ^= 1;
    writeFileSync(archive, bytes);
    const r = json(["registry", "attest", "--key", "regkey", "--all"]);
    expect(r.code).toBe(10);
    expect(r.doc.attested).toEqual([{ package: "@acme/hello", version: "1.0.0" }]);
    expect(r.doc.failed).toMatchObject([{ package: "@acme/hello", version: "1.1.0", code: "TamperedPackage" }]);
    expect(existsSync(reg("packages", "acme--hello", "1.1.0.sig"))).toBe(false);
    const bin = readdirSync(reg("snapshot", "bins"))[0];
    expect(Object.keys(JSON.parse(readFileSync(reg("snapshot", "bins", bin), "utf8"))["acme--hello"].versions)).toEqual(["1.0.0"]);
  });

  test("owners: a version not signed by an owner is not attested (PolicyViolation)", () => {
    // A snapshot-only attest lists regkey as an attestation key, which may set the first owners.
    expect(run(["registry", "attest", "--key", "regkey"]).code).toBe(0);
    expect(run(["owner", "add", "@acme/hello", "github:someone-else", "--key", "regkey"]).code).toBe(0);
    const r = json(["registry", "attest", "--key", "regkey", "@acme/hello@1.0.0"]);
    expect(r.code).toBe(15);
    expect(r.doc.failed).toMatchObject([{ version: "1.0.0", code: "PolicyViolation" }]);
  });

  test("attest refuses to build on a snapshot no given key signed (forged or another key's); a rotation signs with both", () => {
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "newkey", "--no-passphrase"]).code).toBe(0);
    const other = run(["registry", "attest", "--key", "newkey"]);
    expect(other.code).toBe(10);
    expect(errorName(other.stderr)).toBe("TamperedPackage");
    expect(other.stderr).toContain("--key <old> --key <new>");
    expect(JSON.parse(readFileSync(reg("snapshot.json"), "utf8")).serial).toBe(1);
    // The rotation: both keys sign once, then the new one alone.
    const both = json(["registry", "attest", "--key", "regkey", "--key", "newkey"]);
    expect(both.doc.serial).toBe(2);
    expect(JSON.parse(readFileSync(reg("snapshot.json"), "utf8")).signatures.length).toBe(2);
    expect(run(["registry", "attest", "--key", "newkey"]).code).toBe(0);
    // A snapshot put in place by someone holding neither key is refused too.
    expect(run(["key", "generate", "--name", "evil", "--no-passphrase"]).code).toBe(0);
    const good = readFileSync(reg("snapshot.json"));
    const forged = JSON.parse(good.toString());
    expect(aam(rt, ["registry", "init", "evilreg", "--name", "acme"], { cwd: dir, home: dir }).code).toBe(0);
    expect(run(["registry", "attest", "--key", "evil", "--registry", join(dir, "evilreg")]).code).toBe(0);
    const evilSnap = JSON.parse(readFileSync(join(dir, "evilreg", "snapshot.json"), "utf8"));
    forged.serial = 99;
    forged.signatures = evilSnap.signatures; // a signature by a key nobody gave
    writeFileSync(reg("snapshot.json"), JSON.stringify(forged));
    expect(run(["registry", "attest", "--key", "newkey"]).code).toBe(10);
  });

  test("without --key, with a bad --expires or an unknown package: clean errors", () => {
    expect(errorName(run(["registry", "attest", "--all"]).stderr)).toBe("UsageError");
    expect(run(["registry", "attest", "--key", "regkey", "--all", "--expires", "400"]).code).toBe(2);
    const nf = run(["registry", "attest", "--key", "regkey", "@acme/nope"]);
    expect(nf.code).toBe(3);
    expect(nf.stderr).not.toContain("    at ");
  });
});

describe.each(RUNTIMES)("registry reject under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir });
  const reg = (...p: string[]) => join(dir, "reg", ...p);
  beforeEach(() => {
    dir = tempDir();
    attestedRegistry(run, dir, ["--expires", "10"]);
  });
  afterEach(() => removeDir(dir));

  test("reject marks the version rejected, drops the attestation, re-signs for the same duration, and sticks", () => {
    const r = aam(rt, ["registry", "reject", "@acme/hello@1.0.0", "--reason", "steals tokens", "--key", "regkey", "--json"], { cwd: dir, home: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, rejected: true, serial: 2 });
    expect(existsSync(reg("packages", "acme--hello", "1.0.0.sig"))).toBe(false); // it held only the attestation
    expect(readFileSync(reg("packages", "acme--hello", "metadata.yaml"), "utf8")).toContain("steals tokens");
    const snap = JSON.parse(readFileSync(reg("snapshot.json"), "utf8"));
    expect(Date.parse(snap.expires_at) - Date.parse(snap.created_at)).toBe(10 * 86_400_000);
    const bin = JSON.parse(readFileSync(reg("snapshot", "bins", readdirSync(reg("snapshot", "bins"))[0]), "utf8"));
    expect(bin["acme--hello"].versions["1.0.0"].rejected.reason).toBe("steals tokens");
    const ev = readFileSync(reg("audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).slice(-2);
    expect(ev.map((e) => e.event)).toEqual(["version.reject", "snapshot.sign"]);
    expect(ev[0].details.reason).toBe("steals tokens");
    expect(run(["registry", "verify"]).code).toBe(0);

    // It cannot be attested again, nor quietly un-rejected.
    expect(run(["registry", "attest", "--key", "regkey", "@acme/hello@1.0.0"]).code).toBe(15);
    const f = reg("packages", "acme--hello", "metadata.yaml");
    writeFileSync(f, readFileSync(f, "utf8").replace(/\n\s+rejected:\n\s+reason: [^\n]+\n\s+at: [^\n]+/, ""));
    expect(readFileSync(f, "utf8")).not.toContain("steals tokens");
    const again = run(["registry", "attest", "--key", "regkey", "--all"]);
    expect(again.code).toBe(15);
    expect(again.stderr).toContain("--allow-rewind @acme/hello");
  });

  test("reject needs an exact version, a reason and a key, and refuses a second rejection", () => {
    expect(run(["registry", "reject", "@acme/hello", "--reason", "x", "--key", "regkey"]).code).toBe(2);
    expect(run(["registry", "reject", "@acme/hello@1.0.0", "--key", "regkey"]).code).toBe(2);
    expect(run(["registry", "reject", "@acme/hello@1.0.0", "--reason", "x"]).code).toBe(2);
    expect(run(["registry", "reject", "@acme/hello@9.9.9", "--reason", "x", "--key", "regkey"]).code).toBe(3);
    expect(run(["registry", "reject", "@acme/hello@1.0.0", "--reason", "x", "--key", "regkey"]).code).toBe(0);
    expect(errorName(run(["registry", "reject", "@acme/hello@1.0.0", "--reason", "y", "--key", "regkey"]).stderr)).toBe("UsageError");
  });
});

describe.each(RUNTIMES)("registry attest and reject on a git registry under %s", (rt: RuntimeName) => {
  let dir: string;
  const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" };
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir, env: GIT_ENV });
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  test("attest and reject commit and push one change each, and the pushed tree holds the signed snapshot", () => {
    const seed = join(dir, "seed");
    expect(run(["registry", "init", seed, "--name", "gitreg"]).code).toBe(0);
    const bare = join(dir, "bare.git");
    expect(sh("git", ["init", "--bare", "--quiet", "--initial-branch", "main", bare]).code).toBe(0);
    const g = (args: string[]) => sh("git", args, { cwd: seed, env: GIT_ENV });
    g(["init", "--quiet"]);
    g(["add", "-A"]);
    expect(g(["commit", "--quiet", "-m", "registry"]).code).toBe(0);
    expect(g(["push", "--quiet", bare, "HEAD:refs/heads/main"]).code).toBe(0);
    expect(run(["registry", "add", "g", `git+file://${bare}`, "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
    makePackage(join(dir, "pkg"), "@acme/hello", "1.0.0");
    expect(run(["pkg", "publish", "pkg"]).code).toBe(0);

    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    expect(run(["registry", "reject", "@acme/hello@1.0.0", "--reason", "bad", "--key", "regkey"]).code).toBe(0);
    const log = sh("git", ["log", "--format=%s", "main"], { cwd: bare }).stdout.trim().split("\n");
    expect(log.slice(0, 2)).toEqual(["aam: registry reject @acme/hello@1.0.0", "aam: registry attest"]);
    const out = join(dir, "out");
    expect(sh("git", ["clone", "--quiet", "--branch", "main", bare, out]).code).toBe(0);
    const snap = JSON.parse(readFileSync(join(out, "snapshot.json"), "utf8"));
    expect(snap).toMatchObject({ registry: "gitreg", serial: 2 });
    expect(readdirSync(join(out, "snapshot", "bins")).length).toBe(1);
    expect(aam(rt, ["registry", "verify", out], { cwd: dir, home: dir }).code).toBe(0);
  });

  test("pinned git+file:// registry: a client follows attests through `registry update`; a force-pushed older snapshot is StaleMetadata (18)", () => {
    const seed = join(dir, "seed");
    expect(run(["registry", "init", seed, "--name", "gitreg"]).code).toBe(0);
    const bare = join(dir, "bare.git");
    expect(sh("git", ["init", "--bare", "--quiet", "--initial-branch", "main", bare]).code).toBe(0);
    const g = (args: string[], cwd = seed) => sh("git", args, { cwd, env: GIT_ENV });
    g(["init", "--quiet"]);
    g(["add", "-A"]);
    expect(g(["commit", "--quiet", "-m", "registry"]).code).toBe(0);
    expect(g(["push", "--quiet", bare, "HEAD:refs/heads/main"]).code).toBe(0);
    expect(run(["registry", "add", "g", `git+file://${bare}`, "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "author", "--no-passphrase"]).code).toBe(0);
    const fp = JSON.parse(run(["key", "list", "--json"]).stdout).keys.find((k: { name: string }) => k.name === "regkey").fingerprint as string;
    makePackage(join(dir, "pkg"), "@acme/hello", "1.0.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0);
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0); // serial 1
    const head = () => g(["rev-parse", "main"], bare).stdout.trim();
    const serial1 = head();
    expect(run(["registry", "update", "g"]).code).toBe(0);
    expect(run(["registry", "trust", "g", fp]).code).toBe(0);
    expect(run(["verify", "@acme/hello@1.0.0"]).code).toBe(0);

    makePackage(join(dir, "pkg"), "@acme/hello", "1.1.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0);
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0); // serial 2
    const serial2 = head();
    expect(run(["registry", "update", "g"]).code).toBe(0);
    const v = JSON.parse(run(["verify", "@acme/hello@1.1.0", "--json"]).stdout);
    expect(v.results[0]).toMatchObject({ version: "1.1.0", outcome: "verified" });

    // The registry's branch force-pushed back to the serial-1 commit (validly signed, but older).
    const pusher = join(dir, "pusher");
    expect(sh("git", ["clone", "--quiet", bare, pusher]).code).toBe(0);
    expect(g(["push", "--quiet", "--force", "origin", `${serial1}:refs/heads/main`], pusher).code).toBe(0);
    expect(head()).toBe(serial1);
    expect(run(["registry", "update", "g"]).code).toBe(0);
    for (const args of [["verify", "@acme/hello@1.0.0"], ["info", "@acme/hello"], ["install", "@acme/hello@1.0.0"]]) {
      const r = run(args);
      expect({ args, code: r.code, name: errorName(r.stderr) }).toEqual({ args, code: 18, name: "StaleMetadata" });
    }
    // Positive control: the newest commit pushed back reads again.
    expect(g(["push", "--quiet", "--force", "origin", `${serial2}:refs/heads/main`], pusher).code).toBe(0);
    expect(run(["registry", "update", "g"]).code).toBe(0);
    expect(run(["verify", "@acme/hello@1.1.0"]).code).toBe(0);
  });
});

describe.each(RUNTIMES)("registry verify on a signed snapshot under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir });
  const reg = (...p: string[]) => join(dir, "reg", ...p);
  const copy = (from: string, to: string) => writeFileSync(to, readFileSync(from));
  beforeEach(() => {
    dir = tempDir();
    attestedRegistry(run, dir);
  });
  afterEach(() => removeDir(dir));

  test("registry verify reports the snapshot and pending versions, and fails on each tampering (positive control first)", () => {
    const metaFile = reg("packages", "acme--hello", "metadata.yaml");
    const bin = reg("snapshot", "bins", readdirSync(reg("snapshot", "bins"))[0]);
    copy(metaFile, join(dir, "meta-1.yaml"));
    copy(reg("snapshot.json"), join(dir, "snapshot-1.json"));
    copy(bin, join(dir, "bin-1.json"));
    makePackage(join(dir, "pkg"), "@acme/hello", "1.1.0");
    expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
    const pending = JSON.parse(run(["registry", "verify", "--json"]).stdout);
    expect(pending.ok).toBe(true);
    expect(pending.snapshot).toMatchObject({ serial: 1, pending: ["@acme/hello@1.1.0"] });
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
    expect(JSON.parse(run(["registry", "verify", "--json"]).stdout)).toMatchObject({ ok: true, snapshot: { serial: 2, pending: [] } });

    const expectTampered = (what: string) => {
      const r = run(["registry", "verify"]);
      expect({ what, code: r.code, name: errorName(r.stderr) }).toEqual({ what, code: 10, name: "TamperedPackage" });
    };
    // mix-and-match: metadata.yaml from before 1.1.0 was attested
    const now = readFileSync(metaFile);
    copy(join(dir, "meta-1.yaml"), metaFile);
    expectTampered("old metadata.yaml");
    writeFileSync(metaFile, now);
    // roll-back: the older signed snapshot and its bin put back
    const [snapNow, binNow] = [readFileSync(reg("snapshot.json")), readFileSync(bin)];
    copy(join(dir, "snapshot-1.json"), reg("snapshot.json"));
    copy(join(dir, "bin-1.json"), bin);
    expectTampered("old snapshot");
    writeFileSync(reg("snapshot.json"), snapNow);
    writeFileSync(bin, binNow);
    // an edited bin, an edited registry.yaml, a damaged attestation
    writeFileSync(bin, binNow.toString().replace('"yanked": false', '"yanked": true'));
    expectTampered("edited bin");
    writeFileSync(bin, binNow);
    const ry = readFileSync(reg("registry.yaml"));
    // The key list swapped for an attacker's key: registry.yaml no longer hashes to the snapshot's entry.
    expect(ry.toString()).toContain("attestation_keys: [");
    writeFileSync(reg("registry.yaml"), ry.toString().replace(/attestation_keys: \[[^\]]*\]/, `attestation_keys: [${"ab".repeat(32)}]`));
    expectTampered("edited registry.yaml");
    writeFileSync(reg("registry.yaml"), ry);
    const sigFile = reg("packages", "acme--hello", "1.0.0.sig");
    const sig = JSON.parse(readFileSync(sigFile, "utf8"));
    const good = JSON.stringify(sig, null, 2);
    sig.signatures[0].signature = sig.signatures[0].signature.replace(/^./, (c: string) => (c === "A" ? "B" : "A"));
    writeFileSync(sigFile, JSON.stringify(sig, null, 2));
    expectTampered("damaged attestation");
    writeFileSync(sigFile, good);
    expect(run(["registry", "verify"]).code).toBe(0);
  });
});
