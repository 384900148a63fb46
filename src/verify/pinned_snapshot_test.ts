import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { mkdirSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, removeDir } from "../../test/helpers.ts";
import { catchAamError } from "../../test/helpers/errors.ts";
import { meta, ver, state, record, sum } from "../../test/helpers/attest_data.ts";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { fileSource } from "../registry/source_fs.ts";
import { RegistryReader } from "../registry/reader.ts";
import { serializeMetadata, type Metadata } from "../registry/metadata.ts";
import { binOf, binPath } from "../attest/bin.ts";
import { serializeBin } from "../attest/bin_doc.ts";
import { signSnapshot } from "../attest/snapshot_sign.ts";
import { serializeSnapshot } from "../attest/snapshot_doc.ts";
import type { BinDoc } from "../attest/types.ts";
import { readSeenSnapshot } from "../config/snapshot_serials.ts";
import { PinnedSnapshot } from "./pinned_snapshot.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const key = await generateEd25519();
const FP = fingerprint(key.publicKey);
const other = await generateEd25519();
const access = (k: { seed: Uint8Array; publicKey: Uint8Array }) => ({ unlock: async () => ({ seed: k.seed.slice(), publicKey: k.publicKey }) });
const NOW = new Date("2026-12-03T12:00:00Z");
const REG_YAML = "name: acme\ndescription: ''\napi_version: 1\ncreated_at: '2026-12-01T10:00:00Z'\nrequire_signatures: false\n";
const FS = "a--pkg";

