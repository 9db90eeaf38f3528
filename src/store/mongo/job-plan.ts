import type { JobPlan } from '../../domain/events';
import type { JobRepository, OutboxRepository } from '../../domain/ports';

/**
 * Writes a job plan after the change it goes with, one step at a time: MongoDB without a replica set
 * has no transactions, so a crash between the change and its plan can lose the plan; the sweep of
 * scheduled events (EventsService.replan) plans again what a scheduled event is missing.
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
