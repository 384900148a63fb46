/** How long a snapshot is good for (SPEC §5a `--expires <days>`): after `expires_at` a pinned reader refuses it (freeze). */
import { AamError } from "../errors.ts";
import type { UnsignedSnapshot } from "./types.ts";

export const DEFAULT_EXPIRES_DAYS = 30;
export const MAX_EXPIRES_DAYS = 365;
const DAY_MS = 86_400_000;

/**
 * Reads `--expires`: an integer from 1 to 365; absent means 30.
 * @throws {AamError} UsageError for anything else.
 */
export function parseExpiresDays(value: unknown): number {
  if (value === undefined) return DEFAULT_EXPIRES_DAYS;
  const s = String(value).trim();
  const n = /^[0-9]{1,3}$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= MAX_EXPIRES_DAYS)) {
    throw new AamError("UsageError", `Invalid --expires "${String(value).slice(0, 40)}": expected a number of days from 1 to ${MAX_EXPIRES_DAYS}`, {
      hint: `for example --expires ${DEFAULT_EXPIRES_DAYS}`,
    });
  }
  return n;
}

/** The duration of an earlier snapshot in whole days (what `reject` reuses), within 1..365. */
export function durationDays(s: Pick<UnsignedSnapshot, "created_at" | "expires_at">): number {
  const days = Math.round((Date.parse(s.expires_at) - Date.parse(s.created_at)) / DAY_MS);
  return Math.min(MAX_EXPIRES_DAYS, Math.max(1, Number.isFinite(days) ? days : DEFAULT_EXPIRES_DAYS));
}

/** `now` plus `days`, as the `expires_at` AAM writes. */
export function expiresAt(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}
