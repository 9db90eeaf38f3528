import cron from 'node-cron';
import type { Logger } from '../logger';

/**
 * Cron only ticks: the work itself (due broadcasts, reminders) is data in the store, claimed with leases.
 * A tick never overlaps the previous one.
 */
export function startTicker(work: () => Promise<void>, log: Logger, expression = '*/5 * * * * *'): { stop(): Promise<void> } {
  const task = cron.schedule(
    expression,
    async () => {
      try {
        await work();
      } catch (e) {
        log.error({ err: e }, 'scheduler tick failed');
      }
    },
    { noOverlap: true, name: 'ensemble-tick' },
  );
  return {
    async stop() {
      await task.stop();
    },
  };
}
