import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { JobPlan } from '../../domain/events';

/** Writes a job plan with the statements of the change it goes with: call it inside that change's transaction. */
export class JobPlanWriter {
  private readonly s: Record<string, StatementSync>;

  constructor(db: DatabaseSync) {
    this.s = {
      cancelRef: db.prepare(`UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_until = NULL WHERE ref = ? AND state = 'pending'`),
      pendingOf: db.prepare(`SELECT id, key, kind FROM jobs WHERE ref = ? AND state = 'pending'`),
      cancel: db.prepare(`UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'pending'`),
      // new, or a cancelled one revived at its new time (a move back); pending and done ones stay as they are
      add: db.prepare(
        `INSERT INTO jobs (key, kind, ref, param, due_at, state, subject) VALUES (?, ?, ?, ?, ?, 'pending', ?)
         ON CONFLICT (key) DO UPDATE SET state = 'pending', due_at = excluded.due_at, lease_owner = NULL, lease_until = NULL WHERE jobs.state = 'cancelled'`,
      ),
      cancelOutbox: db.prepare(`UPDATE outbox SET state = 'cancelled' WHERE source = ? AND state = 'pending'`),
    };
  }

  write(plan: JobPlan): void {
    if (plan.cancelRef) this.s.cancelRef.run(plan.cancelRef);
    if (plan.cancelOthers) {
      const { ref, kinds, keep } = plan.cancelOthers;
      const kept = new Set(keep);
      for (const j of this.s.pendingOf.all(ref) as Array<{ id: number; key: string; kind: string }>) {
        if (kinds.includes(j.kind as never) && !kept.has(j.key)) this.s.cancel.run(j.id);
      }
    }
    for (const j of plan.add ?? []) this.s.add.run(j.key, j.kind, j.ref, j.param, j.dueAt.getTime(), j.subject ?? null);
    for (const source of plan.cancelOutbox ?? []) this.s.cancelOutbox.run(source);
  }
}
