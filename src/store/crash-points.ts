/** The steps of multi-step writes where a test can stop the writer. */
export type CrashStep = 'event.created' | 'event.updated' | 'event.cancelled' | 'registration.counted' | 'registration.promoted' | 'support.added';

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
