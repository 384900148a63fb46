/**
 * Which pinned registry (SPEC §5a "Pinning") a cache or bundle entry belongs to, from this machine's
 * configuration only: the registry entry whose `attestation.name` is the entry's signed registry
 * name, or whose URL the entry was prepared from (an entry prepared before the registry was pinned
 * still needs its snapshot). Its attestations may count only when the alias is also in
 * `security.trusted_registries`.
 */
import type { Config, RegistryEntry } from "../config/schema.ts";
import type { OfflinePin } from "./snapshot_offline.ts";

export interface FoundPin {
  pin: OfflinePin & { alias: string };
  /** The alias is in `security.trusted_registries` (SPEC §6). */
  trusted: boolean;
}

function found(cfg: Config, e: RegistryEntry | undefined): FoundPin | null {
  if (!e?.attestation) return null;
  return { pin: { alias: e.name, ...e.attestation }, trusted: (cfg.security.trusted_registries ?? []).includes(e.name) };
}

/** The pin whose signed name is `name`, or null. */
export function pinByRegistryName(cfg: Config, name: string | undefined): FoundPin | null {
  return name === undefined ? null : found(cfg, cfg.registries?.find((e) => e.attestation?.name === name));
}

/** The pin a cache entry falls under, or null when its registry is not pinned here. */
export function pinForEntry(cfg: Config, entry: { registry?: string; source: string }): FoundPin | null {
  return pinByRegistryName(cfg, entry.registry) ?? found(cfg, cfg.registries?.find((e) => e.attestation && e.url === entry.source));
}
