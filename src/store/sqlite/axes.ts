import type { DatabaseSync } from 'node:sqlite';
import type { AxisQuestion, AxisUpdate, AxisUpdatePatch, AxisUpdatePost, AxisUpdateStatus, NewAxisUpdate, PersonFollows } from '../../domain/axes';
import type { AxisUpdateRepository, FollowRepository } from '../../domain/ports';
import { transaction } from './transaction';

export class SqliteFollows implements FollowRepository {
  constructor(private readonly db: DatabaseSync) {}

  async follow(personId: string, axisId: string, at: Date): Promise<boolean> {
    return Number(this.db.prepare('INSERT OR IGNORE INTO axis_follows (person_id, axis_id, at) VALUES (?, ?, ?)').run(personId, axisId, at.getTime()).changes) > 0;
  }

  async unfollow(personId: string, axisId: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM axis_follows WHERE person_id = ? AND axis_id = ?').run(personId, axisId).changes) > 0;
  }

  async axesOf(personId: string): Promise<string[]> {
    return (this.db.prepare('SELECT axis_id FROM axis_follows WHERE person_id = ? ORDER BY at, rowid').all(personId) as Array<{ axis_id: string }>).map((r) => r.axis_id);
  }

  async followers(axisId: string): Promise<string[]> {
    return (this.db.prepare('SELECT person_id FROM axis_follows WHERE axis_id = ? ORDER BY at, rowid').all(axisId) as Array<{ person_id: string }>).map((r) => r.person_id);
  }

  async counts(): Promise<Map<string, number>> {
    const rows = this.db.prepare('SELECT axis_id, COUNT(*) AS n FROM axis_follows GROUP BY axis_id').all() as Array<{ axis_id: string; n: number }>;
    return new Map(rows.map((r) => [r.axis_id, Number(r.n)]));
  }

  async page(after: string | null, limit: number): Promise<PersonFollows[]> {
    const people = (
      this.db.prepare('SELECT DISTINCT person_id FROM axis_follows WHERE person_id > ? ORDER BY person_id LIMIT ?').all(after ?? '', limit) as Array<{ person_id: string }>
    ).map((r) => r.person_id);
    if (people.length === 0) return [];
    const marks = people.map(() => '?').join(',');
    const rows = this.db.prepare(`SELECT person_id, axis_id FROM axis_follows WHERE person_id IN (${marks}) ORDER BY person_id, at, rowid`).all(...people) as Array<{
      person_id: string;
      axis_id: string;
    }>;
    const byPerson = new Map<string, string[]>(people.map((p) => [p, []]));
    for (const r of rows) byPerson.get(r.person_id)?.push(r.axis_id);
    return people.map((personId) => ({ personId, axisIds: byPerson.get(personId) ?? [] }));
  }
}

interface UpdateRow {
  id: number;
  axis_id: string;
  author_id: string;
  status: AxisUpdateStatus;
  progress: number | null;
  done: string;
  next: string;
  help: string | null;
  link: string | null;
  created_at: number;
  edited_at: number | null;
  reached_followers: number;
  reactions: number;
  questions: number;
}

interface QuestionRow {
  id: number;
  update_id: number;
  asker_id: string;
  text: string;
  asked_at: number;
  answer: string | null;
  answered_by: string | null;
  answered_at: number | null;
}

const SELECT_UPDATE = `SELECT u.*,
  (SELECT COUNT(*) FROM axis_update_reactions r WHERE r.update_id = u.id) AS reactions,
  (SELECT COUNT(*) FROM axis_update_questions q WHERE q.update_id = u.id) AS questions
  FROM axis_updates u`;

function toUpdate(r: UpdateRow): AxisUpdate {
  return {
    id: Number(r.id),
    axisId: r.axis_id,
    authorId: r.author_id,
    status: r.status,
    ...(r.progress === null ? {} : { progress: Number(r.progress) }),
    done: r.done,
    next: r.next,
    ...(r.help === null ? {} : { help: r.help }),
    ...(r.link === null ? {} : { link: r.link }),
    createdAt: new Date(Number(r.created_at)),
    ...(r.edited_at === null ? {} : { editedAt: new Date(Number(r.edited_at)) }),
    reachedFollowers: r.reached_followers === 1,
    reactions: Number(r.reactions),
    questions: Number(r.questions),
  };
}

function toQuestion(r: QuestionRow): AxisQuestion {
  return {
    id: Number(r.id),
    updateId: Number(r.update_id),
    askerId: r.asker_id,
    text: r.text,
    askedAt: new Date(Number(r.asked_at)),
    ...(r.answer === null ? {} : { answer: r.answer }),
    ...(r.answered_by === null ? {} : { answeredBy: r.answered_by }),
    ...(r.answered_at === null ? {} : { answeredAt: new Date(Number(r.answered_at)) }),
  };
}

export class SqliteAxisUpdates implements AxisUpdateRepository {
  constructor(private readonly db: DatabaseSync) {}

