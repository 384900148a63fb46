import { describe, test, expect } from "bun:test";
import { parseYaml } from "../encoding/yaml.ts";
import { validateConfig } from "./validate.ts";
import { catchAamError } from "../../test/helpers/errors.ts";


const ED = "c".repeat(64);

describe("validateConfig()", () => {
  test("validateConfig() accepts a full valid file and keeps only the keys it sets", () => {
    const text = `registries:\n  - {name: team, url: /srv/reg, default: true}\n  - {name: web, url: "https://x.example/reg"}\nsecurity:\n  on_signature_failure: error\n  trusted_keys: ["${ED.toUpperCase()}"]\n  signing_delegates:\n    "${ED}": ["@team/*"]\n  sigstore:\n    rekor_url: https://rekor.example.org\n  signing_key:\n`;
    expect(validateConfig(parseYaml(text, "c.yaml"), "c.yaml")).toEqual({
      registries: [{ name: "team", url: "/srv/reg", default: true }, { name: "web", url: "https://x.example/reg" }],
      security: { on_signature_failure: "error", trusted_keys: [ED], signing_delegates: { [ED]: ["@team/*"] }, sigstore: { rekor_url: "https://rekor.example.org" } },
    });
  });

  test("validateConfig() checks a registry's attestation pin: a registry name, Ed25519 fingerprints (stored lowercase), a non-negative min_serial", () => {
    const ok = `registries:\n  - name: team\n    url: /srv/reg\n    attestation: {name: acme, keys: ["${ED.toUpperCase()}"], min_serial: 3}\nsecurity:\n  trusted_registries: [team]\n`;
    expect(validateConfig(parseYaml(ok, "c.yaml"), "c.yaml")).toEqual({
      registries: [{ name: "team", url: "/srv/reg", attestation: { name: "acme", keys: [ED], min_serial: 3 } }],
      security: { trusted_registries: ["team"] },
    });
    for (const pin of ["{name: Bad Name, keys: [" + ED + "]}", "{name: acme, keys: []}", "{name: acme, keys: [" + "A".repeat(40) + "]}", "{name: acme, keys: [" + ED + "], min_serial: -1}", "{name: acme, keys: [" + ED + "], extra: 1}"]) {
      const text = `registries:\n  - name: team\n    url: /srv/reg\n    attestation: ${pin}\n`;
      const e = catchAamError(() => validateConfig(parseYaml(text, "c.yaml"), "c.yaml"));
      expect(JSON.stringify([e.message, e.details])).toContain("registries[0].attestation");
    }
  });

  test("validateConfig() reads an empty file as an empty configuration", () => {
    expect(validateConfig(parseYaml("", "c.yaml"), "c.yaml")).toEqual({ security: {} });
    expect(validateConfig(parseYaml("# only a comment\n", "c.yaml"), "c.yaml")).toEqual({ security: {} });
  });

  test("validateConfig() reports every problem with its key path and names the file", () => {
    const err = catchAamError(() =>
      validateConfig(
        {
          registries: [{ name: "a", url: "x", default: true }, { name: "a", url: "", default: true }, "str"],
          security: {
            require_signatures: true,
            require_signature: "yes",
            signing_method: "rsa",
            trusted_keys: ["nothex", 5],
            signing_delegates: { zz: ["@a/*"], [ED]: "notalist" },
            sigstore: { rekor: "x", fulcio_url: "nope" },
          },
          extra: 1,
        },
        "home/config.yaml",
      ),
    );
    expect(err).toMatchObject({ code: "Error", details: { file: "home/config.yaml" } });
    expect(err.details.hint).toBeTruthy();
    expect(err.details.problems!.map((p) => p.path).sort()).toEqual(
      [
        "extra",
        "registries[1].name",
        "registries[1].url",
        "registries[1].default",
        "registries[2]",
        "security.require_signatures",
        "security.require_signature",
        "security.signing_method",
        "security.trusted_keys[0]",
        "security.trusted_keys[1]",
        'security.signing_delegates["zz"]',
        `security.signing_delegates["${ED}"]`,
        "security.sigstore.rekor",
        "security.sigstore.fulcio_url",
      ].sort(),
    );
    const typo = err.details.problems!.find((p) => p.path === "security.require_signatures");
    expect(typo?.message).toContain("security.require_signature");
  });

  test("validateConfig() refuses a document that is not a mapping", () => {
    expect(catchAamError(() => validateConfig(["a"], "c.yaml")).details.problems?.[0].path).toBe("(root)");
    expect(catchAamError(() => validateConfig({ security: [] }, "c.yaml")).details.problems?.[0].path).toBe("security");
  });
});
