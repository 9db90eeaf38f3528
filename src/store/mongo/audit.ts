import type { Collection, Db } from 'mongodb';
import type { AuditAction, AuditDetail, AuditEntry, NewAuditEntry } from '../../domain/audit';
import type { AuditRepository } from '../../domain/ports';
import { createIndexes, nextSeq } from './compat';
import type { Serializer } from './serial';

export interface AuditDoc {
  /** The entry's number in the trail (counter `audit`). */
  _id: number;
  at: Date;
  actor: string;
  action: AuditAction;
  subject: string;
  detail?: AuditDetail;
}

function toEntry(d: AuditDoc): AuditEntry {
  const e: AuditEntry = { seq: d._id, at: d.at, actor: d.actor, action: d.action, subject: d.subject };
  if (d.detail) e.detail = d.detail;
  return e;
}

/** The audit trail: documents are inserted, never updated but for the actor's pseudonym (erasure), deleted only by age. */
export class MongoAudit implements AuditRepository {
  private readonly col: Collection<AuditDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<AuditDoc>('audit');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection('audit'), [
      { key: { at: 1 }, name: 'audit_at' },
      { key: { actor: 1 }, name: 'audit_actor' },
      { key: { subject: 1 }, name: 'audit_subject' },
    ]);
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const doc: AuditDoc = { _id: await nextSeq(this.counters, this.serial, 'audit'), at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject };
    if (entry.detail) doc.detail = entry.detail;
    await this.col.insertOne(doc);
    return toEntry(doc);
  }

  async list(query: { before?: number; limit: number }): Promise<AuditEntry[]> {
    const filter = query.before === undefined ? {} : { _id: { $lt: query.before } };
    return (await this.col.find(filter).sort({ _id: -1 }).limit(query.limit).toArray()).map(toEntry);
  }

  async since(at?: Date): Promise<AuditEntry[]> {
    return (
      await this.col
        .find(at ? { at: { $gte: at } } : {})
        .sort({ _id: 1 })
        .toArray()
    ).map(toEntry);
  }

  async purge(before: Date): Promise<number> {
    return (await this.col.deleteMany({ at: { $lt: before } })).deletedCount;
  }

  async replaceActor(personId: string, pseudonym: string): Promise<number> {
    const ids = (await this.col.find({ $or: [{ actor: personId }, { subject: `person:${personId}` }] }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    await this.col.updateMany({ actor: personId }, { $set: { actor: pseudonym } });
    await this.col.updateMany({ subject: `person:${personId}` }, { $set: { subject: `person:${pseudonym}` } });
    return ids.length;
  }
}
