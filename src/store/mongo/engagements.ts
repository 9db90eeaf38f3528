import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { type Engagement, type EngagementState, type EngagementStep, type EngagementTransition, isOpen, type NewEngagement } from '../../domain/engagement';
import type { EngagementRepository } from '../../domain/ports';
import { type EngagementBody, engagementBody, fromBody, withSet } from '../engagement-codec';
import { createIndexes, isDuplicateKey, nextSeq } from './compat';
import type { Serializer } from './serial';

type EngagementDoc = EngagementBody & {
  _id: number;
  personId: string;
  managerId: string | null;
  state: EngagementState;
  renewalOf: number | null;
  createdAt: Date;
  updatedAt: Date;
};

interface StepDoc {
  _id: string;
  engagementId: number;
  state: EngagementState;
  by: string;
  at: Date;
  reason?: string;
}

/** One open engagement per person (`_id` is the slot: unique on every server, FerretDB 1.x included). */
interface SlotDoc {
  _id: string;
  engagementId: number;
}

function fromDoc(d: EngagementDoc): Engagement {
  return fromBody({ id: d._id, personId: d.personId, managerId: d.managerId, state: d.state, renewalOf: d.renewalOf, createdAt: d.createdAt, updatedAt: d.updatedAt }, d);
}

const slotOf = (personId: string, renewal: boolean) => (renewal ? `${personId}:renewal` : personId);

export class MongoEngagements implements EngagementRepository {
  private readonly col: Collection<EngagementDoc>;
  private readonly steps: Collection<StepDoc>;
  private readonly slots: Collection<SlotDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<EngagementDoc>('engagements');
    this.steps = db.collection<StepDoc>('engagement_steps');
    this.slots = db.collection<SlotDoc>('engagement_slots');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection<EngagementDoc>('engagements'), [
      { key: { personId: 1, _id: -1 }, name: 'engagements_person' },
      { key: { managerId: 1, _id: -1 }, name: 'engagements_manager' },
      { key: { state: 1, _id: -1 }, name: 'engagements_state' },
    ]);
    await createIndexes(db.collection<StepDoc>('engagement_steps'), [
      { key: { engagementId: 1, at: 1 }, name: 'steps_engagement' },
      { key: { by: 1 }, name: 'steps_by' },
    ]);
  }

  async create(request: NewEngagement, at: Date): Promise<Engagement | null> {
    const slot = slotOf(request.personId, request.renewalOf != null);
    if (await this.slots.findOne({ _id: slot })) return null;
    const id = await nextSeq(this.counters, this.serial, 'engagements');
    try {
      // the slot first: of two requests at once, one inserts it, the other gets a duplicate key
      await this.slots.insertOne({ _id: slot, engagementId: id });
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
    const doc: EngagementDoc = {
      _id: id,
      personId: request.personId,
      managerId: request.managerId,
      state: 'pending_manager',
      renewalOf: request.renewalOf ?? null,
      createdAt: at,
      updatedAt: at,
      ...engagementBody({ ...request, managerApprovedAt: null, labApprovedBy: null, labApprovedAt: null, activeFrom: null, termEnd: null, evaluation: null }),
    };
    await this.col.insertOne(doc);
    await this.step(id, 'pending_manager', request.personId, at);
    return fromDoc(doc);
  }

  async get(id: number): Promise<Engagement | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? fromDoc(d) : null;
  }

  async transition(id: number, change: EngagementTransition): Promise<Engagement | null> {
    return this.serial.run(`engagement:${id}`, async () => {
      const current = await this.col.findOne({ _id: id });
      if (!current || !change.from.includes(current.state)) return null;
      const next = { ...withSet(fromDoc(current), change.set), state: change.to, updatedAt: change.at };
      const done = await this.col.findOneAndUpdate(
        { _id: id, state: current.state },
        { $set: { ...engagementBody(next), state: change.to, updatedAt: change.at } },
        { returnDocument: 'after' },
      );
      if (!done) return null;
      if (!isOpen(change.to)) await this.slots.deleteMany({ engagementId: id });
      else if (change.to === 'active' && current.renewalOf != null) {
        await this.slots.deleteMany({ engagementId: { $in: [id, current.renewalOf] } });
        await this.slots.insertOne({ _id: slotOf(current.personId, false), engagementId: id }).catch((e) => {
          if (!isDuplicateKey(e)) throw e;
        });
      }
      await this.step(id, change.to, change.by, change.at, change.reason);
      return fromDoc(done);
    });
  }

  async forPerson(personId: string): Promise<Engagement[]> {
    return (await this.col.find({ personId }).sort({ _id: -1 }).toArray()).map(fromDoc);
  }

  async managedBy(personId: string): Promise<Engagement[]> {
    return (await this.col.find({ managerId: personId }).sort({ _id: -1 }).toArray()).map(fromDoc);
  }

  async list(states?: readonly EngagementState[]): Promise<Engagement[]> {
    const filter = states ? { state: { $in: [...states] } } : {};
    return (await this.col.find(filter).sort({ _id: -1 }).toArray()).map(fromDoc);
  }

  async history(id: number): Promise<EngagementStep[]> {
    const docs = await this.steps.find({ engagementId: id }).sort({ _id: 1 }).toArray();
    return docs.map((s) => ({ engagementId: s.engagementId, state: s.state, by: s.by, at: s.at, ...(s.reason ? { reason: s.reason } : {}) }));
  }

  async dataOf(personId: string): Promise<Record<string, unknown>> {
    const own = await this.forPerson(personId);
    const withHistory = await Promise.all(own.map(async (e) => ({ ...e, history: await this.history(e.id) })));
    const managed = (await this.managedBy(personId)).map((e) => ({ id: e.id, agent: e.personId, state: e.state, managerApprovedAt: e.managerApprovedAt }));
    const decisions = (await this.steps.find({ by: personId }).sort({ at: 1 }).toArray()).map((s) => ({ engagementId: s.engagementId, state: s.state, at: s.at }));
    return { engagements: withHistory, asManager: managed, decisions };
  }

  async forget(personId: string): Promise<void> {
    await this.col.updateMany({ personId }, { $set: { motivation: '', project: '', evaluation: null, listed: false } });
    await this.col.updateMany({ managerId: personId }, { $set: { managerId: null } });
    await this.steps.updateMany({ by: personId }, { $set: { by: 'erased' }, $unset: { reason: '' } });
  }

  private async step(id: number, state: EngagementState, by: string, at: Date, reason?: string): Promise<void> {
    // numbered in order (the state's compare-and-set lets one transition through at a time); a retry never collides
    const n = (await this.steps.countDocuments({ engagementId: id })) + 1;
    await this.steps.insertOne({ _id: `${id}:${String(n).padStart(5, '0')}:${randomUUID().slice(0, 8)}`, engagementId: id, state, by, at, ...(reason ? { reason } : {}) });
  }
}
