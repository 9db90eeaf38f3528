import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RequestRepository } from '../../domain/ports';

export class SqliteRequests implements RequestRepository {
  private readonly admit_: StatementSync;
  private readonly done_: StatementSync;
  private readonly purge_: StatementSync;

  constructor(db: DatabaseSync) {
    // new, or taken over from an attempt that never finished: one statement, so one of two concurrent repeats wins
    this.admit_ = db.prepare('INSERT INTO requests (key, at, done) VALUES (?, ?, 0) ON CONFLICT (key) DO UPDATE SET at = excluded.at WHERE requests.done = 0 AND requests.at < ?');
    this.done_ = db.prepare('UPDATE requests SET done = 1 WHERE key = ?');
    this.purge_ = db.prepare('DELETE FROM requests WHERE at < ?');
  }

  async admit(key: string, at: Date, staleBefore: Date): Promise<boolean> {
    return Number(this.admit_.run(key, at.getTime(), staleBefore.getTime()).changes) === 1;
  }

  async done(key: string): Promise<void> {
    this.done_.run(key);
  }

  async purge(before: Date): Promise<number> {
    return Number(this.purge_.run(before.getTime()).changes);
  }
}