  async create(u: NewAxisUpdate): Promise<AxisUpdate> {
    const r = this.db
      .prepare('INSERT INTO axis_updates (axis_id, author_id, status, progress, done, next, help, link, created_at, reached_followers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(u.axisId, u.authorId, u.status, u.progress ?? null, u.done, u.next, u.help ?? null, u.link ?? null, u.createdAt.getTime(), u.reachedFollowers ? 1 : 0);
    return (await this.get(Number(r.lastInsertRowid))) as AxisUpdate;
  }

  async get(id: number): Promise<AxisUpdate | null> {
    const r = this.db.prepare(`${SELECT_UPDATE} WHERE u.id = ?`).get(id) as UpdateRow | undefined;
    return r ? toUpdate(r) : null;
  }

  async history(axisId: string, limit: number): Promise<AxisUpdate[]> {
    return (this.db.prepare(`${SELECT_UPDATE} WHERE u.axis_id = ? ORDER BY u.created_at DESC, u.id DESC LIMIT ?`).all(axisId, limit) as unknown as UpdateRow[]).map(toUpdate);
  }

  async since(since: Date): Promise<AxisUpdate[]> {
    return (this.db.prepare(`${SELECT_UPDATE} WHERE u.created_at >= ? ORDER BY u.created_at DESC, u.id DESC`).all(since.getTime()) as unknown as UpdateRow[]).map(toUpdate);
  }

  async edit(id: number, patch: AxisUpdatePatch, at: Date): Promise<AxisUpdate | null> {
    const columns: Record<keyof AxisUpdatePatch, string> = { status: 'status', progress: 'progress', done: 'done', next: 'next', help: 'help', link: 'link' };
    const sets: string[] = ['edited_at = ?'];
    const values: Array<string | number | null> = [at.getTime()];
    for (const [k, col] of Object.entries(columns) as Array<[keyof AxisUpdatePatch, string]>) {
      if (!(k in patch)) continue;
      sets.push(`${col} = ?`);
      values.push((patch[k] as string | number | undefined) ?? null);
    }
    const r = this.db.prepare(`UPDATE axis_updates SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return Number(r.changes) > 0 ? this.get(id) : null;
  }

  async lastReached(axisId: string): Promise<Date | null> {
    const r = this.db.prepare('SELECT MAX(created_at) AS at FROM axis_updates WHERE axis_id = ? AND reached_followers = 1').get(axisId) as { at: number | null };
    return r.at === null ? null : new Date(Number(r.at));
  }

  async react(updateId: number, personId: string, at: Date): Promise<{ added: boolean; count: number } | null> {
    return transaction(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM axis_updates WHERE id = ?').get(updateId)) return null;
      const added =
        Number(this.db.prepare('INSERT OR IGNORE INTO axis_update_reactions (update_id, person_id, at) VALUES (?, ?, ?)').run(updateId, personId, at.getTime()).changes) > 0;
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM axis_update_reactions WHERE update_id = ?').get(updateId) as { n: number };
      return { added, count: Number(n) };
    });
  }

  async ask(updateId: number, askerId: string, text: string, at: Date): Promise<AxisQuestion> {
    const r = this.db.prepare('INSERT INTO axis_update_questions (update_id, asker_id, text, asked_at) VALUES (?, ?, ?, ?)').run(updateId, askerId, text, at.getTime());
    return (await this.question(Number(r.lastInsertRowid))) as AxisQuestion;
  }

  async question(id: number): Promise<AxisQuestion | null> {
    const r = this.db.prepare('SELECT * FROM axis_update_questions WHERE id = ?').get(id) as QuestionRow | undefined;
    return r ? toQuestion(r) : null;
  }

  async answer(id: number, text: string, by: string, at: Date): Promise<AxisQuestion | null> {
    const r = this.db.prepare('UPDATE axis_update_questions SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?').run(text, by, at.getTime(), id);
    return Number(r.changes) > 0 ? this.question(id) : null;
  }

  async questions(updateId: number): Promise<AxisQuestion[]> {
    return (this.db.prepare('SELECT * FROM axis_update_questions WHERE update_id = ? ORDER BY asked_at, id').all(updateId) as unknown as QuestionRow[]).map(toQuestion);
  }

  async recordPost(post: AxisUpdatePost): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO axis_update_posts (update_id, platform, channel, message_id) VALUES (?, ?, ?, ?) ON CONFLICT (update_id, platform, channel) DO UPDATE SET message_id = excluded.message_id',
      )
      .run(post.updateId, post.platform, post.channel, post.messageId);
  }

  async posts(updateId: number): Promise<AxisUpdatePost[]> {
    const rows = this.db.prepare('SELECT * FROM axis_update_posts WHERE update_id = ? ORDER BY platform, channel').all(updateId) as Array<{
      update_id: number;
      platform: 'slack' | 'teams';
      channel: string;
      message_id: string;
    }>;
    return rows.map((r) => ({ updateId: Number(r.update_id), platform: r.platform, channel: r.channel, messageId: r.message_id }));
  }
}
