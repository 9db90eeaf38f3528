import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type {
  Answer,
  Consultation,
  ConsultationState,
  NewConsultation,
  RegisterRow,
  RegisterState,
  ResponseGroups,
  SaveOutcome,
  StoredAnswer,
  StoredResponse,
} from '../../domain/consultations';
import type { ConsultationRepository } from '../../domain/ports';
import { bodyOf, type ConsultationBody } from '../consultations-codec';
import { createIndexes, isDuplicateKey, nextSeq } from './compat';
import type { Serializer } from './serial';

type ConsultationDoc = ConsultationBody & {
  _id: number;
  state: ConsultationState;
  anonymous: boolean;
  opensAt: Date;
  closesAt: Date;
  reached: number;
  createdBy: string;
  createdAt: Date;
};

/** `_id` is `<consultation>:<person>`: one row per person, unique on every server. */
interface RegisterDoc {
  _id: string;
  consultationId: number;
  personId: string;
  state: RegisterState;
  responseId?: string;
  page: number;
}

/** `_id` is `<consultation>:<response>`: a random id, so the documents keep no order of arrival (no ObjectId, whose first bytes are a time). */
interface ResponseDoc {
  _id: string;
  consultationId: number;
  responseId: string;
  day: string;
  groups: ResponseGroups;
}

/** `_id` is `<consultation>:<response>:<question>`. No person id, no time finer than the day. */
interface AnswerDoc {
  _id: string;
  consultationId: number;
  responseId: string;
  question: string;
  value: string;
  day: string;
}

function fromDoc(d: ConsultationDoc): Consultation {
  const { _id, ...rest } = d;
  return { id: _id, ...rest, intro: rest.intro ?? undefined };
}

function fromRegister(d: RegisterDoc): RegisterRow {
  return { consultationId: d.consultationId, personId: d.personId, state: d.state, page: d.page, ...(d.responseId ? { responseId: d.responseId } : {}) };
}

/**
 * Consultations on MongoDB. A person's answer is written under the lock of their register row (on servers
 * without atomic updates), and the move to « done » is a conditional update: of two submissions at once,
 * one wins. Without transactions, a submission records « done » first and writes its last page after: a
 * writer that stops in between loses that page, never counts a person twice.
 */
