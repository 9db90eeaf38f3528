import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
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
import { bodyOf, type ConsultationBody, decodeGroups } from '../consultations-codec';
import { transaction } from './transaction';

interface Row {
  id: number;
  state: ConsultationState;
  anonymous: number;
  opens_at: number;
  closes_at: number;
  reached: number;
  created_by: string;
  created_at: number;
  data: string;
}

interface RegisterDbRow {
  consultation_id: number;
  person_id: string;
  state: RegisterState;
  response_id: string | null;
  page: number;
}

function fromRow(r: Row): Consultation {
  const body = JSON.parse(r.data) as ConsultationBody;
  return {
    id: r.id,
    ...body,
    anonymous: r.anonymous === 1,
    state: r.state,
    opensAt: new Date(r.opens_at),
    closesAt: new Date(r.closes_at),
    reached: r.reached,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
  };
}

function fromRegister(r: RegisterDbRow): RegisterRow {
  return { consultationId: r.consultation_id, personId: r.person_id, state: r.state, page: r.page, ...(r.response_id ? { responseId: r.response_id } : {}) };
}

const BATCH = 400;

/**
 * Consultations on the embedded store. Each write is one IMMEDIATE transaction: a person's register row
 * moves from invited to in progress to done exactly once, whoever else writes at the same time.
 */
export class SqliteConsultations implements ConsultationRepository {
  constructor(private readonly db: DatabaseSync) {}

  async create(c: NewConsultation): Promise<Consultation> {
    const r = this.db
      .prepare('INSERT INTO consultations (state, anonymous, opens_at, closes_at, created_by, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *')
      .get('draft', c.anonymous ? 1 : 0, c.opensAt.getTime(), c.closesAt.getTime(), c.createdBy, c.createdAt.getTime(), JSON.stringify(bodyOf(c))) as unknown as Row;
    return fromRow(r);
  }

  async get(id: number): Promise<Consultation | null> {
    const r = this.db.prepare('SELECT * FROM consultations WHERE id = ?').get(id) as unknown as Row | undefined;
    return r ? fromRow(r) : null;
  }

  async list(limit: number): Promise<Consultation[]> {
    return (this.db.prepare('SELECT * FROM consultations ORDER BY id DESC LIMIT ?').all(limit) as unknown as Row[]).map(fromRow);
  }

  async setState(
    id: number,
    from: ConsultationState[],
    to: ConsultationState,
    patch: Partial<Pick<Consultation, 'opensAt' | 'closesAt' | 'audience' | 'results'>> = {},
  ): Promise<Consultation | null> {
    return transaction(this.db, () => {
      const r = this.db.prepare('SELECT * FROM consultations WHERE id = ?').get(id) as unknown as Row | undefined;
      if (!r || !from.includes(r.state)) return null;
      const c = { ...fromRow(r), ...patch, state: to };
      this.db
        .prepare('UPDATE consultations SET state = ?, opens_at = ?, closes_at = ?, data = ? WHERE id = ?')
        .run(to, c.opensAt.getTime(), c.closesAt.getTime(), JSON.stringify(bodyOf(c)), id);
      return c;
    });
  }

  async invite(id: number, personIds: string[]): Promise<number> {
    return transaction(this.db, () => {
      let added = 0;
      const insert = this.db.prepare("INSERT OR IGNORE INTO consultation_register (consultation_id, person_id, state) VALUES (?, ?, 'invited')");
      for (let i = 0; i < personIds.length; i += BATCH) for (const p of personIds.slice(i, i + BATCH)) added += Number(insert.run(id, p).changes);
      this.db.prepare('UPDATE consultations SET reached = (SELECT COUNT(*) FROM consultation_register WHERE consultation_id = ?) WHERE id = ?').run(id, id);
      return added;
    });
  }

  async registerOf(id: number, personId: string): Promise<RegisterRow | null> {
    const r = this.db.prepare('SELECT * FROM consultation_register WHERE consultation_id = ? AND person_id = ?').get(id, personId) as unknown as RegisterDbRow | undefined;
    return r ? fromRegister(r) : null;
  }

  async pending(id: number): Promise<string[]> {
    return (
      this.db.prepare("SELECT person_id FROM consultation_register WHERE consultation_id = ? AND state != 'done' ORDER BY person_id").all(id) as Array<{ person_id: string }>
    ).map((r) => r.person_id);
  }

  async figures(id: number): Promise<{ reached: number; started: number; done: number }> {
    const r = this.db
      .prepare(
        "SELECT COUNT(*) AS reached, SUM(CASE WHEN state = 'in_progress' THEN 1 ELSE 0 END) AS started, SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS done FROM consultation_register WHERE consultation_id = ?",
      )
      .get(id) as { reached: number; started: number | null; done: number | null };
    return { reached: r.reached, started: r.started ?? 0, done: r.done ?? 0 };
  }

