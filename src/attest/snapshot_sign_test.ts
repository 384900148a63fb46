import { describe, test, expect } from "bun:test";
import { catchAamError } from "../../test/helpers/errors.ts";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { toBase64 } from "../encoding/base64.ts";
import { checksumOf } from "../encoding/sha256.ts";
import type { Ed25519KeyAccess } from "../signing/signer.ts";
import { signSnapshot } from "./snapshot_sign.ts";
import { verifyBoundBytes, verifySnapshotSignatures } from "./snapshot_verify.ts";
import { parseSnapshot, serializeSnapshot } from "./snapshot_doc.ts";
import type { Snapshot, UnsignedSnapshot } from "./types.ts";

const ROOT: UnsignedSnapshot = {
  version: 1,
  registry: "acme",
  serial: 5,
  created_at: "2026-12-01T10:00:00Z",
  expires_at: "2026-12-31T10:00:00Z",
  registry_yaml: checksumOf(new TextEncoder().encode("name: acme\n")),
  audit_head: { seq: 9, sha256: "aa".repeat(32) },
  bins: { "3c": checksumOf(new TextEncoder().encode("{}\n")) },
};

async function newKey(): Promise<{ access: Ed25519KeyAccess; fp: string; seeds: Uint8Array[] }> {
  const { seed, publicKey } = await generateEd25519();
  const seeds: Uint8Array[] = [];
  return {
    fp: fingerprint(publicKey),
    seeds,
    access: {
      unlock: async () => {
        const copy = seed.slice();
        seeds.push(copy);
        return { seed: copy, publicKey };
      },
    },
  };
}

const k1 = await newKey();
const k2 = await newKey();
const stranger = await newKey();
const PIN = { name: "acme", keys: [k1.fp, k2.fp] };
/** Through the file, as a reader meets it. */
const reread = (s: Snapshot) => parseSnapshot(serializeSnapshot(s), "snapshot.json");

