/** `.aam/aam-lock.yaml` (SPEC §9): what is installed, from where, with which checksum and signer. */
import { parseYaml, stringifyYaml } from "../encoding/yaml.ts";

export interface LockEntry {
  version: string;
  source: string;
  checksum: string;
  signer: string | null;
}

export interface Lockfile {
  lockfile_version: 1;
  packages: Record<string, LockEntry>;
}

export function parseLockfile(text: string | null, file: string): Lockfile {
  if (text === null) return { lockfile_version: 1, packages: {} };
  const doc = parseYaml(text, file) as { packages?: Record<string, LockEntry> } | null;
  const packages: Record<string, LockEntry> = {};
  for (const [name, e] of Object.entries(doc?.packages ?? {})) {
    if (e && typeof e === "object" && typeof e.version === "string") packages[name] = e;
  }
  return { lockfile_version: 1, packages };
}

export function serializeLockfile(l: Lockfile): string {
  const sorted = Object.fromEntries(Object.entries(l.packages).sort(([a], [b]) => (a < b ? -1 : 1)));
  return stringifyYaml({ lockfile_version: 1, packages: sorted });
}
