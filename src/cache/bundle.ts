/**
 * Bundles for sneakernet (SPEC §8): one gzip tar holding offline cache entries and `aam-bundle.json`,
 * a manifest with the sha256 of every member. Reading checks every member against the manifest;
 * what a member means is judged afterwards by the importing machine's own verification.
 */
import { AamError } from "../errors.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { concatBytes } from "../encoding/bytes.ts";
import { GzipEncoder, readArchive, TarWriter } from "../archive/index.ts";
import { toFsName, isValidName } from "../manifest/name.ts";
import { isValidVersion } from "../manifest/semver.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { parseMetadata, findVersion } from "../registry/metadata.ts";
import type { VerifyInput } from "../verify/pipeline.ts";
import type { LocalTrust } from "../verify/local_trust.ts";
import { ARCHIVE_FILE, SIG_FILE, METADATA_FILE } from "./entry.ts";

export const BUNDLE_FORMAT = "aam-bundle-v1";
export const BUNDLE_MANIFEST = "aam-bundle.json";
/** A bundle may carry many packages, so its limits are wider than one archive's. */
export const BUNDLE_LIMITS = { maxArchiveBytes: 1024 * 1024 * 1024, maxUnpackedBytes: 2048 * 1024 * 1024, maxEntries: 200_000 };

export interface BundleEntry {
  package: string;
  version: string;
  /** The signed name of the pinned registry it came from (SPEC §5a); absent for an unpinned one. */
  registry?: string;
  /** File name (package.aam, package.sig, metadata.yaml, key-*.asc, trusted_root.json, ...) → bytes. */
  files: Record<string, Uint8Array>;
}

/** A pinned registry's snapshot root and the bins the bundle's packages need (SPEC §5a "Offline"). */
export interface BundleSnapshot {
  registry: string;
  /** `snapshot.json` and `bins/<xx>.json` → bytes. */
  files: Record<string, Uint8Array>;
}

interface Manifest {
  format: string;
  created_at: string;
  entries: { package: string; version: string; registry?: string; files: Record<string, string> }[];
  /** Absent in bundles without a pinned registry (and in older ones). */
  snapshots?: { registry: string; files: Record<string, string> }[];
}

const enc = new TextEncoder();
const dirOf = (e: { package: string; version: string }) => `entries/${toFsName(e.package)}/${e.version}/`;
const snapDirOf = (s: { registry: string }) => `snapshots/${s.registry}/`;
const SNAPSHOT_MEMBER_RE = /^(snapshot\.json|bins\/[0-9a-f]{2}\.json)$/;
const hashes = (files: Record<string, Uint8Array>) => Object.fromEntries(Object.entries(files).map(([n, d]) => [n, checksumOf(d)]));

/** Writes the bundle: sorted members, fixed headers, so the same entries give the same bytes. */
export function writeBundle(entries: BundleEntry[], now: Date, snapshots: BundleSnapshot[] = []): Uint8Array {
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    created_at: now.toISOString(),
    entries: entries.map((e) => ({ package: e.package, version: e.version, ...(e.registry ? { registry: e.registry } : {}), files: hashes(e.files) })),
  };
  // Added only when there is one, so a bundle without a pinned registry has the bytes it always had.
  if (snapshots.length > 0) manifest.snapshots = snapshots.map((s) => ({ registry: s.registry, files: hashes(s.files) }));
  const members: [string, Uint8Array][] = [[BUNDLE_MANIFEST, enc.encode(JSON.stringify(manifest, null, 2) + "\n")]];
  for (const e of entries) for (const [n, d] of Object.entries(e.files)) members.push([dirOf(e) + n, d]);
  for (const sn of snapshots) for (const [n, d] of Object.entries(sn.files)) members.push([snapDirOf(sn) + n, d]);
  const out: Uint8Array[] = [];
  const gz = new GzipEncoder((c) => out.push(c.slice()));
  const tar = new TarWriter((c) => gz.write(c));
  for (const [name, data] of members) {
    tar.header({ name, type: "file", mode: 0o644, size: data.length });
    tar.data(data);
    tar.endEntry();
  }
  tar.end();
  gz.end();
  return concatBytes(out);
}

function tampered(file: string, message: string, extra: Record<string, string> = {}): AamError {
  return new AamError("TamperedPackage", `Cannot import bundle "${file}": ${message}`, {
    file,
    ...extra,
    hint: "the bundle was damaged or altered on its way; export it again on the connected machine (aam bundle export)",
  });
}

/** Reads a bundle's entries (see readBundleParts). */
export async function readBundle(chunks: AsyncIterable<Uint8Array>, file: string): Promise<BundleEntry[]> {
  return (await readBundleParts(chunks, file)).entries;
}

