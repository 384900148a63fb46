import { describe, test, expect } from "bun:test";
import { parseYaml } from "../encoding/yaml.ts";
import { validateConfig } from "./validate.ts";
import { canonicalKey } from "./aliases.ts";
import { catchAamError } from "../../test/helpers/errors.ts";

const read = (text: string) => validateConfig(parseYaml(text, "c.yaml"), "c.yaml");

describe("configuration aliases", () => {
  test("every documentation alias lands on its stored key, beside keys already in security.sigstore", () => {
    const fp = "A".repeat(40);
    const cfg = read(`security:\n  trusted_gpg_keys: ["${fp.toLowerCase()}"]\n  trusted_sigstore_identities: ["*@example.com"]\n  sigstore_oidc_issuer: https://auth.example.com\n  sigstore_endpoint: https://sigstore.example.com\n  require_checksum: true\n  sigstore:\n    rekor_url: https://rekor.example.com\n`);
    expect(cfg.security).toEqual({
      trusted_keys: [fp],
      trusted_identities: ["*@example.com"],
      sigstore: { rekor_url: "https://rekor.example.com", oidc_issuer: "https://auth.example.com", endpoint: "https://sigstore.example.com" },
    });
  });

  test("an alias set to nothing counts as not set, even beside its target", () => {
    expect(read("security:\n  oidc_issuer:\n  sigstore:\n    oidc_issuer: https://a.example.com\n").security).toEqual({ sigstore: { oidc_issuer: "https://a.example.com" } });
  });

  test("two spellings of one key, or require_checksum: false, are UsageErrors; a non-boolean require_checksum is a problem", () => {
    const both = catchAamError(() => read("security:\n  oidc_issuer: https://a.example.com\n  sigstore_oidc_issuer: https://b.example.com\n"));
    expect(both.code).toBe("UsageError");
    expect(both.message).toContain('"security.oidc_issuer" and "security.sigstore_oidc_issuer"');
    expect(catchAamError(() => read("security:\n  require_checksum: false\n")).code).toBe("UsageError");
    const odd = catchAamError(() => read("security:\n  require_checksum: sometimes\n"));
    expect(odd.code).toBe("Error");
  });

  test("canonicalKey() maps aliases and leaves other keys alone", () => {
    expect(canonicalKey("security.oidc_issuer")).toBe("security.sigstore.oidc_issuer");
    expect(canonicalKey("security.trusted_keys")).toBe("security.trusted_keys");
  });
});
