import { DomainError } from '../../src/domain/errors';
import type { Clock } from '../../src/domain/ports';

/** Expects a refusal by the domain with this code (and these params, when given); returns it. */
export async function refused(work: Promise<unknown>, code: string, params?: Record<string, unknown>): Promise<DomainError> {
  let caught: unknown;
  try {
    await work;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DomainError);
  const err = caught as DomainError;
  expect(err.code).toBe(code);
  if (params) expect(err.params).toMatchObject(params);
  return err;
}

/** A clock that stands still at `start` until the test sets it. */
export function stillClock(start: Date): Clock & { set(at: Date | string): void } {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (at) => {
      now = new Date(at);
    },
  };
}
