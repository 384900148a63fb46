import { describe, test, expect } from "bun:test";
import { catchAamError } from "../../test/helpers/errors.ts";
import { checkFreshness, type FreshnessInput } from "./freshness.ts";

const NOW = new Date("2026-12-10T00:00:00Z");
const input = (over: Partial<FreshnessInput> = {}): FreshnessInput => ({
  root: { registry: "acme", serial: 5, expires_at: "2026-12-31T00:00:00Z" },
  digest: "d5",
  seen: { serial: 5, digest: "d5" },
  minSerial: 0,
  now: NOW,
  offline: false,
  file: "snapshot.json",
  ...over,
});

describe("checkFreshness()", () => {
  test("checkFreshness() accepts the snapshot already seen and saves nothing", () => {
    expect(checkFreshness(input())).toEqual({ save: null, warnings: [] });
  });

  test("checkFreshness() saves a newer serial", () => {
    expect(checkFreshness(input({ root: { registry: "acme", serial: 6, expires_at: "2026-12-31T00:00:00Z" }, digest: "d6" })).save).toEqual({ serial: 6, digest: "d6" });
  });

  test("checkFreshness() trusts the first snapshot it sees, at or above min_serial", () => {
    expect(checkFreshness(input({ seen: null, minSerial: 5 })).save).toEqual({ serial: 5, digest: "d5" });
    const err = catchAamError(() => checkFreshness(input({ seen: null, minSerial: 6 })));
    expect(err).toMatchObject({ code: "StaleMetadata", details: { expected: "serial 6 or later", actual: "serial 5" } });
    expect(err.exitCode).toBe(18);
  });

  test("checkFreshness() throws StaleMetadata for an older signed snapshot put back (roll-back)", () => {
    const err = catchAamError(() => checkFreshness(input({ root: { registry: "acme", serial: 4, expires_at: "2026-12-31T00:00:00Z" }, digest: "d4" })));
    expect(err).toMatchObject({ code: "StaleMetadata", details: { file: "snapshot.json" } });
  });

  test("checkFreshness() throws StaleMetadata for the seen serial with other content", () => {
    expect(catchAamError(() => checkFreshness(input({ digest: "other" }))).code).toBe("StaleMetadata");
  });

  test("checkFreshness() throws StaleMetadata for an expired snapshot online (freeze), and only warns offline", () => {
    const expired = { registry: "acme", serial: 5, expires_at: "2026-12-09T23:59:59Z" };
    expect(catchAamError(() => checkFreshness(input({ root: expired }))).code).toBe("StaleMetadata");
    const off = checkFreshness(input({ root: expired, offline: true }));
    expect(off.warnings.length).toBe(1);
    expect(off.warnings[0]).toContain("2026-12-09T23:59:59Z");
  });

  test("checkFreshness() refuses a roll-back offline too: only expiry is softened there", () => {
    expect(catchAamError(() => checkFreshness(input({ offline: true, root: { registry: "acme", serial: 3, expires_at: "2026-12-31T00:00:00Z" } }))).code).toBe("StaleMetadata");
  });
});
