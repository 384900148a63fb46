import { test, expect } from "bun:test";
import { mergeConfigs } from "./merge.ts";
import type { Config } from "./schema.ts";

test("mergeConfigs() lets the project override the user and the user override the defaults", () => {
  const user: Config = { security: { on_signature_failure: "error", signing_key: "mine", sigstore: { rekor_url: "https://u.example" } } };
  const project: Config = { security: { on_signature_failure: "ignore", sigstore: { tsa_url: "https://p.example" } } };
  const m = mergeConfigs(user, project);
  expect(m.security.on_signature_failure).toBe("ignore");
  expect(m.security.signing_key).toBe("mine");
  expect(m.security.signing_method).toBe("ed25519");
  expect(m.security.sigstore).toEqual({ rekor_url: "https://u.example", tsa_url: "https://p.example" });
});

test("mergeConfigs() replaces lists and the delegates map instead of concatenating", () => {
  const user: Config = { registries: [{ name: "u", url: "/u" }], security: { trusted_keys: ["a"], signing_delegates: { a: ["x"] } } };
  const project: Config = { registries: [], security: { trusted_keys: ["b"], signing_delegates: { b: ["y"] } } };
  const m = mergeConfigs(user, project);
  expect(m.registries).toEqual([]);
  expect(m.security.trusted_keys).toEqual(["b"]);
  expect(m.security.signing_delegates).toEqual({ b: ["y"] });
});

test("mergeConfigs() copies values so changing the result leaves the layers alone", () => {
  const user: Config = { security: { trusted_keys: ["a"] } };
  mergeConfigs(user).security.trusted_keys.push("b");
  expect(user.security.trusted_keys).toEqual(["a"]);
});

test("mergeConfigs() with no layers is the defaults, and a null project is skipped", () => {
  expect(mergeConfigs().security.on_signature_failure).toBe("warn");
  expect(mergeConfigs({ security: { require_signature: true } }, null).security.require_signature).toBe(true);
});
