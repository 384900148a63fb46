import { describe, test, expect } from "bun:test";
import { getKey, setKey, unsetKey, addToList, listKeys } from "./dotted_keys.ts";
import { CONFIG_KEYS, defaultConfig, type Config } from "./schema.ts";
import { catchAamError } from "../../test/helpers/errors.ts";


const ED = "a".repeat(64);
const PGP = "b".repeat(40);
const empty = (): Config => ({ security: {} });

describe("setKey() / getKey() / unsetKey()", () => {
  test.each([
    ["security.signing_method", "sigstore", "sigstore"],
    ["security.signing_method", "GPG", "gpg"],
    ["security.on_signature_failure", "error", "error"],
    ["security.require_signature", "true", true],
    ["security.require_signature", "FALSE", false],
    ["security.verify_transparency_log", "false", false],
    ["security.signing_key", "release", "release"],
    ["security.gpg_key", "Jane Doe <jane@example.com>", "Jane Doe <jane@example.com>"],
    ["security.trusted_keys", `${ED}, ${PGP}`, [ED, PGP.toUpperCase()]],
    ["security.trusted_keys", "", []],
    ["security.trusted_identities", "*@example.com,github:me", ["*@example.com", "github:me"]],
    ["security.allowed_issuers", "https://token.actions.githubusercontent.com", ["https://token.actions.githubusercontent.com"]],
    ["security.signing_delegates", `${ED}=@team/*,tool;${PGP}=x`, { [ED]: ["@team/*", "tool"], [PGP.toUpperCase()]: ["x"] }],
    ["security.sigstore.rekor_url", "https://rekor.example.org", "https://rekor.example.org"],
  ])("setKey(%p, %p) then getKey() round-trips to %p", (key, raw, want) => {
    const cfg = setKey(empty(), key, raw);
    expect(getKey(cfg, key)).toEqual(want);
    expect(getKey(unsetKey(cfg, key), key)).toBeUndefined();
  });

  test("setKey() does not change its input", () => {
    const before = empty();
    setKey(before, "security.require_signature", "true");
    expect(before).toEqual({ security: {} });
  });

  test("setKey() and unsetKey() manage one signing_delegates entry by its dotted key", () => {
    let cfg = setKey(empty(), `security.signing_delegates.${ED}`, "@team/*");
    cfg = setKey(cfg, `security.signing_delegates.${PGP}`, "tool");
    expect(getKey(cfg, `security.signing_delegates.${ED}`)).toEqual(["@team/*"]);
    cfg = unsetKey(cfg, `security.signing_delegates.${ED}`);
    expect(getKey(cfg, "security.signing_delegates")).toEqual({ [PGP.toUpperCase()]: ["tool"] });
    cfg = unsetKey(cfg, `security.signing_delegates.${PGP}`);
    expect(getKey(cfg, "security.signing_delegates")).toBeUndefined();
  });

  test("unsetKey() of the last sigstore key leaves no empty sigstore group", () => {
    const cfg = unsetKey(setKey(empty(), "security.sigstore.tsa_url", "https://tsa.example.org"), "security.sigstore.tsa_url");
    expect(cfg).toEqual({ security: {} });
  });

  test("getKey() answers the security group as an object", () => {
    expect(getKey(setKey(empty(), "security.signing_key", "k"), "security")).toEqual({ signing_key: "k" });
  });

  test("getKey() throws UsageError with a suggestion for an unknown key", () => {
    const err = catchAamError(() => getKey(empty(), "security.trusted_key"));
    expect(err).toMatchObject({ code: "UsageError", details: { field: "security.trusted_key" } });
    expect(err.details.hint).toContain("security.trusted_keys");
    expect(err.details.hint).toContain("aam config list");
  });

  test.each([
    ["security.require_signature", "yes"],
    ["security.signing_method", "rsa"],
    ["security.on_signature_failure", "panic"],
    ["security.trusted_keys", "abc"],
    ["security.revoked_keys", `${ED},nothex`],
    ["security.allowed_issuers", "not a url"],
    ["security.sigstore.fulcio_url", "ftp://x"],
    ["security.signing_key", "  "],
    ["security.signing_delegates", "nofingerprint"],
    ["security.signing_delegates", `${ED}=Bad Pattern`],
    ["security.trusted_identities", "has space"],
  ])("setKey(%p, %p) throws UsageError naming the key and the value", (key, raw) => {
    const err = catchAamError(() => setKey(empty(), key, raw));
    expect(err).toMatchObject({ code: "UsageError", details: { field: key, actual: raw } });
    expect(err.details.expected).toBeTruthy();
  });

  test("setKey() refuses registries and points at `aam registry add`", () => {
    const err = catchAamError(() => setKey(empty(), "registries", "x"));
    expect(err.code).toBe("UsageError");
    expect(err.details.hint).toContain("aam registry add");
  });

  test("setKey() refuses a signing_delegates entry key that is not a fingerprint", () => {
    expect(catchAamError(() => setKey(empty(), "security.signing_delegates.xyz", "a")).code).toBe("UsageError");
  });

  test("unsetKey() throws UsageError for an unknown key", () => {
    expect(catchAamError(() => unsetKey(empty(), "nope")).code).toBe("UsageError");
  });
});

describe("addToList()", () => {
  test("addToList() appends once and keeps the value whole", () => {
    let cfg = addToList(empty(), "security.trusted_identities", "https://github.com/o/r/.github/workflows/x.yml@refs/heads/main");
    cfg = addToList(cfg, "security.trusted_identities", "*@example.com");
    cfg = addToList(cfg, "security.trusted_identities", "*@example.com");
    expect(getKey(cfg, "security.trusted_identities")).toEqual(["https://github.com/o/r/.github/workflows/x.yml@refs/heads/main", "*@example.com"]);
  });

  test("addToList() normalizes fingerprints before checking for duplicates", () => {
    const cfg = addToList(addToList(empty(), "security.revoked_keys", ED.toUpperCase()), "security.revoked_keys", ED);
    expect(getKey(cfg, "security.revoked_keys")).toEqual([ED]);
  });

  test("addToList() adds patterns to a signing_delegates entry", () => {
    let cfg = addToList(empty(), "security.signing_delegates", `${ED}=@a/*`);
    cfg = addToList(cfg, `security.signing_delegates.${ED}`, "@b/*,tool");
    expect(getKey(cfg, "security.signing_delegates")).toEqual({ [ED]: ["@a/*", "@b/*", "tool"] });
  });

  test("addToList() throws UsageError for a key that is not a list", () => {
    expect(catchAamError(() => addToList(empty(), "security.require_signature", "true"))).toMatchObject({ code: "UsageError", details: { field: "security.require_signature" } });
  });

  test("addToList() throws UsageError for a bad item", () => {
    expect(catchAamError(() => addToList(empty(), "security.trusted_keys", "xyz")).code).toBe("UsageError");
  });
});

describe("listKeys()", () => {
  test("listKeys() lists every key of the table, null where unset, then require_checksum (always true)", () => {
    const flat = listKeys(defaultConfig());
    expect(Object.keys(flat)).toEqual([...CONFIG_KEYS.map((s) => s.key), "security.require_checksum"]);
    expect(flat["security.require_checksum"]).toBe(true);
    expect(flat["security.on_signature_failure"]).toBe("warn");
    expect(flat["security.signing_key"]).toBeNull();
    expect(flat["security.sigstore.rekor_url"]).toBeNull();
  });
});
