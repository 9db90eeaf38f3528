import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Audience, Broadcast, BroadcastState, NewBroadcast, Schedule } from '../../domain/broadcasts';
import type { BroadcastRepository } from '../../domain/ports';
import { transaction } from './transaction';

export interface BroadcastRow {
  id: number;
  message: string;
  link: string | null;
  audience: string;
  schedule: string;
  state: BroadcastState;
  created_by: string;
  created_at: number;
  next_run_at: number | null;
  runs: number;
  last_run_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export function toBroadcast(r: BroadcastRow): Broadcast {
  const schedule = JSON.parse(r.schedule) as Schedule & { at?: string | Date };
  if (schedule.kind === 'at') schedule.at = new Date(schedule.at as string);
  const b: Broadcast = {
    id: Number(r.id),
    message: r.message,
    audience: JSON.parse(r.audience) as Audience,
    schedule: schedule as Schedule,
    state: r.state,
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)),
    runs: Number(r.runs),
  };
  if (r.link) b.link = JSON.parse(r.link) as { label: string; url: string };
  if (r.next_run_at !== null) b.nextRunAt = new Date(Number(r.next_run_at));
  if (r.last_run_at !== null) b.lastRunAt = new Date(Number(r.last_run_at));
  if (r.lease_owner !== null) b.leaseOwner = r.lease_owner;
  if (r.lease_until !== null) b.leaseUntil = new Date(Number(r.lease_until));
  return b;
}

export class SqliteBroadcasts implements BroadcastRepository {
  private readonly s: Record<string, StatementSync>;

  constructor(private readonly db: DatabaseSync) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO broadcasts (message, link, audience, schedule, state, created_by, created_at, next_run_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      get: db.prepare('SELECT * FROM broadcasts WHERE id = ?'),
      list: db.prepare('SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?'),
      schedule: db.prepare(`UPDATE broadcasts SET state = 'scheduled', next_run_at = ? WHERE id = ? AND state = 'draft' RETURNING *`),
      cancel: db.prepare(`UPDATE broadcasts SET state = 'cancelled', next_run_at = NULL WHERE id = ? AND state IN ('draft', 'scheduled') RETURNING *`),
      claim: db.prepare(
        `UPDATE broadcasts SET lease_owner = :owner, lease_until = :until
         WHERE id = (SELECT id FROM broadcasts WHERE state = 'scheduled' AND next_run_at <= :now
                     AND (lease_until IS NULL OR lease_until <= :now) ORDER BY next_run_at, id LIMIT 1)
         RETURNING *`,
      ),
      complete: db.prepare(
        `UPDATE broadcasts SET runs = runs + 1, last_run_at = :at, next_run_at = :next,
           state = CASE WHEN :next IS NULL THEN 'done' ELSE state END, lease_owner = NULL, lease_until = NULL
         WHERE id = :id AND lease_owner = :owner AND state = 'scheduled' RETURNING *`,
      ),
    };
  }

  async create(b: NewBroadcast, state: 'draft' | 'scheduled', nextRunAt: Date | undefined): Promise<Broadcast> {
    const row = this.s.insert.get(
      b.message,
      b.link ? JSON.stringify(b.link) : null,
      JSON.stringify(b.audience),
      JSON.stringify(b.schedule),
      state,
      b.createdBy,
      b.createdAt.getTime(),
      nextRunAt ? nextRunAt.getTime() : null,
    ) as unknown as BroadcastRow;
    return toBroadcast(row);
  }

  async get(id: number): Promise<Broadcast | null> {
    const row = this.s.get.get(id) as unknown as BroadcastRow | undefined;
    return row ? toBroadcast(row) : null;
  }

  async list(limit: number): Promise<Broadcast[]> {
    return (this.s.list.all(limit) as unknown as BroadcastRow[]).map(toBroadcast);
  }

  async schedule(id: number, nextRunAt: Date): Promise<Broadcast | null> {
    const row = this.s.schedule.get(nextRunAt.getTime(), id) as unknown as BroadcastRow | undefined;
    return row ? toBroadcast(row) : null;
  }

  async cancel(id: number): Promise<Broadcast | null> {
    const row = this.s.cancel.get(id) as unknown as BroadcastRow | undefined;
    return row ? toBroadcast(row) : null;
  }

  async claimDue(owner: string, now: Date, leaseMs: number): Promise<Broadcast | null> {
    const row = transaction(this.db, () => this.s.claim.get({ owner, until: now.getTime() + leaseMs, now: now.getTime() })) as unknown as BroadcastRow | undefined;
    return row ? toBroadcast(row) : null;
  }

  async completeRun(id: number, owner: string, at: Date, nextRunAt: Date | undefined): Promise<Broadcast> {
    const row = this.s.complete.get({ id, owner, at: at.getTime(), next: nextRunAt ? nextRunAt.getTime() : null }) as unknown as BroadcastRow | undefined;
    if (!row) {
      const current = await this.get(id);
      if (!current) throw new Error(`broadcast ${id} not found`);
      return current; // cancelled meanwhile, or another instance completed it
    }
    return toBroadcast(row);
  }
}
