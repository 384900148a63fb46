/**
 * SPEC §5a: "OpenSSL alone can re-check" a snapshot signature. The test does what a user would:
 * canonicalise snapshot.json without its signatures (with jq -cS where installed, which for AAM's
 * plain ASCII documents is RFC 8785's form; it is also checked against ours), hash it with
 * `openssl dgst`, prefix `aam-snapshot-v1:`, decode the signature with `openssl base64`, and run
 * `openssl pkeyutl -verify -pubin -rawin`. Skipped, with a message, only where no `openssl` exists.
 */
import { describe, test, expect, afterAll } from "bun:test";
import { fs, run } from "../runtime/index.ts";
import { ed25519PublicKeyToPem } from "../encoding/pem.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";
import { canonicalBytes } from "../encoding/jcs.ts";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { signSnapshot } from "./snapshot_sign.ts";
import { serializeSnapshot, unsignedPart } from "./snapshot_doc.ts";
import { snapshotDigest } from "./messages.ts";
import type { UnsignedSnapshot } from "./types.ts";

const OPENSSL = (await run("openssl", ["version"]))?.code === 0 ? "openssl" : null;
const JQ = (await run("jq", ["--version"]).catch(() => null))?.code === 0 ? "jq" : null;
if (!OPENSSL) console.warn("snapshot_openssl_test: SKIPPED, no `openssl` program on PATH (install OpenSSL 3 to run it)");
if (OPENSSL && !JQ) console.warn("snapshot_openssl_test: no `jq` on PATH; the canonical form is written by AAM instead");

const ROOT: UnsignedSnapshot = {
  version: 1,
  registry: "acme.example",
  serial: 12,
  created_at: "2026-12-01T10:00:00Z",
  expires_at: "2026-12-31T10:00:00Z",
  registry_yaml: `sha256:${"1f".repeat(32)}`,
  audit_head: { seq: 40, sha256: "2e".repeat(32) },
  bins: { ff: `sha256:${"4d".repeat(32)}`, "0a": `sha256:${"3c".repeat(32)}`, "10": `sha256:${"5b".repeat(32)}` },
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.remove(d);
});

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function tool(cmd: string, args: string[], cwd: string) {
  const r = await run(cmd, args, { cwd });
  if (!r) throw new Error(`${cmd} vanished`);
  return r;
}

/** What a user runs with OpenSSL (and jq) alone; answers openssl's exit code. */
async function opensslCheck(dir: string): Promise<number> {
  if (JQ) {
    const canon = await tool(JQ, ["-cjS", "del(.signatures)", "snapshot.json"], dir);
    expect(canon.code).toBe(0);
    await fs.writeFileAtomic(fs.path.join(dir, "canonical.json"), canon.stdout);
  }
  const dgst = await tool(OPENSSL!, ["dgst", "-sha256", "-r", "canonical.json"], dir);
  const hex = text(dgst.stdout).split(" ")[0].trim();
  await fs.writeFileAtomic(fs.path.join(dir, "msg"), new TextEncoder().encode(`aam-snapshot-v1:${hex}`));
  const doc = JSON.parse(await fs.readText(fs.path.join(dir, "snapshot.json"), DOCUMENT_LIMIT));
  await fs.writeFileAtomic(fs.path.join(dir, "sig.b64"), new TextEncoder().encode(doc.signatures[0].signature + "\n"));
  expect((await tool(OPENSSL!, ["base64", "-d", "-A", "-in", "sig.b64", "-out", "sig.bin"], dir)).code).toBe(0);
  return (await tool(OPENSSL!, ["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "msg", "-sigfile", "sig.bin"], dir)).code;
}

describe.skipIf(!OPENSSL)("snapshot signatures checked with OpenSSL alone", () => {
  test("openssl pkeyutl -verify accepts a snapshot signature and refuses it once the serial is edited", async () => {
    const dir = await fs.makeTempDir("aam-snap-openssl-");
    dirs.push(dir);
    const { seed, publicKey } = await generateEd25519();
    const signed = await signSnapshot(ROOT, [{ unlock: async () => ({ seed: seed.slice(), publicKey }) }]);
    await fs.writeFileAtomic(fs.path.join(dir, "snapshot.json"), new TextEncoder().encode(serializeSnapshot(signed)));
    await fs.writeFileAtomic(fs.path.join(dir, "key.pem"), new TextEncoder().encode(ed25519PublicKeyToPem(publicKey)));
    await fs.writeFileAtomic(fs.path.join(dir, "canonical.json"), canonicalBytes(unsignedPart(signed)));
    expect(await opensslCheck(dir)).toBe(0);
    if (JQ) expect(await fs.readText(fs.path.join(dir, "canonical.json"), DOCUMENT_LIMIT)).toBe(text(canonicalBytes(unsignedPart(signed))));
    const digest = await tool(OPENSSL!, ["dgst", "-sha256", "-r", "canonical.json"], dir);
    expect(text(digest.stdout).split(" ")[0]).toBe(snapshotDigest(signed));

    // Roll-back by hand: an edited serial no longer matches the signature.
    const edited = { ...signed, serial: signed.serial + 1 };
    await fs.writeFileAtomic(fs.path.join(dir, "snapshot.json"), new TextEncoder().encode(serializeSnapshot(edited)));
    await fs.writeFileAtomic(fs.path.join(dir, "canonical.json"), canonicalBytes(unsignedPart(edited)));
    expect(await opensslCheck(dir)).not.toBe(0);
  });
});
