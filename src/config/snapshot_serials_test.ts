import { describe, test, expect, afterAll } from "bun:test";
import { fs } from "../runtime/index.ts";
import { catchAamError } from "../../test/helpers/errors.ts";
import { raiseSeenSnapshot, readSeenSnapshot, serialKey, snapshotSerialsFile } from "./snapshot_serials.ts";

const homes: string[] = [];
afterAll(async () => {
  for (const h of homes) await fs.remove(h);
});
async function home(): Promise<string> {
  const h = await fs.makeTempDir("aam-serials-");
  homes.push(h);
  return h;
}
const NOW = new Date("2026-12-01T10:00:00Z");
const D = (n: number) => n.toString(16).padStart(2, "0").repeat(32);
const KEYS = ["BB".repeat(32), "aa".repeat(32)];

describe("snapshot serials in $AAM_HOME/state/", () => {
  test("readSeenSnapshot() answers null at first contact, then what raiseSeenSnapshot() stored", async () => {
    const h = await home();
    expect(await readSeenSnapshot(h, "acme", KEYS)).toBeNull();
    await raiseSeenSnapshot(h, "acme", KEYS, { serial: 3, digest: D(3) }, NOW);
    expect(await readSeenSnapshot(h, "acme", KEYS)).toEqual({ serial: 3, digest: D(3) });
    // The key set is part of the record (order and case do not matter); another name or set starts afresh.
    expect(await readSeenSnapshot(h, "acme", [KEYS[1], KEYS[0].toLowerCase()])).toEqual({ serial: 3, digest: D(3) });
    expect(await readSeenSnapshot(h, "acme", [KEYS[1]])).toBeNull();
    expect(await readSeenSnapshot(h, "other", KEYS)).toBeNull();
  });

  test("raiseSeenSnapshot() never lowers the serial", async () => {
    const h = await home();
    await raiseSeenSnapshot(h, "acme", KEYS, { serial: 5, digest: D(5) }, NOW);
    expect(await raiseSeenSnapshot(h, "acme", KEYS, { serial: 4, digest: D(4) }, NOW)).toEqual({ serial: 5, digest: D(5) });
    expect(await readSeenSnapshot(h, "acme", KEYS)).toEqual({ serial: 5, digest: D(5) });
  });

  test("raiseSeenSnapshot() refuses the stored serial with another digest (StaleMetadata)", async () => {
    const h = await home();
    await raiseSeenSnapshot(h, "acme", KEYS, { serial: 5, digest: D(5) }, NOW);
    expect((await catchAamError(raiseSeenSnapshot(h, "acme", KEYS, { serial: 5, digest: D(6) }, NOW))).code).toBe("StaleMetadata");
  });

  test("raiseSeenSnapshot() from many writers at once keeps the highest serial", async () => {
    const h = await home();
    const serials = [7, 3, 12, 9, 1, 11, 4, 10];
    await Promise.all(serials.map((s) => raiseSeenSnapshot(h, "acme", KEYS, { serial: s, digest: D(s) }, NOW)));
    expect(await readSeenSnapshot(h, "acme", KEYS)).toEqual({ serial: 12, digest: D(12) });
  });

  test("a damaged state file is an error, never a first contact (which would let a roll-back through)", async () => {
    for (const text of ["{not json", '{"version": 2, "registries": {}}', `{"version": 1, "registries": {"${serialKey("acme", KEYS)}": {"serial": "5"}}}`]) {
      const h = await home();
      await fs.mkdirp(fs.path.dirname(snapshotSerialsFile(h)));
      await fs.writeFileAtomic(snapshotSerialsFile(h), new TextEncoder().encode(text));
      expect((await catchAamError(readSeenSnapshot(h, "acme", KEYS))).code).toBe("Error");
    }
  });

  test("a record named __proto__ is stored as data", async () => {
    const h = await home();
    await raiseSeenSnapshot(h, "__proto__", [], { serial: 2, digest: D(2) }, NOW);
    expect(await readSeenSnapshot(h, "__proto__", [])).toEqual({ serial: 2, digest: D(2) });
  });
});
