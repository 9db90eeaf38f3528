import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { DraftRepository } from '../../domain/ports';

interface DraftDoc {
  _id: string;
  personId: string;
  payload: string;
  createdAt: Date;
}

export class MongoDrafts implements DraftRepository {
  private readonly col: Collection<DraftDoc>;

  constructor(db: Db) {
    this.col = db.collection<DraftDoc>('drafts');
  }

  static async indexes(db: Db): Promise<void> {
    // Drafts are short-lived: MongoDB removes them after a week.
    await db.collection('drafts').createIndexes([{ key: { createdAt: 1 }, name: 'drafts_ttl', expireAfterSeconds: 7 * 24 * 3600 }]);
  }

  async save(personId: string, payload: string, at: Date): Promise<string> {
    const id = randomUUID().replace(/-/g, '').slice(0, 20);
    await this.col.insertOne({ _id: id, personId, payload, createdAt: at });
    return id;
  }

  async take(id: string, personId: string): Promise<string | null> {
    const d = await this.col.findOneAndDelete({ _id: id, personId });
    return d?.payload ?? null;
  }
}
