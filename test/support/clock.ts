/**
 * A clock the test sets: it runs like real time from the moment it was last set (the rate limiters and
 * leases wait on it, so it must run), and jumps where the test says.
 */
export function settableClock(start: Date) {
  let base = start.getTime();
  let realBase = Date.now();
  return {
    now: () => new Date(base + (Date.now() - realBase)),
    set: (d: Date) => {
      base = d.getTime();
      realBase = Date.now();
    },
    advance: (ms: number) => {
      base += ms;
    },
  };
}
