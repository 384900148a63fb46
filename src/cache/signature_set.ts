/**
 * The signatures of a `.sig` as a set of comparable strings, to tell whether one `.sig` carries every
 * signature of another (SPEC §8: a cached entry is never replaced by one with fewer signatures).
 * Lenient: a `.sig` that does not parse has no signatures here (the pipeline judges its form).
 */
export function signatureSet(sigText: string | null): Set<string> {
  const out = new Set<string>();
  if (!sigText) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(sigText);
  } catch {
    return out;
  }
  const entries = (doc as { signatures?: unknown })?.signatures;
  if (!Array.isArray(entries)) return out;
  for (const e of entries) out.add(canonical(e));
  return out;
}

/** JSON with object keys sorted, so two copies of one entry compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
