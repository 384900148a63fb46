/** Timestamps in `.sig` entries and key files: ISO 8601 UTC to the second, e.g. `2025-01-01T12:00:00Z`. */
export function isoSeconds(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError("now must be a valid Date");
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