export class MongoConsultations implements ConsultationRepository {
  private readonly col: Collection<ConsultationDoc>;
  private readonly register: Collection<RegisterDoc>;
  private readonly responses_: Collection<ResponseDoc>;
  private readonly answers_: Collection<AnswerDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<ConsultationDoc>('consultations');
    this.register = db.collection<RegisterDoc>('consultation_register');
    this.responses_ = db.collection<ResponseDoc>('consultation_responses');
    this.answers_ = db.collection<AnswerDoc>('consultation_answers');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection<RegisterDoc>('consultation_register'), [
      { key: { consultationId: 1, state: 1 }, name: 'register_consultation_state' },
      { key: { personId: 1 }, name: 'register_person' },
    ]);
    await createIndexes(db.collection<AnswerDoc>('consultation_answers'), [{ key: { consultationId: 1, responseId: 1 }, name: 'answers_consultation_response' }]);
    await createIndexes(db.collection<ResponseDoc>('consultation_responses'), [{ key: { consultationId: 1 }, name: 'responses_consultation' }]);
  }

  async create(c: NewConsultation): Promise<Consultation> {
    const id = await nextSeq(this.counters, this.serial, 'consultations');
    const doc: ConsultationDoc = {
      _id: id,
      ...bodyOf(c),
      state: 'draft',
      anonymous: c.anonymous,
      opensAt: c.opensAt,
      closesAt: c.closesAt,
      reached: 0,
      createdBy: c.createdBy,
      createdAt: c.createdAt,
    };
    await this.col.insertOne(doc);
    return fromDoc(doc);
  }

  async get(id: number): Promise<Consultation | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? fromDoc(d) : null;
  }

  async list(limit: number): Promise<Consultation[]> {
    return (await this.col.find({}).sort({ _id: -1 }).limit(limit).toArray()).map(fromDoc);
  }

  async setState(
    id: number,
    from: ConsultationState[],
    to: ConsultationState,
    patch: Partial<Pick<Consultation, 'opensAt' | 'closesAt' | 'audience' | 'results'>> = {},
  ): Promise<Consultation | null> {
    return this.serial.run(`consultation:${id}`, async () => {
      const d = await this.col.findOneAndUpdate({ _id: id, state: { $in: from } }, { $set: { ...patch, state: to } }, { returnDocument: 'after' });
      return d ? fromDoc(d) : null;
    });
  }

  async invite(id: number, personIds: string[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < personIds.length; i += 1000) {
      const docs = personIds.slice(i, i + 1000).map((p) => ({ _id: `${id}:${p}`, consultationId: id, personId: p, state: 'invited' as const, page: 0 }));
      try {
        added += (await this.register.insertMany(docs, { ordered: false })).insertedCount;
      } catch (e) {
        if (!isDuplicateKey(e) && (e as { code?: number }).code !== 11000) throw e;
        added += (e as { result?: { insertedCount?: number } }).result?.insertedCount ?? 0;
      }
    }
    const reached = await this.register.countDocuments({ consultationId: id });
    await this.col.updateOne({ _id: id }, { $set: { reached } });
    return added;
  }

  async registerOf(id: number, personId: string): Promise<RegisterRow | null> {
    const d = await this.register.findOne({ _id: `${id}:${personId}` });
    return d ? fromRegister(d) : null;
  }

  async pending(id: number): Promise<string[]> {
    return (
      await this.register
        .find({ consultationId: id, state: { $ne: 'done' } })
        .sort({ personId: 1 })
        .toArray()
    ).map((d) => d.personId);
  }

  async figures(id: number): Promise<{ reached: number; started: number; done: number }> {
    const [reached, started, done] = await Promise.all([
      this.register.countDocuments({ consultationId: id }),
      this.register.countDocuments({ consultationId: id, state: 'in_progress' }),
      this.register.countDocuments({ consultationId: id, state: 'done' }),
    ]);
    return { reached, started, done };
  }

  async saveAnswers(
    id: number,
    personId: string,
    answers: Answer[],
    options: { anonymous: boolean; page: number; day: string; submit?: { groups: ResponseGroups } },
  ): Promise<SaveOutcome> {
    const key = `${id}:${personId}`;
    return this.serial.run(`consultation-register:${key}`, async () => {
      let row = await this.register.findOne({ _id: key });
      if (!row) return 'notInvited';
      if (row.state === 'done' && (options.anonymous || !row.responseId)) return 'already';
      if (row.state === 'invited') {
        // the link to the answers, made once: of two first pages at once, one makes it, the other reads it
        await this.register.updateOne({ _id: key, state: 'invited' }, { $set: { state: 'in_progress', responseId: randomUUID() } });
        row = await this.register.findOne({ _id: key });
        if (!row?.responseId) return 'already';
      }
      const responseId = row.responseId as string;
      if (options.submit && row.state !== 'done') {
        // the one move to « done »: conditional, so a second submission at the same moment loses
        const won = await this.register.updateOne(
          { _id: key, state: 'in_progress', responseId },
          options.anonymous
            ? { $set: { state: 'done', page: Math.max(row.page, options.page) }, $unset: { responseId: '' } }
            : { $set: { state: 'done', page: Math.max(row.page, options.page) } },
        );
        if (won.modifiedCount !== 1) return 'already';
        await this.write(id, responseId, answers, options.day);
        try {
          await this.responses_.insertOne({ _id: `${id}:${responseId}`, consultationId: id, responseId, day: options.day, groups: options.submit.groups });
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
        }
        return 'submitted';
      }
      await this.write(id, responseId, answers, options.day);
      if (row.state === 'done') {
        await this.responses_.updateOne({ _id: `${id}:${responseId}` }, { $set: { day: options.day } });
        return options.submit ? 'submitted' : 'saved';
      }
      await this.register.updateOne({ _id: key, state: 'in_progress' }, { $max: { page: options.page } });
      return 'saved';
    });
  }

  private async write(id: number, responseId: string, answers: Answer[], day: string): Promise<void> {
    for (const a of answers) {
      const _id = `${id}:${responseId}:${a.question}`;
      if (a.value === '') await this.answers_.deleteOne({ _id });
      else await this.answers_.updateOne({ _id }, { $set: { consultationId: id, responseId, question: a.question, value: a.value, day } }, { upsert: true });
    }
  }

  async answersOf(id: number, personId: string): Promise<Answer[]> {
    const row = await this.registerOf(id, personId);
    if (!row?.responseId) return [];
    return (await this.answers_.find({ consultationId: id, responseId: row.responseId }).sort({ question: 1 }).toArray()).map((d) => ({ question: d.question, value: d.value }));
  }

  async responses(id: number): Promise<StoredResponse[]> {
    return (await this.responses_.find({ consultationId: id }).toArray()).map((d) => ({ responseId: d.responseId, day: d.day, groups: d.groups ?? {} }));
  }

  async tally(id: number, question: string): Promise<Array<{ value: string; count: number }>> {
    const rows = await this.answers_
      .aggregate<{ _id: string; count: number }>([{ $match: { consultationId: id, question } }, { $group: { _id: '$value', count: { $sum: 1 } } }, { $sort: { _id: 1 } }])
      .toArray();
    return rows.map((r) => ({ value: r._id, count: r.count }));
  }

  async answers(id: number): Promise<StoredAnswer[]> {
    return (await this.answers_.find({ consultationId: id }).toArray()).map((d) => ({ responseId: d.responseId, question: d.question, value: d.value, day: d.day }));
  }

  async dataOf(personId: string): Promise<Record<string, unknown>> {
    const rows = await this.register.find({ personId }).sort({ consultationId: 1 }).toArray();
    const out: Array<Record<string, unknown>> = [];
    for (const r of rows) {
      const c = await this.col.findOne({ _id: r.consultationId });
      const named = c && !c.anonymous && r.responseId;
      const answers = named
        ? (await this.answers_.find({ consultationId: r.consultationId, responseId: r.responseId }).sort({ question: 1 }).toArray()).map((a) => ({
            question: a.question,
            value: a.value,
            day: a.day,
          }))
        : undefined;
      out.push({ consultation: r.consultationId, title: c?.title ?? '', anonymous: c?.anonymous ?? true, state: r.state, ...(answers ? { answers } : {}) });
    }
    return { consultations: out };
  }

  async forget(personId: string): Promise<void> {
    for (const r of await this.register.find({ personId }).toArray()) {
      if (r.responseId) {
        await this.answers_.deleteMany({ consultationId: r.consultationId, responseId: r.responseId });
        await this.responses_.deleteOne({ _id: `${r.consultationId}:${r.responseId}` });
      }
      await this.register.deleteOne({ _id: r._id });
    }
  }
}
