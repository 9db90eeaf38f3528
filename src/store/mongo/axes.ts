import type { Collection, Db, ObjectId } from 'mongodb';
import type { AxisQuestion, AxisUpdate, AxisUpdatePatch, AxisUpdatePost, NewAxisUpdate, PersonFollows } from '../../domain/axes';
import type { AxisUpdateRepository, FollowRepository } from '../../domain/ports';
import { createIndexes, isDuplicateKey, nextSeq } from './compat';
import type { Serializer } from './serial';

interface FollowDoc {
  _id?: ObjectId;
  personId: string;
  axisId: string;
  at: Date;
}

/** Follows: one document per person and axis, kept unique by an index (inserts are exact on every server). */
export class MongoFollows implements FollowRepository {
  private readonly col: Collection<FollowDoc>;

  constructor(db: Db) {
    this.col = db.collection<FollowDoc>('axis_follows');
  }

  static async indexes(db: Db): Promise<void> {
    const col = db.collection<FollowDoc>('axis_follows');
    await createIndexes(col, [
      { key: { personId: 1, axisId: 1 }, name: 'follows_person_axis', unique: true },
      { key: { axisId: 1, at: 1 }, name: 'follows_axis_at' },
    ]);
  }

  async follow(personId: string, axisId: string, at: Date): Promise<boolean> {
    try {
      await this.col.insertOne({ personId, axisId, at });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async unfollow(personId: string, axisId: string): Promise<boolean> {
    return (await this.col.deleteOne({ personId, axisId })).deletedCount === 1;
  }

  async axesOf(personId: string): Promise<string[]> {
    return (await this.col.find({ personId }).sort({ at: 1, _id: 1 }).toArray()).map((d) => d.axisId);
  }

  async followers(axisId: string): Promise<string[]> {
    return (await this.col.find({ axisId }).sort({ at: 1, _id: 1 }).toArray()).map((d) => d.personId);
  }

  async counts(): Promise<Map<string, number>> {
    const rows = await this.col.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$axisId', n: { $sum: 1 } } }]).toArray();
    return new Map(rows.map((r) => [r._id, r.n]));
  }

  async page(after: string | null, limit: number): Promise<PersonFollows[]> {
    const people = (
      await this.col
        .aggregate<{ _id: string }>([{ $match: { personId: { $gt: after ?? '' } } }, { $group: { _id: '$personId' } }, { $sort: { _id: 1 } }, { $limit: limit }])
        .toArray()
    ).map((r) => r._id);
    if (people.length === 0) return [];
    const docs = await this.col
      .find({ personId: { $in: people } })
      .sort({ personId: 1, at: 1, _id: 1 })
      .toArray();
    const byPerson = new Map<string, string[]>(people.map((p) => [p, []]));
    for (const d of docs) byPerson.get(d.personId)?.push(d.axisId);
    return people.map((personId) => ({ personId, axisIds: byPerson.get(personId) ?? [] }));
  }
}

/** An update as stored: its number as `_id`; its 👏 and questions are counted from their own documents. */
type UpdateDoc = Omit<AxisUpdate, 'id' | 'reactions' | 'questions'> & { _id: number };

interface ReactionDoc {
  _id: string;
  updateId: number;
  personId: string;
  at: Date;
}

interface QuestionDoc {
  _id: number;
  updateId: number;
  askerId: string;
  text: string;
  askedAt: Date;
  answer?: string;
  answeredBy?: string;
  answeredAt?: Date;
}

interface PostDoc {
  _id: string;
  updateId: number;
  platform: 'slack' | 'teams';
  channel: string;
  messageId: string;
}

function toQuestion(d: QuestionDoc): AxisQuestion {
  const { _id, ...rest } = d;
  return { id: _id, ...rest };
}

/**
 * Updates. 👏 are one document per update and person whose `_id` says so: an insert is exact on every
 * server (FerretDB 1.x included), and the count is counted from them, never kept apart.
 */
export class MongoAxisUpdates implements AxisUpdateRepository {
  private readonly updates: Collection<UpdateDoc>;
  private readonly reactions: Collection<ReactionDoc>;
  private readonly questionsCol: Collection<QuestionDoc>;
  private readonly postsCol: Collection<PostDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.updates = db.collection<UpdateDoc>('axis_updates');
    this.reactions = db.collection<ReactionDoc>('axis_update_reactions');
    this.questionsCol = db.collection<QuestionDoc>('axis_update_questions');
    this.postsCol = db.collection<PostDoc>('axis_update_posts');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection<UpdateDoc>('axis_updates'), [
      { key: { axisId: 1, createdAt: -1 }, name: 'axis_updates_axis_created' },
      { key: { createdAt: -1 }, name: 'axis_updates_created' },
    ]);
    await createIndexes(db.collection<ReactionDoc>('axis_update_reactions'), [{ key: { updateId: 1 }, name: 'axis_update_reactions_update' }]);
    await createIndexes(db.collection<QuestionDoc>('axis_update_questions'), [{ key: { updateId: 1, askedAt: 1 }, name: 'axis_update_questions_update' }]);
  }

