/** Reads packages, versions and signatures from any registry source (SPEC §4). */
import { AamError } from "../errors.ts";
import { toFsName } from "../manifest/name.ts";
import { compareVersions } from "../manifest/semver.ts";
import { parseMetadata, type Metadata, type VersionRecord } from "./metadata.ts";
import { parseIndex, parseIndexStream, buildIndex, searchIndex, type IndexEntry, type IndexFile } from "./index_file.ts";
import { searchIndexLines, type SearchFilter } from "./index_search.ts";
import { DOCUMENT_LIMIT, MAX_DOCUMENT_BYTES } from "../read_limits.ts";
import { parseRegistryFile, type RegistryInfo } from "./registry_file.ts";
import { archivePath, sigPath, metadataPath, ENV_FILE, INDEX_FILE, PACKAGES_DIR, REGISTRY_FILE, AUDIT_LOG_FILE, type Layout } from "./layout.ts";
import type { RegistrySource } from "./source.ts";
import type { ReadGuard } from "./read_guard.ts";
import { fs } from "../runtime/index.ts";
import { openFileArchive, type ArchiveInput } from "../verify/archive_source.ts";

export interface PackageVersion {
  name: string;
  version: string;
  record: VersionRecord;
  metadata: Metadata;
  layout: Layout;
  archiveFile: string;
  sigFile: string;
}

export class RegistryReader {
  readonly source: RegistrySource;
  /** Set on read paths of a pinned registry (SPEC §5a): metadata is then its effective state. */
  guard?: ReadGuard;
  constructor(source: RegistrySource) {
    this.source = source;
  }

  get location(): string {
    return this.source.location;
  }

  async info(): Promise<RegistryInfo> {
    const text = await this.source.readText(REGISTRY_FILE);
    if (text === null) {
      throw new AamError("NotFound", `Cannot open registry "${this.location}": no ${REGISTRY_FILE} there`, {
        file: `${this.location}/${REGISTRY_FILE}`,
        hint: "check the path, or create one with `aam registry init <dir>`",
      });
    }
    return parseRegistryFile(text, await this.source.readText(ENV_FILE), `${this.location}/${REGISTRY_FILE}`);
  }

  async metadata(name: string): Promise<Metadata> {
    const rel = metadataPath(toFsName(name));
    const text = await this.source.readText(rel);
    if (text === null) {
      await this.guard?.missing(name);
      throw new AamError("NotFound", `Cannot find package "${name}" in registry "${this.location}"`, {
        package: name,
        hint: `aam search ${name.replace(/^@[^/]+\//, "")} --registry ${this.location}`,
      });
    }
    const m = this.#parse(text, rel);
    if (m.name !== name) {
      throw new AamError("TamperedPackage", `Cannot read "${name}": ${rel} names another package`, {
        package: name,
        expected: name,
        actual: m.name,
        file: `${this.location}/${rel}`,
        hint: "the registry was edited by hand or tampered with; restore it from version control",
      });
    }
    return await this.#guarded(m, text);
  }

