import { test, expect } from "bun:test";
import { CONFIG_KEYS, DEFAULT_CONFIG, defaultConfig, normalizeFingerprint } from "./schema.ts";

function get(obj: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

test("defaultConfig() holds exactly the defaults the key table declares", () => {
  for (const spec of CONFIG_KEYS) expect(get(defaultConfig(), spec.key)).toEqual(spec.default);
});

test("DEFAULT_CONFIG is frozen and defaultConfig() returns independent copies", () => {
  expect(Object.isFrozen(DEFAULT_CONFIG.security.trusted_keys)).toBe(true);
  const a = defaultConfig();
  a.security.trusted_keys.push("x");
  expect(defaultConfig().security.trusted_keys).toEqual([]);
});

test("DEFAULT_CONFIG has the SPEC defaults: ed25519, warn, no required signature, transparency log on", () => {
  expect(DEFAULT_CONFIG.security).toMatchObject({ signing_method: "ed25519", on_signature_failure: "warn", require_signature: false, verify_transparency_log: true });
});

test("normalizeFingerprint() lowercases Ed25519 and uppercases OpenPGP fingerprints", () => {
  expect(normalizeFingerprint("AB".repeat(32))).toBe("ab".repeat(32));
  expect(normalizeFingerprint("ab".repeat(20))).toBe("AB".repeat(20));
});
