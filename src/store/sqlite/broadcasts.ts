import { randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Acknowledged, Acknowledgement, Audience, Broadcast, BroadcastState, NewBroadcast, ReadingFigures, Schedule } from '../../domain/broadcasts';
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
  ack: Acknowledgement | null;
  important: number;
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
  if (r.ack) b.ack = r.ack;
  if (Number(r.important) === 1) b.important = true;
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
        `INSERT INTO broadcasts (message, link, audience, schedule, state, created_by, created_at, next_run_at, ack, important)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      read: db.prepare('INSERT OR IGNORE INTO broadcast_reads (broadcast_id, what, person_id, at) VALUES (?, ?, ?, ?)'),
      acknowledged: db.prepare(`SELECT COUNT(*) AS n FROM broadcast_reads WHERE broadcast_id = ? AND what = 'ack'`),
      clickers: db.prepare(`SELECT COUNT(DISTINCT person_id) AS n FROM broadcast_reads WHERE broadcast_id = ? AND what LIKE 'click:%'`),
      acknowledgements: db.prepare(`SELECT person_id, at FROM broadcast_reads WHERE broadcast_id = ? AND what = 'ack' ORDER BY at, person_id`),
      secretMake: db.prepare("INSERT OR IGNORE INTO store_meta (key, value) VALUES ('link-secret', ?)"),
      secret: db.prepare("SELECT value FROM store_meta WHERE key = 'link-secret'"),
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
      b.ack ?? null,
      b.important ? 1 : 0,
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

  async acknowledge(id: number, personId: string, at: Date): Promise<boolean> {
    return Number(this.s.read.run(id, 'ack', personId, at.getTime()).changes) === 1;
  }

  async recordClick(id: number, personId: string, link: number, at: Date): Promise<boolean> {
    return Number(this.s.read.run(id, `click:${link}`, personId, at.getTime()).changes) === 1;
  }

  async reading(id: number): Promise<ReadingFigures> {
    const acknowledged = Number((this.s.acknowledged.get(id) as { n: number }).n);
    const clickers = Number((this.s.clickers.get(id) as { n: number }).n);
    return { acknowledged, clickers };
  }

  async acknowledgements(id: number): Promise<Acknowledged[]> {
    return (this.s.acknowledgements.all(id) as Array<{ person_id: string; at: number }>).map((r) => ({ personId: r.person_id, at: new Date(Number(r.at)) }));
  }

  async linkSecret(): Promise<string> {
    this.s.secretMake.run(randomBytes(32).toString('base64url'));
    return (this.s.secret.get() as { value: string }).value;
  }
}