  async #guarded(m: Metadata, text: string): Promise<Metadata> {
    if (!this.guard) return m;
    const effective = await this.guard.metadata(m, text);
    this.#texts.set(effective, text);
    return effective;
  }

  /** metadata.yaml texts as read, by the Metadata parsed from them (to store exactly what was checked). */
  readonly #texts = new WeakMap<Metadata, string>();

  #parse(text: string, rel: string): Metadata {
    const m = parseMetadata(text, `${this.location}/${rel}`);
    this.#texts.set(m, text);
    return m;
  }

  /** The exact metadata.yaml text `meta` was parsed from (by this reader). */
  metadataText(meta: Metadata): string {
    const t = this.#texts.get(meta);
    if (t === undefined) throw new Error("metadataText: metadata was not read by this reader");
    return t;
  }

  /** Every package's metadata: by listing packages/ where possible, else by the names in index.yaml. */
  async allMetadata(): Promise<Metadata[]> {
    const dirs = await this.source.listDir(PACKAGES_DIR);
    const out: Metadata[] = [];
    if (dirs !== null) {
      for (const d of dirs.sort()) {
        const rel = `${PACKAGES_DIR}/${d}/metadata.yaml`;
        const text = await this.source.readText(rel);
        if (text === null) continue;
        const m = this.#parse(text, rel);
        if (toFsName(m.name) !== d) {
          throw new AamError("TamperedPackage", `Cannot read "${rel}": it names "${m.name}", whose folder is "${toFsName(m.name)}"`, {
            package: m.name,
            file: `${this.location}/${rel}`,
            hint: "the registry was edited by hand or tampered with; restore it from version control",
          });
        }
        out.push(await this.#guarded(m, text));
      }
      return out;
    }
    for (const p of (await this.index()).packages) out.push(await this.metadata(p.name));
    return out;
  }

  async index(): Promise<IndexFile> {
    await this.guard?.checkRoot();
    // A local index within the document limit is read in one call and parsed whole (the fast path);
    // a larger one, or one served over HTTP, is streamed (SPEC §10: up to 256 MiB, never held whole).
    if (this.source.root !== undefined) {
      const file = fs.path.join(this.source.root, INDEX_FILE);
      const st = await fs.stat(file);
      // Read under the document limit: a file grown since the stat is refused, never held whole.
      if (st?.isFile && st.size <= MAX_DOCUMENT_BYTES) return parseIndex(await fs.readText(file, DOCUMENT_LIMIT), `${this.location}/${INDEX_FILE}`);
    }
    const chunks = await this.source.readStream(INDEX_FILE);
    if (chunks !== null) return await parseIndexStream(chunks, `${this.location}/${INDEX_FILE}`);
    if ((await this.source.listDir(PACKAGES_DIR)) !== null) return buildIndex(await this.allMetadata());
    return { packages: [] };
  }

  /** The index entries matching `query` (name, description, keywords) and `filter`. */
  async search(query: string | undefined, filter?: SearchFilter): Promise<IndexEntry[]> {
    await this.guard?.checkRoot();
    const chunks = await this.source.readStream(INDEX_FILE);
    if (chunks !== null) {
      const hits = await searchIndexLines(chunks, `${this.location}/${INDEX_FILE}`, query, filter);
      if (hits !== null) return hits;
    }
    // Another form (block YAML), or no index at all: read it whole, or rebuild it from packages/.
    return searchIndex(await this.index(), query, filter);
  }

  async auditLog(): Promise<string> {
    return (await this.source.readText(AUDIT_LOG_FILE)) ?? "";
  }

  /** Picks a version by exact version, dist-tag (default `latest`) or range. */
  async resolve(name: string, spec?: { version?: string; tag?: string; range?: string }): Promise<PackageVersion> {
    const meta = await this.metadata(name);
    let version: string | undefined;
    if (spec?.version) version = spec.version;
    else if (spec?.range) {
      const { maxSatisfying } = await import("../manifest/semver.ts");
      version = maxSatisfying(meta.versions.filter(installable).map((v) => v.version), [spec.range]) ?? undefined;
    } else {
      const tag = spec?.tag ?? "latest";
      version = meta.dist_tags[tag];
      if (!version && tag === "latest") version = highest(meta.versions.filter(installable));
      if (!version) {
        throw new AamError("NotFound", `Cannot find dist-tag "${tag}" of "${name}"`, {
          package: name,
          hint: `aam dist-tag ls ${name}`,
        });
      }
    }
    const record = version ? meta.versions.find((v) => v.version === version) : undefined;
    if (!record) {
      throw new AamError("NotFound", `Cannot find version ${version ?? spec?.range ?? ""} of "${name}"`, {
        package: name,
        version,
        hint: `aam info ${name} lists the published versions`,
      });
    }
    return this.versionOf(meta, record);
  }

  // One listing per package folder for the layout check, not one per version (registry verify asks
  // for every version): a reader lives for one command, during which the tree is read, not written.
  #listings = new Map<string, Promise<string[] | null>>();
  #packageListing(fsName: string): Promise<string[] | null> {
    let p = this.#listings.get(fsName);
    if (!p) this.#listings.set(fsName, (p = this.source.listDir(`${PACKAGES_DIR}/${fsName}`)));
    return p;
  }

  async versionOf(meta: Metadata, record: VersionRecord): Promise<PackageVersion> {
    const fsName = toFsName(meta.name);
    let layout: Layout = "aam";
    if (this.source.kind !== "http") {
      const own = await this.#packageListing(fsName);
      if (own && !own.includes(`${record.version}.aam`) && own.includes("versions")) layout = "python";
    }
    return {
      name: meta.name,
      version: record.version,
      record,
      metadata: meta,
      layout,
      archiveFile: archivePath(fsName, record.version, layout),
      sigFile: sigPath(fsName, record.version, layout),
    };
  }

  async archive(v: PackageVersion): Promise<Uint8Array> {
    let bytes = await this.source.readBytes(v.archiveFile);
    if (bytes === null && this.source.kind === "http" && v.layout === "aam") {
      // A static server cannot list folders; try the Python layout before giving up.
      const alt = archivePath(toFsName(v.name), v.version, "python");
      bytes = await this.source.readBytes(alt);
      if (bytes !== null) {
        v.layout = "python";
        v.archiveFile = alt;
        v.sigFile = sigPath(toFsName(v.name), v.version, "python");
      }
    }
    if (bytes === null) throw missingArchive(v, this.location);
    return bytes;
  }

  /**
   * The archive as the pipeline reads it: streamed from the file for a local or git registry (never
   * held whole), read whole over HTTP.
   * @throws {AamError} NotFound when the archive is missing
   */
  async archiveSource(v: PackageVersion): Promise<ArchiveInput> {
    if (this.source.root === undefined) return await this.archive(v);
    const file = fs.path.join(this.source.root, ...v.archiveFile.split("/"));
    const opened = await openFileArchive(file);
    if (opened === null) throw missingArchive(v, this.location);
    return opened;
  }

  async sig(v: PackageVersion): Promise<string | null> {
    const text = await this.source.readText(v.sigFile);
    this.guard?.sig(v.name, v.version, text, `${this.location}/${v.sigFile}`);
    return text;
  }
}

function missingArchive(v: PackageVersion, location: string): AamError {
  return new AamError("NotFound", `Cannot find the archive of "${v.name}@${v.version}"`, {
    package: v.name,
    version: v.version,
    file: `${location}/${v.archiveFile}`,
    hint: "metadata.yaml lists a version whose archive is missing; run `aam registry verify`",
  });
}

/** A version a range or the implicit `latest` may pick: neither yanked nor rejected. */
function installable(v: VersionRecord): boolean {
  return !v.yanked && !v.rejected;
}

export function highest(versions: VersionRecord[]): string | undefined {
  return versions.map((v) => v.version).sort(compareVersions).at(-1);
}
