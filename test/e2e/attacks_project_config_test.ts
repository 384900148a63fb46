/**
 * A hostile project configuration (SPEC §9, the trust boundary): a repository the user cloned
 * controls its `.aam/config.yaml`. Before `aam config trust-project` that file can only tighten
 * security. One attack per class, each beside a positive control (a tightening setting applies; a
 * trusted file applies whole; an edited file is untrusted again). Every case writes the user's
 * config.yaml directly and runs from its own project folder.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdirSync, writeFileSync, appendFileSync, existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { aam, aamAsync, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";
import { startSigstoreStandIns, fakeIdentityToken, type SigstoreStandIns } from "../sigstore_mock.ts";

const PASS = { AAM_PASSPHRASE: "project config attacks" };

/** A loopback server that records every request and answers 500: what a hostile Fulcio would see. */
async function startCapture(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => res.writeHead(500).end("captured"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Node for every case; Bun too, as the runtime does not change the policy (Deno adds time, not coverage).
describe.each(["node", "bun"] as RuntimeName[])("hostile project config under %s", (rt) => {
  let dir: string;
  let mine = "";
  let attacker = "";
  const home = () => join(dir, "home");
  const attackerHome = () => join(dir, "attacker-home");
  const reg = () => join(dir, "reg");
  const evilReg = () => join(dir, "evil-reg");
  const run = (args: string[], cwd: string, h = home()) => aam(rt, args, { cwd, home: h, env: PASS });

  /** Writes the user's config.yaml (YAML flow style is JSON). */
  const userConfig = (cfg: object) => writeFileSync(join(home(), ".aam", "config.yaml"), JSON.stringify({ registries: [{ name: "main", url: reg(), default: true }], ...cfg }));
  /** A fresh project folder whose .aam/config.yaml is `cfg`. */
  let n = 0;
  const projectWith = (cfg: object): string => {
    const p = join(dir, `project-${++n}`);
    mkdirSync(join(p, ".aam"), { recursive: true });
    writeFileSync(join(p, ".aam", "config.yaml"), JSON.stringify(cfg));
    return p;
  };
  const expectFailure = (r: { code: number; stderr: string }, code: number, name: string) => {
    expect({ code: r.code, name: errorName(r.stderr) }).toEqual({ code, name });
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("    at ");
  };
  /** The one warning: names each ignored key and `aam config trust-project`, printed once. */
  const expectIgnored = (stderr: string, keys: string[]) => {
    const warnings = stderr.split("\n").filter((l) => l.includes("is not trusted, so its settings"));
    expect(warnings.length).toBe(1);
    for (const k of keys) expect(warnings[0]).toContain(k);
    expect(warnings[0]).toContain("aam config trust-project");
  };

  beforeAll(() => {
    dir = tempDir("aam-attack-");
    mkdirSync(join(home(), ".aam"), { recursive: true });
    mkdirSync(attackerHome(), { recursive: true });
    expect(run(["registry", "init", reg(), "--default"], dir).code).toBe(0);
    mine = JSON.parse(run(["key", "generate", "--name", "mine", "--json"], dir).stdout).fingerprint;
    attacker = JSON.parse(run(["key", "generate", "--name", "attacker", "--json"], dir, attackerHome()).stdout).fingerprint;
    makePackage(join(dir, "unsigned"), "@acme/unsigned", "1.0.0");
    makePackage(join(dir, "mine"), "@acme/mine", "1.0.0");
    makePackage(join(dir, "evil"), "@acme/evil", "1.0.0");
    makePackage(join(dir, "only-evil"), "@acme/only-evil", "1.0.0");
    expect(run(["pkg", "publish", "unsigned", "--registry", reg()], dir).code).toBe(0);
    expect(run(["pkg", "publish", "mine", "--sign", "--registry", reg()], dir).code).toBe(0);
    expect(run(["pkg", "publish", "evil", "--sign", "--registry", reg()], dir, attackerHome()).code).toBe(0);
    expect(run(["registry", "init", evilReg()], dir, attackerHome()).code).toBe(0);
    expect(run(["pkg", "publish", "only-evil", "--registry", evilReg()], dir, attackerHome()).code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  describe("require_signature", () => {
    test("a project's require_signature: false does not let an unsigned package install where the user requires signatures", () => {
      userConfig({ security: { require_signature: true } });
      const p = projectWith({ security: { require_signature: false } });
      const r = run(["install", "@acme/unsigned"], p);
      expectFailure(r, 13, "SignatureNotFound");
      expectIgnored(r.stderr, ["security.require_signature"]);
      expect(existsSync(join(p, ".aam", "packages"))).toBe(false);
    });

    test("control: a project's require_signature: true applies, silently", () => {
      userConfig({});
      const p = projectWith({ security: { require_signature: true } });
      const r = run(["install", "@acme/unsigned"], p);
      expectFailure(r, 13, "SignatureNotFound");
      expect(r.stderr).not.toContain("trust-project");
    });

    test("with --json the warning stays on stderr and stdout is one document", () => {
      userConfig({ security: { require_signature: true } });
      const r = run(["install", "@acme/unsigned", "--json"], projectWith({ security: { require_signature: false } }));
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "SignatureNotFound" } });
      expectIgnored(r.stderr, ["security.require_signature"]);
    });
  });

  describe("on_signature_failure", () => {
    test("a project's on_signature_failure: ignore does not skip the user's error", () => {
      userConfig({ security: { on_signature_failure: "error" } });
      const r = run(["verify", "@acme/evil"], projectWith({ security: { on_signature_failure: "ignore" } }));
      expectFailure(r, 12, "UntrustedSigner");
      expectIgnored(r.stderr, ["security.on_signature_failure"]);
    });

    test("control: a project's on_signature_failure: error applies over the user's warn", () => {
      userConfig({});
      expect(run(["verify", "@acme/evil"], dir).code).toBe(0); // warn: a warning, exit 0
      expectFailure(run(["verify", "@acme/evil"], projectWith({ security: { on_signature_failure: "error" } })), 12, "UntrustedSigner");
    });
  });

  describe("trusted_keys, trust-project and editing after trust", () => {
    test("a project adding the attacker's key leaves the attacker-signed package UntrustedSigner (12) until trust-project; an edit untrusts it again", () => {
      userConfig({ security: { on_signature_failure: "error", trusted_keys: [mine] } });
      const p = projectWith({ security: { trusted_keys: [mine, attacker] } });
      const r = run(["verify", "@acme/evil"], p);
      expectFailure(r, 12, "UntrustedSigner");
      expectIgnored(r.stderr, ["security.trusted_keys"]);

      // No terminal and no --yes: refused, nothing recorded.
      const refused = run(["config", "trust-project"], p);
      expectFailure(refused, 2, "UsageError");
      expect(refused.stdout).toContain("security.trusted_keys");
      expect(existsSync(join(home(), ".aam", "state", "trusted-projects.json"))).toBe(false);

      const trusted = run(["config", "trust-project", "--yes", "--json"], p);
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.stdout)).toMatchObject({ ok: true, recorded: true, loosens: [{ key: "security.trusted_keys" }] });
      const ok = run(["verify", "@acme/evil"], p);
      expect(ok.code).toBe(0);
      expect(ok.stderr).not.toContain("trust-project");

      appendFileSync(join(p, ".aam", "config.yaml"), "\n# edited after trust\n");
      const again = run(["verify", "@acme/evil"], p);
      expectFailure(again, 12, "UntrustedSigner");
      expectIgnored(again.stderr, ["security.trusted_keys"]);
    });

    test("control: a project narrowing trusted_keys to a subset applies", () => {
      userConfig({ security: { on_signature_failure: "error", trusted_keys: [mine, attacker] } });
      expect(run(["verify", "@acme/evil"], dir).code).toBe(0);
      expectFailure(run(["verify", "@acme/evil"], projectWith({ security: { trusted_keys: [mine] } })), 12, "UntrustedSigner");
    });
  });

  describe("revoked_keys and signing_delegates", () => {
    test("a project cannot un-revoke a key: its revoked_keys adds to the user's", () => {
      userConfig({ security: { on_signature_failure: "error", trusted_keys: [mine], revoked_keys: [mine] } });
      expectFailure(run(["verify", "@acme/mine"], projectWith({ security: { revoked_keys: [] } })), 12, "UntrustedSigner");
    });

    test("control: a project's revoked_keys applies", () => {
      userConfig({ security: { on_signature_failure: "error", trusted_keys: [mine] } });
      expect(run(["verify", "@acme/mine"], dir).code).toBe(0);
      expectFailure(run(["verify", "@acme/mine"], projectWith({ security: { revoked_keys: [mine] } })), 12, "UntrustedSigner");
    });

    test("a project cannot widen a key's delegation; a narrowing entry applies", () => {
      userConfig({ security: { on_signature_failure: "error", trusted_keys: [mine], signing_delegates: { [mine]: ["@other/*"] } } });
      const r = run(["verify", "@acme/mine"], projectWith({ security: { signing_delegates: { [mine]: ["*"] } } }));
      expectFailure(r, 12, "UntrustedSigner");
      expectIgnored(r.stderr, [`security.signing_delegates.${mine}`]);
      userConfig({ security: { on_signature_failure: "error", trusted_keys: [mine] } });
      expectFailure(run(["verify", "@acme/mine"], projectWith({ security: { signing_delegates: { [mine]: ["@other/*"] } } })), 12, "UntrustedSigner");
    });
  });

  describe("registries", () => {
    test("a project cannot move the user's default registry to the attacker's folder; trust-project lets it", () => {
      userConfig({});
      const p = projectWith({ registries: [{ name: "main", url: evilReg(), default: true }] });
      const r = run(["verify", "@acme/only-evil"], p);
      expectFailure(r, 3, "NotFound");
      expectIgnored(r.stderr, ["registries[main]"]);
      expect(run(["verify", "@acme/unsigned"], p).code).toBe(0); // still the user's registry
      expect(run(["config", "trust-project", p, "--yes"], dir).code).toBe(0);
      expect(run(["verify", "@acme/only-evil"], p).code).toBe(0);
    });

    test("control: a project may add a registry under a new name, without taking the default", () => {
      userConfig({});
      const p = projectWith({ registries: [{ name: "team", url: evilReg(), default: true }] });
      expect(run(["verify", "@acme/only-evil", "--registry", "team"], p).code).toBe(0);
      expectFailure(run(["verify", "@acme/only-evil"], p), 3, "NotFound");
    });
  });

  describe("keys that choose how to sign", () => {
    test("a project's gpg_key and signing_key are ignored; `config list` marks them and shows the user's", () => {
      userConfig({ security: { signing_key: "mine", gpg_key: "MY-GPG-KEY" } });
      const p = projectWith({ security: { signing_key: "attacker", gpg_key: "ATTACKER" } });
      const r = run(["config", "list"], p);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/security\.signing_key = mine {2}# project value ignored/);
      expect(r.stdout).toMatch(/security\.gpg_key = MY-GPG-KEY {2}# project value ignored/);
      expectIgnored(r.stderr, ["security.signing_key", "security.gpg_key"]);
      const json = JSON.parse(run(["config", "list", "--json"], p).stdout);
      expect(json.ignored.map((i: { key: string }) => i.key)).toEqual(["security.signing_key", "security.gpg_key"]);
    });

    test("a project's gpg_home is ignored (its gpg.conf could run programs); `config list` marks it and shows the user's", () => {
      const mineHome = join(dir, "my-gnupg");
      userConfig({ security: { gpg_home: mineHome } });
      const p = projectWith({ security: { gpg_home: join(dir, "evil-gnupg") } });
      const r = run(["config", "list"], p);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`security.gpg_home = ${mineHome}  # project value ignored`);
      expectIgnored(r.stderr, ["security.gpg_home"]);
      expect(run(["config", "get", "security.gpg_home"], p).stdout.trim()).toBe(mineHome);
    });
  });

  describe("security.sigstore.*", () => {
    let s: SigstoreStandIns;
    let capture: Awaited<ReturnType<typeof startCapture>>;
    beforeAll(async () => {
      s = await startSigstoreStandIns();
      capture = await startCapture();
    });
    afterAll(async () => {
      await s.close();
      await capture.close();
    });
    // The servers run in this process: the CLI must run asynchronously or it would wait on itself.
    const runAsync = (args: string[], cwd: string, env: Record<string, string> = {}) => aamAsync(rt, args, { cwd, home: home(), env: { ...PASS, ...env } });

    test("a project pointing Fulcio, Rekor and the TSA at its own server receives nothing; after trust-project it would", async () => {
      const servers = { fulcio_url: s.url, rekor_url: s.url, tsa_url: s.url };
      userConfig({ security: { sigstore: servers } });
      const p = projectWith({ security: { sigstore: { fulcio_url: capture.url, rekor_url: capture.url, tsa_url: capture.url } } });
      makePackage(join(p, "pkg"), "@acme/keyless", "1.0.0");
      const token = fakeIdentityToken("release@example.com", "https://accounts.example.com");
      const signed = await runAsync(["pkg", "publish", "pkg", "--sign", "--signing-method", "sigstore"], p, { SIGSTORE_ID_TOKEN: token });
      expect(signed.code).toBe(0);
      expectIgnored(signed.stderr, ["security.sigstore.fulcio_url", "security.sigstore.rekor_url", "security.sigstore.tsa_url"]);
      expect(capture.requests).toEqual([]);

      // Control: once trusted, the file applies whole, and signing goes where it says.
      expect((await runAsync(["config", "trust-project", "--yes"], p)).code).toBe(0);
      makePackage(join(p, "pkg"), "@acme/keyless", "1.0.1");
      const captured = await runAsync(["pkg", "publish", "pkg", "--sign", "--signing-method", "sigstore"], p, { SIGSTORE_ID_TOKEN: token });
      expect(captured.code).toBe(1);
      expect(capture.requests.length).toBeGreaterThan(0);
    });
  });
});
