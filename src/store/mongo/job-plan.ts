import type { JobPlan } from '../../domain/events';
import type { JobRepository, OutboxRepository } from '../../domain/ports';

/**
 * Writes a job plan after the change it goes with, one step at a time: MongoDB without a replica set
 * has no transactions, so the change keeps its plan on the event until it is written (events.ts), and
 * the repair pass (MongoStore.reconcile) writes again a plan a stopped writer left there. Every step is
 * idempotent: writing a plan twice is writing it once.
 */
export async function writeJobPlan(jobs: JobRepository, outbox: OutboxRepository, plan: JobPlan): Promise<void> {
  if (plan.cancelRef) await jobs.cancelRef(plan.cancelRef);
  if (plan.cancelOthers) {
    const { ref, kinds, keep } = plan.cancelOthers;
    const kept = new Set(keep);
    for (const j of await jobs.forRef(ref)) if (j.state === 'pending' && kinds.includes(j.kind) && !kept.has(j.key)) await jobs.cancel(j.id);
  }
  if (plan.add?.length) {
    await jobs.add(plan.add);
    // a cancelled one comes back at its new time (a move back)
    const existing = new Map((await jobs.forRef(plan.add[0].ref)).map((j) => [j.key, j]));
    for (const j of plan.add) {
      const found = existing.get(j.key);
      if (found?.state === 'cancelled') await jobs.reschedule(found.id, j.dueAt);
    }
  }
  for (const source of plan.cancelOutbox ?? []) await outbox.cancelPending(source);
}
