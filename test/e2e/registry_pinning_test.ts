/**
 * A pinned registry's signed snapshot on the read paths (SPEC §5a "Pinning"): `aam registry trust`,
 * then the attacks a plain file tree cannot stop (roll-back, freeze, mix-and-match, latest moved
 * back, un-yank, un-reject, registry.yaml's key list edited, snapshot removed), each with its
 * positive control. Crafted snapshots are signed in the test with the attestation key's seed,
 * imported into the key store as a PEM file.
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { readFileSync, writeFileSync, rmSync, cpSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { serveStatic } from "../../scripts/static_server.mjs";
import { aam, aamAsync, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";
import { generateEd25519 } from "../../src/signing/ed25519/sign.ts";
import { fingerprint } from "../../src/signing/ed25519/fingerprint.ts";
import { ed25519PrivateKeyToPem } from "../../src/encoding/pem.ts";
import { signSnapshot } from "../../src/attest/snapshot_sign.ts";
import { parseSnapshot, serializeSnapshot } from "../../src/attest/snapshot_doc.ts";

const regKey = await generateEd25519();
const REG_FP = fingerprint(regKey.publicKey);

describe.each(RUNTIMES)("pinned registry under %s", (rt: RuntimeName) => {
  let dir: string;
  const run = (args: string[]) => aam(rt, args, { cwd: dir, home: dir });
  const reg = (...p: string[]) => join(dir, "reg", ...p);
  const json = (args: string[]) => {
    const r = run([...args, "--json"]);
    return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : null };
  };
  const metaFile = () => reg("packages", "acme--hello", "metadata.yaml");
  const editMeta = (edit: (t: string) => string) => writeFileSync(metaFile(), edit(readFileSync(metaFile(), "utf8")));
  const fail = (args: string[]) => {
    const r = run(args);
    return { code: r.code, name: errorName(r.stderr), stderr: r.stderr };
  };
  const publish = (v: string, ...flags: string[]) => {
    makePackage(join(dir, "pkg"), "@acme/hello", v);
    expect(run(["pkg", "publish", "pkg", ...flags]).code).toBe(0);
  };
  const attest = () => expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
  const pin = () => expect(run(["registry", "trust", "acme", reg("keys", `${REG_FP}.pem`)]).code).toBe(0);
  /** snapshot.json re-signed by the attestation key with `change` applied (crafted: attest cannot set a past expiry). */
  const craft = async (change: (root: ReturnType<typeof parseSnapshot>) => void, signer = regKey) => {
    const root = parseSnapshot(readFileSync(reg("snapshot.json"), "utf8"), "snapshot.json");
    change(root);
    const signed = await signSnapshot(root, [{ unlock: async () => ({ seed: signer.seed.slice(), publicKey: signer.publicKey }) }]);
    writeFileSync(reg("snapshot.json"), serializeSnapshot(signed));
  };

  beforeEach(() => {
    dir = tempDir();
    writeFileSync(join(dir, "regkey.pem"), ed25519PrivateKeyToPem(regKey.seed));
    expect(run(["registry", "init", "reg", "--name", "acme", "--default"]).code).toBe(0);
    expect(run(["key", "import", "regkey.pem", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "author", "--no-passphrase"]).code).toBe(0);
    publish("1.0.0", "--sign", "--key", "author");
    publish("1.1.0");
    attest();
  });
  afterEach(() => removeDir(dir));

  test("registry trust pins the key and the signed name; every read path checks the snapshot; new versions are pending", () => {
    expect(fail(["registry", "trust", "nope", REG_FP])).toMatchObject({ code: 3, name: "NotFound" });
    expect(fail(["registry", "trust", "acme", "ABCDEF".padEnd(40, "0")])).toMatchObject({ code: 2, name: "UsageError" });
    expect(fail(["registry", "trust", "acme", join(dir, "reg", "registry.yaml")])).toMatchObject({ code: 2, name: "UsageError" });
    const t = json(["registry", "trust", "acme", reg("keys", `${REG_FP}.pem`), "--min-serial", "1"]);
    expect(t.code).toBe(0);
    expect(t.doc.attestation).toEqual({ name: "acme", keys: [REG_FP], min_serial: 1 });
    const cfg = readFileSync(join(dir, ".aam", "config.yaml"), "utf8");
    expect(cfg).toContain(REG_FP);
    expect(cfg).toContain("trusted_registries");
    expect(run(["registry", "list"]).stdout).toContain('pinned: "acme"');
    expect(run(["search", "hello"]).code).toBe(0);
    expect(run(["verify", "@acme/hello@1.0.0"]).code).toBe(0);
    expect(run(["install", "@acme/hello", "--yes"]).code).toBe(0);
    expect(run(["verify", "--offline-prepare", "@acme/hello@1.1.0"]).code).toBe(0);
    expect(run(["registry", "verify"]).code).toBe(0);
    publish("1.2.0");
    const info = json(["info", "@acme/hello"]);
    expect(info.code).toBe(0);
    expect(info.doc.pending).toEqual(["1.2.0"]);
    const v = run(["verify", "@acme/hello@1.2.0"]);
    expect(v.code).toBe(0);
    expect(v.stderr).toContain("pending");
  });

  test("roll-back: an older signed snapshot.json is StaleMetadata (18) once a newer one was seen", () => {
    pin();
    const old = readFileSync(reg("snapshot.json"), "utf8");
    cpSync(reg("snapshot"), join(dir, "old-bins"), { recursive: true });
    publish("1.2.0");
    attest();
    expect(run(["search"]).code).toBe(0); // sees serial 2
    writeFileSync(reg("snapshot.json"), old);
    rmSync(reg("snapshot"), { recursive: true });
    cpSync(join(dir, "old-bins"), reg("snapshot"), { recursive: true });
    for (const args of [["search"], ["info", "@acme/hello"], ["install", "@acme/hello", "--yes"], ["verify", "@acme/hello@1.0.0"], ["verify", "--offline-prepare", "@acme/hello@1.0.0"], ["registry", "verify"]]) {
      expect(fail(args)).toMatchObject({ code: 18, name: "StaleMetadata" });
    }
    // Not softened by ignore or --no-verify.
    expect(run(["config", "set", "security.on_signature_failure", "ignore"]).code).toBe(0);
    expect(fail(["install", "@acme/hello", "--no-verify", "--yes"])).toMatchObject({ code: 18 });
  });

  test("freeze: an expired snapshot is StaleMetadata (18); the same root with a live expiry passes", async () => {
    pin();
    expect(run(["search"]).code).toBe(0);
    await craft((r) => {
      r.serial = 2;
      r.created_at = "2026-01-01T00:00:00Z";
      r.expires_at = "2026-01-02T00:00:00Z";
    });
    expect(fail(["info", "@acme/hello"])).toMatchObject({ code: 18, name: "StaleMetadata" });
    await craft((r) => {
      r.expires_at = "2099-01-02T00:00:00Z";
    });
    expect(run(["info", "@acme/hello"]).code).toBe(0);
  });

  test("snapshot.json removed after pinning is StaleMetadata (18); unpinned, the registry still reads", () => {
    rmSync(reg("snapshot.json"));
    expect(run(["search"]).code).toBe(0);
    pin();
    expect(fail(["search"])).toMatchObject({ code: 18, name: "StaleMetadata" });
    expect(fail(["install", "@acme/hello", "--yes"])).toMatchObject({ code: 18 });
  });

  test("mix-and-match: an older metadata.yaml is TamperedPackage (10); the current one passes", () => {
    pin();
    const old = readFileSync(metaFile(), "utf8");
    publish("1.2.0");
    attest();
    expect(run(["install", "@acme/hello", "--yes"]).code).toBe(0);
    writeFileSync(metaFile(), old);
    expect(fail(["info", "@acme/hello"])).toMatchObject({ code: 10, name: "TamperedPackage" });
    expect(fail(["install", "@acme/hello", "--yes"])).toMatchObject({ code: 10 });
    expect(fail(["verify", "@acme/hello@1.0.0"])).toMatchObject({ code: 10 });
  });

  test("latest moved back: unpinned the edit is believed, pinned the bin's tag is used", () => {
    editMeta((t) => t.replace("latest: 1.1.0", "latest: 1.0.0"));
    expect(json(["info", "@acme/hello"]).doc.dist_tags.latest).toBe("1.0.0"); // control: nothing stops it unpinned
    pin();
    const info = json(["info", "@acme/hello"]);
    expect(info.doc.dist_tags.latest).toBe("1.1.0");
    expect(info.doc.selected).toBe("1.1.0");
    expect(run(["install", "@acme/hello", "--yes"]).code).toBe(0);
    expect(readFileSync(join(dir, ".aam", "aam-lock.yaml"), "utf8")).toContain("1.1.0");
  });

  test("un-yank and un-reject: the snapshot's yank and rejection still apply", () => {
    expect(run(["yank", "@acme/hello@1.0.0"]).code).toBe(0);
    expect(run(["registry", "reject", "@acme/hello@1.1.0", "--reason", "contains malware", "--key", "regkey"]).code).toBe(0);
    pin();
    let r = fail(["install", "@acme/hello@1.1.0", "--yes"]);
    expect(r).toMatchObject({ code: 15, name: "PolicyViolation" });
    expect(r.stderr).toContain("contains malware");
    editMeta((t) => t.replace(/yanked: true/g, "yanked: false").replace(/\n\s+rejected:\n(\s+(reason|at): .*\n)+/g, "\n").replace(/\s+rejected: \{[^}]*\}/g, ""));
    expect(readFileSync(metaFile(), "utf8")).not.toContain("malware");
    const info = json(["info", "@acme/hello"]);
    const byV = Object.fromEntries(info.doc.versions.map((v: { version: string }) => [v.version, v]));
    expect(byV["1.0.0"].yanked).toBe(true);
    expect(byV["1.1.0"].rejected.reason).toBe("contains malware");
    for (const args of [["install", "@acme/hello@1.1.0", "--yes"], ["verify", "@acme/hello@1.1.0"], ["verify", "--offline-prepare", "@acme/hello@1.1.0"]]) {
      r = fail(args);
      expect(r).toMatchObject({ code: 15, name: "PolicyViolation" });
      expect(r.stderr).toContain("contains malware");
    }
    expect(run(["verify", "@acme/hello@1.0.0"]).code).toBe(0); // control: an exact yanked version still verifies
    // A dist-tag pointing at the rejected version fails the same way.
    editMeta((t) => t.replace(/latest: [0-9.]+/, "latest: 1.1.0"));
    r = fail(["install", "@acme/hello", "--yes"]);
    expect(r).toMatchObject({ code: 15, name: "PolicyViolation" });
    expect(r.stderr).toContain("contains malware");
  });

  test("an author signature stripped from a .sig the snapshot lists is TamperedPackage (10), even under ignore", () => {
    const sigFile = reg("packages", "acme--hello", "1.0.0.sig");
    const sig = JSON.parse(readFileSync(sigFile, "utf8"));
    sig.signatures = sig.signatures.filter((e: { algorithm: string }) => e.algorithm !== "ed25519");
    writeFileSync(sigFile, JSON.stringify(sig));
    expect(run(["verify", "@acme/hello@1.0.0"]).code).toBe(0); // control: unpinned, the stripped .sig reads as unsigned (warn)
    pin();
    expect(fail(["verify", "@acme/hello@1.0.0"])).toMatchObject({ code: 10, name: "TamperedPackage" });
    expect(run(["config", "set", "security.on_signature_failure", "ignore"]).code).toBe(0);
    expect(fail(["install", "@acme/hello@1.0.0", "--yes"])).toMatchObject({ code: 10, name: "TamperedPackage" });
    expect(run(["verify", "@acme/hello@1.1.0"]).code).toBe(0); // control: the version whose .sig is intact
  });

  test("registry.yaml's key list edited: no effect on trust, and the edit itself is TamperedPackage (10)", async () => {
    pin();
    const text = readFileSync(reg("registry.yaml"), "utf8");
    writeFileSync(reg("registry.yaml"), text.replace(REG_FP, "ab".repeat(32)));
    expect(fail(["search"])).toMatchObject({ code: 10, name: "TamperedPackage" });
    writeFileSync(reg("registry.yaml"), text);
    expect(run(["search"]).code).toBe(0);
    // Whoever can write the tree lists another key in registry.yaml and signs a snapshot binding it with that key: refused.
    const evil = await generateEd25519();
    const edited = text.replace(REG_FP, fingerprint(evil.publicKey));
    writeFileSync(reg("registry.yaml"), edited);
    const bind = (r: ReturnType<typeof parseSnapshot>) => {
      r.serial = 2;
      r.registry_yaml = "sha256:" + createHash("sha256").update(edited).digest("hex");
    };
    await craft(bind, evil);
    expect(fail(["search"])).toMatchObject({ code: 10, name: "TamperedPackage" });
    await craft(bind); // control: the same edit signed by the pinned key is accepted (the list itself decides nothing)
    expect(run(["search"]).code).toBe(0);
  });

  test("over HTTP: a pinned static registry reads only through its snapshot; roll-back (18) and mix-and-match (10) are refused there too", async () => {
    const server = await serveStatic(join(dir, "reg"));
    try {
      const o = { cwd: dir, home: dir };
      const http = async (args: string[]) => {
        const r = await aamAsync(rt, [...args, "--registry", "web"], o);
        return { code: r.code, name: errorName(r.stderr) };
      };
      expect((await aamAsync(rt, ["registry", "add", "web", server.url], o)).code).toBe(0);
      // The signed name is read from registry.yaml over HTTP.
      const t = await aamAsync(rt, ["registry", "trust", "web", REG_FP, "--json"], o);
      expect(t.code).toBe(0);
      expect(JSON.parse(t.stdout).attestation).toEqual({ name: "acme", keys: [REG_FP] });
      const oldRoot = readFileSync(reg("snapshot.json"), "utf8");
      const oldMeta = readFileSync(metaFile(), "utf8");
      cpSync(reg("snapshot"), join(dir, "old-bins"), { recursive: true });
      publish("1.2.0");
      attest();
      for (const args of [["search"], ["info", "@acme/hello"], ["verify", "@acme/hello@1.2.0"]]) expect((await http(args)).code).toBe(0);
      writeFileSync(metaFile(), oldMeta);
      expect(await http(["info", "@acme/hello"])).toEqual({ code: 10, name: "TamperedPackage" });
      writeFileSync(reg("snapshot.json"), oldRoot);
      rmSync(reg("snapshot"), { recursive: true });
      cpSync(join(dir, "old-bins"), reg("snapshot"), { recursive: true });
      expect(await http(["search"])).toEqual({ code: 18, name: "StaleMetadata" });
    } finally {
      await server.close();
    }
  });
});
