import { randomUUID } from 'node:crypto';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { DraftRepository } from '../../domain/ports';

export interface DraftDoc {
  _id: string;
  personId: string;
  payload: string;
  createdAt: Date;
}

/** Drafts are short-lived: one older than a week is removed. */
const DRAFT_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export class MongoDrafts implements DraftRepository {
  private readonly col: Collection<DraftDoc>;

  constructor(db: Db) {
    this.col = db.collection<DraftDoc>('drafts');
  }

  static async indexes(db: Db): Promise<void> {
    // MongoDB removes expired drafts itself (TTL index). Servers without TTL indexes (FerretDB 1.x answers
    // NotImplemented) get the same index without expiry; save() removes expired drafts on every server.
    try {
      await db.collection('drafts').createIndexes([{ key: { createdAt: 1 }, name: 'drafts_ttl', expireAfterSeconds: DRAFT_LIFETIME_MS / 1000 }]);
    } catch (e) {
      if (!(e instanceof MongoServerError && e.code === 238)) throw e;
      await db.collection('drafts').createIndexes([{ key: { createdAt: 1 }, name: 'drafts_created' }]);
    }
  }

  async save(personId: string, payload: string, at: Date): Promise<string> {
    await this.col.deleteMany({ createdAt: { $lt: new Date(at.getTime() - DRAFT_LIFETIME_MS) } });
    const id = randomUUID().replace(/-/g, '').slice(0, 20);
    await this.col.insertOne({ _id: id, personId, payload, createdAt: at });
    return id;
  }

  async take(id: string, personId: string): Promise<string | null> {
    // Read, then deleted by whoever removes it (deletedCount): once, even on servers whose findOneAndDelete
    // hands the same document to two callers at once (FerretDB 1.x).
    const d = await this.col.findOne({ _id: id, personId });
    if (!d) return null;
    return (await this.col.deleteOne({ _id: d._id, personId })).deletedCount === 1 ? d.payload : null;
  }
}
