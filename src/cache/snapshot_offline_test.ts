import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catchAamError } from "../../test/helpers/errors.ts";
import { meta, ver, sum, state, record } from "../../test/helpers/attest_data.ts";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { signSnapshot } from "../attest/snapshot_sign.ts";
import { serializeSnapshot } from "../attest/snapshot_doc.ts";
import { serializeBin } from "../attest/bin_doc.ts";
import { binOf } from "../attest/bin.ts";
import { serializeMetadata } from "../registry/metadata.ts";
import type { PackageRecord } from "../attest/types.ts";
import { readSeenSnapshot } from "../config/snapshot_serials.ts";
import { storeSnapshot, readStoredSnapshot, snapshotStoreDir } from "./snapshot_store.ts";
import { checkCarriedSnapshot } from "./snapshot_offline.ts";
import { cachedSnapshot } from "./offline_verify.ts";

const enc = new TextEncoder();
const key = await generateEd25519();
const access = { unlock: async () => ({ seed: key.seed.slice(), publicKey: key.publicKey }) };
const PIN = { name: "acme", keys: [fingerprint(key.publicKey)] };
const ID = binOf("a--pkg");
const NOW = new Date("2026-12-10T00:00:00Z");

/** A signed root over one bin holding @a/pkg's record; returns the bytes of both. */
async function snapshot(serial: number, rec: PackageRecord, o: { expires?: string; registry?: string } = {}) {
  const bin = enc.encode(serializeBin({ "a--pkg": rec }));
  const root = await signSnapshot(
    {
      version: 1,
      registry: o.registry ?? "acme",
      serial,
      created_at: "2026-12-01T00:00:00Z",
      expires_at: o.expires ?? "2026-12-31T00:00:00Z",
      registry_yaml: checksumOf(enc.encode("name: acme\n")),
      audit_head: { seq: serial, sha256: "ab".repeat(32) },
      bins: { [ID]: checksumOf(bin) },
    },
    [access],
  );
  return { root: enc.encode(serializeSnapshot(root)), bin };
}

const REC1 = record({ "1.0.0": state(sum(1)) }, { latest: "1.0.0" });
const REC2 = record({ "1.0.0": state(sum(1)), "1.1.0": state(sum(2)) }, { latest: "1.1.0" });
const META1 = serializeMetadata(meta([ver("1.0.0", sum(1))], { latest: "1.0.0" }));
const noFetch = async () => null;

let home: string;
beforeEach(() => (home = mkdtempSync(join(tmpdir(), "aam-snapoff-"))));
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe("storeSnapshot()", () => {
  test("keeps the newest verified root; a lower serial or the same serial with other bytes is StaleMetadata", async () => {
    const s1 = await snapshot(1, REC1);
    const s2 = await snapshot(2, REC2);
    expect(await storeSnapshot(home, PIN, s1.root, { [ID]: s1.bin }, noFetch, "reg")).toEqual({ serial: 1, replaced: true });
    // The old entry's bin changed in serial 2: it is fetched again and checked against the new root.
    let fetched = 0;
    expect(await storeSnapshot(home, PIN, s2.root, {}, async () => (fetched++, s2.bin), "reg")).toEqual({ serial: 2, replaced: true });
    expect(fetched).toBe(1);
    const stored = (await readStoredSnapshot(home, "acme"))!;
    expect(new TextDecoder().decode(stored.rootBytes)).toBe(new TextDecoder().decode(s2.root));
    expect(readdirSync(join(snapshotStoreDir(home, "acme"), "bins"))).toEqual([`${ID}-${checksumOf(s2.bin).slice(7)}.json`]);
    expect((await catchAamError(storeSnapshot(home, PIN, s1.root, { [ID]: s1.bin }, noFetch, "reg"))).code).toBe("StaleMetadata");
    const other = await snapshot(2, REC1);
    expect((await catchAamError(storeSnapshot(home, PIN, other.root, { [ID]: other.bin }, noFetch, "reg"))).code).toBe("StaleMetadata");
    // Same root again: nothing replaced, and a bin served with other bytes is refused.
    expect(await storeSnapshot(home, PIN, s2.root, { [ID]: s2.bin }, noFetch, "reg")).toEqual({ serial: 2, replaced: false });
    expect((await catchAamError(storeSnapshot(home, PIN, s2.root, { [ID]: s1.bin }, noFetch, "reg"))).code).toBe("TamperedPackage");
  });

  test("a root not signed by a pinned key, or for another registry name, is never stored", async () => {
    const s1 = await snapshot(1, REC1);
    const e = await catchAamError(storeSnapshot(home, { name: "acme", keys: ["00".repeat(32)] }, s1.root, {}, noFetch, "reg"));
    expect(e.code).toBe("TamperedPackage");
    const named = await snapshot(1, REC1, { registry: "other" });
    expect((await catchAamError(storeSnapshot(home, PIN, named.root, {}, noFetch, "reg"))).code).toBe("TamperedPackage");
    expect(await readStoredSnapshot(home, "acme")).toBeNull();
  });
});

