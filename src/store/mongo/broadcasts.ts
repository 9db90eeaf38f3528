import type { Collection, Db } from 'mongodb';
import type { Broadcast, NewBroadcast } from '../../domain/broadcasts';
import type { BroadcastRepository } from '../../domain/ports';
import { createIndexes, nextSeq } from './compat';
import type { Serializer } from './serial';

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

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<BroadcastDoc>('broadcasts');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection('broadcasts'), [{ key: { state: 1, nextRunAt: 1 }, name: 'broadcasts_due' }]);
  }

  async create(b: NewBroadcast, state: 'draft' | 'scheduled', nextRunAt: Date | undefined): Promise<Broadcast> {
    const doc: BroadcastDoc = { _id: await nextSeq(this.counters, this.serial, 'broadcasts'), ...b, state, runs: 0 };
    if (!b.link) delete doc.link;
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
}
