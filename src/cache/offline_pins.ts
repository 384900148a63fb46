/**
 * Which pinned registry (SPEC §5a "Pinning") a cache or bundle entry belongs to, from this machine's
 * configuration only: the registry entry whose `attestation.name` is the entry's signed registry
 * name, or whose URL the entry was prepared from. Trust in its attestations needs the alias in
 * `security.trusted_registries` as well.
 */
import type { Config, RegistryEntry } from "../config/schema.ts";
import type { OfflinePin } from "./snapshot_offline.ts";

/** The registry entry's pin as config.yaml holds it (SPEC §5a). */
type PinnedEntry = RegistryEntry & { attestation?: { name?: unknown; keys?: unknown; min_serial?: unknown } };

export interface FoundPin {
  alias: string;
  pin: OfflinePin;
  /** The alias is in `security.trusted_registries`: its attestations may count (SPEC §6). */
  trusted: boolean;
}

function pinOf(e: PinnedEntry, cfg: Config): FoundPin | null {
  const a = e.attestation;
  if (!a || typeof a.name !== "string" || !Array.isArray(a.keys)) return null;
  const keys = a.keys.filter((k): k is string => typeof k === "string").map((k) => k.toLowerCase());
  const minSerial = typeof a.min_serial === "number" ? a.min_serial : undefined;
  const trustedList = (cfg.security as { trusted_registries?: unknown }).trusted_registries;
  const trusted = Array.isArray(trustedList) && trustedList.includes(e.name);
  return { alias: e.name, pin: { name: a.name, keys, min_serial: minSerial }, trusted };
}

/** The pin whose signed name is `name`, or null. */
export function pinByRegistryName(cfg: Config, name: string | undefined): FoundPin | null {
  if (!name) return null;
  for (const e of (cfg.registries ?? []) as PinnedEntry[]) {
    const p = pinOf(e, cfg);
    if (p && p.pin.name === name) return p;
  }
  return null;
}

/** The pin of the configured registry named `alias` (as opened), or of the one at `url`; null when unpinned. */
export function pinByAliasOrUrl(cfg: Config, alias: string | undefined, url: string | undefined): FoundPin | null {
  for (const e of (cfg.registries ?? []) as PinnedEntry[]) {
    if ((alias !== undefined && e.name === alias) || (url !== undefined && e.url === url)) {
      const p = pinOf(e, cfg);
      if (p) return p;
    }
  }
  return null;
}

/**
 * The pin a cache entry falls under: by its recorded signed name, else by the location it was
 * prepared from (an entry prepared before the registry was pinned still needs its snapshot).
 */
export function pinForEntry(cfg: Config, entry: { registry?: string; source: string }): FoundPin | null {
  return pinByRegistryName(cfg, entry.registry) ?? pinByAliasOrUrl(cfg, undefined, entry.source);
}
