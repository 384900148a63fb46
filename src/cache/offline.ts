/**
 * The offline cache under `$AAM_HOME/cache/offline/<fs-name>/<version>/` (SPEC §8). Entries are
 * written only after a full verification, into a temp folder renamed into place. Reading an entry
 * touches nothing but this folder: no registry, no network.
 */
import { AamError } from "../errors.ts";
import { fs, proc } from "../runtime/index.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { toFsName } from "../manifest/name.ts";
import { compareVersions } from "../manifest/semver.ts";
import { parseMetadata, findVersion } from "../registry/metadata.ts";
import type { VerifyInput, VerifyReport } from "../verify/pipeline.ts";
import type { LocalTrust } from "../verify/local_trust.ts";
import { signatureSet } from "./signature_set.ts";
import { ARCHIVE_FILE, SIG_FILE, METADATA_FILE, ENTRY_FILE, ENTRY_FORMAT, parseCacheEntry, type CacheEntry } from "./entry.ts";
import { DOCUMENT_LIMIT, limitForFile } from "../read_limits.ts";

export function offlineDir(home: string): string {
  return fs.path.join(home, "cache", "offline");
}

export interface PreparedFiles {
  archive: Uint8Array;
  sigText: string | null;
  metadataText: string;
  /** Extra trust material by file name (public keys, trusted_root.json). */
  extra: Record<string, Uint8Array | string>;
}

const enc = new TextEncoder();
const bytesOf = (d: Uint8Array | string) => (typeof d === "string" ? enc.encode(d) : d);

/**
 * A prepared version is immutable (SPEC §8): a new entry for it must have the same checksum as the
 * one cached (else TamperedPackage) and carry every signature the cached one carries (else
 * PolicyViolation), so a hostile bundle or registry can neither swap the bytes nor strip signatures.
 * An unreadable cached entry may be replaced: whoever can damage it could remove it as well.
 */
export async function assertReplaceable(home: string, name: string, version: string, checksum: string, sigText: string | null): Promise<void> {
  const dir = fs.path.join(offlineDir(home), toFsName(name), version);
  const owner = await entryOwner(dir);
  if (owner !== null && owner !== name) {
    // `@a/b` and `a--b` share a cache folder (SPEC §1): the second never takes the first's place.
    throw new AamError("PolicyViolation", `Cannot cache "${name}@${version}": its folder ${dir} belongs to "${owner}"`, {
      package: name,
      version,
      expected: owner,
      actual: name,
      file: dir,
      hint: `"${name}" and "${owner}" share a file-system name; remove the folder yourself if you mean to replace it`,
    });
  }
  let old: LoadedEntry;
  try {
    old = await loadEntry(home, name, version);
  } catch (e) {
    if (e instanceof AamError && (e.code === "OfflineCacheMiss" || e.code === "TamperedPackage")) return;
    throw e;
  }
  if (old.entry.checksum !== checksum) {
    throw new AamError("TamperedPackage", `Cannot replace the prepared "${name}@${version}": its checksum differs from the one already cached`, {
      package: name,
      version,
      expected: old.entry.checksum,
      actual: checksum,
      file: dir,
      hint: "a published version never changes; whoever offers other bytes for it is not to be trusted. Keep the cached entry, or remove the folder yourself if you know why it changed",
    });
  }
  const kept = signatureSet(sigText);
  const missing = [...signatureSet(old.input.sigText)].filter((k) => !kept.has(k));
  if (missing.length > 0) {
    throw new AamError("PolicyViolation", `Cannot replace the prepared "${name}@${version}": the new copy lacks ${missing.length} of the cached entry's signatures`, {
      package: name,
      version,
      file: dir,
      hint: "a cached entry is only ever replaced by one carrying every signature it has; remove the folder yourself to accept fewer",
    });
  }
}

/** The package an existing entry folder holds, or null when there is none or it is unreadable. */
async function entryOwner(dir: string): Promise<string | null> {
  const text = await fs.readTextIfExists(fs.path.join(dir, ENTRY_FILE), DOCUMENT_LIMIT).catch(() => null);
  if (text === null) return null;
  try {
    return parseCacheEntry(text, dir).package;
  } catch {
    return null;
  }
}

