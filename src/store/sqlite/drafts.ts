import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DraftRepository } from '../../domain/ports';

export class SqliteDrafts implements DraftRepository {
  private readonly insert: StatementSync;
  private readonly take_: StatementSync;

  constructor(db: DatabaseSync) {
    this.insert = db.prepare('INSERT INTO drafts (id, person_id, payload, created_at) VALUES (?, ?, ?, ?)');
    this.take_ = db.prepare('DELETE FROM drafts WHERE id = ? AND person_id = ? RETURNING payload');
  }

  async save(personId: string, payload: string, at: Date): Promise<string> {
    const id = randomUUID().replace(/-/g, '').slice(0, 20);
    this.insert.run(id, personId, payload, at.getTime());
    return id;
  }

  async take(id: string, personId: string): Promise<string | null> {
    const row = this.take_.get(id, personId) as { payload: string } | undefined;
    return row?.payload ?? null;
  }
}
