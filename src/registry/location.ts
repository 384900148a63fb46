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
}

export interface OpenedRegistry {
  reader: RegistryReader;
  /** The configured name, when it came from config. */
  name?: string;
  /** A writable local folder (file locations only). */
  root?: string;
}

export type LocationKind = "file" | "http" | "git";

export function locationKind(url: string): LocationKind {
  if (/^git\+/.test(url)) return "git";
  if (/^https?:\/\//i.test(url)) return "http";
  return "file";
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
  if (kind === "file") {
    const root = filePathOf(picked.url, cwd);
    return { reader: new RegistryReader(fileSource(root, picked.url)), name: picked.name, root };
  }
  const make = kind === "http" ? factories.http : factories.git;
  if (!make) {
    throw new AamError("UsageError", `Cannot open registry "${picked.url}": ${kind} registries are not available in this build`, {
      hint: "use a folder path, or clone the registry and pass its folder",
    });
  }
  return { reader: new RegistryReader(await make(picked.url)), name: picked.name };
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
