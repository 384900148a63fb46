/**
 * Turns `--registry <name|location>` into a source (SPEC §4): a configured name, a folder path or
 * file:// URL, an http(s):// URL, or git+<url>.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { fileSource } from "./source_fs.ts";
import { RegistryReader } from "./reader.ts";
import type { RegistrySource } from "./source.ts";

export interface RegistryEntry {
  name: string;
  url: string;
  default?: boolean;
  /** Pinned attestation keys (SPEC §5a): the shape config/schema.ts checks. */
  attestation?: { name: string; keys: string[]; min_serial?: number };
}

export interface OpenedRegistry {
  reader: RegistryReader;
  /** The configured name, when it came from config. */
  name?: string;
  /** The configured entry's pin; also when the registry was given by its location (a pin is not dodged by spelling the path). */
  pin?: { alias: string; name: string; keys: string[]; min_serial?: number };
  /** A writable local folder (file locations only). */
  root?: string;
  /** The `git+<url>` location of a git registry, written through its clone (git_write.ts). */
  gitUrl?: string;
}

export type LocationKind = "file" | "http" | "git";

export function locationKind(url: string): LocationKind {
  if (/^git\+/.test(url)) return "git";
  if (/^https?:\/\//i.test(url)) return "http";
  return "file";
}

/**
 * Refuses a `git+<url>` registry whose transport is not one SPEC §4 allows: `https://`, `ssh://`,
 * scp-like `[user@]host:path`, `file://` and local paths. Anything else (git's `ext::` runs a
 * command, `fd::` reads a file descriptor, other `<helper>::` remote helpers, `git://`, `http://`)
 * is refused before git runs, whatever git's own configuration allows; git_run.ts also runs git
 * with the same allow-list.
 * @returns the URL with `git+` removed
 * @throws {AamError} UsageError for any other transport
 */
export function gitRemoteOf(url: string): string {
  const remote = url.replace(/^git\+/, "");
  if (!isAllowedGitRemote(remote)) {
    throw new AamError("UsageError", `Cannot use git registry "${url}": only https://, ssh://, git@host:path, file:// and local paths are accepted as git transports`, {
      expected: "git+https://…, git+ssh://…, git+git@host:path, git+file://… or git+<folder>",
      hint: "remote helpers such as ext:: and fd:: are refused; give the repository's https or ssh URL",
    });
  }
  return remote;
}

function isAllowedGitRemote(remote: string): boolean {
  // "<helper>::<address>" selects a remote helper anywhere git sees "::"; a leading "-" would be an option.
  if (remote === "" || remote.includes("::") || remote.startsWith("-") || /[\0\r\n]/.test(remote)) return false;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(remote);
  if (scheme) {
    const s = scheme[1].toLowerCase();
    if (s !== "https" && s !== "ssh" && s !== "file") return false;
    // The host must not read as an option to ssh.
    return s === "file" || !/^[A-Za-z]+:\/\/([^@/]*@)?-/.test(remote);
  }
  if (/^[A-Za-z]:[\\/]/.test(remote)) return true; // a Windows drive path
  const colon = remote.indexOf(":");
  const slash = remote.indexOf("/");
  // No colon before the first slash: a local path, as git reads it.
  if (colon === -1 || (slash !== -1 && slash < colon)) return true;
  // scp-like [user@]host:path (ssh): a plain host name, or a bracketed address.
  return /^([A-Za-z0-9._~+-]+@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[^:]/.test(remote) && !/^([^@]*@)?-/.test(remote);
}

export function filePathOf(url: string, cwd: string): string {
  if (url.startsWith("file://")) return fs.fromFileUrl(url);
  return fs.path.resolve(cwd, url);
}

export function pickRegistry(given: string | undefined, registries: RegistryEntry[]): { name?: string; url: string } {
  if (given) {
    const named = registries.find((r) => r.name === given);
    return named ? { name: named.name, url: named.url } : { url: given };
  }
  const def = registries.find((r) => r.default) ?? (registries.length === 1 ? registries[0] : undefined);
  if (!def) {
    throw new AamError("UsageError", registries.length === 0 ? "No registry is configured" : "No default registry is set", {
      hint:
        registries.length === 0
          ? "aam registry init <dir> --default, or aam registry add <name> <location> --default"
          : `pass --registry <name>, or aam registry add ${registries[0].name} ${registries[0].url} --default`,
    });
  }
  return { name: def.name, url: def.url };
}

export interface SourceFactory {
  http?: (url: string) => RegistrySource;
  git?: (url: string) => Promise<RegistrySource>;
}

export async function openRegistry(
  given: string | undefined,
  registries: RegistryEntry[],
  cwd: string,
  factories: SourceFactory = {},
): Promise<OpenedRegistry> {
  const picked = pickRegistry(given, registries);
  const kind = locationKind(picked.url);
  const pinned = registries.find((r) => r.attestation && (r.name === picked.name || sameLocation(r.url, picked.url, cwd)));
  const pin = pinned?.attestation ? { pin: { alias: pinned.name, ...pinned.attestation } } : {};
  if (kind === "file") {
    const root = filePathOf(picked.url, cwd);
    return { reader: new RegistryReader(fileSource(root, picked.url)), name: picked.name, root, ...pin };
  }
  if (kind === "git") gitRemoteOf(picked.url);
  const make = kind === "http" ? factories.http : factories.git;
  if (!make) {
    throw new AamError("UsageError", `Cannot open registry "${picked.url}": ${kind} registries are not available in this build`, {
      hint: "use a folder path, or clone the registry and pass its folder",
    });
  }
  return { reader: new RegistryReader(await make(picked.url)), name: picked.name, ...(kind === "git" ? { gitUrl: picked.url } : {}), ...pin };
}

function sameLocation(a: string, b: string, cwd: string): boolean {
  if (a === b) return true;
  return locationKind(a) === "file" && locationKind(b) === "file" && filePathOf(a, cwd).replace(/[\\/]+$/, "") === filePathOf(b, cwd).replace(/[\\/]+$/, "");
}

/** For commands that write: the registry must be a local folder. */
export function requireWritable(r: OpenedRegistry): string {
  if (!r.root) {
    throw new AamError("UsageError", `Cannot write to registry "${r.reader.location}": it is read-only`, {
      hint: "publish into a local clone of the registry, then commit and push it",
    });
  }
  return r.root;
}
