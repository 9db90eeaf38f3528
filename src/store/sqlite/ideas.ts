import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Idea, IdeaQuery, IdeaStatus, NewIdea } from '../../domain/ideas';
import type { IdeaRepository } from '../../domain/ports';
import type { CrashPoints } from '../crash-points';
import { transaction } from './transaction';

export interface IdeaRow {
  id: number;
  title: string;
  description: string;
  axis_id: string;
  hashtags: string;
  anonymous: number;
  author_id: string;
  status: IdeaStatus;
  answer: string | null;
  answered_by: string | null;
  answered_at: number | null;
  hidden_reason: string | null;
  hidden_by: string | null;
  hidden_at: number | null;
  merged_into: number | null;
  credited_to?: string | null;
  support_count: number;
  created_at: number;
  updated_at: number;
}

export function toIdea(r: IdeaRow): Idea {
  const idea: Idea = {
    id: Number(r.id),
    title: r.title,
    description: r.description,
    axisId: r.axis_id,
    hashtags: JSON.parse(r.hashtags) as string[],
    anonymous: r.anonymous === 1,
    authorId: r.author_id,
    status: r.status,
    supportCount: Number(r.support_count),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
  if (r.answer !== null) idea.answer = r.answer;
  if (r.answered_by !== null) idea.answeredBy = r.answered_by;
  if (r.answered_at !== null) idea.answeredAt = new Date(r.answered_at);
  if (r.hidden_reason !== null) idea.hidden = { reason: r.hidden_reason, by: r.hidden_by ?? '', at: new Date(r.hidden_at ?? 0) };
  if (r.merged_into !== null) idea.mergedInto = Number(r.merged_into);
  if (r.credited_to) idea.creditedTo = r.credited_to;
  return idea;
}

const VISIBLE = 'i.hidden_reason IS NULL AND i.merged_into IS NULL';

export class SqliteIdeas implements IdeaRepository {
  private readonly s: Record<string, StatementSync>;

  constructor(
    private readonly db: DatabaseSync,
    private readonly crash: CrashPoints,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO ideas (title, description, axis_id, hashtags, anonymous, author_id, status, created_at, updated_at, credited_to)
         VALUES (?, ?, ?, ?, ?, ?, 'proposee', ?, ?, ?) RETURNING *`,
      ),
      tag: db.prepare('INSERT OR IGNORE INTO idea_hashtags (hashtag, idea_id) VALUES (?, ?)'),
      get: db.prepare('SELECT * FROM ideas WHERE id = ?'),
      all: db.prepare('SELECT * FROM ideas ORDER BY id'),
      since: db.prepare(`SELECT * FROM ideas i WHERE ${VISIBLE} AND (i.created_at >= :t OR i.answered_at >= :t) ORDER BY i.id DESC`),
      status: db.prepare('UPDATE ideas SET status = ?, answer = ?, answered_by = ?, answered_at = ?, updated_at = ? WHERE id = ? RETURNING *'),
      hide: db.prepare('UPDATE ideas SET hidden_reason = ?, hidden_by = ?, hidden_at = ?, updated_at = ? WHERE id = ? RETURNING *'),
      addSupport: db.prepare('INSERT OR IGNORE INTO supports (idea_id, person_id, created_at) VALUES (?, ?, ?)'),
      removeSupport: db.prepare('DELETE FROM supports WHERE idea_id = ? AND person_id = ?'),
      bump: db.prepare('UPDATE ideas SET support_count = support_count + ? WHERE id = ?'),
      supporters: db.prepare('SELECT person_id FROM supports WHERE idea_id = ? ORDER BY created_at, person_id'),
      moveSupports: db.prepare('INSERT OR IGNORE INTO supports (idea_id, person_id, created_at) SELECT ?, person_id, created_at FROM supports WHERE idea_id = ?'),
      dropSupports: db.prepare('DELETE FROM supports WHERE idea_id = ?'),
      recount: db.prepare('UPDATE ideas SET support_count = (SELECT COUNT(*) FROM supports WHERE idea_id = ?), updated_at = ? WHERE id = ?'),
      recountAll: db.prepare(
        `UPDATE ideas SET support_count = (SELECT COUNT(*) FROM supports WHERE idea_id = ideas.id)
         WHERE support_count <> (SELECT COUNT(*) FROM supports WHERE idea_id = ideas.id)`,
      ),
      markMerged: db.prepare('UPDATE ideas SET merged_into = ?, updated_at = ? WHERE id = ?'),
    };
  }

  async create(n: NewIdea): Promise<Idea> {
    return transaction(this.db, () => {
      const at = n.createdAt.getTime();
      const row = this.s.insert.get(
        n.title,
        n.description,
        n.axisId,
        JSON.stringify(n.hashtags),
        n.anonymous ? 1 : 0,
        n.authorId,
        at,
        at,
        n.creditedTo ?? null,
      ) as unknown as IdeaRow;
      for (const h of n.hashtags) this.s.tag.run(h, row.id);
      return toIdea(row);
    });
  }

  async get(id: number): Promise<Idea | null> {
    const row = this.s.get.get(id) as unknown as IdeaRow | undefined;
    return row ? toIdea(row) : null;
  }

  async list(q: IdeaQuery): Promise<{ items: Idea[]; total: number }> {
    const where = [VISIBLE];
    const params: Array<string | number> = [];
    let from = 'ideas i';
    if (q.hashtag) {
      from = 'ideas i JOIN idea_hashtags h ON h.idea_id = i.id AND h.hashtag = ?';
      params.push(q.hashtag);
    }
    if (q.axisId) {
      where.push('i.axis_id = ?');
      params.push(q.axisId);
    }
    if (q.authorId) {
      where.push('i.author_id = ?');
      params.push(q.authorId);
    }
    const order = q.sort === 'top' ? 'i.support_count DESC, i.id DESC' : 'i.id DESC';
    const sql = `SELECT i.* FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const items = (this.db.prepare(sql).all(...params, q.limit, q.offset) as unknown as IdeaRow[]).map(toIdea);
    const total = Number((this.db.prepare(`SELECT COUNT(*) AS n FROM ${from} WHERE ${where.join(' AND ')}`).get(...params) as { n: number }).n);
    return { items, total };
  }

  async all(): Promise<Idea[]> {
    return (this.s.all.all() as unknown as IdeaRow[]).map(toIdea);
  }

  async since(since: Date): Promise<Idea[]> {
    return (this.s.since.all({ t: since.getTime() }) as unknown as IdeaRow[]).map(toIdea);
  }

  async setStatus(id: number, status: IdeaStatus, answer: string | undefined, by: string, at: Date): Promise<Idea> {
    const row = this.s.status.get(status, answer ?? null, by, at.getTime(), at.getTime(), id) as unknown as IdeaRow | undefined;
    if (!row) throw new Error(`idea ${id} not found`);
    return toIdea(row);
  }

  async hide(id: number, reason: string, by: string, at: Date): Promise<Idea> {
    const row = this.s.hide.get(reason, by, at.getTime(), at.getTime(), id) as unknown as IdeaRow | undefined;
    if (!row) throw new Error(`idea ${id} not found`);
    return toIdea(row);
  }

  async merge(fromId: number, intoId: number, at: Date): Promise<{ from: Idea; into: Idea }> {
    return transaction(this.db, () => {
      this.s.moveSupports.run(intoId, fromId);
      this.s.dropSupports.run(fromId);
      this.s.recount.run(intoId, at.getTime(), intoId);
      this.s.recount.run(fromId, at.getTime(), fromId);
      this.s.markMerged.run(intoId, at.getTime(), fromId);
      return {
        from: toIdea(this.s.get.get(fromId) as unknown as IdeaRow),
        into: toIdea(this.s.get.get(intoId) as unknown as IdeaRow),
      };
    });
  }

  async addSupport(ideaId: number, personId: string, at: Date): Promise<boolean> {
    return transaction(this.db, () => {
      const { changes } = this.s.addSupport.run(ideaId, personId, at.getTime());
      if (Number(changes) === 0) return false;
      this.crash.reached('support.added');
      this.s.bump.run(1, ideaId);
      return true;
    });
  }

  async removeSupport(ideaId: number, personId: string): Promise<boolean> {
    return transaction(this.db, () => {
      const { changes } = this.s.removeSupport.run(ideaId, personId);
      if (Number(changes) === 0) return false;
      this.s.bump.run(-1, ideaId);
      return true;
    });
  }

  /** Support counts that differ from the supports (none: each support and its count share a transaction); returns how many were put right. */
  recountAll(): number {
    return Number(this.s.recountAll.run().changes);
  }

  async supporters(ideaId: number): Promise<string[]> {
    return (this.s.supporters.all(ideaId) as Array<{ person_id: string }>).map((r) => r.person_id);
  }

  async supportedBy(personId: string, ideaIds: number[]): Promise<Set<number>> {
    if (ideaIds.length === 0) return new Set();
    const marks = ideaIds.map(() => '?').join(',');
    const rows = this.db.prepare(`SELECT idea_id FROM supports WHERE person_id = ? AND idea_id IN (${marks})`).all(personId, ...ideaIds) as Array<{ idea_id: number }>;
    return new Set(rows.map((r) => Number(r.idea_id)));
  }
}
