import type Database from "better-sqlite3";
import { resealHeaders } from "../reseal-headers.ts";

/**
 * Rewrites every endpoint secret (custom header value, auth, client certificate key) not sealed under the current key: plaintext from a database
 * older than sealing, or a ciphertext under a rotated-out key. Runs at start, in one
 * transaction; returns how many endpoints changed.
 */
export function resealSecretsQuery(db: Database.Database) {
  const all = db.prepare(
    "SELECT id, secret, previous_secret, headers, auth, tls_client_key FROM endpoints",
  );
  const write = db.prepare(
    "UPDATE endpoints SET secret = ?, previous_secret = ?, headers = ?, auth = ?, tls_client_key = ? WHERE id = ?",
  );
  return db.transaction((reseal: (stored: string) => string | undefined): number => {
    let changed = 0;
    for (const row of all.all() as {
      id: string;
      secret: string;
      previous_secret: string | null;
      headers: string | null;
      auth: string | null;
      tls_client_key: string | null;
    }[]) {
      const secret = reseal(row.secret);
      const previous = row.previous_secret === null ? undefined : reseal(row.previous_secret);
      const stored =
        row.headers === null ? null : (JSON.parse(row.headers) as Record<string, string>);
      const headers = resealHeaders(stored, reseal);
      const auth = row.auth === null ? undefined : reseal(row.auth);
      const tlsKey = row.tls_client_key === null ? undefined : reseal(row.tls_client_key);
      if (!secret && !previous && !headers && !auth && !tlsKey) continue;
      write.run(
        secret ?? row.secret,
        previous ?? row.previous_secret,
        headers === undefined ? row.headers : JSON.stringify(headers),
        auth ?? row.auth,
        tlsKey ?? row.tls_client_key,
        row.id,
      );
      changed++;
    }
    return changed;
  });
}
