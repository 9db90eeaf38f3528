import type { Collection, Db } from 'mongodb';
import type { Idea, IdeaQuery, IdeaStatus, NewIdea } from '../../domain/ideas';
import type { IdeaRepository } from '../../domain/ports';
import { createIndexes, isDuplicateKey, nextSeq } from './compat';
import type { CrashPoints } from '../crash-points';
import type { Sightings } from './sightings';
import type { Serializer } from './serial';
import { present } from '../present';

export interface IdeaDoc extends Omit<Idea, 'id'> {
  _id: number;
}

export interface SupportDoc {
  ideaId: number;
  personId: string;
  createdAt: Date;
}

export interface CounterDoc {
  _id: string;
  seq: number;
}

function toIdea(d: IdeaDoc): Idea {
  const { _id, ...rest } = d;
  return { id: _id, ...rest };
}

const VISIBLE = { hidden: { $exists: false }, mergedInto: { $exists: false } };

export class MongoIdeas implements IdeaRepository {
  private readonly ideas: Collection<IdeaDoc>;
  private readonly supports: Collection<SupportDoc>;
  private readonly counters: Collection<CounterDoc>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
    private readonly crash: CrashPoints,
  ) {
    this.ideas = db.collection<IdeaDoc>('ideas');
    this.supports = db.collection<SupportDoc>('supports');
    this.counters = db.collection<CounterDoc>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection('ideas'), [
      { key: { supportCount: -1, _id: -1 }, name: 'ideas_top' },
      { key: { axisId: 1, supportCount: -1, _id: -1 }, name: 'ideas_axis_top' },
      { key: { hashtags: 1, supportCount: -1 }, name: 'ideas_hashtags' },
      { key: { authorId: 1, _id: -1 }, name: 'ideas_author' },
    ]);
    await createIndexes(db.collection('supports'), [
      // One support per person per idea: the database enforces it, so concurrent clicks stay exact.
      { key: { ideaId: 1, personId: 1 }, name: 'supports_unique', unique: true },
      { key: { personId: 1, ideaId: 1 }, name: 'supports_person' },
    ]);
  }

  async create(n: NewIdea): Promise<Idea> {
    const doc: IdeaDoc = {
      _id: await nextSeq(this.counters, this.serial, 'ideas'),
      title: n.title,
      description: n.description,
      axisId: n.axisId,
      hashtags: n.hashtags,
      anonymous: n.anonymous,
      authorId: n.authorId,
      status: 'proposee',
      supportCount: 0,
      createdAt: n.createdAt,
      updatedAt: n.createdAt,
      ...(n.creditedTo ? { creditedTo: n.creditedTo } : {}),
    };
    await this.ideas.insertOne(doc);
    return toIdea(doc);
  }

  async get(id: number): Promise<Idea | null> {
    const d = await this.ideas.findOne({ _id: id });
    return d ? toIdea(d) : null;
  }

  async list(q: IdeaQuery): Promise<{ items: Idea[]; total: number }> {
    const filter: Record<string, unknown> = { ...VISIBLE };
    if (q.axisId) filter.axisId = q.axisId;
    if (q.hashtag) filter.hashtags = q.hashtag;
    if (q.authorId) filter.authorId = q.authorId;
    const sort: Record<string, 1 | -1> = q.sort === 'top' ? { supportCount: -1, _id: -1 } : { _id: -1 };
    const [items, total] = await Promise.all([this.ideas.find(filter).sort(sort).skip(q.offset).limit(q.limit).toArray(), this.ideas.countDocuments(filter)]);
    return { items: items.map(toIdea), total };
  }

  async all(): Promise<Idea[]> {
    return (await this.ideas.find({}).sort({ _id: 1 }).toArray()).map(toIdea);
  }

  async since(since: Date): Promise<Idea[]> {
    const filter = { ...VISIBLE, $or: [{ createdAt: { $gte: since } }, { answeredAt: { $gte: since } }] };
    return (await this.ideas.find(filter).sort({ _id: -1 }).toArray()).map(toIdea);
  }

  async setStatus(id: number, status: IdeaStatus, answer: string | undefined, by: string, at: Date): Promise<Idea> {
    const update =
      answer === undefined
        ? { $set: { status, answeredBy: by, answeredAt: at, updatedAt: at }, $unset: { answer: '' as const } }
        : { $set: { status, answer, answeredBy: by, answeredAt: at, updatedAt: at } };
    const d = await this.serial.run(`idea:${id}`, () => this.ideas.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after' }));
    if (!d) throw new Error(`idea ${id} not found`);
    return toIdea(d);
  }

  async hide(id: number, reason: string, by: string, at: Date): Promise<Idea> {
    const d = await this.serial.run(`idea:${id}`, () =>
      this.ideas.findOneAndUpdate({ _id: id }, { $set: { hidden: { reason, by, at }, updatedAt: at } }, { returnDocument: 'after' }),
    );
    if (!d) throw new Error(`idea ${id} not found`);
    return toIdea(d);
  }

  async merge(fromId: number, intoId: number, at: Date): Promise<{ from: Idea; into: Idea }> {
    // Marked first, so that no new support lands on `from` while its supports move (standalone servers have no transactions).
    await this.serial.run(`idea:${fromId}`, () => this.ideas.updateOne({ _id: fromId }, { $set: { mergedInto: intoId, updatedAt: at } }));
    await this.moveSupports(fromId, intoId);
    await this.recount(intoId, at);
    await this.recount(fromId, at);
    return { from: present(await this.get(fromId), `idea ${fromId}`), into: present(await this.get(intoId), `idea ${intoId}`) };
  }

  async addSupport(ideaId: number, personId: string, at: Date): Promise<boolean> {
    if ((await this.ideas.countDocuments({ _id: ideaId }, { limit: 1 })) === 0) throw new Error(`idea ${ideaId} not found`);
    // the support and its count in one hold of the idea's lock: the repair pass, holding it, sees both or neither
    return this.serial.run(`idea:${ideaId}`, async () => {
      if (!(await this.insertSupport(ideaId, personId, at))) return false;
      this.crash.reached('support.added');
      await this.ideas.updateOne({ _id: ideaId }, { $inc: { supportCount: 1 } });
      return true;
    });
  }

  async removeSupport(ideaId: number, personId: string): Promise<boolean> {
    return this.serial.run(`idea:${ideaId}`, async () => {
      const r = await this.supports.deleteOne({ ideaId, personId });
      if (r.deletedCount !== 1) return false;
      await this.ideas.updateOne({ _id: ideaId }, { $inc: { supportCount: -1 } });
      return true;
    });
  }

  /**
   * The repair pass: support counts that differ from the supports are recounted (a writer stopped between a
   * support and its count), and the supports a stopped merge left on a merged idea are moved. Under each
   * idea's lock where the server needs locks; elsewhere only a difference already seen, the same, by the
   * previous pass (`seen`): a support being added right now is not a difference to put right.
   */
  async repair(seen: Sightings): Promise<number> {
    const counted = new Map<number, number>();
    for await (const g of this.supports.aggregate<{ _id: number; n: number }>([{ $group: { _id: '$ideaId', n: { $sum: 1 } } }])) counted.set(g._id, g.n);
    let fixed = 0;
    for await (const idea of this.ideas.find({}, { projection: { supportCount: 1, mergedInto: 1, updatedAt: 1 } })) {
      const n = counted.get(idea._id) ?? 0;
      const strayMerge = idea.mergedInto !== undefined && n > 0;
      if (n === idea.supportCount && !strayMerge) continue;
      if (!seen.ripe(`idea:${idea._id}`, `${idea.supportCount}/${n}/${idea.mergedInto ?? ''}`)) continue;
      if (strayMerge && idea.mergedInto !== undefined) {
        await this.moveSupports(idea._id, idea.mergedInto);
        await this.recount(idea.mergedInto, idea.updatedAt);
      }
      const changed = await this.serial.run(`idea:${idea._id}`, async () => {
        await this.crash.reachedAfter('repair.counting');
        const exact = await this.supports.countDocuments({ ideaId: idea._id });
        // Without locks, only when the rows are still those seen twice and over the count seen: a support
        // (its row first, its count next) under way now would otherwise be counted twice.
        if (!this.serial.exclusive && !strayMerge && exact !== n) return false;
        const r = await this.ideas.updateOne(this.serial.exclusive ? { _id: idea._id } : { _id: idea._id, supportCount: idea.supportCount }, { $set: { supportCount: exact } });
        return r.modifiedCount > 0;
      });
      if (changed || strayMerge) fixed++;
    }
    return fixed;
  }

  private async moveSupports(fromId: number, intoId: number): Promise<void> {
    for await (const s of this.supports.find({ ideaId: fromId })) {
      await this.insertSupport(intoId, s.personId, s.createdAt);
      await this.supports.deleteOne({ ideaId: fromId, personId: s.personId });
    }
  }

  async supporters(ideaId: number): Promise<string[]> {
    return (await this.supports.find({ ideaId }).sort({ createdAt: 1, personId: 1 }).toArray()).map((s) => s.personId);
  }

  async supportedBy(personId: string, ideaIds: number[]): Promise<Set<number>> {
    if (ideaIds.length === 0) return new Set();
    const rows = await this.supports.find({ personId, ideaId: { $in: ideaIds } }).toArray();
    return new Set(rows.map((r) => r.ideaId));
  }

  private async insertSupport(ideaId: number, personId: string, at: Date): Promise<boolean> {
    try {
      await this.supports.insertOne({ ideaId, personId, createdAt: at });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  private async recount(id: number, at: Date): Promise<void> {
    await this.serial.run(`idea:${id}`, async () => {
      const n = await this.supports.countDocuments({ ideaId: id });
      await this.ideas.updateOne({ _id: id }, { $set: { supportCount: n, updatedAt: at } });
    });
  }
}
