import { describe, test, expect } from "bun:test";
import type { Config } from "../config/schema.ts";
import { parseCacheEntry } from "./entry.ts";
import { pinByRegistryName, pinForEntry } from "./offline_pins.ts";

const FP = "ab".repeat(32);
const cfg: Config = {
  registries: [
    { name: "main", url: "/srv/main" },
    { name: "acme", url: "https://acme.example/reg", attestation: { name: "acme-signed", keys: [FP], min_serial: 3 } },
    { name: "other", url: "/srv/other", attestation: { name: "other", keys: [FP] } },
  ],
  security: { trusted_registries: ["acme"] },
};

describe("pinForEntry()", () => {
  test("by the entry's signed registry name, else by the location it was prepared from; trusted only when listed", () => {
    expect(pinForEntry(cfg, { registry: "acme-signed", source: "x" })).toEqual({ pin: { alias: "acme", name: "acme-signed", keys: [FP], min_serial: 3 }, trusted: true });
    expect(pinForEntry(cfg, { source: "https://acme.example/reg" })?.pin.alias).toBe("acme");
    expect(pinForEntry(cfg, { source: "/srv/other" })).toMatchObject({ pin: { name: "other" }, trusted: false });
    // Unpinned: behaviour unchanged.
    expect(pinForEntry(cfg, { source: "/srv/main" })).toBeNull();
    expect(pinForEntry(cfg, { registry: "gone", source: "bundle:x.bundle" })).toBeNull();
    expect(pinByRegistryName(cfg, undefined)).toBeNull();
  });

  test("an aam-offline-v1 entry without `registry` (written before pins) still reads; a non-string one is TamperedPackage", () => {
    const old = { format: "aam-offline-v1", package: "@a/b", version: "1.0.0", source: "/srv/main", prepared_at: "2026-01-01T00:00:00.000Z", checksum: "sha256:" + "0".repeat(64), files: {}, verification: { outcome: "unsigned", checks: {}, signers: [], warnings: [] } };
    expect(parseCacheEntry(JSON.stringify(old), "entry.json").registry).toBeUndefined();
    expect(parseCacheEntry(JSON.stringify({ ...old, registry: "acme" }), "entry.json").registry).toBe("acme");
    expect(() => parseCacheEntry(JSON.stringify({ ...old, registry: 7 }), "entry.json")).toThrow(/names no valid registry/);
  });
});
