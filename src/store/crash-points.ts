/** The steps of multi-step writes where a test can stop the writer. */
export type CrashStep = 'event.created' | 'event.updated' | 'event.cancelled' | 'registration.counted' | 'registration.promoted' | 'support.added' | 'repair.counting';

/** What a writer stopped at a crash point throws. */
export class CrashedForTest extends Error {
  constructor(readonly step: CrashStep) {
    super(`stopped at crash point ${step} (tests only)`);
  }
}

/**
 * Tests only: stops a writer at a named step of a multi-step write, as if its process died there (nothing
 * after that step is written). Armed once per step; never armed outside tests. In a transaction (SQLite),
 * the stop rolls back what the step wrote; without transactions (MongoDB), what was written stays, for the
 * repair pass to put right.
 */
export class CrashPoints {
  private readonly armed = new Set<CrashStep>();
  private readonly hooks = new Map<CrashStep, () => Promise<void>>();

  /** Tests only: when a writer reaches `step`, `fn` runs first, once (another writer's step landing right then). */
  meanwhile(step: CrashStep, fn: () => Promise<void>): void {
    this.hooks.set(step, fn);
  }

  /** `reached`, after what a test set to happen meanwhile. */
  async reachedAfter(step: CrashStep): Promise<void> {
    const hook = this.hooks.get(step);
    if (hook) {
      this.hooks.delete(step);
      await hook();
    }
    this.reached(step);
  }

  arm(step: CrashStep): void {
    this.armed.add(step);
  }

  disarm(step: CrashStep): void {
    this.armed.delete(step);
  }

  reached(step: CrashStep): void {
    if (this.armed.delete(step)) throw new CrashedForTest(step);
  }
}