/** Writes one verified entry atomically: a temp folder, renamed over any older copy (see assertReplaceable). */
export async function writeEntry(home: string, name: string, version: string, source: string, files: PreparedFiles, report: VerifyReport, now: Date, registry?: string): Promise<string> {
  const pkgDir = fs.path.join(offlineDir(home), toFsName(name));
  await assertReplaceable(home, name, version, report.checksum, files.sigText);
  await fs.mkdirp(pkgDir);
  await sweepDeadTemps(pkgDir);
  const final = fs.path.join(pkgDir, version);
  const tmp = fs.tempNameFor(final);
  await fs.mkdirp(tmp);
  try {
    const all: Record<string, Uint8Array> = { [ARCHIVE_FILE]: files.archive, [METADATA_FILE]: bytesOf(files.metadataText) };
    if (files.sigText !== null) all[SIG_FILE] = bytesOf(files.sigText);
    for (const [n, d] of Object.entries(files.extra)) all[n] = bytesOf(d);
    const hashes: Record<string, string> = {};
    for (const [n, d] of Object.entries(all)) {
      await fs.writeFileAtomic(fs.path.join(tmp, n), d);
      hashes[n] = checksumOf(d);
    }
    const entry: CacheEntry = {
      format: ENTRY_FORMAT,
      package: name,
      version,
      source,
      ...(registry === undefined ? {} : { registry }),
      prepared_at: now.toISOString(),
      checksum: report.checksum,
      files: hashes,
      verification: {
        outcome: report.outcome,
        checks: report.checks,
        signers: report.signers.filter((s) => s.valid).map((s) => ({ algorithm: s.algorithm, key_fingerprint: s.key_fingerprint, identity: s.identity, issuer: s.issuer, trusted: s.trusted })),
        warnings: report.warnings,
      },
    };
    await fs.writeFileAtomic(fs.path.join(tmp, ENTRY_FILE), JSON.stringify(entry, null, 2) + "\n");
    await moveIntoPlace(tmp, final);
  } finally {
    await fs.remove(tmp);
  }
  return final;
}

/** Removes temp folders of prepares that were killed; those of live processes are theirs. */
async function sweepDeadTemps(dir: string): Promise<void> {
  for (const e of await fs.readDirIfExists(dir)) {
    const pid = fs.tempNamePid(e.name);
    if (pid !== null && pid !== proc.pid() && !proc.isProcessAlive(pid)) await fs.remove(fs.path.join(dir, e.name));
  }
}

/**
 * Renames the finished folder `tmp` over `final`. rename(2) will not replace a non-empty folder, so an
 * older copy is first moved aside. Another process preparing the same version at the same time may
 * win the race: its entry was verified as well, so it stays and ours is dropped.
 */
async function moveIntoPlace(tmp: string, final: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const old = fs.tempNameFor(final + ".old");
    try {
      if (await fs.stat(final)) await fs.rename(final, old);
      await fs.rename(tmp, final);
      return;
    } catch (e) {
      if (await fs.stat(fs.path.join(final, ENTRY_FILE))) return;
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 5 + attempt * 5));
    } finally {
      await fs.remove(old);
    }
  }
}

export interface LoadedEntry {
  entry: CacheEntry;
  dir: string;
  /** The cache entry's archive is read whole (its hash is checked against entry.json first). */
  input: VerifyInput & { archive: Uint8Array };
  metadataText: string;
  extra: Record<string, Uint8Array>;
}

/**
 * The pipeline's input for a cache entry. Its OpenPGP keys are copies that may check a signature;
 * its trusted_root.json is never used (SPEC §6): Sigstore entries verify against this machine's root.
 */
export function entryInput(loaded: LoadedEntry, trust: LocalTrust): VerifyInput & { archive: Uint8Array } {
  const keyCopies = Object.entries(loaded.extra).filter(([n]) => n.endsWith(".asc")).map(([, d]) => new TextDecoder().decode(d));
  return { ...loaded.input, trust, keyCopies };
}

/** Versions prepared for a package, highest first. */
export async function preparedVersions(home: string, name: string): Promise<string[]> {
  const dir = fs.path.join(offlineDir(home), toFsName(name));
  const names = (await fs.readDirIfExists(dir)).filter((e) => e.isDirectory && !fs.isTempName(e.name)).map((e) => e.name);
  const valid = names.filter((n) => {
    try {
      compareVersions(n, n);
      return true;
    } catch {
      return false; // not a version folder
    }
  });
  return valid.sort(compareVersions).reverse();
}

