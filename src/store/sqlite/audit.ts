import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AuditAction, AuditDetail, AuditEntry, NewAuditEntry } from '../../domain/audit';
import type { AuditRepository } from '../../domain/ports';

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  detail: string | null;
}

function toEntry(r: AuditRow): AuditEntry {
  const e: AuditEntry = { seq: Number(r.seq), at: new Date(Number(r.at)), actor: r.actor, action: r.action as AuditAction, subject: r.subject };
  if (r.detail) e.detail = JSON.parse(r.detail) as AuditDetail;
  return e;
}

/** The audit trail: rows are inserted, never updated but for the actor's pseudonym (erasure), deleted only by age. */
export class SqliteAudit implements AuditRepository {
  private readonly s: Record<string, StatementSync>;

  constructor(db: DatabaseSync) {
    this.s = {
      insert: db.prepare('INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) RETURNING *'),
      latest: db.prepare('SELECT * FROM audit ORDER BY seq DESC LIMIT ?'),
      before: db.prepare('SELECT * FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?'),
      since: db.prepare('SELECT * FROM audit WHERE at >= ? ORDER BY seq'),
      purge: db.prepare('DELETE FROM audit WHERE at < ?'),
      actor: db.prepare(
        `UPDATE audit SET actor = CASE WHEN actor = :id THEN :pseudonym ELSE actor END,
           subject = CASE WHEN subject = 'person:' || :id THEN 'person:' || :pseudonym ELSE subject END
         WHERE actor = :id OR subject = 'person:' || :id`,
      ),
    };
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const row = this.s.insert.get(entry.at.getTime(), entry.actor, entry.action, entry.subject, entry.detail ? JSON.stringify(entry.detail) : null) as unknown as AuditRow;
    return toEntry(row);
  }

  async list(query: { before?: number; limit: number }): Promise<AuditEntry[]> {
    const rows = query.before === undefined ? this.s.latest.all(query.limit) : this.s.before.all(query.before, query.limit);
    return (rows as unknown as AuditRow[]).map(toEntry);
  }

  async since(at?: Date): Promise<AuditEntry[]> {
    return (this.s.since.all(at ? at.getTime() : Number.MIN_SAFE_INTEGER) as unknown as AuditRow[]).map(toEntry);
  }

  async purge(before: Date): Promise<number> {
    return Number(this.s.purge.run(before.getTime()).changes);
  }

  async replaceActor(personId: string, pseudonym: string): Promise<number> {
    return Number(this.s.actor.run({ id: personId, pseudonym }).changes);
  }
}
