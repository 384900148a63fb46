import { describe, test, expect } from "bun:test";
import { fs } from "../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { createEd25519Entry } from "../signing/ed25519/entry.ts";
import type { SigEntry } from "../signing/sig_file.ts";
import type { ArchiveSource } from "./archive_source.ts";
import { findOwnerSignature } from "./owner_signature.ts";

const VEC = fs.fromFileUrl(new URL("../../test/vectors/openpgp-keys", import.meta.url));
const NOW = new Date("2026-01-01T00:00:00Z");

/** A streamed archive (chunks of one reused buffer, overwritten after each) that counts its reads. */
function counted(bytes: Uint8Array): ArchiveSource & { reads: number } {
  const src = {
    reads: 0,
    size: bytes.length,
    async *chunks() {
      src.reads++;
      const buf = new Uint8Array(4096);
      for (let at = 0; at < bytes.length; at += buf.length) {
        const n = Math.min(buf.length, bytes.length - at);
        buf.set(bytes.subarray(at, at + n));
        yield buf.subarray(0, n);
        buf.fill(0x5a);
      }
    },
  };
  return src;
}

describe("findOwnerSignature() over a streamed archive (registry verify's owners check)", async () => {
  const pkg = await fs.readFile(fs.path.join(VEC, "package.aam"), DOCUMENT_LIMIT);
  const hash = checksumOf(pkg);
  const pgpFp = "5D1E07FB5078080F446BE4C99C70E54A61824270"; // keys.tsv: the ed25519 OpenPGP key
  const pgp: SigEntry = {
    algorithm: "openpgp",
    key_fingerprint: pgpFp,
    public_key: await fs.readText(fs.path.join(VEC, "ed25519.pub.asc"), DOCUMENT_LIMIT),
    signature: await fs.readText(fs.path.join(VEC, "ed25519.SHA256.asc"), DOCUMENT_LIMIT),
    signed_at: "2025-01-01T00:00:00Z",
  };
  const k = await generateEd25519();
  const ed = await createEd25519Entry({ seed: k.seed, publicKey: k.publicKey, packageHash: hash, now: NOW });
  const sigText = (entries: SigEntry[]) => JSON.stringify({ version: 1, package: "@acme/p", package_version: "1.0.0", package_hash: hash, signatures: entries });
  const find = async (entries: SigEntry[], owners: string[], bytes: Uint8Array) => {
    const src = counted(bytes);
    let opened = 0;
    const owner = await findOwnerSignature(
      { name: "@acme/p", version: "1.0.0", sigText: sigText(entries), sigFile: "p.sig", packageHash: hash, archive: async () => (opened++, src), now: NOW },
      owners,
    );
    return { owner, opened, reads: src.reads };
  };
  const flipped = pkg.slice();
  flipped[pkg.length >> 1] ^= 1;

  test("an OpenPGP owner's entry is checked in one streamed read of the archive; other bytes under the same package_hash are no owner's", async () => {
    expect(await find([pgp], [pgpFp.toLowerCase()], pkg)).toEqual({ owner: pgpFp.toLowerCase(), opened: 1, reads: 1 });
    expect(await find([pgp], [pgpFp.toLowerCase()], flipped)).toEqual({ owner: undefined, opened: 1, reads: 1 });
  });

  test("an Ed25519 owner's entry is found without opening the archive, wherever it stands in the .sig", async () => {
    expect(await find([pgp, ed], [ed.key_fingerprint], pkg)).toEqual({ owner: ed.key_fingerprint, opened: 0, reads: 0 });
    // Neither signer an owner: the archive is read once, for the OpenPGP entry.
    expect(await find([ed, pgp], ["0".repeat(64)], pkg)).toEqual({ owner: undefined, opened: 1, reads: 1 });
  });
});