describe("signSnapshot() and verifySnapshotSignatures()", () => {
  test("a snapshot signed by a pinned key verifies after a round trip through snapshot.json", async () => {
    const signed = await signSnapshot(ROOT, [k1.access]);
    expect(signed.signatures.map((s) => s.key_fingerprint)).toEqual([k1.fp]);
    expect(await verifySnapshotSignatures(reread(signed), PIN, "snapshot.json")).toEqual([k1.fp]);
  });

  test("signSnapshot() signs once per key, with each key given, and wipes the seeds", async () => {
    const signed = await signSnapshot(ROOT, [k1.access, k2.access, k1.access]);
    expect(signed.signatures.map((s) => s.key_fingerprint)).toEqual([k1.fp, k2.fp]);
    expect(await verifySnapshotSignatures(reread(signed), PIN, "s")).toEqual([k1.fp, k2.fp]);
    for (const s of [...k1.seeds, ...k2.seeds]) expect(s.every((b) => b === 0)).toBe(true);
  });

  test("signSnapshot() refuses a key whose seed does not match its public key", async () => {
    const bad: Ed25519KeyAccess = { unlock: async () => ({ seed: new Uint8Array(32).fill(1), publicKey: (await generateEd25519()).publicKey }) };
    expect((await catchAamError(signSnapshot(ROOT, [bad]))).code).toBe("Error");
  });

  const edits: [string, (d: any) => void][] = [
    ["a lowered serial (roll-back)", (d) => (d.serial = 4)],
    ["a later expires_at (freeze extended)", (d) => (d.expires_at = "2027-12-31T10:00:00Z")],
    ["another bin hash (mix-and-match)", (d) => (d.bins["3c"] = `sha256:${"00".repeat(32)}`)],
    ["a bin added", (d) => (d.bins["00"] = d.bins["3c"])],
    ["another registry.yaml hash", (d) => (d.registry_yaml = `sha256:${"00".repeat(32)}`)],
    ["another audit head", (d) => (d.audit_head.seq = 10)],
  ];
  test.each(edits)("verifySnapshotSignatures() throws TamperedPackage for %s", async (_what, edit) => {
    const d = JSON.parse(serializeSnapshot(await signSnapshot(ROOT, [k1.access])));
    edit(d);
    const err = await catchAamError(verifySnapshotSignatures(parseSnapshot(JSON.stringify(d), "s"), PIN, "s"));
    expect(err).toMatchObject({ code: "TamperedPackage", details: { file: "s" } });
  });

  test("verifySnapshotSignatures() refuses a snapshot signed only by a key that is not pinned (forgery)", async () => {
    const forged = await signSnapshot(ROOT, [stranger.access]);
    const err = await catchAamError(verifySnapshotSignatures(reread(forged), PIN, "s"));
    expect(err).toMatchObject({ code: "TamperedPackage", details: { actual: stranger.fp } });
  });

  test("verifySnapshotSignatures() refuses a forger's signature labelled with a pinned key's fingerprint", async () => {
    const forged = await signSnapshot(ROOT, [stranger.access]);
    const real = await signSnapshot(ROOT, [k1.access]);
    // The pinned fingerprint and public key, the stranger's signature: the signature does not verify.
    forged.signatures[0] = { ...real.signatures[0], signature: forged.signatures[0].signature };
    expect((await catchAamError(verifySnapshotSignatures(reread(forged), PIN, "s"))).code).toBe("TamperedPackage");
  });

  test("verifySnapshotSignatures() does not accept a pinned signature copied from another snapshot", async () => {
    const old = await signSnapshot({ ...ROOT, serial: 4 }, [k1.access]);
    const attacker = await signSnapshot({ ...ROOT, serial: 99 }, [stranger.access]);
    attacker.signatures.push(old.signatures[0]);
    expect((await catchAamError(verifySnapshotSignatures(reread(attacker), PIN, "s"))).code).toBe("TamperedPackage");
  });

  test("verifySnapshotSignatures() ignores an extra unpinned signature beside a valid pinned one", async () => {
    const signed = await signSnapshot(ROOT, [stranger.access, k2.access]);
    expect(await verifySnapshotSignatures(reread(signed), PIN, "s")).toEqual([k2.fp]);
  });

  test("verifySnapshotSignatures() refuses a validly signed snapshot of another registry (TamperedPackage)", async () => {
    const other = await signSnapshot({ ...ROOT, registry: "other" }, [k1.access]);
    const err = await catchAamError(verifySnapshotSignatures(reread(other), PIN, "s"));
    expect(err).toMatchObject({ code: "TamperedPackage", details: { expected: "acme", actual: "other" } });
  });

  test("verifySnapshotSignatures() refuses a snapshot with no signatures", async () => {
    const none = { ...(await signSnapshot(ROOT, [k1.access])), signatures: [] };
    expect((await catchAamError(verifySnapshotSignatures(reread(none), PIN, "s"))).code).toBe("TamperedPackage");
  });

  test("a public key in the snapshot is not trusted because it is there", async () => {
    const signed = await signSnapshot(ROOT, [stranger.access]);
    expect(signed.signatures[0].public_key).toBe(toBase64((await stranger.access.unlock()).publicKey));
    expect((await catchAamError(verifySnapshotSignatures(reread(signed), { name: "acme", keys: [] }, "s"))).code).toBe("TamperedPackage");
  });
});

describe("verifyBoundBytes()", () => {
  const root = { ...ROOT, signatures: [] } as Snapshot;
  test("verifyBoundBytes() accepts registry.yaml and a bin whose bytes hash to the root's entries", () => {
    expect(() => verifyBoundBytes(root, "registry.yaml", new TextEncoder().encode("name: acme\n"), "registry.yaml")).not.toThrow();
    expect(() => verifyBoundBytes(root, "3c", new TextEncoder().encode("{}\n"), "snapshot/bins/3c.json")).not.toThrow();
  });
  test("verifyBoundBytes() throws TamperedPackage for an edited registry.yaml, an edited bin or an unlisted bin", () => {
    const edited = new TextEncoder().encode("name: acme\nattestation_keys: [evil]\n");
    expect(catchAamError(() => verifyBoundBytes(root, "registry.yaml", edited, "registry.yaml"))).toMatchObject({ code: "TamperedPackage", details: { expected: root.registry_yaml, actual: checksumOf(edited) } });
    expect(catchAamError(() => verifyBoundBytes(root, "3c", new TextEncoder().encode("{ }\n"), "b")).code).toBe("TamperedPackage");
    expect(catchAamError(() => verifyBoundBytes(root, "00", new TextEncoder().encode("{}\n"), "b")).details.expected).toBe("(not listed in snapshot.json)");
  });
});
