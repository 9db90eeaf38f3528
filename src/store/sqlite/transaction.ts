import type { DatabaseSync } from 'node:sqlite';

/** Runs `work` in one IMMEDIATE transaction (a write lock across processes sharing the file). */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = work();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}