describe("checkCarriedSnapshot() on the cached snapshot", () => {
  const check = async (version = "1.0.0", metaText = META1) => {
    const r = await checkCarriedSnapshot(home, PIN, await cachedSnapshot(home, "acme"), "@a/pkg", version, metaText, NOW);
    await r.raise();
    return r;
  };

  test("a listed version passes and raises the saved serial; a cache without a snapshot is StaleMetadata", async () => {
    expect((await catchAamError(check())).code).toBe("StaleMetadata");
    const s1 = await snapshot(1, REC1);
    await storeSnapshot(home, PIN, s1.root, { [ID]: s1.bin }, noFetch, "reg");
    const r = await checkCarriedSnapshot(home, PIN, await cachedSnapshot(home, "acme"), "@a/pkg", "1.0.0", META1, NOW);
    expect(r).toMatchObject({ warnings: [], listed: true, signers: [] });
    // The state moves only when the caller says everything passed.
    expect(await readSeenSnapshot(home, "acme", PIN.keys)).toBeNull();
    await r.raise();
    expect((await readSeenSnapshot(home, "acme", PIN.keys))?.serial).toBe(1);
  });

  test("roll-back below the saved state is StaleMetadata; an edited bin is TamperedPackage; expiry only warns", async () => {
    const s1 = await snapshot(1, REC1);
    const s2 = await snapshot(2, REC2);
    await storeSnapshot(home, PIN, s1.root, { [ID]: s1.bin }, noFetch, "reg");
    await storeSnapshot(home, PIN, s2.root, { [ID]: s2.bin }, noFetch, "reg");
    // A newer root lists 1.1.0, which the older entry's metadata.yaml never knew: not its business.
    expect((await check()).listed).toBe(true);
    const dir = snapshotStoreDir(home, "acme");
    writeFileSync(join(dir, "snapshot.json"), s1.root);
    const rolled = await catchAamError(check());
    expect(rolled.code).toBe("StaleMetadata");
    writeFileSync(join(dir, "snapshot.json"), s2.root);
    const binFile = join(dir, "bins", readdirSync(join(dir, "bins"))[0]);
    writeFileSync(binFile, readFileSync(binFile, "utf8").replace(sum(1).slice(7), sum(9).slice(7)));
    expect((await catchAamError(check())).code).toBe("TamperedPackage");
    writeFileSync(binFile, s2.bin);

    const s3 = await snapshot(3, REC2, { expires: "2026-12-05T00:00:00Z" });
    await storeSnapshot(home, PIN, s3.root, { [ID]: s3.bin }, noFetch, "reg");
    const r = await check();
    expect(r.warnings.join("\n")).toContain("expired at 2026-12-05T00:00:00Z");
  });

  test("a rejected version is PolicyViolation with the reason; a pending one is not listed; a checksum mismatch is TamperedPackage", async () => {
    const rec = record({ "1.0.0": state(sum(1), { rejected: { reason: "malware found", at: "2026-12-02T00:00:00Z" } }) }, {});
    const s1 = await snapshot(1, rec);
    await storeSnapshot(home, PIN, s1.root, { [ID]: s1.bin }, noFetch, "reg");
    const e = await catchAamError(check());
    expect(e.code).toBe("PolicyViolation");
    expect(e.message).toContain("malware found");
    const metaPending = serializeMetadata(meta([ver("1.0.0", sum(1)), ver("2.0.0", sum(5))], { latest: "2.0.0" }));
    const p = await check("2.0.0", metaPending);
    expect(p.listed).toBe(false);
    expect(p.warnings.join("\n")).toContain("pending");
    const swapped = serializeMetadata(meta([ver("1.0.0", sum(7))], { latest: "1.0.0" }));
    expect((await catchAamError(check("1.0.0", swapped))).code).toBe("TamperedPackage");
  });
});
