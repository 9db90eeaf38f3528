import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { JobKind, JobState, NewJob, ScheduledJob } from '../../domain/events';
import type { JobRepository } from '../../domain/ports';
import { transaction } from './transaction';

export interface JobRow {
  id: number;
  key: string;
  kind: JobKind;
  ref: string;
  param: number;
  due_at: number;
  state: JobState;
  lease_owner: string | null;
  lease_until: number | null;
  done_at: number | null;
  subject: string | null;
}

export function toJob(r: JobRow): ScheduledJob {
  const j: ScheduledJob = {
    id: String(r.id),
    key: r.key,
    kind: r.kind,
    ref: r.ref,
    param: Number(r.param),
    dueAt: new Date(Number(r.due_at)),
    state: r.state,
  };
  if (r.lease_owner !== null) j.leaseOwner = r.lease_owner;
  if (r.lease_until !== null) j.leaseUntil = new Date(Number(r.lease_until));
  if (r.done_at !== null) j.doneAt = new Date(Number(r.done_at));
  if (r.subject !== null) j.subject = r.subject;
  return j;
}

export class SqliteJobs implements JobRepository {
  private readonly s: Record<string, StatementSync>;

  constructor(private readonly db: DatabaseSync) {
    this.s = {
      add: db.prepare(`INSERT OR IGNORE INTO jobs (key, kind, ref, param, due_at, state, subject) VALUES (?, ?, ?, ?, ?, 'pending', ?)`),
      claim: db.prepare(
        `UPDATE jobs SET lease_owner = :owner, lease_until = :until
         WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= :now
                     AND (lease_until IS NULL OR lease_until <= :now) ORDER BY due_at, id LIMIT 1)
         RETURNING *`,
      ),
      complete: db.prepare(`UPDATE jobs SET state = 'done', done_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'pending' AND lease_owner = ?`),
      forRef: db.prepare('SELECT * FROM jobs WHERE ref = ? ORDER BY due_at, id'),
      reschedule: db.prepare(`UPDATE jobs SET due_at = ?, state = 'pending', lease_owner = NULL, lease_until = NULL WHERE id = ? AND state <> 'done'`),
      cancel: db.prepare(`UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'pending'`),
      cancelRef: db.prepare(`UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_until = NULL WHERE ref = ? AND state = 'pending'`),
      next: db.prepare(`SELECT MIN(due_at) AS due FROM jobs WHERE state = 'pending'`),
    };
  }

  async add(jobs: NewJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    return transaction(this.db, () => {
      let added = 0;
      for (const j of jobs) added += Number(this.s.add.run(j.key, j.kind, j.ref, j.param, j.dueAt.getTime(), j.subject ?? null).changes);
      return added;
    });
  }

  async claimDue(owner: string, now: Date, leaseMs: number): Promise<ScheduledJob | null> {
    const row = transaction(this.db, () => this.s.claim.get({ owner, until: now.getTime() + leaseMs, now: now.getTime() })) as unknown as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  async complete(id: string, owner: string, at: Date): Promise<boolean> {
    return Number(this.s.complete.run(at.getTime(), Number(id), owner).changes) > 0;
  }

  async forRef(ref: string): Promise<ScheduledJob[]> {
    return (this.s.forRef.all(ref) as unknown as JobRow[]).map(toJob);
  }

  async reschedule(id: string, dueAt: Date): Promise<boolean> {
    return Number(this.s.reschedule.run(dueAt.getTime(), Number(id)).changes) > 0;
  }

  async cancel(id: string): Promise<boolean> {
    return Number(this.s.cancel.run(Number(id)).changes) > 0;
  }

  async cancelRef(ref: string): Promise<number> {
    return Number(this.s.cancelRef.run(ref).changes);
  }

  async nextDue(): Promise<Date | null> {
    const row = this.s.next.get() as { due: number | null };
    return row.due === null ? null : new Date(Number(row.due));
  }
}
