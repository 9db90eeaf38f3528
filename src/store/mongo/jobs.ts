import { MongoBulkWriteError, ObjectId, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import type { NewJob, ScheduledJob } from '../../domain/events';
import type { JobRepository } from '../../domain/ports';
import { createIndexes } from './compat';
import type { Serializer } from './serial';

export type JobDoc = Omit<ScheduledJob, 'id' | 'leaseOwner' | 'leaseUntil'> & { _id: ObjectId; leaseOwner?: string | null; leaseUntil?: Date | null };

function toJob(d: JobDoc): ScheduledJob {
  const { _id, leaseOwner, leaseUntil, ...rest } = d;
  const j: ScheduledJob = { id: _id.toHexString(), ...rest };
  if (leaseOwner) j.leaseOwner = leaseOwner;
  if (leaseUntil) j.leaseUntil = leaseUntil;
  return j;
}

function objectId(id: string): ObjectId | null {
  return ObjectId.isValid(id) ? new ObjectId(id) : null;
}

const RELEASE = { leaseOwner: null, leaseUntil: null };

export class MongoJobs implements JobRepository {
  private readonly col: Collection<JobDoc>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<JobDoc>('jobs');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection('jobs'), [
      { key: { key: 1 }, name: 'jobs_key', unique: true },
      { key: { state: 1, dueAt: 1, _id: 1 }, name: 'jobs_due' },
      { key: { ref: 1 }, name: 'jobs_ref' },
    ]);
  }

  async add(jobs: NewJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const docs: JobDoc[] = jobs.map((j) => ({
      _id: new ObjectId(),
      key: j.key,
      kind: j.kind,
      ref: j.ref,
      param: j.param,
      dueAt: j.dueAt,
      state: 'pending',
      ...(j.subject ? { subject: j.subject } : {}),
    }));
    try {
      return (await this.col.insertMany(docs, { ordered: false })).insertedCount;
    } catch (e) {
      // a job whose key exists is left as it is
      if (e instanceof MongoBulkWriteError) {
        const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
        if (errors.every((w) => w.code === 11000)) return e.insertedCount;
      }
      throw e;
    }
  }

  async claimDue(owner: string, now: Date, leaseMs: number): Promise<ScheduledJob | null> {
    const d = await this.serial.run('jobs', () =>
      this.col.findOneAndUpdate(
        { state: 'pending', dueAt: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }] },
        { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
        { sort: { dueAt: 1, _id: 1 }, returnDocument: 'after' },
      ),
    );
    return d ? toJob(d) : null;
  }

  /** A conditional change of one job (where updates are not atomic, under the jobs' lock). */
  private async updateOne(_id: ObjectId, filter: Filter<JobDoc>, update: UpdateFilter<JobDoc>) {
    return this.serial.run('jobs', () => this.col.updateOne({ _id, ...filter }, update));
  }

  async complete(id: string, owner: string, at: Date): Promise<boolean> {
    const _id = objectId(id);
    if (!_id) return false;
    return (await this.updateOne(_id, { state: 'pending', leaseOwner: owner }, { $set: { state: 'done', doneAt: at, ...RELEASE } })).modifiedCount > 0;
  }

  async forRef(ref: string): Promise<ScheduledJob[]> {
    return (await this.col.find({ ref }).sort({ dueAt: 1, _id: 1 }).toArray()).map(toJob);
  }

  async reschedule(id: string, dueAt: Date): Promise<boolean> {
    const _id = objectId(id);
    if (!_id) return false;
    const r = await this.updateOne(_id, { state: { $ne: 'done' } }, { $set: { dueAt, state: 'pending', ...RELEASE } });
    return r.modifiedCount > 0 || r.matchedCount > 0;
  }

  async cancel(id: string): Promise<boolean> {
    const _id = objectId(id);
    if (!_id) return false;
    return (await this.updateOne(_id, { state: 'pending' }, { $set: { state: 'cancelled', ...RELEASE } })).modifiedCount > 0;
  }

  async cancelRef(ref: string): Promise<number> {
    return (await this.serial.run('jobs', () => this.col.updateMany({ ref, state: 'pending' }, { $set: { state: 'cancelled', ...RELEASE } }))).modifiedCount;
  }

  async nextDue(): Promise<Date | null> {
    const d = await this.col.findOne({ state: 'pending' }, { sort: { dueAt: 1 }, projection: { dueAt: 1 } });
    return d ? d.dueAt : null;
  }
}
