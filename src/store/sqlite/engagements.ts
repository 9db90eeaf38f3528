import type { DatabaseSync } from 'node:sqlite';
import { type Engagement, type EngagementState, type EngagementStep, type EngagementTransition, isOpen, type NewEngagement } from '../../domain/engagement';
import type { EngagementRepository } from '../../domain/ports';
import { type EngagementBody, engagementBody, fromBody, withSet } from '../engagement-codec';
import { transaction } from './transaction';

interface Row {
  id: number;
  person_id: string;
  manager_id: string | null;
  state: EngagementState;
  renewal_of: number | null;
  created_at: number;
  updated_at: number;
  data: string;
}

function fromRow(r: Row): Engagement {
  return fromBody(
    {
      id: r.id,
      personId: r.person_id,
      managerId: r.manager_id,
      state: r.state,
      renewalOf: r.renewal_of,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    },
    JSON.parse(r.data) as EngagementBody,
  );
}

/** The slot a request takes: the person's one open engagement, or the renewal of it. */
const slotOf = (personId: string, renewal: boolean) => (renewal ? `${personId}:renewal` : personId);

export class SqliteEngagements implements EngagementRepository {
  constructor(private readonly db: DatabaseSync) {}

  async create(request: NewEngagement, at: Date): Promise<Engagement | null> {
    return transaction(this.db, () => {
      const slot = slotOf(request.personId, request.renewalOf != null);
      if (this.db.prepare('SELECT 1 FROM engagement_slots WHERE slot = ?').get(slot)) return null;
      const body = engagementBody({
        ...request,
        managerApprovedAt: null,
        labApprovedBy: null,
        labApprovedAt: null,
        activeFrom: null,
        termEnd: null,
        evaluation: null,
      });
      const r = this.db
        .prepare(
          `INSERT INTO engagements (person_id, manager_id, state, renewal_of, created_at, updated_at, data)
           VALUES (?, ?, 'pending_manager', ?, ?, ?, ?) RETURNING *`,
        )
        .get(request.personId, request.managerId, request.renewalOf ?? null, at.getTime(), at.getTime(), JSON.stringify(body)) as unknown as Row;
      this.db.prepare('INSERT INTO engagement_slots (slot, engagement_id) VALUES (?, ?)').run(slot, r.id);
      this.step(r.id, 'pending_manager', request.personId, at);
      return fromRow(r);
    });
  }

  async get(id: number): Promise<Engagement | null> {
    const r = this.db.prepare('SELECT * FROM engagements WHERE id = ?').get(id) as unknown as Row | undefined;
    return r ? fromRow(r) : null;
  }

  async transition(id: number, change: EngagementTransition): Promise<Engagement | null> {
    return transaction(this.db, () => {
      const r = this.db.prepare('SELECT * FROM engagements WHERE id = ?').get(id) as unknown as Row | undefined;
      if (!r || !change.from.includes(r.state)) return null;
      const next = { ...withSet(fromRow(r), change.set), state: change.to, updatedAt: change.at };
      this.db.prepare('UPDATE engagements SET state = ?, updated_at = ?, data = ? WHERE id = ?').run(change.to, change.at.getTime(), JSON.stringify(engagementBody(next)), id);
      if (!isOpen(change.to)) this.db.prepare('DELETE FROM engagement_slots WHERE engagement_id = ?').run(id);
      else if (change.to === 'active' && r.renewal_of != null) {
        // the renewal becomes the person's open engagement (the one it renews has ended meanwhile)
        this.db.prepare('DELETE FROM engagement_slots WHERE engagement_id IN (?, ?)').run(id, r.renewal_of);
        this.db.prepare('INSERT OR REPLACE INTO engagement_slots (slot, engagement_id) VALUES (?, ?)').run(slotOf(r.person_id, false), id);
      }
      this.step(id, change.to, change.by, change.at, change.reason);
      return next;
    });
  }

  async forPerson(personId: string): Promise<Engagement[]> {
    return (this.db.prepare('SELECT * FROM engagements WHERE person_id = ? ORDER BY id DESC').all(personId) as unknown as Row[]).map(fromRow);
  }

  async managedBy(personId: string): Promise<Engagement[]> {
    return (this.db.prepare('SELECT * FROM engagements WHERE manager_id = ? ORDER BY id DESC').all(personId) as unknown as Row[]).map(fromRow);
  }

  async list(states?: readonly EngagementState[]): Promise<Engagement[]> {
    if (!states) return (this.db.prepare('SELECT * FROM engagements ORDER BY id DESC').all() as unknown as Row[]).map(fromRow);
    if (!states.length) return [];
    const marks = states.map(() => '?').join(',');
    return (this.db.prepare(`SELECT * FROM engagements WHERE state IN (${marks}) ORDER BY id DESC`).all(...states) as unknown as Row[]).map(fromRow);
  }

  async history(id: number): Promise<EngagementStep[]> {
    const rows = this.db.prepare('SELECT * FROM engagement_steps WHERE engagement_id = ? ORDER BY seq').all(id) as unknown as Array<{
      engagement_id: number;
      state: EngagementState;
      by: string;
      at: number;
      reason: string | null;
    }>;
    return rows.map((s) => ({ engagementId: s.engagement_id, state: s.state, by: s.by, at: new Date(s.at), ...(s.reason ? { reason: s.reason } : {}) }));
  }

  async dataOf(personId: string): Promise<Record<string, unknown>> {
    const own = await this.forPerson(personId);
    const withHistory = await Promise.all(own.map(async (e) => ({ ...e, history: await this.history(e.id) })));
    const managed = (await this.managedBy(personId)).map((e) => ({ id: e.id, agent: e.personId, state: e.state, managerApprovedAt: e.managerApprovedAt }));
    const steps = (
      this.db.prepare('SELECT engagement_id, state, at FROM engagement_steps WHERE by = ? ORDER BY at').all(personId) as unknown as Array<{
        engagement_id: number;
        state: string;
        at: number;
      }>
    ).map((s) => ({ engagementId: s.engagement_id, state: s.state, at: new Date(s.at) }));
    return { engagements: withHistory, asManager: managed, decisions: steps };
  }

  async forget(personId: string): Promise<void> {
    transaction(this.db, () => {
      for (const r of this.db.prepare('SELECT * FROM engagements WHERE person_id = ?').all(personId) as unknown as Row[]) {
        const e = fromRow(r);
        const body = engagementBody({ ...e, motivation: '', project: '', evaluation: null, listed: false });
        this.db.prepare('UPDATE engagements SET data = ? WHERE id = ?').run(JSON.stringify(body), r.id);
      }
      this.db.prepare('UPDATE engagements SET manager_id = NULL WHERE manager_id = ?').run(personId);
      this.db.prepare("UPDATE engagement_steps SET by = 'erased', reason = NULL WHERE by = ?").run(personId);
    });
  }

  private step(id: number, state: EngagementState, by: string, at: Date, reason?: string): void {
    const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM engagement_steps WHERE engagement_id = ?').get(id) as { n: number }).n;
    this.db.prepare('INSERT INTO engagement_steps (engagement_id, seq, state, by, at, reason) VALUES (?, ?, ?, ?, ?, ?)').run(id, seq, state, by, at.getTime(), reason ?? null);
  }
}
