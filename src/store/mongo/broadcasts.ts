import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Acknowledged, Broadcast, NewBroadcast, ReadingFigures } from '../../domain/broadcasts';
import type { BroadcastRepository } from '../../domain/ports';
import { createIndexes, nextSeq } from './compat';
import type { Serializer } from './serial';

/** One thing a person did with a broadcast, once: `what` is `ack` or `click:<link>`. */
interface ReadDoc {
  _id: string;
  broadcastId: number;
  what: string;
  personId: string;
  at: Date;
}

export type BroadcastDoc = Omit<Broadcast, 'id' | 'leaseOwner' | 'leaseUntil'> & { _id: number; leaseOwner?: string | null; leaseUntil?: Date | null };

function toBroadcast(d: BroadcastDoc): Broadcast {
  const { _id, leaseOwner, leaseUntil, ...rest } = d;
  const b: Broadcast = { id: _id, ...rest };
  if (leaseOwner) b.leaseOwner = leaseOwner;
  if (leaseUntil) b.leaseUntil = leaseUntil;
  return b;
}

export class MongoBroadcasts implements BroadcastRepository {
  private readonly col: Collection<BroadcastDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;
  private readonly reads: Collection<ReadDoc>;
  private readonly meta: Collection<{ _id: string; value: string }>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<BroadcastDoc>('broadcasts');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
    this.reads = db.collection<ReadDoc>('broadcast_reads');
    this.meta = db.collection<{ _id: string; value: string }>('store_meta');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection('broadcasts'), [{ key: { state: 1, nextRunAt: 1 }, name: 'broadcasts_due' }]);
    await createIndexes(db.collection('broadcast_reads'), [{ key: { broadcastId: 1, what: 1, at: 1 }, name: 'broadcast_reads_by_broadcast' }]);
  }

  async create(b: NewBroadcast, state: 'draft' | 'scheduled', nextRunAt: Date | undefined): Promise<Broadcast> {
    const doc: BroadcastDoc = { _id: await nextSeq(this.counters, this.serial, 'broadcasts'), ...b, state, runs: 0 };
    if (!b.link) delete doc.link;
    if (!b.ack) delete doc.ack;
    if (!b.important) delete doc.important;
    if (nextRunAt) doc.nextRunAt = nextRunAt;
    await this.col.insertOne(doc);
    return toBroadcast(doc);
  }

  async get(id: number): Promise<Broadcast | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? toBroadcast(d) : null;
  }

  async list(limit: number): Promise<Broadcast[]> {
    return (await this.col.find({}).sort({ _id: -1 }).limit(limit).toArray()).map(toBroadcast);
  }

  async schedule(id: number, nextRunAt: Date): Promise<Broadcast | null> {
    const d = await this.serial.run('broadcasts', () =>
      this.col.findOneAndUpdate({ _id: id, state: 'draft' }, { $set: { state: 'scheduled', nextRunAt } }, { returnDocument: 'after' }),
    );
    return d ? toBroadcast(d) : null;
  }

  async cancel(id: number): Promise<Broadcast | null> {
    const d = await this.serial.run('broadcasts', () =>
      this.col.findOneAndUpdate({ _id: id, state: { $in: ['draft', 'scheduled'] } }, { $set: { state: 'cancelled' }, $unset: { nextRunAt: '' } }, { returnDocument: 'after' }),
    );
    return d ? toBroadcast(d) : null;
  }

  async claimDue(owner: string, now: Date, leaseMs: number): Promise<Broadcast | null> {
    const d = await this.serial.run('broadcasts', () =>
      this.col.findOneAndUpdate(
        { state: 'scheduled', nextRunAt: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }] },
        { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
        { sort: { nextRunAt: 1, _id: 1 }, returnDocument: 'after' },
      ),
    );
    return d ? toBroadcast(d) : null;
  }

  async completeRun(id: number, owner: string, at: Date, nextRunAt: Date | undefined): Promise<Broadcast> {
    const update = nextRunAt
      ? { $set: { lastRunAt: at, nextRunAt, leaseOwner: null, leaseUntil: null }, $inc: { runs: 1 } }
      : { $set: { lastRunAt: at, state: 'done' as const, leaseOwner: null, leaseUntil: null }, $unset: { nextRunAt: '' as const }, $inc: { runs: 1 } };
    const d = await this.serial.run('broadcasts', () => this.col.findOneAndUpdate({ _id: id, leaseOwner: owner, state: 'scheduled' }, update, { returnDocument: 'after' }));
    if (d) return toBroadcast(d);
    const current = await this.get(id);
    if (!current) throw new Error(`broadcast ${id} not found`);
    return current;
  }

  /** Once per broadcast, person and thing done: the id is all three, a second insert is a duplicate. */
  private async once(id: number, what: string, personId: string, at: Date): Promise<boolean> {
    try {
      await this.reads.insertOne({ _id: `${id}:${what}:${personId}`, broadcastId: id, what, personId, at });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return false;
      throw e;
    }
  }

  acknowledge(id: number, personId: string, at: Date): Promise<boolean> {
    return this.once(id, 'ack', personId, at);
  }

  recordClick(id: number, personId: string, link: number, at: Date): Promise<boolean> {
    return this.once(id, `click:${link}`, personId, at);
  }

  async reading(id: number): Promise<ReadingFigures> {
    const acknowledged = await this.reads.countDocuments({ broadcastId: id, what: 'ack' });
    const clickers = (await this.reads.distinct('personId', { broadcastId: id, what: { $regex: '^click:' } })).length;
    return { acknowledged, clickers };
  }

  async acknowledgements(id: number): Promise<Acknowledged[]> {
    const docs = await this.reads.find({ broadcastId: id, what: 'ack' }).sort({ at: 1, personId: 1 }).toArray();
    return docs.map((d) => ({ personId: d.personId, at: d.at }));
  }

  async linkSecret(): Promise<string> {
    await this.meta.updateOne({ _id: 'link-secret' }, { $setOnInsert: { value: randomBytes(32).toString('base64url') } }, { upsert: true }).catch((e: { code?: number }) => {
      if (e.code !== 11000) throw e; // another instance made it at the same moment
    });
    const doc = await this.meta.findOne({ _id: 'link-secret' });
    if (!doc) throw new Error('MongoDB store: no link secret');
    return doc.value;
  }
}
