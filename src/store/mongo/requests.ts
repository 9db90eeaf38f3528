import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { RequestRepository } from '../../domain/ports';
import type { Serializer } from './serial';

export interface RequestDoc {
  _id: string;
  at: Date;
  done: boolean;
}

/** Duplicate key: the request exists and is not to be taken over. */
const DUPLICATE = 11000;

export class MongoRequests implements RequestRepository {
  private readonly col: Collection<RequestDoc>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<RequestDoc>('requests');
  }

  static async indexes(db: Db): Promise<void> {
    await db.collection('requests').createIndexes([{ key: { at: 1 }, name: 'requests_at' }]);
  }

  async admit(key: string, at: Date, staleBefore: Date): Promise<boolean> {
    try {
      // matches an unfinished, stale attempt (taken over); otherwise inserts, which fails when the key exists.
      // Under the request's lock where updates are not atomic (two takeovers of one stale attempt).
      await this.serial.run(`request:${key}`, () =>
        this.col.updateOne({ _id: key, done: false, at: { $lt: staleBefore } }, { $set: { at }, $setOnInsert: { done: false } }, { upsert: true }),
      );
      return true;
    } catch (e) {
      if (e instanceof MongoServerError && e.code === DUPLICATE) return false;
      throw e;
    }
  }

  async done(key: string): Promise<void> {
    await this.col.updateOne({ _id: key }, { $set: { done: true } });
  }

  async purge(before: Date): Promise<number> {
    return (await this.col.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}