  private async full(d: UpdateDoc): Promise<AxisUpdate> {
    const [reactions, questions] = await Promise.all([this.reactions.countDocuments({ updateId: d._id }), this.questionsCol.countDocuments({ updateId: d._id })]);
    const { _id, ...rest } = d;
    return { id: _id, ...rest, reactions, questions };
  }

  async create(u: NewAxisUpdate): Promise<AxisUpdate> {
    const doc: UpdateDoc = {
      _id: await nextSeq(this.counters, this.serial, 'axisUpdates'),
      axisId: u.axisId,
      authorId: u.authorId,
      status: u.status,
      done: u.done,
      next: u.next,
      createdAt: u.createdAt,
      reachedFollowers: u.reachedFollowers,
    };
    if (u.progress !== undefined) doc.progress = u.progress;
    if (u.help !== undefined) doc.help = u.help;
    if (u.link !== undefined) doc.link = u.link;
    await this.updates.insertOne(doc);
    return this.full(doc);
  }

  async get(id: number): Promise<AxisUpdate | null> {
    const d = await this.updates.findOne({ _id: id });
    return d ? this.full(d) : null;
  }

  async history(axisId: string, limit: number): Promise<AxisUpdate[]> {
    const docs = await this.updates.find({ axisId }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
    return Promise.all(docs.map((d) => this.full(d)));
  }

  async since(since: Date): Promise<AxisUpdate[]> {
    const docs = await this.updates
      .find({ createdAt: { $gte: since } })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    return Promise.all(docs.map((d) => this.full(d)));
  }

  async edit(id: number, patch: AxisUpdatePatch, at: Date): Promise<AxisUpdate | null> {
    const set: Record<string, unknown> = { editedAt: at };
    const unset: Record<string, ''> = {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) unset[k] = '';
      else set[k] = v;
    }
    const r = await this.serial.run(`axisUpdate:${id}`, () => this.updates.updateOne({ _id: id }, Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set }));
    return r.matchedCount === 1 ? this.get(id) : null;
  }

  async lastReached(axisId: string): Promise<Date | null> {
    const d = await this.updates.find({ axisId, reachedFollowers: true }).sort({ createdAt: -1 }).limit(1).next();
    return d?.createdAt ?? null;
  }

  async react(updateId: number, personId: string, at: Date): Promise<{ added: boolean; count: number } | null> {
    if ((await this.updates.countDocuments({ _id: updateId }, { limit: 1 })) === 0) return null;
    let added = true;
    try {
      await this.reactions.insertOne({ _id: `${updateId}:${personId}`, updateId, personId, at });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      added = false;
    }
    return { added, count: await this.reactions.countDocuments({ updateId }) };
  }

  async ask(updateId: number, askerId: string, text: string, at: Date): Promise<AxisQuestion> {
    const doc: QuestionDoc = { _id: await nextSeq(this.counters, this.serial, 'axisQuestions'), updateId, askerId, text, askedAt: at };
    await this.questionsCol.insertOne(doc);
    return toQuestion(doc);
  }

  async question(id: number): Promise<AxisQuestion | null> {
    const d = await this.questionsCol.findOne({ _id: id });
    return d ? toQuestion(d) : null;
  }

  async answer(id: number, text: string, by: string, at: Date): Promise<AxisQuestion | null> {
    const r = await this.questionsCol.updateOne({ _id: id }, { $set: { answer: text, answeredBy: by, answeredAt: at } });
    return r.matchedCount === 1 ? this.question(id) : null;
  }

  async questions(updateId: number): Promise<AxisQuestion[]> {
    return (await this.questionsCol.find({ updateId }).sort({ askedAt: 1, _id: 1 }).toArray()).map(toQuestion);
  }

  async recordPost(post: AxisUpdatePost): Promise<void> {
    const _id = `${post.updateId}:${post.platform}:${post.channel}`;
    const doc = { ...post };
    await this.postsCol.replaceOne({ _id }, doc, { upsert: true }).catch(async (e) => {
      if (!isDuplicateKey(e)) throw e;
      await this.postsCol.replaceOne({ _id }, doc);
    });
  }

  async posts(updateId: number): Promise<AxisUpdatePost[]> {
    return (await this.postsCol.find({ updateId }).sort({ platform: 1, channel: 1 }).toArray()).map(({ _id, ...p }) => p);
  }
}
