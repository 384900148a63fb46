import { describe, test, expect } from "bun:test";
import { applyProjectConfig, ignoredProjectWarning } from "./project_policy.ts";
import type { Config } from "./schema.ts";

const A = "a".repeat(64);
const B = "b".repeat(64);
const C = "c".repeat(64);
const PGP = "D".repeat(40);

const user = (security: Config["security"], registries?: Config["registries"]): Config => ({ security, ...(registries ? { registries } : {}) });
const project = user;
const untrusted = (u: Config, p: Config) => applyProjectConfig(u, p, false);
const ignoredKeys = (u: Config, p: Config) => untrusted(u, p).ignored.map((i) => i.key);

describe("applyProjectConfig()", () => {
  test("applyProjectConfig() with no project file is the user's configuration over the defaults", () => {
    const r = applyProjectConfig(user({ on_signature_failure: "error" }), null, false);
    expect(r).toEqual({ effective: expect.objectContaining({ security: expect.objectContaining({ on_signature_failure: "error", require_signature: false }) }), ignored: [] });
  });

  describe("when the project file is trusted", () => {
    test("applyProjectConfig() applies the whole file, loosening included", () => {
      const r = applyProjectConfig(
        user({ require_signature: true, on_signature_failure: "error", trusted_keys: [A], sigstore: { fulcio_url: "https://fulcio.example" } }),
        project({ require_signature: false, on_signature_failure: "ignore", trusted_keys: [B], sigstore: { fulcio_url: "http://evil.example" } }),
        true,
      );
      expect(r.ignored).toEqual([]);
      expect(r.effective.security).toMatchObject({ require_signature: false, on_signature_failure: "ignore", trusted_keys: [B], sigstore: { fulcio_url: "http://evil.example" } });
    });
  });

  describe("when the project file is not trusted", () => {
    describe("require_signature and require_registry_attestation apply when set true", () => {
      test("applyProjectConfig() applies require_signature: true over the user's false", () => {
        const r = untrusted(user({}), project({ require_signature: true }));
        expect(r.effective.security.require_signature).toBe(true);
        expect(r.ignored).toEqual([]);
      });
      test("applyProjectConfig() ignores require_signature: false when the user requires signatures", () => {
        const r = untrusted(user({ require_signature: true }), project({ require_signature: false }));
        expect(r.effective.security.require_signature).toBe(true);
        expect(r.ignored).toEqual([{ key: "security.require_signature", reason: expect.any(String) }]);
      });
      test("applyProjectConfig() applies require_registry_attestation: true, never false over the user's true", () => {
        expect(untrusted(user({}), project({ require_registry_attestation: true })).effective.security.require_registry_attestation).toBe(true);
        const r = untrusted(user({ require_registry_attestation: true }), project({ require_registry_attestation: false }));
        expect(r.effective.security.require_registry_attestation).toBe(true);
        expect(r.ignored.map((i) => i.key)).toEqual(["security.require_registry_attestation"]);
      });
      test("applyProjectConfig() lets a project turn trust_registry_attestations off, never on", () => {
        const on = untrusted(user({}), project({ trust_registry_attestations: true }));
        expect(on.effective.security.trust_registry_attestations).toBe(false);
        expect(on.ignored.map((i) => i.key)).toEqual(["security.trust_registry_attestations"]);
        const off = untrusted(user({ trust_registry_attestations: true }), project({ trust_registry_attestations: false }));
        expect(off.effective.security.trust_registry_attestations).toBe(false);
        expect(off.ignored).toEqual([]);
        // Trusted (aam config trust-project), the file applies whole.
        expect(applyProjectConfig(user({}), project({ trust_registry_attestations: true }), true).effective.security.trust_registry_attestations).toBe(true);
      });
      test("applyProjectConfig() says nothing of a value equal to the user's (it loosens nothing)", () => {
        const r = untrusted(user({}), project({ require_signature: false, sigstore: {} }));
        expect(r.effective.security.require_signature).toBe(false);
        expect(r.ignored).toEqual([]);
      });
    });

    describe("on_signature_failure applies when at least as strict (error > warn > ignore)", () => {
      test.each([
        ["warn", "error", "error"],
        ["warn", "warn", "warn"],
        ["ignore", "warn", "warn"],
        ["error", "error", "error"],
      ] as const)("applyProjectConfig() applies %s -> %s", (mine, theirs, expected) => {
        const r = untrusted(user({ on_signature_failure: mine }), project({ on_signature_failure: theirs }));
        expect(r.effective.security.on_signature_failure).toBe(expected);
        expect(r.ignored).toEqual([]);
      });
      test.each([
        ["error", "warn"],
        ["error", "ignore"],
        ["warn", "ignore"],
      ] as const)("applyProjectConfig() ignores %s -> %s", (mine, theirs) => {
        const r = untrusted(user({ on_signature_failure: mine }), project({ on_signature_failure: theirs }));
        expect(r.effective.security.on_signature_failure).toBe(mine);
        expect(r.ignored.map((i) => i.key)).toEqual(["security.on_signature_failure"]);
      });
      test("applyProjectConfig() compares against the default warn when the user sets nothing", () => {
        expect(ignoredKeys(user({}), project({ on_signature_failure: "ignore" }))).toEqual(["security.on_signature_failure"]);
      });
    });

    describe("trusted_keys, trusted_identities apply when a subset of the user's list", () => {
      test("applyProjectConfig() narrows trusted_keys to a subset", () => {
        const r = untrusted(user({ trusted_keys: [A, B] }), project({ trusted_keys: [A] }));
        expect(r.effective.security.trusted_keys).toEqual([A]);
        expect(r.ignored).toEqual([]);
      });
      test("applyProjectConfig() applies an empty trusted_keys (trust no key)", () => {
        expect(untrusted(user({ trusted_keys: [A] }), project({ trusted_keys: [] })).effective.security.trusted_keys).toEqual([]);
      });
      test("applyProjectConfig() ignores trusted_keys whole when it adds a key", () => {
        const r = untrusted(user({ trusted_keys: [A] }), project({ trusted_keys: [A, C] }));
        expect(r.effective.security.trusted_keys).toEqual([A]);
        expect(r.ignored).toEqual([{ key: "security.trusted_keys", reason: expect.stringContaining(C) }]);
      });
      test("applyProjectConfig() ignores trusted_keys when the user trusts none", () => {
        expect(ignoredKeys(user({}), project({ trusted_keys: [PGP] }))).toEqual(["security.trusted_keys"]);
      });
      test("applyProjectConfig() narrows trusted_identities and ignores an added pattern", () => {
        expect(untrusted(user({ trusted_identities: ["*@a.example", "github:me"] }), project({ trusted_identities: ["github:me"] })).effective.security.trusted_identities).toEqual(["github:me"]);
        const r = untrusted(user({ trusted_identities: ["me@a.example"] }), project({ trusted_identities: ["*@a.example"] }));
        expect(r.effective.security.trusted_identities).toEqual(["me@a.example"]);
        expect(r.ignored.map((i) => i.key)).toEqual(["security.trusted_identities"]);
      });
    });

    describe("allowed_issuers: a subset, or any list when the user's is empty (any issuer)", () => {
      test("applyProjectConfig() applies any list when the user allows any issuer", () => {
        const r = untrusted(user({}), project({ allowed_issuers: ["https://issuer.example"] }));
        expect(r.effective.security.allowed_issuers).toEqual(["https://issuer.example"]);
        expect(r.ignored).toEqual([]);
      });
      test("applyProjectConfig() applies a subset and ignores an added issuer", () => {
        const mine = user({ allowed_issuers: ["https://a.example", "https://b.example"] });
        expect(untrusted(mine, project({ allowed_issuers: ["https://b.example"] })).effective.security.allowed_issuers).toEqual(["https://b.example"]);
        const r = untrusted(mine, project({ allowed_issuers: ["https://evil.example"] }));
        expect(r.effective.security.allowed_issuers).toEqual(["https://a.example", "https://b.example"]);
        expect(r.ignored.map((i) => i.key)).toEqual(["security.allowed_issuers"]);
      });
      test("applyProjectConfig() ignores an empty list, which would allow any issuer", () => {
        const r = untrusted(user({ allowed_issuers: ["https://a.example"] }), project({ allowed_issuers: [] }));
        expect(r.effective.security.allowed_issuers).toEqual(["https://a.example"]);
        expect(r.ignored.map((i) => i.key)).toEqual(["security.allowed_issuers"]);
      });
    });

    describe("revoked_keys applies always, as a union with the user's", () => {
      test("applyProjectConfig() adds the project's revoked keys to the user's", () => {
        const r = untrusted(user({ revoked_keys: [A] }), project({ revoked_keys: [B] }));
        expect(r.effective.security.revoked_keys).toEqual([A, B]);
        expect(r.ignored).toEqual([]);
      });
      test("applyProjectConfig() keeps the user's revoked keys when the project lists none", () => {
        expect(untrusted(user({ revoked_keys: [A] }), project({ revoked_keys: [] })).effective.security.revoked_keys).toEqual([A]);
      });
    });

    describe("signing_delegates: only entries that narrow a key the user trusts", () => {
      test("applyProjectConfig() applies a limit on a trusted, unlimited key", () => {
        const r = untrusted(user({ trusted_keys: [A] }), project({ signing_delegates: { [A]: ["@team/*"] } }));
        expect(r.effective.security.signing_delegates).toEqual({ [A]: ["@team/*"] });
        expect(r.ignored).toEqual([]);
      });
      test("applyProjectConfig() applies a narrower limit and keeps the user's other entries", () => {
        const r = untrusted(user({ trusted_keys: [A, B], signing_delegates: { [A]: ["@team/*"], [B]: ["tool"] } }), project({ signing_delegates: { [A]: ["@team/one"] } }));
        expect(r.effective.security.signing_delegates).toEqual({ [A]: ["@team/one"], [B]: ["tool"] });
      });
      test("applyProjectConfig() ignores an entry that widens a limited key", () => {
        const r = untrusted(user({ trusted_keys: [A], signing_delegates: { [A]: ["@team/one"] } }), project({ signing_delegates: { [A]: ["@team/*", "*"] } }));
        expect(r.effective.security.signing_delegates).toEqual({ [A]: ["@team/one"] });
        expect(r.ignored.map((i) => i.key)).toEqual([`security.signing_delegates.${A}`]);
      });
      test("applyProjectConfig() ignores an entry for a key the user does not trust, keeping the narrowing ones", () => {
        const r = untrusted(user({ trusted_keys: [A] }), project({ signing_delegates: { [C]: ["*"], [A]: ["tool"] } }));
        expect(r.effective.security.signing_delegates).toEqual({ [A]: ["tool"] });
        expect(r.ignored.map((i) => i.key)).toEqual([`security.signing_delegates.${C}`]);
      });
      test("applyProjectConfig() cannot drop the user's limit by leaving the entry out", () => {
        expect(untrusted(user({ trusted_keys: [A], signing_delegates: { [A]: ["tool"] } }), project({ signing_delegates: {} })).effective.security.signing_delegates).toEqual({ [A]: ["tool"] });
      });
    });

    describe("verify_transparency_log applies when true", () => {
      test("applyProjectConfig() applies true and ignores false", () => {
        expect(untrusted(user({ verify_transparency_log: false }), project({ verify_transparency_log: true })).effective.security.verify_transparency_log).toBe(true);
        const r = untrusted(user({}), project({ verify_transparency_log: false }));
        expect(r.effective.security.verify_transparency_log).toBe(true);
        expect(r.ignored.map((i) => i.key)).toEqual(["security.verify_transparency_log"]);
      });
    });

    describe("registries: a project adds registries, never moves the user's", () => {
      const mine = [{ name: "main", url: "/srv/registry", default: true }];
      test("applyProjectConfig() adds a registry with a new name", () => {
        const r = untrusted(user({}, mine), project({}, [{ name: "team", url: "/srv/team" }]));
        expect(r.effective.registries).toEqual([...mine, { name: "team", url: "/srv/team" }]);
        expect(r.ignored).toEqual([]);
      });
      test("applyProjectConfig() ignores a registry that moves the user's to another location", () => {
        const r = untrusted(user({}, mine), project({}, [{ name: "main", url: "/tmp/attacker", default: true }]));
        expect(r.effective.registries).toEqual(mine);
        expect(r.ignored).toEqual([{ key: "registries[main]", reason: expect.stringContaining("/tmp/attacker") }]);
      });
      test("applyProjectConfig() never changes or drops the attestation keys the user pinned; trusted_registries only as a subset", () => {
        const pinned = [{ name: "main", url: "/srv/registry", default: true, attestation: { name: "acme", keys: ["a".repeat(64)] } }];
        for (const attestation of [{ name: "acme", keys: ["b".repeat(64)] }, undefined]) {
          const r = untrusted(user({}, pinned), project({}, [{ name: "main", url: "/srv/registry", ...(attestation ? { attestation } : {}) }]));
          expect(r.effective.registries).toEqual(pinned);
          expect(r.ignored.map((i) => i.key)).toEqual(["registries[main].attestation"]);
        }
        const t = untrusted(user({ trusted_registries: ["main"] }, pinned), project({ trusted_registries: ["main", "evil"] }));
        expect(t.effective.security.trusted_registries).toEqual(["main"]);
        expect(t.ignored.map((i) => i.key)).toEqual(["security.trusted_registries"]);
      });
      test("applyProjectConfig() adds a registry but not its default flag when the user has a default", () => {
        const r = untrusted(user({}, mine), project({}, [{ name: "evil", url: "/tmp/attacker", default: true }]));
        expect(r.effective.registries).toEqual([...mine, { name: "evil", url: "/tmp/attacker" }]);
        expect(r.ignored.map((i) => i.key)).toEqual(["registries[evil].default"]);
      });
      test("applyProjectConfig() keeps the user's only registry the default when a project adds one", () => {
        const r = untrusted(user({}, [{ name: "main", url: "/srv/registry" }]), project({}, [{ name: "team", url: "/srv/team" }]));
        expect(r.effective.registries).toEqual([{ name: "main", url: "/srv/registry", default: true }, { name: "team", url: "/srv/team" }]);
      });
      test("applyProjectConfig() applies the project's registries, default included, when the user has none", () => {
        const theirs = [{ name: "team", url: "/srv/team", default: true }];
        expect(untrusted(user({}), project({}, theirs)).effective.registries).toEqual(theirs);
      });
    });

    describe("gpg_key, signing_key and security.sigstore.* never apply", () => {
      test.each([
        ["security.gpg_key", { gpg_key: "ATTACKER" }],
        ["security.signing_key", { signing_key: "attacker" }],
        ["security.sigstore.fulcio_url", { sigstore: { fulcio_url: "http://127.0.0.1:1" } }],
        ["security.sigstore.rekor_url", { sigstore: { rekor_url: "http://127.0.0.1:1" } }],
        ["security.sigstore.tsa_url", { sigstore: { tsa_url: "http://127.0.0.1:1" } }],
        ["security.sigstore.oidc_issuer", { sigstore: { oidc_issuer: "http://127.0.0.1:1" } }],
      ] as [string, Config["security"]][])("applyProjectConfig() ignores %s", (key, security) => {
        const r = untrusted(user({ gpg_key: "MINE", signing_key: "mine", sigstore: { fulcio_url: "https://fulcio.example" } }), project(security));
        expect(r.effective.security).toMatchObject({ gpg_key: "MINE", signing_key: "mine", sigstore: { fulcio_url: "https://fulcio.example" } });
        expect(r.ignored).toEqual([{ key, reason: expect.any(String) }]);
      });
      test("applyProjectConfig() does not set a Sigstore server the user left at its default", () => {
        expect(untrusted(user({}), project({ sigstore: { fulcio_url: "http://127.0.0.1:1" } })).effective.security.sigstore).toEqual({});
      });
    });

    test("applyProjectConfig() applies signing_method, which trusts nothing by itself", () => {
      const r = untrusted(user({}), project({ signing_method: "openpgp" }));
      expect(r.effective.security.signing_method).toBe("openpgp");
      expect(r.ignored).toEqual([]);
    });

    test("applyProjectConfig() applies the tightening keys of a file and ignores only the loosening ones", () => {
      const r = untrusted(
        user({ trusted_keys: [A], on_signature_failure: "warn" }),
        project({ require_signature: true, on_signature_failure: "error", trusted_keys: [A, C], revoked_keys: [B], sigstore: { fulcio_url: "http://127.0.0.1:1" } }),
      );
      expect(r.effective.security).toMatchObject({ require_signature: true, on_signature_failure: "error", trusted_keys: [A], revoked_keys: [B], sigstore: {} });
      expect(r.ignored.map((i) => i.key)).toEqual(["security.trusted_keys", "security.sigstore.fulcio_url"]);
    });

    test("applyProjectConfig() leaves its inputs unchanged", () => {
      const u = user({ revoked_keys: [A], trusted_keys: [A], signing_delegates: { [A]: ["tool"] } }, [{ name: "main", url: "/r" }]);
      const p = project({ revoked_keys: [B], signing_delegates: { [A]: ["tool"] } }, [{ name: "team", url: "/t" }]);
      const before = JSON.stringify([u, p]);
      untrusted(u, p);
      expect(JSON.stringify([u, p])).toBe(before);
    });
  });
});

describe("ignoredProjectWarning()", () => {
  test("ignoredProjectWarning() names each ignored key and `aam config trust-project`", () => {
    const w = ignoredProjectWarning("/p/.aam/config.yaml", [
      { key: "security.require_signature", reason: "would turn require_signature off" },
      { key: "registries[main]", reason: "would move it" },
    ]);
    expect(w).toContain("/p/.aam/config.yaml");
    expect(w).toContain("security.require_signature");
    expect(w).toContain("registries[main]");
    expect(w).toContain("aam config trust-project");
  });
});
