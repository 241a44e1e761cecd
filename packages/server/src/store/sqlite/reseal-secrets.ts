import type Database from "better-sqlite3";

/**
 * Rewrites every endpoint secret not sealed under the current key: plaintext from a database
 * older than sealing, or a ciphertext under a rotated-out key. Runs at start, in one
 * transaction; returns how many endpoints changed.
 */
export function resealSecretsQuery(db: Database.Database) {
  const all = db.prepare("SELECT id, secret, previous_secret FROM endpoints");
  const write = db.prepare("UPDATE endpoints SET secret = ?, previous_secret = ? WHERE id = ?");
  return db.transaction((reseal: (stored: string) => string | undefined): number => {
    let changed = 0;
    for (const row of all.all() as {
      id: string;
      secret: string;
      previous_secret: string | null;
    }[]) {
      const secret = reseal(row.secret);
      const previous = row.previous_secret === null ? undefined : reseal(row.previous_secret);
      if (secret === undefined && previous === undefined) continue;
      write.run(secret ?? row.secret, previous ?? row.previous_secret, row.id);
      changed++;
    }
    return changed;
  });
}
