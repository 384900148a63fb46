import { describe, test, expect, beforeAll } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packDirectory } from "../archive/index.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { serializeSigFile } from "../signing/sig_file.ts";
import { createEd25519Entry } from "../signing/ed25519/entry.ts";
import { fingerprint } from "../signing/ed25519/public_key.ts";
import { AamError } from "../errors.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import { verifyPackage, type VerifyInput } from "./pipeline.ts";
import { scanArchive } from "./archive_scan.ts";
import { testPolicy } from "../../test/helpers/pipeline_fixtures.ts";
import { fileArchive, openFileArchive, bytesOf, type ArchiveSource } from "./archive_source.ts";
import { installVerified } from "../install/install.ts";
import { existsSync, readdirSync } from "node:fs";

let dir: string;
let archive: Uint8Array; // aam.yaml, then 3 MiB of incompressible data: it streams in several chunks
let broken: Uint8Array; // the same, cut short after aam.yaml: its tail is not a valid archive
let other: Uint8Array; // another valid archive of the same name and version (one prompt changed)
let key: { seed: Uint8Array; publicKey: Uint8Array };

const policy = (p: Partial<TrustPolicy> = {}): TrustPolicy => testPolicy([fingerprint(key.publicKey)], p);

async function signed(bytes: Uint8Array, file: string, p: Partial<VerifyInput> = {}): Promise<VerifyInput> {
  writeFileSync(file, bytes);
  const checksum = checksumOf(bytes);
  const entry = await createEd25519Entry({ seed: key.seed, publicKey: key.publicKey, packageHash: checksum, now: new Date("2026-01-01T00:00:00Z") });
  const sigText = serializeSigFile({ version: 1, package: "@a/big", package_version: "1.0.0", package_hash: checksum, signatures: [entry] });
  return { name: "@a/big", version: "1.0.0", archive: (await openFileArchive(file))!, expectedChecksum: checksum, sigText, files: { archive: file, sig: `${file}.sig` }, ...p };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    expect(e).toBeInstanceOf(AamError);
    return (e as AamError).code;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aam-scan-"));
  const src = join(dir, "src");
  mkdirSync(join(src, "prompts"), { recursive: true });
  writeFileSync(join(src, "aam.yaml"), 'name: "@a/big"\nversion: "1.0.0"\ndescription: d\nartifacts:\n  prompts: [{name: x, path: prompts/x.md}]\n');
  writeFileSync(join(src, "prompts", "x.md"), "x\n");
  const blob = new Uint8Array(3 << 20);
  for (let o = 0; o < blob.length; o += 65536) crypto.getRandomValues(blob.subarray(o, o + 65536));
  writeFileSync(join(src, "prompts", "z.bin"), blob);
  archive = (await packDirectory(src)).bytes;
  broken = archive.slice(0, archive.length >> 1);
  writeFileSync(join(src, "prompts", "x.md"), "not what was signed\n");
  other = (await packDirectory(src)).bytes;
  key = await generateEd25519();
});

describe("scanArchive()", () => {
  test("scanArchive() hashes every byte of a streamed archive and reads its aam.yaml", async () => {
    writeFileSync(join(dir, "a.aam"), archive);
    const scan = await scanArchive(fileArchive(join(dir, "a.aam"), archive.length));
    expect(scan.checksum).toBe(checksumOf(archive));
    expect(new TextDecoder().decode(scan.manifest!)).toContain('name: "@a/big"');
    expect(scan.complete).toBe(false); // stopped unpacking after aam.yaml
  });

  test("scanArchive() with whole validates all of it in the same pass", async () => {
    const scan = await scanArchive(broken, { whole: true });
    expect(scan.checksum).toBe(checksumOf(broken));
    expect((scan.error as AamError).code).toBe("UnsafeArchive");
  });

  test("bytesOf() joins a streamed archive back into its bytes", async () => {
    writeFileSync(join(dir, "b.aam"), archive);
    expect(checksumOf(await bytesOf(fileArchive(join(dir, "b.aam"), archive.length)))).toBe(checksumOf(archive));
    // A size that is wrong or unknown (the file grew since it was sized) still gives every byte.
    expect(checksumOf(await bytesOf(fileArchive(join(dir, "b.aam"))))).toBe(checksumOf(archive));
    expect(checksumOf(await bytesOf(fileArchive(join(dir, "b.aam"), 3 << 20)))).toBe(checksumOf(archive));
  });
});

