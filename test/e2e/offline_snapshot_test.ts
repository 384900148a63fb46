/**
 * A pinned registry's snapshot offline (SPEC §5a "Offline", §8): `--offline-prepare` keeps the root
 * and the package's bin; `verify --offline`, `install --offline` and `bundle import` check signature,
 * name and serial against `$AAM_HOME/state/` with no network (Deno without --allow-net), and an
 * expired snapshot only warns. Each attack has its positive control.
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, readdirSync, existsSync, mkdirSync, rmSync, cpSync } from "node:fs";
import { join } from "node:path";
import { aam, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";
import { generateEd25519 } from "../../src/signing/ed25519/sign.ts";
import { fingerprint } from "../../src/signing/ed25519/fingerprint.ts";
import { ed25519PrivateKeyToPem } from "../../src/encoding/pem.ts";
import { signSnapshot } from "../../src/attest/snapshot_sign.ts";
import { parseSnapshot, serializeSnapshot } from "../../src/attest/snapshot_doc.ts";
import { readBundleParts, writeBundle, type BundleSnapshot } from "../../src/cache/bundle.ts";

const regKey = await generateEd25519();
const REG_FP = fingerprint(regKey.publicKey);

describe.each(RUNTIMES)("pinned registry offline under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[], offline = false) => aam(rt, args, { cwd: dir, home: dir, offline });
  const snapDir = (home = dir) => join(home, ".aam", "cache", "offline", "_snapshots", "acme");
  const offline = (args: string[]) => {
    const r = run(args, true);
    expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    return { ...r, name: errorName(r.stderr) };
  };
  const attest = () => expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
  const prepare = () => expect(run(["verify", "--offline-prepare", "@acme/air@1.0.0"]).code).toBe(0);
  const cachedRoot = () => parseSnapshot(readFileSync(join(snapDir(), "snapshot.json"), "utf8"), "snapshot.json");

  beforeEach(() => {
    dir = tempDir();
    writeFileSync(join(dir, "regkey.pem"), ed25519PrivateKeyToPem(regKey.seed));
    expect(run(["registry", "init", "reg", "--name", "acme", "--default"]).code).toBe(0);
    expect(run(["key", "import", "regkey.pem", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "author", "--no-passphrase"]).code).toBe(0);
    makePackage(join(dir, "pkg"), "@acme/air", "1.0.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0);
    attest();
    expect(run(["registry", "trust", "acme", join(dir, "reg", "keys", `${REG_FP}.pem`)]).code).toBe(0);
  });
  afterEach(() => removeDir(dir));
  /** Does this build count attestations in trust (`security.trust_registry_attestations`)? Asked while the tests are collected. */
  test("an attestation counts offline as online: an unsigned-but-attested version verifies with trust_registry_attestations, and not without", () => {
    makePackage(join(dir, "pkg"), "@acme/air", "1.1.0");
    expect(run(["pkg", "publish", "pkg"]).code).toBe(0); // unsigned
    attest();
    expect(run(["config", "set", "security.trust_registry_attestations", "true"]).code).toBe(0);
    expect(run(["verify", "--offline-prepare", "@acme/air@1.1.0", "--require-signature"]).code).toBe(0);
    rmSync(join(dir, "reg"), { recursive: true, force: true });
    const v = offline(["verify", "--offline", "@acme/air@1.1.0", "--require-signature", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0].outcome).toBe("verified");
    expect(run(["config", "set", "security.trust_registry_attestations", "false"]).code).toBe(0);
    expect(offline(["verify", "--offline", "@acme/air@1.1.0", "--require-signature"])).toMatchObject({ code: 13, name: "SignatureNotFound" });
  });

  test("prepare keeps the root and the bin; offline verify and install pass with the registry gone; an older cached root is StaleMetadata (18)", () => {
    prepare();
    const entry = JSON.parse(readFileSync(join(dir, ".aam", "cache", "offline", "acme--air", "1.0.0", "entry.json"), "utf8"));
    expect(entry.registry).toBe("acme");
    expect(cachedRoot().serial).toBe(1);
    const serial1 = readFileSync(join(snapDir(), "snapshot.json"));
    attest(); // serial 2
    prepare();
    expect(cachedRoot().serial).toBe(2);
    expect(readdirSync(join(snapDir(), "bins"))).toHaveLength(1);
    rmSync(join(dir, "reg"), { recursive: true, force: true });

    // Positive control: no registry, no network.
    const v = offline(["verify", "--offline", "@acme/air", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0]).toMatchObject({ package: "@acme/air", version: "1.0.0", outcome: "verified" });
    const project = join(dir, "proj");
    mkdirSync(project);
    const inst = aam(rt, ["install", "--offline", "@acme/air"], { cwd: project, home: dir, offline: true });
    expect(inst.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
    expect(inst.code).toBe(0);

    // Roll-back: the cache's root put back to serial 1 (still validly signed).
    writeFileSync(join(snapDir(), "snapshot.json"), serial1);
    const rb = offline(["verify", "--offline", "@acme/air"]);
    expect(rb).toMatchObject({ code: 18, name: "StaleMetadata" });
    expect(aam(rt, ["install", "--offline", "@acme/air", "--force"], { cwd: project, home: dir, offline: true }).code).toBe(18);
  });

  test("an online read that accepts a newer root moves the prepared cache with it, so offline use stays valid", () => {
    expect(run(["verify", "@acme/air@1.0.0"]).code).toBe(0);
    expect(existsSync(snapDir())).toBe(false); // nothing cached for a registry never prepared
    prepare();
    attest(); // serial 2, seen first by an online verify
    expect(run(["verify", "@acme/air@1.0.0"]).code).toBe(0);
    expect(cachedRoot().serial).toBe(2);
    const v = offline(["verify", "--offline", "@acme/air"]);
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
  });

  test("a version the registry rejects after it was prepared is refused offline once a newer snapshot reaches the cache (PolicyViolation, 15)", () => {
    makePackage(join(dir, "pkg"), "@acme/air", "1.1.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0);
    attest();
    prepare();
    expect(offline(["verify", "--offline", "@acme/air@1.0.0"]).code).toBe(0);
    expect(run(["registry", "reject", "@acme/air@1.0.0", "--reason", "leaks tokens", "--key", "regkey"]).code).toBe(0);
    // Preparing another version brings the newer root and bin into the cache.
    expect(run(["verify", "--offline-prepare", "@acme/air@1.1.0"]).code).toBe(0);
    const r = offline(["verify", "--offline", "@acme/air@1.0.0"]);
    expect(r).toMatchObject({ code: 15, name: "PolicyViolation" });
    expect(r.stderr).toContain("leaks tokens");
    expect(offline(["verify", "--offline", "@acme/air@1.1.0"]).code).toBe(0);
  });

  test("a cached bin edited is TamperedPackage (10); a root signed by an unpinned key is TamperedPackage", async () => {
    prepare();
    expect(offline(["verify", "--offline", "@acme/air"]).code).toBe(0);
    const binFile = join(snapDir(), "bins", readdirSync(join(snapDir(), "bins"))[0]);
    const good = readFileSync(binFile, "utf8");
    writeFileSync(binFile, good.replace('"yanked": false', '"yanked": true'));
    expect(readFileSync(binFile, "utf8")).not.toBe(good);
    expect(offline(["verify", "--offline", "@acme/air"])).toMatchObject({ code: 10, name: "TamperedPackage" });
    writeFileSync(binFile, good);
    expect(offline(["verify", "--offline", "@acme/air"]).code).toBe(0);

    const stranger = await generateEd25519();
    const root = cachedRoot();
    root.serial += 1;
    const forged = await signSnapshot(root, [{ unlock: async () => ({ seed: stranger.seed.slice(), publicKey: stranger.publicKey }) }]);
    writeFileSync(join(snapDir(), "snapshot.json"), serializeSnapshot(forged));
    expect(offline(["verify", "--offline", "@acme/air"])).toMatchObject({ code: 10, name: "TamperedPackage" });
  });

  test("an expired cached snapshot only warns offline (exit 0), and raises the saved serial", async () => {
    prepare();
    const root = cachedRoot();
    root.serial += 1;
    root.created_at = "2026-01-01T00:00:00Z";
    root.expires_at = "2026-01-02T00:00:00Z";
    const signed = await signSnapshot(root, [{ unlock: async () => ({ seed: regKey.seed.slice(), publicKey: regKey.publicKey }) }]);
    writeFileSync(join(snapDir(), "snapshot.json"), serializeSnapshot(signed));
    const v = offline(["verify", "--offline", "@acme/air"]);
    expect(v.code).toBe(0);
    expect(v.stderr).toContain("expired at 2026-01-02T00:00:00Z");
    const state = JSON.parse(readFileSync(join(dir, ".aam", "state", "snapshot-serials.json"), "utf8"));
    expect(Object.values(state.registries).map((e) => (e as { serial: number }).serial)).toEqual([2]);
  });

  test("bundle export carries the snapshot; import on another machine checks it; a bundle older than the saved state is StaleMetadata (18)", () => {
    prepare();
    expect(run(["bundle", "export", "@acme/air@1.0.0", "--output", "old.bundle"]).code).toBe(0);
    attest(); // serial 2
    prepare();
    expect(run(["bundle", "export", "@acme/air@1.0.0", "--output", "new.bundle"]).code).toBe(0);

    // The air-gapped machine: the same configuration (pin, trusted keys), no registry, no network.
    const far = join(dir, "far");
    mkdirSync(join(far, ".aam"), { recursive: true });
    cpSync(join(dir, ".aam", "config.yaml"), join(far, ".aam", "config.yaml"));
    const farRun = (args: string[]) => {
      const r = aam(rt, args, { cwd: far, home: far, offline: true });
      expect(r.stderr).not.toContain("NETWORK-ACCESS-ATTEMPTED");
      return { ...r, name: errorName(r.stderr) };
    };
    const authorFp = JSON.parse(run(["key", "list", "--json"]).stdout).keys.find((k: { name: string }) => k.name === "author").fingerprint;
    expect(farRun(["key", "trust", authorFp]).code).toBe(0);

    const ok = farRun(["bundle", "import", join(dir, "new.bundle")]);
    expect(ok.code).toBe(0);
    expect(existsSync(join(snapDir(far), "snapshot.json"))).toBe(true);
    expect(farRun(["verify", "--offline", "@acme/air"]).code).toBe(0);
    const old = farRun(["bundle", "import", join(dir, "old.bundle")]);
    expect(old).toMatchObject({ code: 18, name: "StaleMetadata" });
    expect(parseSnapshot(readFileSync(join(snapDir(far), "snapshot.json"), "utf8"), "x").serial).toBe(2);

    const fresh = join(dir, "fresh");
    mkdirSync(join(fresh, ".aam"), { recursive: true });
    cpSync(join(dir, ".aam", "config.yaml"), join(fresh, ".aam", "config.yaml"));
    const freshRun = (args: string[]) => ({ ...aam(rt, args, { cwd: fresh, home: fresh, offline: true }) });
    expect(freshRun(["key", "trust", authorFp]).code).toBe(0);
    // First contact takes the old bundle (nothing seen yet): its serial 1 is then the floor.
    expect(freshRun(["bundle", "import", join(dir, "old.bundle")]).code).toBe(0);
    expect(freshRun(["bundle", "import", join(dir, "new.bundle")]).code).toBe(0);
    expect(freshRun(["bundle", "import", join(dir, "old.bundle")]).code).toBe(18);
  });

  test("a bundle entry stripped of its `registry` field is still the pinned registry's: a rejected version smuggled that way is refused (15), the honest bundle imports", async () => {
    makePackage(join(dir, "pkg"), "@acme/air", "1.1.0");
    expect(run(["pkg", "publish", "pkg", "--sign", "--key", "author"]).code).toBe(0);
    attest();
    prepare();
    expect(run(["verify", "--offline-prepare", "@acme/air@1.1.0"]).code).toBe(0);
    expect(run(["bundle", "export", "@acme/air@1.0.0", "@acme/air@1.1.0", "--output", "before.bundle"]).code).toBe(0);
    expect(run(["registry", "reject", "@acme/air@1.1.0", "--reason", "leaks tokens", "--key", "regkey"]).code).toBe(0);
    prepare(); // the newer root (1.1.0 rejected) into the cache
    expect(run(["bundle", "export", "@acme/air@1.0.0", "--output", "after.bundle"]).code).toBe(0);
    async function* once(b: Uint8Array) {
      yield b;
    }
    const parts = async (name: string) => await readBundleParts(once(readFileSync(join(dir, name))), name);
    const before = await parts("before.bundle");
    const after = await parts("after.bundle");
    const v110 = before.entries.find((e) => e.version === "1.1.0")!;
    const v100 = before.entries.find((e) => e.version === "1.0.0")!;
    expect(v110.registry).toBe("acme");
    const strip = ({ registry: _r, ...e }: typeof v110) => e;
    // The rejected version with the newer snapshot alongside, its field stripped or pointed elsewhere.
    writeFileSync(join(dir, "smuggled.bundle"), writeBundle([strip(v110)], new Date(), after.snapshots));
    writeFileSync(join(dir, "relabelled.bundle"), writeBundle([{ ...v110, registry: "elsewhere" }], new Date(), after.snapshots));
    // Stripped of field and snapshot: only what the importing machine's cache holds can tell.
    writeFileSync(join(dir, "bare.bundle"), writeBundle([strip(v110)], new Date()));
    writeFileSync(join(dir, "bare-good.bundle"), writeBundle([strip(v100)], new Date()));

    const authorFp = JSON.parse(run(["key", "list", "--json"]).stdout).keys.find((k: { name: string }) => k.name === "author").fingerprint;
    const machine = (name: string) => {
      const home = join(dir, name);
      mkdirSync(join(home, ".aam"), { recursive: true });
      cpSync(join(dir, ".aam", "config.yaml"), join(home, ".aam", "config.yaml"));
      const r = (args: string[]) => {
        const x = aam(rt, args, { cwd: home, home, offline: true });
        return { code: x.code, name: errorName(x.stderr), stderr: x.stderr };
      };
      expect(r(["key", "trust", authorFp]).code).toBe(0);
      return { home, r };
    };
    const far = machine("far");
    for (const b of ["smuggled.bundle", "relabelled.bundle"]) {
      const r = far.r(["bundle", "import", join(dir, b)]);
      expect({ b, code: r.code, name: r.name }).toEqual({ b, code: 15, name: "PolicyViolation" });
      expect(r.stderr).toContain("leaks tokens");
    }
    expect(existsSync(join(far.home, ".aam", "cache", "offline", "acme--air"))).toBe(false);
    // Positive control: the honest bundle imports.
    expect(far.r(["bundle", "import", join(dir, "after.bundle")]).code).toBe(0);
    // Now the cache holds the snapshot: a bundle stripped of both is judged by it.
    expect(far.r(["bundle", "import", join(dir, "bare.bundle")])).toMatchObject({ code: 15, name: "PolicyViolation" });
    expect(existsSync(join(far.home, ".aam", "cache", "offline", "acme--air", "1.1.0"))).toBe(false);
    expect(far.r(["bundle", "import", join(dir, "bare-good.bundle")]).code).toBe(0);
    const entry = JSON.parse(readFileSync(join(far.home, ".aam", "cache", "offline", "acme--air", "1.0.0", "entry.json"), "utf8"));
    expect(entry.registry).toBe("acme");
    // A machine that never saw the registry's snapshot cannot tell (first contact, documented): the bare bundle imports there.
    expect(machine("fresh").r(["bundle", "import", join(dir, "bare.bundle")]).code).toBe(0);
  });

  test("a bundle whose snapshot was replaced or whose bin was edited is TamperedPackage (10); one without the snapshot of a pinned registry is StaleMetadata (18)", async () => {
    prepare();
    expect(run(["bundle", "export", "@acme/air@1.0.0", "--output", "b.bundle"]).code).toBe(0);
    async function* once(b: Uint8Array) {
      yield b;
    }
    const { entries, snapshots } = await readBundleParts(once(readFileSync(join(dir, "b.bundle"))), "b.bundle");
    expect(snapshots.map((s) => s.registry)).toEqual(["acme"]);
    expect(entries[0].registry).toBe("acme");
    /** A re-written bundle (its manifest hashes updated): only the signed snapshot can tell. */
    const rewrite = (name: string, snaps: BundleSnapshot[]) => writeFileSync(join(dir, name), writeBundle(entries, new Date(), snaps));
    const files = snapshots[0].files;
    const stranger = await generateEd25519();
    const root = parseSnapshot(new TextDecoder().decode(files["snapshot.json"]), "x");
    root.serial += 5;
    const forged = await signSnapshot(root, [{ unlock: async () => ({ seed: stranger.seed.slice(), publicKey: stranger.publicKey }) }]);
    rewrite("forged.bundle", [{ registry: "acme", files: { ...files, "snapshot.json": new TextEncoder().encode(serializeSnapshot(forged)) } }]);
    const binName = Object.keys(files).find((n) => n.startsWith("bins/"))!;
    const bin = new TextDecoder().decode(files[binName]).replace('"yanked": false', '"yanked": true');
    rewrite("bin.bundle", [{ registry: "acme", files: { ...files, [binName]: new TextEncoder().encode(bin) } }]);
    rewrite("nosnap.bundle", []);
    rewrite("same.bundle", snapshots); // positive control: re-written untouched

    const far = join(dir, "far");
    mkdirSync(join(far, ".aam"), { recursive: true });
    cpSync(join(dir, ".aam", "config.yaml"), join(far, ".aam", "config.yaml"));
    const farRun = (args: string[]) => {
      const r = aam(rt, args, { cwd: far, home: far, offline: true });
      return { code: r.code, name: errorName(r.stderr) };
    };
    const authorFp = JSON.parse(run(["key", "list", "--json"]).stdout).keys.find((k: { name: string }) => k.name === "author").fingerprint;
    expect(farRun(["key", "trust", authorFp]).code).toBe(0);
    expect(farRun(["bundle", "import", join(dir, "forged.bundle")])).toEqual({ code: 10, name: "TamperedPackage" });
    expect(farRun(["bundle", "import", join(dir, "bin.bundle")])).toEqual({ code: 10, name: "TamperedPackage" });
    expect(farRun(["bundle", "import", join(dir, "nosnap.bundle")])).toEqual({ code: 18, name: "StaleMetadata" });
    expect(existsSync(join(far, ".aam", "cache"))).toBe(false);
    expect(existsSync(join(far, ".aam", "state"))).toBe(false);
    expect(farRun(["bundle", "import", join(dir, "same.bundle")]).code).toBe(0);
  });
});