/** Reads a bundle and checks every member against its manifest. */
export async function readBundleParts(chunks: AsyncIterable<Uint8Array>, file: string): Promise<{ entries: BundleEntry[]; snapshots: BundleSnapshot[] }> {
  const members = new Map<string, Uint8Array>();
  await readArchive(
    chunks,
    {
      entry(e) {
        if (e.type !== "file") return;
        const parts: Uint8Array[] = [];
        return {
          write: (c: Uint8Array) => void parts.push(c.slice()),
          close: () => void members.set(e.name, concatBytes(parts)),
        };
      },
    },
    BUNDLE_LIMITS,
  );
  const mtext = members.get(BUNDLE_MANIFEST);
  if (!mtext) throw tampered(file, `it has no ${BUNDLE_MANIFEST}`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(mtext));
  } catch {
    throw tampered(file, `${BUNDLE_MANIFEST} is not valid JSON`);
  }
  if (manifest?.format !== BUNDLE_FORMAT || !Array.isArray(manifest.entries)) throw tampered(file, `${BUNDLE_MANIFEST} is not an AAM bundle manifest`);
  const listed = new Set<string>([BUNDLE_MANIFEST]);
  const out: BundleEntry[] = [];
  const member = (path: string, want: unknown): Uint8Array => {
    const data = members.get(path);
    const got = data ? checksumOf(data) : "(missing)";
    if (got !== want) throw tampered(file, `member "${path}" does not match the manifest`, { entry: path, expected: String(want), actual: got });
    listed.add(path);
    return data!;
  };
  for (const e of manifest.entries) {
    if (typeof e?.package !== "string" || !isValidName(e.package) || typeof e.version !== "string" || !isValidVersion(e.version) || typeof e.files !== "object" || e.files === null || (e.registry !== undefined && !isValidRegistryName(e.registry))) {
      throw tampered(file, "the manifest lists an invalid entry");
    }
    const files: Record<string, Uint8Array> = {};
    for (const [n, want] of Object.entries(e.files)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n)) throw tampered(file, `the manifest names an unsafe file "${n}"`);
      files[n] = member(dirOf(e) + n, want);
    }
    out.push({ package: e.package, version: e.version, ...(e.registry ? { registry: e.registry } : {}), files });
  }
  const snapshots: BundleSnapshot[] = [];
  if (manifest.snapshots !== undefined && !Array.isArray(manifest.snapshots)) throw tampered(file, "the manifest's snapshots are not a list");
  for (const sn of manifest.snapshots ?? []) {
    if (!isValidRegistryName(sn?.registry) || typeof sn.files !== "object" || sn.files === null || snapshots.some((x) => x.registry === sn.registry)) throw tampered(file, "the manifest lists an invalid snapshot");
    const files: Record<string, Uint8Array> = {};
    for (const [n, want] of Object.entries(sn.files)) {
      if (!SNAPSHOT_MEMBER_RE.test(n)) throw tampered(file, `the manifest names an unsafe snapshot file "${n}"`);
      files[n] = member(snapDirOf(sn) + n, want);
    }
    snapshots.push({ registry: sn.registry, files });
  }
  for (const name of members.keys()) if (!listed.has(name)) throw tampered(file, `member "${name}" is not in the manifest`, { entry: name });
  return { entries: out, snapshots };
}

/**
 * The pipeline's input for one bundle entry, judged against its own metadata.yaml. Its OpenPGP keys
 * are copies that may check a signature; its trusted_root.json is never used (SPEC §6).
 */
export function bundleEntryInput(e: BundleEntry, bundleFile: string, trust: LocalTrust): { input: VerifyInput & { archive: Uint8Array }; metadataText: string } {
  const where = `${bundleFile}!${e.package}@${e.version}`;
  const metaBytes = e.files[METADATA_FILE];
  const archive = e.files[ARCHIVE_FILE];
  if (!metaBytes || !archive) throw new AamError("TamperedPackage", `Cannot import "${where}": the entry lacks its archive or metadata`, { file: bundleFile, hint: "export it again" });
  const metadataText = new TextDecoder().decode(metaBytes);
  const meta = parseMetadata(metadataText, `${where}/${METADATA_FILE}`);
  const rec = findVersion(meta, e.version);
  if (meta.name !== e.package || !rec) throw new AamError("TamperedPackage", `Cannot import "${where}": its metadata.yaml does not list it`, { file: bundleFile, hint: "export it again" });
  const sig = e.files[SIG_FILE];
  const keyCopies = Object.entries(e.files).filter(([n]) => n.endsWith(".asc")).map(([, d]) => new TextDecoder().decode(d));
  return {
    metadataText,
    input: {
      name: e.package,
      version: e.version,
      archive,
      expectedChecksum: rec.checksum,
      sigText: sig ? new TextDecoder().decode(sig) : null,
      files: { archive: `${where}/${ARCHIVE_FILE}`, sig: `${where}/${SIG_FILE}` },
      trust,
      keyCopies,
    },
  };
}
