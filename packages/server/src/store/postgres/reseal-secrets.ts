import type pg from "pg";
import { resealHeaders } from "../reseal-headers.ts";
import { transaction } from "./pool.ts";

/**
 * Rewrites every endpoint secret not sealed under the current key (see
 * sqlite/reseal-secrets.ts). Several nodes starting at once: the rows are locked, so a second
 * node waits, then finds them sealed and changes nothing.
 */
export function resealSecretsQuery(pool: pg.Pool) {
  return (reseal: (stored: string) => string | undefined) =>
    transaction(pool, async (client) => {
      const { rows } = await client.query<{
        id: string;
        secret: string;
        previous_secret: string | null;
        headers: Record<string, string> | null;
        auth: string | null;
      }>("SELECT id, secret, previous_secret, headers, auth FROM endpoints ORDER BY id FOR UPDATE");
      let changed = 0;
      for (const row of rows) {
        const secret = reseal(row.secret);
        const previous = row.previous_secret === null ? undefined : reseal(row.previous_secret);
        const headers = resealHeaders(row.headers, reseal);
        const auth = row.auth === null ? undefined : reseal(row.auth);
        if (secret === undefined && previous === undefined && headers === undefined && !auth) {
          continue;
        }
        await client.query(
          "UPDATE endpoints SET secret = $1, previous_secret = $2, headers = $3, auth = $4 WHERE id = $5",
          [
            secret ?? row.secret,
            previous ?? row.previous_secret,
            headers === undefined ? row.headers : JSON.stringify(headers),
            auth ?? row.auth,
            row.id,
          ],
        );
        changed++;
      }
      return changed;
    });
}
