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
        tls_client_key: string | null;
      }>(
        "SELECT id, secret, previous_secret, headers, auth, tls_client_key FROM endpoints ORDER BY id FOR UPDATE",
      );
      let changed = 0;
      for (const row of rows) {
        const secret = reseal(row.secret);
        const previous = row.previous_secret === null ? undefined : reseal(row.previous_secret);
        const headers = resealHeaders(row.headers, reseal);
        const auth = row.auth === null ? undefined : reseal(row.auth);
        const tlsKey = row.tls_client_key === null ? undefined : reseal(row.tls_client_key);
        if (!secret && !previous && !headers && !auth && !tlsKey) continue;
        await client.query(
          `UPDATE endpoints SET secret = $1, previous_secret = $2, headers = $3, auth = $4,
           tls_client_key = $5 WHERE id = $6`,
          [
            secret ?? row.secret,
            previous ?? row.previous_secret,
            headers === undefined ? row.headers : JSON.stringify(headers),
            auth ?? row.auth,
            tlsKey ?? row.tls_client_key,
            row.id,
          ],
        );
        changed++;
      }
      return changed;
    });
}
