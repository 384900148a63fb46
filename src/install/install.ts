/**
 * `aam install` (SPEC §9): every archive is verified through the pipeline before this runs; here each
 * is extracted into a staging folder, then swapped into `.aam/packages/<fs-name>/` and the lock file
 * written. Nothing in the project changes until every package has extracted.
 */
import { AamError } from "../errors.ts";
import { fs, createSha256 } from "../runtime/index.ts";
import { toFsName } from "../manifest/name.ts";
import { extractArchive } from "../archive/index.ts";
import type { VerifyReport } from "../verify/pipeline.ts";
import { chunksOf, type ArchiveInput } from "../verify/archive_source.ts";
import { parseLockfile, serializeLockfile, type LockEntry, type Lockfile } from "./lockfile.ts";
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

/** `.aam` and `.aam/packages` must be real folders: through a link, install would write (and delete) elsewhere. */
async function refuseLinkedTarget(dir: string): Promise<void> {
  const st = await fs.stat(dir);
  if (st?.isSymlink) {
    throw new AamError("PolicyViolation", `Cannot install into "${dir}": it is a symbolic link`, {
      file: dir,
      hint: `install writes only into real folders of the project; remove the link (rm "${dir}") and install again`,
    });
  }
}

/**
 * Two names with one file-system name (`@a/b` and `a--b`) cannot both live in one project (SPEC §1):
 * the second would take over the first's folder.
 */
function refuseNameClash(pkgs: ReadyPackage[], lock: Lockfile): void {
  const owner = new Map<string, string>();
  for (const name of Object.keys(lock.packages)) owner.set(toFsName(name), name);
  for (const p of pkgs) {
    const fsName = toFsName(p.name);
    const other = owner.get(fsName);
    if (other !== undefined && other !== p.name) {
      throw new AamError("PolicyViolation", `Cannot install "${p.name}": its folder .aam/packages/${fsName} belongs to "${other}"`, {
        package: p.name,
        expected: other,
        actual: p.name,
        hint: `"${p.name}" and "${other}" share a file-system name; remove "${other}" from the project first if you mean to replace it`,
      });
    }
    owner.set(fsName, p.name);
  }
}

/**
 * Extracts `p` into `dest`, hashing the bytes as they are unpacked: they must be the bytes the pipeline
 * verified. A file swapped after the check (a FIFO, a rename on a shared drive) is refused here,
 * before anything is moved into the project.
 */
async function extractVerified(p: ReadyPackage, dest: string): Promise<void> {
  const hash = createSha256();
  const it = chunksOf(p.archive)[Symbol.asyncIterator]();
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      hash.update(r.value);
      yield r.value;
    }
  }
  try {
    await extractArchive(hashed(), dest);
    // The reader stops at the tar trailer: what follows counts too.
    for (let r = await it.next(); !r.done; r = await it.next()) hash.update(r.value);
  } finally {
    await it.return?.(undefined);
  }
  const actual = `sha256:${hash.digestHex()}`;
  if (actual !== p.report.checksum) {
    throw new AamError("TamperedPackage", `Cannot install "${p.name}@${p.version}": the archive changed after it was verified`, {
      package: p.name,
      version: p.version,
      expected: p.report.checksum,
      actual,
      file: p.source,
      hint: "something replaced the file between the check and the unpacking; nothing was installed. Copy the archive to a private folder and install that copy",
    });
  }
}

export async function installVerified(projectDir: string, pkgs: ReadyPackage[], force = false): Promise<InstallResult> {
  const aamDir = fs.path.join(projectDir, ".aam");
  const pkgRoot = fs.path.join(aamDir, "packages");
  const lockFile = fs.path.join(aamDir, "aam-lock.yaml");
  await refuseLinkedTarget(aamDir);
  await refuseLinkedTarget(pkgRoot);
  const lock = parseLockfile(await fs.readTextIfExists(lockFile, DOCUMENT_LIMIT), lockFile);
  refuseNameClash(pkgs, lock);
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
    for (const p of todo) await extractVerified(p, fs.path.join(staging, toFsName(p.name)));
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
