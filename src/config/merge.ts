/**
 * Layering of configurations (SPEC §9): defaults < user file < project file (< flags, applied by
 * the command). A key set in a later layer replaces the earlier value whole: lists such as
 * `security.trusted_keys` and the `security.signing_delegates` map are replaced, not
 * concatenated, as npm does with arrays, so a project can narrow what the user trusts.
 */
import { CONFIG_KEYS, defaultConfig, type Config, type ResolvedConfig } from "./schema.ts";

function get(obj: unknown, parts: string[]): unknown {
  return parts.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Merges layers, lowest precedence first, over the defaults. Inputs are not changed. */
export function mergeConfigs(...layers: (Config | null | undefined)[]): ResolvedConfig {
  const out = defaultConfig();
  for (const layer of layers) {
    if (!layer) continue;
    for (const spec of CONFIG_KEYS) {
      const parts = spec.key.split(".");
      const v = get(layer, parts);
      if (v === undefined || v === null) continue;
      let cur = out as unknown as Record<string, unknown>;
      for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
      cur[parts[parts.length - 1]] = structuredClone(v);
    }
  }
  return out;
}