  async saveAnswers(
    id: number,
    personId: string,
    answers: Answer[],
    options: { anonymous: boolean; page: number; day: string; submit?: { groups: ResponseGroups } },
  ): Promise<SaveOutcome> {
    return transaction(this.db, () => {
      const row = this.db.prepare('SELECT * FROM consultation_register WHERE consultation_id = ? AND person_id = ?').get(id, personId) as unknown as RegisterDbRow | undefined;
      if (!row) return 'notInvited';
      if (row.state === 'done' && (options.anonymous || !row.response_id)) return 'already';
      // the link to the answers: made when the person starts
      const responseId = row.response_id ?? randomUUID();
      const replace = this.db.prepare(
        'INSERT INTO consultation_answers (consultation_id, response_id, question, value, day) VALUES (?, ?, ?, ?, ?) ON CONFLICT (consultation_id, response_id, question) DO UPDATE SET value = excluded.value, day = excluded.day',
      );
      const remove = this.db.prepare('DELETE FROM consultation_answers WHERE consultation_id = ? AND response_id = ? AND question = ?');
      for (const a of answers) {
        if (a.value === '') remove.run(id, responseId, a.question);
        else replace.run(id, responseId, a.question, a.value, options.day);
      }
      if (row.state === 'done') {
        // a named consultation's answers changed before closing
        this.db.prepare('UPDATE consultation_responses SET day = ? WHERE consultation_id = ? AND response_id = ?').run(options.day, id, responseId);
        return options.submit ? 'submitted' : 'saved';
      }
      if (!options.submit) {
        this.db
          .prepare("UPDATE consultation_register SET state = 'in_progress', response_id = ?, page = MAX(page, ?) WHERE consultation_id = ? AND person_id = ?")
          .run(responseId, options.page, id, personId);
        return 'saved';
      }
      this.db
        .prepare('INSERT OR IGNORE INTO consultation_responses (consultation_id, response_id, day, groups) VALUES (?, ?, ?, ?)')
        .run(id, responseId, options.day, JSON.stringify(options.submit.groups));
      // anonymous: the link is dropped as the person submits; named: kept, so they may change their answers
      this.db
        .prepare("UPDATE consultation_register SET state = 'done', response_id = ?, page = MAX(page, ?) WHERE consultation_id = ? AND person_id = ?")
        .run(options.anonymous ? null : responseId, options.page, id, personId);
      return 'submitted';
    });
  }

  async answersOf(id: number, personId: string): Promise<Answer[]> {
    const row = await this.registerOf(id, personId);
    if (!row?.responseId) return [];
    return this.db
      .prepare('SELECT question, value FROM consultation_answers WHERE consultation_id = ? AND response_id = ? ORDER BY question')
      .all(id, row.responseId) as unknown as Answer[];
  }

  async responses(id: number): Promise<StoredResponse[]> {
    return (
      this.db.prepare('SELECT response_id, day, groups FROM consultation_responses WHERE consultation_id = ?').all(id) as Array<{
        response_id: string;
        day: string;
        groups: string;
      }>
    ).map((r) => ({ responseId: r.response_id, day: r.day, groups: decodeGroups(r.groups) }));
  }

  async tally(id: number, question: string): Promise<Array<{ value: string; count: number }>> {
    return this.db
      .prepare('SELECT value, COUNT(*) AS count FROM consultation_answers WHERE consultation_id = ? AND question = ? GROUP BY value ORDER BY value')
      .all(id, question) as unknown as Array<{ value: string; count: number }>;
  }

  async answers(id: number): Promise<StoredAnswer[]> {
    return (
      this.db.prepare('SELECT response_id, question, value, day FROM consultation_answers WHERE consultation_id = ?').all(id) as Array<{
        response_id: string;
        question: string;
        value: string;
        day: string;
      }>
    ).map((r) => ({ responseId: r.response_id, question: r.question, value: r.value, day: r.day }));
  }

  async dataOf(personId: string): Promise<Record<string, unknown>> {
    const rows = this.db
      .prepare(
        'SELECT r.*, c.anonymous AS anonymous, c.data AS data FROM consultation_register r JOIN consultations c ON c.id = r.consultation_id WHERE r.person_id = ? ORDER BY r.consultation_id',
      )
      .all(personId) as unknown as Array<RegisterDbRow & { anonymous: number; data: string }>;
    const out = rows.map((r) => {
      const title = (JSON.parse(r.data) as ConsultationBody).title;
      const named = r.anonymous === 0 && r.response_id;
      const answers = named
        ? (this.db
            .prepare('SELECT question, value, day FROM consultation_answers WHERE consultation_id = ? AND response_id = ? ORDER BY question')
            .all(r.consultation_id, r.response_id) as unknown as Array<Answer & { day: string }>)
        : undefined;
      return { consultation: r.consultation_id, title, anonymous: r.anonymous === 1, state: r.state, ...(answers ? { answers } : {}) };
    });
    return { consultations: out };
  }

  async forget(personId: string): Promise<void> {
    transaction(this.db, () => {
      const linked = this.db.prepare('SELECT consultation_id, response_id FROM consultation_register WHERE person_id = ? AND response_id IS NOT NULL').all(personId) as Array<{
        consultation_id: number;
        response_id: string;
      }>;
      // what is linked to the person (named answers, an anonymous response still being written) goes with them
      for (const l of linked) {
        this.db.prepare('DELETE FROM consultation_answers WHERE consultation_id = ? AND response_id = ?').run(l.consultation_id, l.response_id);
        this.db.prepare('DELETE FROM consultation_responses WHERE consultation_id = ? AND response_id = ?').run(l.consultation_id, l.response_id);
      }
      this.db.prepare('DELETE FROM consultation_register WHERE person_id = ?').run(personId);
    });
  }
}
