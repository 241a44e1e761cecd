import { parseDuration } from "../config/duration.ts";
import { UsageError } from "./failure.ts";

/**
 * A moment on the command line, as unix seconds: unix seconds (`1767225600`), an ISO date
 * (`2026-01-01`, `2026-01-01T09:30:00Z`), or a duration before now (`2h`, `3d`).
 */
export function parseWhen(flag: string, text: string, nowMs = Date.now()): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ago = parseDuration(text);
  if (ago !== undefined) return Math.floor((nowMs - ago) / 1000);
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isNaN(date)) return Math.floor(date / 1000);
  throw new UsageError(
    `${flag} '${text}': give unix seconds, an ISO date such as 2026-01-01T09:00:00Z, or a duration ago such as 2h`,
  );
}
