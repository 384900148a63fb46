/**
 * Attacks on where trust comes from (SPEC §6, §8), each next to its honest control: a bundle that
 * carries its own Sigstore trusted root, a cached root against the local one, a bundle or registry
 * offering other bytes or fewer signatures for a prepared version, and a cached outcome that the
 * local policy no longer agrees with.
 */
import { describe, test, expect, beforeAll, afterAll, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName, type RunResult } from "../helpers.ts";
import { startSigstoreStandIns, fakeIdentityToken, type SigstoreStandIns } from "../sigstore_mock.ts";

const PASS = { AAM_PASSPHRASE: "attack test passphrase" };

function expectRefused(r: RunResult, code: number, name: string): void {
  expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
  expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code, name });
  expect(r.stderr).toContain("hint:");
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Every file of a folder tree with its bytes, to show that a refused import changed nothing. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = readFileSync(p, "base64");
    }
  };
  walk(root);
  return out;
}

describe("a bundle's own Sigstore root never decides trust", () => {
  let attacker: SigstoreStandIns;
  let honest: SigstoreStandIns;
  let dir: string;
  beforeAll(async () => {
    [attacker, honest] = await Promise.all([startSigstoreStandIns(), startSigstoreStandIns()]);
  });
  afterAll(async () => {
    await Promise.all([attacker.close(), honest.close()]);
  });
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  /** The attacker's machine: its own CA and log sign "release@example.com", and the bundle carries that root. */
  async function hostileBundle(): Promise<string> {
    const home = join(dir, "attacker");
    mkdirSync(home);
    const run = (args: string[], env: Record<string, string> = {}) => aamAsync("node", args, { cwd: home, home, env });
    writeFileSync(join(home, "root.json"), attacker.trustedRoot);
    expect((await run(["trust-root", "import", "root.json"])).code).toBe(0);
    for (const k of ["fulcio_url", "rekor_url", "tsa_url"]) expect((await run(["config", "set", `security.sigstore.${k}`, attacker.url])).code).toBe(0);
    expect((await run(["config", "add", "security.trusted_identities", "release@example.com"])).code).toBe(0);
    expect((await run(["registry", "init", "reg", "--default"])).code).toBe(0);
    makePackage(join(home, "p"), "@acme/keyless", "1.0.0");
    const token = fakeIdentityToken("release@example.com", "https://accounts.example.com");
    expect((await run(["pkg", "publish", "p", "--sign", "--signing-method", "sigstore"], { SIGSTORE_ID_TOKEN: token })).code).toBe(0);
    expect((await run(["verify", "--offline-prepare", "@acme/keyless"])).code).toBe(0);
    const out = join(dir, "keyless.aambundle");
    expect((await run(["bundle", "export", "@acme/keyless", "--output", out])).code).toBe(0);
    return out;
  }

  test.each(RUNTIMES)("under %s: refused with no local root and with another local root; verified only against the local root", async (rt: RuntimeName) => {
    const bundle = await hostileBundle();
    const home = join(dir, "victim");
    mkdirSync(home);
    const run = (args: string[]) => aam(rt, args, { cwd: home, home, offline: true });
    const cache = join(home, ".aam", "cache");
    for (const a of [["config", "add", "security.trusted_identities", "release@example.com"], ["config", "add", "security.allowed_issuers", "https://accounts.example.com"], ["config", "set", "security.on_signature_failure", "error"]]) {
      expect(run(a).code).toBe(0);
    }
    // No local root: the bundle's root is not used, and the error says how to get one.
    const noRoot = run(["bundle", "import", bundle]);
    expectRefused(noRoot, 11, "InvalidSignature");
    expect(noRoot.stderr).toContain("aam trust-root import");
    expect(existsSync(cache)).toBe(false);

    // The local root is another instance's: the attacker's certificate does not chain to it.
    writeFileSync(join(home, "honest_root.json"), honest.trustedRoot);
    expect(run(["trust-root", "import", "honest_root.json"]).code).toBe(0);
    expectRefused(run(["bundle", "import", bundle]), 11, "InvalidSignature");
    expect(existsSync(cache)).toBe(false);

    // Control: a machine whose own root names the instance that signed verifies and imports it.
    writeFileSync(join(home, "signer_root.json"), attacker.trustedRoot);
    expect(run(["trust-root", "import", "signer_root.json"]).code).toBe(0);
    const ok = run(["bundle", "import", bundle]);
    expect(ok.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(ok.code).toBe(0);
    expect(run(["verify", "--offline", "@acme/keyless", "--require-signature"]).code).toBe(0);

    // The cache entry keeps a copy of that root, but the local root decides: switch it, and the entry fails.
    expect(run(["trust-root", "import", "honest_root.json"]).code).toBe(0);
    expectRefused(run(["verify", "--offline", "@acme/keyless"]), 11, "InvalidSignature");
    expectRefused(run(["install", "--offline", "@acme/keyless"]), 11, "InvalidSignature");
  }, 120_000);
});

describe.each(["node", "bun"] as RuntimeName[])("a prepared version is immutable under %s", (rt: RuntimeName) => {
  let dir: string;
  const runIn = (home: string, args: string[], offline = false) => aam(rt, args, { cwd: home, home, env: PASS, offline });
  let fp: string;
  const good = () => join(dir, "good.aambundle");
  beforeEach(() => {
    dir = tempDir();
    // The publisher: a signed @acme/tool@1.0.0 in registry "reg", prepared and exported.
    const pub = (args: string[]) => runIn(dir, args);
    expect(pub(["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(pub(["key", "generate", "--name", "k"]).code).toBe(0);
    fp = JSON.parse(pub(["key", "list", "--json"]).stdout).keys[0].fingerprint;
    makePackage(join(dir, "good"), "@acme/tool", "1.0.0");
    expect(pub(["pkg", "pack", "good", "--output", "good.aam"]).code).toBe(0);
    expect(pub(["pkg", "sign", "good.aam"]).code).toBe(0);
    expect(pub(["pkg", "publish", "good.aam"]).code).toBe(0);
    expect(pub(["verify", "--offline-prepare", "@acme/tool"]).code).toBe(0);
    expect(pub(["bundle", "export", "@acme/tool", "--output", good()]).code).toBe(0);
  });
  afterEach(() => removeDir(dir));

  /** The attacker's registry and machine: `pkg` published there unsigned, prepared, exported. */
  function attackerBundle(name: string, pkgDir: string): string {
    const home = join(dir, `attacker-${name}`);
    mkdirSync(home, { recursive: true });
    expect(runIn(home, ["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(runIn(home, ["pkg", "publish", pkgDir]).code).toBe(0);
    expect(runIn(home, ["verify", "--offline-prepare", "@acme/tool"]).code).toBe(0);
    const out = join(dir, `${name}.aambundle`);
    expect(runIn(home, ["bundle", "export", "@acme/tool", "--output", out]).code).toBe(0);
    return out;
  }

  test("other bytes are TamperedPackage, fewer signatures PolicyViolation, nothing changes; the same entry imports again", () => {
    makePackage(join(dir, "evil"), "@acme/tool", "1.0.0", { description: "EVIL" });
    const evil = attackerBundle("evil", join(dir, "evil"));
    // The same archive bytes, published without their .sig.
    mkdirSync(join(dir, "stripped"));
    writeFileSync(join(dir, "stripped", "good.aam"), readFileSync(join(dir, "good.aam")));
    const stripped = attackerBundle("stripped", join(dir, "stripped", "good.aam"));

    const home = join(dir, "victim");
    mkdirSync(home);
    const run = (args: string[]) => runIn(home, args, true);
    expect(run(["key", "trust", fp]).code).toBe(0);
    expect(run(["bundle", "import", good()]).code).toBe(0);
    const before = snapshot(join(home, ".aam", "cache"));

    const swapped = run(["bundle", "import", evil]);
    expectRefused(swapped, 10, "TamperedPackage");
    expect(swapped.stderr).toContain("@acme/tool@1.0.0");
    expect(snapshot(join(home, ".aam", "cache"))).toEqual(before);

    const weaker = run(["bundle", "import", stripped]);
    expectRefused(weaker, 15, "PolicyViolation");
    expect(snapshot(join(home, ".aam", "cache"))).toEqual(before);

    // acme--tool shares @acme/tool's cache folder (SPEC §1): it never takes its place.
    makePackage(join(dir, "flat"), "acme--tool", "1.0.0");
    const flatHome = join(dir, "attacker-flat");
    mkdirSync(flatHome);
    expect(runIn(flatHome, ["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(runIn(flatHome, ["pkg", "publish", join(dir, "flat")]).code).toBe(0);
    expect(runIn(flatHome, ["verify", "--offline-prepare", "acme--tool"]).code).toBe(0);
    expect(runIn(flatHome, ["bundle", "export", "acme--tool", "--output", join(dir, "flat.aambundle")]).code).toBe(0);
    expectRefused(run(["bundle", "import", join(dir, "flat.aambundle")]), 15, "PolicyViolation");
    expect(snapshot(join(home, ".aam", "cache"))).toEqual(before);

    // Control: the same entry again is accepted, and the cache still verifies.
    expect(run(["bundle", "import", good()]).code).toBe(0);
    const v = run(["verify", "--offline", "@acme/tool", "--require-signature", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0]).toMatchObject({ outcome: "verified" });
  });

  test("--offline-prepare from a registry offering other bytes for a prepared version is TamperedPackage", () => {
    makePackage(join(dir, "evil"), "@acme/tool", "1.0.0", { description: "EVIL" });
    expect(runIn(dir, ["registry", "init", "evilreg"]).code).toBe(0);
    expect(runIn(dir, ["pkg", "publish", "evil", "--registry", "evilreg"]).code).toBe(0);
    const before = snapshot(join(dir, ".aam", "cache"));
    expectRefused(runIn(dir, ["verify", "--offline-prepare", "@acme/tool", "--registry", "evilreg"]), 10, "TamperedPackage");
    expect(snapshot(join(dir, ".aam", "cache"))).toEqual(before);
    // Control: preparing again from the honest registry is fine.
    expect(runIn(dir, ["verify", "--offline-prepare", "@acme/tool"]).code).toBe(0);
  });

  test("verify --offline and install --offline judge under today's local policy, not the recorded outcome", () => {
    const home = join(dir, "victim");
    mkdirSync(home);
    const run = (args: string[]) => runIn(home, args, true);
    expect(run(["key", "trust", fp]).code).toBe(0);
    expect(run(["config", "set", "security.on_signature_failure", "error"]).code).toBe(0);
    expect(run(["bundle", "import", good()]).code).toBe(0);
    expect(run(["verify", "--offline", "@acme/tool"]).code).toBe(0);
    expect(run(["key", "revoke", fp]).code).toBe(0);
    expectRefused(run(["verify", "--offline", "@acme/tool"]), 12, "UntrustedSigner");
    mkdirSync(join(home, "proj"));
    expectRefused(aam(rt, ["install", "--offline", "@acme/tool"], { cwd: join(home, "proj"), home, env: PASS, offline: true }), 12, "UntrustedSigner");
    expect(existsSync(join(home, "proj", ".aam", "packages"))).toBe(false);
  });
});