describe("PinnedSnapshot", () => {
  let dir: string;
  let home: string;
  const put = (rel: string, text: string) => {
    mkdirSync(join(dir, ...rel.split("/").slice(0, -1)), { recursive: true });
    writeFileSync(join(dir, ...rel.split("/")), text);
  };
  const writeMeta = (m: Metadata) => put(`packages/${FS}/metadata.yaml`, serializeMetadata(m));
  /** Writes bins and a root signed by `signer` for `serial`. */
  async function snapshot(serial: number, bin: BinDoc, o: { signer?: typeof key; name?: string; expires?: string } = {}): Promise<string> {
    const id = binOf(FS);
    const binText = serializeBin(bin);
    put(binPath(id), binText);
    const root = await signSnapshot(
      {
        version: 1,
        registry: o.name ?? "acme",
        serial,
        created_at: "2026-12-01T10:00:00Z",
        expires_at: o.expires ?? "2026-12-31T10:00:00Z",
        registry_yaml: checksumOf(enc(REG_YAML)),
        audit_head: { seq: 0, sha256: "0".repeat(64) },
        bins: { [id]: checksumOf(enc(binText)) },
      },
      [access(o.signer ?? key)],
    );
    const text = serializeSnapshot(root);
    put("snapshot.json", text);
    return text;
  }
  const reader = (opts: { trusted?: boolean; min?: number } = {}) => {
    const r = new RegistryReader(fileSource(dir));
    r.guard = new PinnedSnapshot(r.source, { alias: "team", name: "acme", keys: [FP], min_serial: opts.min }, { home, now: NOW, trusted: opts.trusted ?? false });
    return r;
  };
  const code = async (p: Promise<unknown>) => (await catchAamError(p)).code;

  beforeEach(() => {
    dir = tempDir();
    home = tempDir();
    put("registry.yaml", REG_YAML);
    writeMeta(meta([ver("1.0.0", sum(1)), ver("1.1.0", sum(2))], { latest: "1.1.0" }, { name: "@a/pkg" }));
  });
  afterEach(() => {
    removeDir(dir);
    removeDir(home);
  });

  test("a valid snapshot: effective metadata, pending versions, the serial recorded once the root passed", async () => {
    await snapshot(3, { [FS]: record({ "1.0.0": state(sum(1), { signers: [FP] }) }, { latest: "1.0.0" }) });
    const r = reader({ trusted: true });
    const m = await r.metadata("@a/pkg");
    expect(m.dist_tags.latest).toBe("1.1.0"); // moved up: metadata.yaml's tag is taken
    const g = r.guard as PinnedSnapshot;
    expect(g.isPending("@a/pkg", "1.1.0")).toBe(true);
    expect(g.isPending("@a/pkg", "1.0.0")).toBe(false);
    expect(g.attestation("@a/pkg", "1.0.0")).toEqual({ registry: "acme", keys: [FP], listed: true });
    expect(g.attestation("@a/pkg", "1.1.0")).toEqual({ registry: "acme", keys: [FP], listed: false });
    expect((await readSeenSnapshot(home, "acme", [FP]))?.serial).toBe(3);
    expect(await g.rootText()).toBe(readFileSync(join(dir, "snapshot.json"), "utf8"));
    expect(g.binText("@a/pkg")).toBe(readFileSync(join(dir, ...binPath(binOf(FS)).split("/")), "utf8"));
    // Not in trusted_registries: no attestation input at all.
    const u = reader();
    await u.metadata("@a/pkg");
    expect((u.guard as PinnedSnapshot).attestation("@a/pkg", "1.0.0")).toBeUndefined();
  });

  test("latest moved back, a yank undone, a reject dropped: the bin's word stands", async () => {
    await snapshot(1, { [FS]: record({ "1.0.0": state(sum(1)), "1.1.0": state(sum(2), { yanked: true }) }, { latest: "1.1.0" }) });
    writeMeta(meta([ver("1.0.0", sum(1)), ver("1.1.0", sum(2))], { latest: "1.0.0" }, { name: "@a/pkg" }));
    const m = await reader().metadata("@a/pkg");
    expect(m.dist_tags.latest).toBe("1.1.0");
    expect(m.versions.find((v) => v.version === "1.1.0")?.yanked).toBe(true);
  });

  test("a rejected version in the bin stays rejected; resolving it is refused by refuseRejected's callers, and ranges skip it", async () => {
    await snapshot(1, { [FS]: record({ "1.0.0": state(sum(1)), "1.1.0": state(sum(2), { rejected: { reason: "malware", at: "2026-12-02T00:00:00Z" } }) }, { latest: "1.0.0" }) });
    const r = reader();
    const m = await r.metadata("@a/pkg");
    expect(m.versions.find((v) => v.version === "1.1.0")?.rejected?.reason).toBe("malware");
    expect((await r.resolve("@a/pkg", { range: "^1.0.0" })).version).toBe("1.0.0");
  });

  test("mix-and-match: an older metadata.yaml without a listed version, or with another checksum, is TamperedPackage", async () => {
    await snapshot(1, { [FS]: record({ "1.0.0": state(sum(1)), "1.1.0": state(sum(2)) }, { latest: "1.1.0" }) });
    writeMeta(meta([ver("1.0.0", sum(1))], { latest: "1.0.0" }, { name: "@a/pkg" }));
    expect(await code(reader().metadata("@a/pkg"))).toBe("TamperedPackage");
    writeMeta(meta([ver("1.0.0", sum(9)), ver("1.1.0", sum(2))], { latest: "1.1.0" }, { name: "@a/pkg" }));
    expect(await code(reader().metadata("@a/pkg"))).toBe("TamperedPackage");
    rmSync(join(dir, "packages", FS, "metadata.yaml"));
    expect(await code(reader().metadata("@a/pkg"))).toBe("TamperedPackage"); // deleted, not merely not found
  });

  test("roll-back, missing snapshot, unpinned key, other name, edited registry.yaml or bin", async () => {
    const bin = { [FS]: record({ "1.0.0": state(sum(1)) }, { latest: "1.0.0" }) };
    const old = await snapshot(1, bin);
    await snapshot(2, bin);
    await reader().search(undefined);
    put("snapshot.json", old);
    expect(await code(reader().search(undefined))).toBe("StaleMetadata");
    expect(await code(reader({ min: 5 }).metadata("@a/pkg"))).toBe("StaleMetadata");
    rmSync(join(dir, "snapshot.json"));
    expect(await code(reader().search(undefined))).toBe("StaleMetadata");
    await snapshot(7, bin, { signer: other });
    expect(await code(reader().search(undefined))).toBe("TamperedPackage");
    await snapshot(7, bin, { name: "evil" });
    expect(await code(reader().search(undefined))).toBe("TamperedPackage");
    await snapshot(7, bin);
    put("registry.yaml", REG_YAML + "attestation_keys: [" + fingerprint(other.publicKey) + "]\n");
    expect(await code(reader().search(undefined))).toBe("TamperedPackage");
    put("registry.yaml", REG_YAML);
    await reader().search(undefined); // positive control
    put(binPath(binOf(FS)), "{}\n");
    expect(await code(reader().metadata("@a/pkg"))).toBe("TamperedPackage");
    expect((await readSeenSnapshot(home, "acme", [FP]))?.serial).toBe(7);
  });

  test("freeze: an expired snapshot is StaleMetadata and does not move the state", async () => {
    await snapshot(4, { [FS]: record({ "1.0.0": state(sum(1)) }, {}) }, { expires: "2026-12-02T10:00:00Z" });
    expect(await code(reader().search(undefined))).toBe("StaleMetadata");
    expect(await readSeenSnapshot(home, "acme", [FP])).toBeNull();
  });

  test("a .sig lacking a signer the bin lists is TamperedPackage, before any pipeline runs", async () => {
    await snapshot(1, { [FS]: record({ "1.0.0": state(sum(1), { signers: [FP] }) }, {}) });
    const r = reader();
    const pv = await r.resolve("@a/pkg", { version: "1.0.0" });
    expect(await code(r.sig(pv))).toBe("TamperedPackage");
    const g = r.guard as PinnedSnapshot;
    expect(() => g.afterVerify({ package: "@a/pkg", version: "1.0.0", signers: [{ valid: true, key_fingerprint: FP }] }, "x.sig")).not.toThrow();
    expect(catchAamError(() => g.afterVerify({ package: "@a/pkg", version: "1.0.0", signers: [{ valid: false, key_fingerprint: FP }] }, "x.sig")).code).toBe("TamperedPackage");
  });

  test("reads only the root, registry.yaml, the journal and the package's own bin and metadata, the root once per reader", async () => {
    // Many other packages in the tree: none of their files may be read.
    for (let i = 0; i < 40; i++) put(`packages/z--p${i}/metadata.yaml`, serializeMetadata(meta([ver("1.0.0", sum(3))], {}, { name: `@z/p${i}` })));
    await snapshot(1, { [FS]: record({ "1.0.0": state(sum(1)) }, {}) });
    const reads: string[] = [];
    const base = fileSource(dir);
    const counting = { ...base, readBytes: (rel: string) => (reads.push(rel), base.readBytes(rel)), readText: (rel: string) => (reads.push(rel), base.readText(rel)), listDir: (rel: string) => (reads.push(`ls ${rel}`), base.listDir(rel)) };
    const r = new RegistryReader(counting);
    r.guard = new PinnedSnapshot(counting, { alias: "team", name: "acme", keys: [FP] }, { home, now: NOW, trusted: false });
    await r.guard.checkRoot();
    await r.metadata("@a/pkg");
    await r.metadata("@a/pkg");
    expect(reads.filter((x) => x !== "packages/a--pkg/metadata.yaml").sort()).toEqual([".aam-journal.json", "registry.yaml", binPath(binOf(FS)), "snapshot.json"].sort());
  });

  test("a pending journal's snapshot and metadata are read together: an honest write in progress is not tampering", async () => {
    const bin1 = { [FS]: record({ "1.0.0": state(sum(1)) }, {}) };
    const oldRoot = await snapshot(1, bin1);
    // The writer committed serial 2 (journal) and renamed the bin, then was killed before the root.
    const bin2Text = serializeBin({ [FS]: record({ "1.0.0": state(sum(1)), "1.1.0": state(sum(2)) }, {}) });
    const rootText = await snapshot(2, { [FS]: record({ "1.0.0": state(sum(1)), "1.1.0": state(sum(2)) }, {}) });
    put("snapshot.json", oldRoot);
    expect(await code(reader().metadata("@a/pkg"))).toBe("TamperedPackage"); // control: without the journal the new bin is not the old root's
    put(".aam-journal.json", JSON.stringify({ format: 2, files: [{ rel: binPath(binOf(FS)), text: bin2Text }, { rel: "snapshot.json", text: rootText }], index: false, audit: null }));
    const m = await reader().metadata("@a/pkg");
    expect(m.versions.length).toBe(2);
  });
});
