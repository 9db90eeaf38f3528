import type { ScheduledJob } from '../domain/events';
import type { Clock, Store } from '../domain/ports';
import type { Logger } from '../logger';
import type { JobLateness } from './job-lateness';

/** Runs one kind of job; returns how many messages it queued. */
export interface JobHandler {
  run(job: ScheduledJob): Promise<number>;
}

/**
 * Claims due jobs one at a time, with a lease, and hands each to the handler of its kind (`event.…`,
 * `digest.…`, `axis.…`). A job is done only once its handler returned: one that fails, or whose process
 * dies, is taken again after its lease, and its message keys make sure nobody is told twice.
 */
export class JobRunner {
  constructor(
    private readonly store: Store,
    private readonly handlers: ReadonlyArray<{ prefix: string; handler: JobHandler }>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly owner: string,
    private readonly leaseMs = 5 * 60_000,
    /** Told how late each due job runs (the /metrics job lag). */
    private readonly lateness?: JobLateness,
  ) {}

  /** Runs every due job; returns how many messages were queued. */
  async runDue(): Promise<number> {
    let queued = 0;
    for (;;) {
      const job = await this.store.jobs.claimDue(this.owner, this.clock.now(), this.leaseMs);
      if (!job) return queued;
      this.lateness?.(job.kind, this.clock.now().getTime() - job.dueAt.getTime());
      const handler = this.handlers.find((h) => job.kind.startsWith(h.prefix))?.handler;
      try {
        if (handler) queued += await handler.run(job);
        else this.log.warn({ job: job.key, kind: job.kind }, 'no handler for this kind of job: marked done');
        await this.store.jobs.complete(job.id, this.owner, this.clock.now());
      } catch (e) {
        this.log.error({ err: e, job: job.key }, 'job failed; another tick will retry it after the lease');
        return queued;
      }
    }
  }
}