export async function listPrepared(home: string): Promise<{ name: string; version: string }[]> {
  const out: { name: string; version: string }[] = [];
  for (const d of await fs.readDirIfExists(offlineDir(home))) {
    if (!d.isDirectory || fs.isTempName(d.name)) continue;
    for (const v of await fs.readDirIfExists(fs.path.join(offlineDir(home), d.name))) {
      if (!v.isDirectory || fs.isTempName(v.name)) continue;
      const text = await fs.readTextIfExists(fs.path.join(offlineDir(home), d.name, v.name, ENTRY_FILE), DOCUMENT_LIMIT);
      if (text === null) continue;
      try {
        const e = parseCacheEntry(text, v.name);
        out.push({ name: e.package, version: e.version });
      } catch {
        // damaged entries are reported when used
      }
    }
  }
  return out;
}

/** Loads an entry and checks every file against entry.json and the archive against metadata.yaml. */
export async function loadEntry(home: string, name: string, version?: string): Promise<LoadedEntry> {
  const versions = await preparedVersions(home, name);
  const v = version ?? versions[0];
  if (!v || !versions.includes(v)) {
    throw new AamError("OfflineCacheMiss", `Cannot verify "${name}${version ? `@${version}` : ""}" offline: it was never prepared`, {
      package: name,
      version,
      hint: `while connected: aam verify --offline-prepare ${name}${version ? `@${version}` : ""}`,
    });
  }
  const dir = fs.path.join(offlineDir(home), toFsName(name), v);
  const entryFile = fs.path.join(dir, ENTRY_FILE);
  const entryText = await fs.readTextIfExists(entryFile, DOCUMENT_LIMIT);
  if (entryText === null) {
    throw new AamError("OfflineCacheMiss", `Cannot verify "${name}@${v}" offline: its cache entry is incomplete`, {
      package: name,
      version: v,
      file: entryFile,
      hint: `while connected: aam verify --offline-prepare ${name}@${v}`,
    });
  }
  const entry = parseCacheEntry(entryText, entryFile);
  if (entry.package !== name || entry.version !== v) {
    throw new AamError("TamperedPackage", `Offline cache entry "${dir}" is for "${entry.package}@${entry.version}"`, {
      package: name,
      version: v,
      expected: `${name}@${v}`,
      actual: `${entry.package}@${entry.version}`,
      file: entryFile,
      hint: `remove it and prepare again: aam verify --offline-prepare ${name}@${v}`,
    });
  }
  const files: Record<string, Uint8Array> = {};
  for (const [n, want] of Object.entries(entry.files)) {
    if (n.includes("/") || n.includes("\\") || n.startsWith(".")) {
      throw new AamError("TamperedPackage", `Offline cache entry "${dir}" names a file outside itself: "${n}"`, { file: entryFile, hint: `remove "${dir}" and prepare again` });
    }
    const p = fs.path.join(dir, n);
    const data = await fs.readFileIfExists(p, limitForFile(n));
    const got = data === null ? "(missing)" : checksumOf(data);
    if (got !== want) {
      throw new AamError("TamperedPackage", `Offline cache file "${p}" was changed after it was prepared`, {
        package: name,
        version: v,
        file: p,
        expected: want,
        actual: got,
        hint: `remove "${dir}" and prepare it again while connected: aam verify --offline-prepare ${name}@${v}`,
      });
    }
    files[n] = data!;
  }
  if (!files[ARCHIVE_FILE] || !files[METADATA_FILE]) {
    throw new AamError("TamperedPackage", `Offline cache entry "${dir}" lacks its archive or metadata`, { file: entryFile, hint: `aam verify --offline-prepare ${name}@${v}` });
  }
  const metadataText = new TextDecoder().decode(files[METADATA_FILE]);
  const meta = parseMetadata(metadataText, fs.path.join(dir, METADATA_FILE));
  const rec = findVersion(meta, v);
  if (meta.name !== name || !rec) {
    throw new AamError("TamperedPackage", `Offline cache entry "${dir}": metadata.yaml does not list ${name}@${v}`, { file: fs.path.join(dir, METADATA_FILE), hint: `aam verify --offline-prepare ${name}@${v}` });
  }
  const extra: Record<string, Uint8Array> = {};
  for (const [n, d] of Object.entries(files)) if (![ARCHIVE_FILE, SIG_FILE, METADATA_FILE].includes(n)) extra[n] = d;
  return {
    entry,
    dir,
    metadataText,
    extra,
    input: {
      name,
      version: v,
      archive: files[ARCHIVE_FILE],
      expectedChecksum: rec.checksum,
      sigText: files[SIG_FILE] ? new TextDecoder().decode(files[SIG_FILE]) : null,
      files: { archive: fs.path.join(dir, ARCHIVE_FILE), sig: fs.path.join(dir, SIG_FILE), metadata: fs.path.join(dir, METADATA_FILE) },
    },
  };
}