describe("verifyPackage() on a streamed archive", () => {
  test("verifies a signed archive streamed from its file, as it does its bytes", async () => {
    const input = await signed(archive, join(dir, "ok.aam"));
    const fromFile = await verifyPackage(input, policy());
    const fromBytes = await verifyPackage({ ...input, archive }, policy());
    expect(fromFile).toEqual(fromBytes);
    expect(fromFile.outcome).toBe("verified");
  });

  test("a checksum mismatch is TamperedPackage before any archive problem", async () => {
    const input = await signed(broken, join(dir, "t.aam"), { expectedChecksum: checksumOf(archive) });
    expect(await code(verifyPackage(input, policy()))).toBe("TamperedPackage");
  });

  describe("when the archive is broken after its aam.yaml", () => {
    test("an unsigned or untrusted one is still UnsafeArchive, before signature errors", async () => {
      const input = await signed(broken, join(dir, "u.aam"));
      expect(await code(verifyPackage({ ...input, sigText: null }, policy()))).toBe("UnsafeArchive");
      expect(await code(verifyPackage(input, policy({ trustedKeys: [] })))).toBe("UnsafeArchive");
      expect(await code(verifyPackage(input, policy(), { skipSignatures: true }))).toBe("UnsafeArchive");
    });

    test("checkWholeArchive (registry verify) refuses it even when a trusted key signed it", async () => {
      const input = await signed(broken, join(dir, "w.aam"));
      expect(await code(verifyPackage(input, policy(), { checkWholeArchive: true }))).toBe("UnsafeArchive");
    });

    test("verify vouches only for the signed bytes when a trusted key signed them (extraction checks the rest)", async () => {
      const input = await signed(broken, join(dir, "v.aam"));
      expect((await verifyPackage(input, policy())).outcome).toBe("verified");
    });
  });
});

describe("the one-read rule (issue 10): bytes verified by one read are never unpacked from another", () => {
  test("an archive file replaced between verify and extraction is TamperedPackage; nothing is installed", async () => {
    const file = join(dir, "swap.aam");
    const input = await signed(archive, file);
    const report = await verifyPackage(input, policy());
    expect(report.outcome).toBe("verified");
    writeFileSync(file, other); // a valid archive of the same package: extraction alone would accept it
    const project = join(dir, "project-swap");
    const err = await installVerified(project, [{ name: input.name, version: input.version, archive: input.archive, source: file, report }]).catch((e) => e);
    expect(err).toBeInstanceOf(AamError);
    expect((err as AamError).code).toBe("TamperedPackage");
    expect(existsSync(join(project, ".aam", "packages", "a--big"))).toBe(false);
    expect(readdirSync(join(project, ".aam"))).toEqual(["packages"]); // no staging left, no lock file
  });

  test("an archive rewritten while it streams through the reused buffer fails step 1", async () => {
    const file = join(dir, "rewrite.aam");
    const input = await signed(archive, file);
    const inner = input.archive as ArchiveSource;
    // Another writer overwrites the file in place once its first 64 KiB have been read.
    const rewritten: ArchiveSource = {
      size: inner.size,
      async *chunks() {
        let first = true;
        for await (const c of inner.chunks()) {
          yield c;
          if (first) writeFileSync(file, other.length >= archive.length ? other : new Uint8Array(archive.length));
          first = false;
        }
      },
    };
    expect(await code(verifyPackage({ ...input, archive: rewritten }, policy()))).toBe("TamperedPackage");
  });
});
