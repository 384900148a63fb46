/**
 * `aam install` (SPEC §9): every archive is verified through the pipeline before this runs; here each
 * is extracted into a staging folder, then swapped into `.aam/packages/<fs-name>/` and the lock file
 * written. Nothing in the project changes until every package has extracted.
 */
import { fs } from "../runtime/index.ts";
import { toFsName } from "../manifest/name.ts";
import { extractArchive } from "../archive/index.ts";
import type { VerifyReport } from "../verify/pipeline.ts";
import { chunksOf, type ArchiveInput } from "../verify/archive_source.ts";
import { parseLockfile, serializeLockfile, type LockEntry } from "./lockfile.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export interface ReadyPackage {
  name: string;
  version: string;
  /** Bytes, or a source streaming them from a file (extraction then never holds the archive whole). */
  archive: ArchiveInput;
  source: string;
  report: VerifyReport;
}

export interface InstallResult {
  installed: { name: string; version: string; path: string; checksum: string; signer: string | null }[];
  unchanged: string[];
}

function signerOf(r: VerifyReport): string | null {
  const s = r.signers.find((x) => x.valid && x.trusted);
  return s ? `${s.algorithm}:${s.key_fingerprint ?? s.identity}` : null;
}

export async function installVerified(projectDir: string, pkgs: ReadyPackage[], force = false): Promise<InstallResult> {
  const aamDir = fs.path.join(projectDir, ".aam");
  const pkgRoot = fs.path.join(aamDir, "packages");
  const lockFile = fs.path.join(aamDir, "aam-lock.yaml");
  const lock = parseLockfile(await fs.readTextIfExists(lockFile, DOCUMENT_LIMIT), lockFile);
  const result: InstallResult = { installed: [], unchanged: [] };
  const todo = pkgs.filter((p) => {
    const cur = lock.packages[p.name];
    const same = Boolean(cur && cur.version === p.version && cur.checksum === p.report.checksum);
    if (same && !force) result.unchanged.push(`${p.name}@${p.version}`);
    return !same || force;
  });
  if (todo.length === 0) return result;
  await fs.mkdirp(pkgRoot);
  const staging = fs.tempNameFor(fs.path.join(aamDir, "staging"));
  await fs.mkdirp(staging);
  try {
    for (const p of todo) await extractArchive(chunksOf(p.archive), fs.path.join(staging, toFsName(p.name)));
    // Every package is verified and unpacked: now swap them in; old copies go with the staging folder.
    const trash = fs.path.join(staging, ".replaced");
    await fs.mkdirp(trash);
    for (const p of todo) {
      const dest = fs.path.join(pkgRoot, toFsName(p.name));
      if (await fs.stat(dest)) await fs.rename(dest, fs.path.join(trash, toFsName(p.name)));
      await fs.rename(fs.path.join(staging, toFsName(p.name)), dest);
      const entry: LockEntry = { version: p.version, source: p.source, checksum: p.report.checksum, signer: signerOf(p.report) };
      lock.packages[p.name] = entry;
      result.installed.push({ name: p.name, version: p.version, path: dest, checksum: entry.checksum, signer: entry.signer });
    }
    await fs.writeFileAtomic(lockFile, serializeLockfile(lock));
  } finally {
    await fs.remove(staging);
  }
  return result;
}
