import type { Collection, Db } from 'mongodb';
import type { InstanceBeat, InstanceRepository } from '../../domain/ports';

interface InstanceDoc {
  _id: string;
  seenAt: Date;
  busy: boolean;
  startsAt: Date | null;
}

/** One document per instance, replaced whole at each beat (no conditional update: no lock needed). */
export class MongoInstances implements InstanceRepository {
  private readonly col: Collection<InstanceDoc>;

  constructor(db: Db) {
    this.col = db.collection<InstanceDoc>('instances');
  }

  static async indexes(db: Db): Promise<void> {
    await db.collection('instances').createIndexes([{ key: { seenAt: 1 }, name: 'instances_seen' }]);
  }

  async beat(b: InstanceBeat): Promise<void> {
    await this.col.replaceOne({ _id: b.owner }, { seenAt: b.seenAt, busy: b.busy, startsAt: b.startsAt }, { upsert: true });
  }

  async live(since: Date): Promise<InstanceBeat[]> {
    const docs = await this.col
      .find({ seenAt: { $gte: since } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => ({ owner: d._id, seenAt: d.seenAt, busy: d.busy, startsAt: d.startsAt ?? null }));
  }

  async leave(owner: string, before: Date): Promise<void> {
    await this.col.deleteMany({ $or: [{ _id: owner }, { seenAt: { $lt: before } }] });
  }
}
