import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { saveConfig, updateConfigFile, formatConfig } from "./save.ts";
import { readConfigFile, loadConfig } from "./load.ts";
import { setKey, addToList, unsetKey } from "./dotted_keys.ts";
import type { Config } from "./schema.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

const ED = "e".repeat(64);
let dir = "";

beforeEach(async () => {
  dir = await fs.makeTempDir("aam-config-");
});
afterEach(async () => {
  await fs.remove(dir);
});

describe("saveConfig()", () => {
  test("saveConfig() creates the folder and writes only the keys that are set", async () => {
    const file = fs.path.join(dir, "new", "nested", "config.yaml");
    await saveConfig(file, { security: { on_signature_failure: "error" } });
    const text = await fs.readText(file, DOCUMENT_LIMIT);
    expect(text).toContain("on_signature_failure: error");
    expect(text).not.toContain("signing_method");
    expect(await readConfigFile(file)).toEqual({ security: { on_signature_failure: "error" } });
  });

  test("saveConfig() refuses an invalid configuration and writes nothing", async () => {
    const file = fs.path.join(dir, "config.yaml");
    let err: unknown;
    await saveConfig(file, { security: { on_signature_failure: "sometimes" as never } }).catch((e) => (err = e));
    expect(err).toBeInstanceOf(AamError);
    expect((err as AamError).details.problems?.[0].path).toBe("security.on_signature_failure");
    expect(await fs.stat(file)).toBeNull();
  });

  test("formatConfig() writes nothing but the header for an empty configuration", () => {
    expect(formatConfig({ security: {} }).trim().startsWith("#")).toBe(true);
    expect(formatConfig({ security: {} }).trim().split("\n").length).toBe(1);
  });
});

describe("updateConfigFile()", () => {
  test("updateConfigFile() round-trips set, add and unset through the file", async () => {
    const file = fs.path.join(dir, "config.yaml");
    await updateConfigFile(file, (c) => setKey(c, "security.require_signature", "true"));
    await updateConfigFile(file, (c) => addToList(c, "security.trusted_keys", ED));
    await updateConfigFile(file, (c) => setKey(c, "security.sigstore.rekor_url", "https://rekor.example.org"));
    expect(await readConfigFile(file)).toEqual({ security: { require_signature: true, trusted_keys: [ED], sigstore: { rekor_url: "https://rekor.example.org" } } });
    await updateConfigFile(file, (c) => unsetKey(unsetKey(c, "security.require_signature"), "security.sigstore.rekor_url"));
    expect(await readConfigFile(file)).toEqual({ security: { trusted_keys: [ED] } });
  });

  test("updateConfigFile() keeps registries written by the registry command", async () => {
    const file = fs.path.join(dir, "config.yaml");
    await updateConfigFile(file, (c: Config) => ({ ...c, registries: [{ name: "team", url: "/srv/reg", default: true }] }));
    const c = await loadConfig({ home: dir, cwd: fs.path.join(dir, "nowhere") });
    expect(c.merged.registries).toEqual([{ name: "team", url: "/srv/reg", default: true }]);
  });

  test("updateConfigFile() leaves the file alone when the change throws", async () => {
    const file = fs.path.join(dir, "config.yaml");
    await updateConfigFile(file, (c) => setKey(c, "security.signing_key", "k"));
    const before = await fs.readText(file, DOCUMENT_LIMIT);
    let err: unknown;
    await updateConfigFile(file, (c) => setKey(c, "security.require_signature", "maybe")).catch((e) => (err = e));
    expect((err as AamError).code).toBe("UsageError");
    expect(await fs.readText(file, DOCUMENT_LIMIT)).toBe(before);
  });
});
