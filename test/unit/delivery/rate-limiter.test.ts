import { RateLimiter, underCeiling, type RateLimit } from '../../../src/delivery/rate-limiter';

/** The largest number of times within any half-open window [t, t + windowMs). `times` sorted. */
function peakInWindow(times: number[], windowMs = 1000): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** A seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A greedy taker: asks for a token, and when told to wait, comes back after the wait plus some
 * jitter (timers fire late). Returns the times tokens were taken.
 */
function drain(limiter: RateLimiter, limits: RateLimit[], durationMs: number, lateness: () => number, startMs = 1_000_000): number[] {
  const taken: number[] = [];
  let now = startMs;
  while (now < startMs + durationMs) {
    const wait = limiter.reserve(limits, now);
    if (wait === 0) taken.push(now);
    now += wait + lateness();
  }
  return taken;
}

describe('RateLimiter', () => {
  const app: RateLimit = { key: 'teams:app:t1', ratePerSec: 50, burst: 1 };

  test('pacing (rate 50, burst 1) never exceeds 50 in any sliding second and reaches ≥ 95 % of it', () => {
    const limiter = new RateLimiter();
    const taken = drain(limiter, [app], 120_000, () => 0);
    expect(peakInWindow(taken)).toBeLessThanOrEqual(50);
    expect(taken.length / 120).toBeGreaterThanOrEqual(0.95 * 50);
  });

  test('pure pacing loses what late timers lose (why underCeiling keeps a tolerance)', () => {
    const limiter = new RateLimiter();
    // a timer that fires 2 ms late every time: 20 ms slots become 22 ms
    const taken = drain(limiter, [app], 60_000, () => 2);
    expect(peakInWindow(taken)).toBeLessThanOrEqual(50);
    expect(taken.length / 60).toBeLessThan(0.95 * 50);
  });

  describe.each([
    ['on time', () => () => 0],
    [
      '1-2 ms late (Node timers)',
      () => {
        const r = prng(1);
        return () => 1 + r();
      },
    ],
    [
      '1-4 ms late',
      () => {
        const r = prng(3);
        return () => 1 + 3 * r();
      },
    ],
    [
      '0-8 ms late, 30 % of the time',
      () => {
        const r = prng(7);
        return () => (r() < 0.3 ? r() * 8 : 0.1);
      },
    ],
    [
      'a 200 ms stall (GC, disk) about every 40 s',
      () => {
        const r = prng(9);
        return () => (r() < 0.0005 ? 200 : 1);
      },
    ],
  ])('underCeiling(50/s), taker %s', (_name, lateness) => {
    test.each([50, 7, 1])('ceiling %d/s: never more in any sliding second, ≥ 95 % of it sustained', (ceiling) => {
      const limiter = new RateLimiter();
      const durationMs = ceiling >= 50 ? 120_000 : 600_000;
      const taken = drain(limiter, [underCeiling('k', ceiling)], durationMs, lateness());
      expect(peakInWindow(taken)).toBeLessThanOrEqual(ceiling);
      expect(taken.length / (durationMs / 1000)).toBeGreaterThanOrEqual(0.95 * ceiling);
    });
  });

  test('underCeiling: 51 tokens at 50/s span more than 1026 ms, whatever the taker (delay tolerated on the way to the server)', () => {
    const taken = drain(new RateLimiter(), [underCeiling('k', 50)], 60_000, () => 0);
    const span51 = (times: number[]) => Math.min(...times.slice(50).map((t, i) => t - times[i]));
    expect(span51(taken)).toBeGreaterThan(1026);
    // late takers spend the tolerance on catching up: still more than 1026 ms
    const random = prng(5);
    const late = drain(new RateLimiter(), [underCeiling('k', 50)], 60_000, () => random() * 12);
    expect(span51(late)).toBeGreaterThan(1026);
  });

  test('underCeiling with headroom 1 is pure pacing (burst 1)', () => {
    expect(underCeiling('k', 7, 1)).toEqual({ key: 'k', ratePerSec: 7, burst: 1, ceilingPerSec: 7 });
    expect(() => underCeiling('k', 7, 1.2)).toThrow(RangeError);
  });

  test('random arrivals from many callers sharing two buckets (app 50/s, conversation 7/s): both ceilings hold on sliding windows', () => {
    const random = prng(42);
    const limiter = new RateLimiter();
    const takes: Array<{ t: number; conv: string }> = [];
    // 5 conversations, each with a backlog; callers arrive at random times.
    let now = 0;
    for (let i = 0; i < 60_000; i++) {
      now += random() * 3;
      const conv = `c${Math.floor(random() * 5)}`;
      const limits = [underCeiling('app', 50), underCeiling(`teams:conv:${conv}`, 7)];
      if (limiter.reserve(limits, now) === 0) takes.push({ t: now, conv });
    }
    expect(peakInWindow(takes.map((x) => x.t))).toBeLessThanOrEqual(50);
    for (const conv of ['c0', 'c1', 'c2', 'c3', 'c4']) {
      expect(peakInWindow(takes.filter((x) => x.conv === conv).map((x) => x.t))).toBeLessThanOrEqual(7);
    }
    // 5 × 7 = 35/s is the most these conversations may take together: nearly reached by random callers.
    expect(takes.length / (now / 1000)).toBeGreaterThanOrEqual(0.9 * 35);
  });

  test('50 conversations behind one app bucket: the app ceiling binds, ≤ 50 per sliding second, ≥ 95 %', () => {
    const limiter = new RateLimiter();
    const taken: number[] = [];
    const perConv = new Map<number, number[]>();
    // the dispatcher's way: every 1-2 ms, go through the backlog in order and take what is allowed
    let now = 0;
    const random = prng(11);
    let next = 0;
    const limits = Array.from({ length: 50 }, (_, conv) => [underCeiling('app', 50), underCeiling(`conv:${conv}`, 7)]);
    while (now < 30_000) {
      for (let c = 0; c < 50; c++) {
        const conv = (next + c) % 50;
        if (limiter.reserve(limits[conv], now) === 0) {
          taken.push(now);
          const list = perConv.get(conv) ?? [];
          list.push(now);
          perConv.set(conv, list);
          next = conv + 1;
        }
      }
      now += 1 + random();
    }
    expect(peakInWindow(taken)).toBeLessThanOrEqual(50);
    for (const times of perConv.values()) expect(peakInWindow(times)).toBeLessThanOrEqual(7);
    expect(taken.length / 30).toBeGreaterThanOrEqual(0.95 * 50);
  });

  test('a burst above 1 exceeds the rate on a sliding second (why the senders use burst 1)', () => {
    const limiter = new RateLimiter();
    const taken = drain(limiter, [{ key: 'k', ratePerSec: 50, burst: 10 }], 5_000, () => 0);
    expect(peakInWindow(taken)).toBe(59); // burst + rate - 1
  });

  test('with a burst b the bound is b + rate in any second', () => {
    const random = prng(3);
    for (const burst of [2, 5, 10]) {
      const limiter = new RateLimiter();
      const taken = drain(limiter, [{ key: 'k', ratePerSec: 20, burst }], 30_000, () => (random() < 0.05 ? random() * 2000 : 0));
      expect(peakInWindow(taken)).toBeLessThanOrEqual(burst + 20);
    }
  });

  test('all or none: a token is taken from every bucket, or from none', () => {
    const limiter = new RateLimiter();
    const slow = { key: 'slow', ratePerSec: 1, burst: 1 };
    const fast = { key: 'fast', ratePerSec: 100, burst: 1 };
    expect(limiter.reserve([slow, fast], 0)).toBe(0);
    // fast has a token again at 10 ms, slow only at 1000 ms: nothing is taken, the wait is slow's.
    expect(limiter.reserve([slow, fast], 10)).toBe(990);
    expect(limiter.reserve([fast], 10)).toBe(0); // fast's token was not consumed by the refused call
    expect(limiter.reserve([fast], 10)).toBe(10);
    expect(limiter.reserve([slow, fast], 1000)).toBe(0);
  });

  test('the wait it returns is enough: asking again after it succeeds', () => {
    const limiter = new RateLimiter();
    const l = { key: 'k', ratePerSec: 3, burst: 1 };
    expect(limiter.reserve([l], 0)).toBe(0);
    const wait = limiter.reserve([l], 1);
    expect(wait).toBe(333);
    expect(limiter.reserve([l], 1 + wait)).toBe(0);
  });

  test('pause (Retry-After): no token before the time, then one, then the normal pace (no burst)', () => {
    const limiter = new RateLimiter();
    const l = { key: 'k', ratePerSec: 10, burst: 5 };
    expect(limiter.reserve([l], 0)).toBe(0);
    limiter.pause('k', 2000);
    expect(limiter.reserve([l], 500)).toBe(1500);
    expect(limiter.reserve([l], 1999)).toBe(1);
    expect(limiter.reserve([l], 2000)).toBe(0);
    expect(limiter.reserve([l], 2000)).toBe(100);
    expect(limiter.reserve([l], 2100)).toBe(0);
    // A pause on a key never used before holds too.
    limiter.pause('other', 5000);
    expect(limiter.reserve([{ key: 'other', ratePerSec: 10, burst: 1 }], 4000)).toBe(1000);
    // A pause never shortens an earlier one.
    limiter.pause('other', 4500);
    expect(limiter.reserve([{ key: 'other', ratePerSec: 10, burst: 1 }], 4600)).toBe(400);
  });

  test('forgets full buckets: 75,000 one-off keys do not accumulate', () => {
    const limiter = new RateLimiter();
    let now = 0;
    let refused = 0;
    for (let i = 0; i < 75_000; i++) {
      now += 20;
      if (limiter.reserve([app, { key: `teams:person:${i}`, ratePerSec: 7, burst: 1 }], now) !== 0) refused++;
    }
    expect(refused).toBe(0);
    expect(limiter.size).toBeLessThan(5_000);
    limiter.sweep(now + 1000);
    expect(limiter.size).toBe(0);
  });

  test('rejects a rate that is not positive', () => {
    expect(() => new RateLimiter().reserve([{ key: 'k', ratePerSec: 0, burst: 1 }], 0)).toThrow(RangeError);
  });

  test('share: two limiters at half the ceiling each, with late timers, stay under it together and sustain it', () => {
    const limit = underCeiling('teams:app:t1', 50);
    const a = new RateLimiter();
    const b = new RateLimiter();
    a.share = 0.5;
    b.share = 0.5;
    const random = prng(7);
    const times = [...drain(a, [limit], 60_000, () => random() * 3), ...drain(b, [limit], 60_000, () => random() * 3, 1_000_013)].sort((x, y) => x - y);
    expect(peakInWindow(times)).toBeLessThanOrEqual(50);
    expect(times.length / 60).toBeGreaterThanOrEqual(0.95 * 50);
  });

  test('share: a change applies from the next token on; a share outside (0, 1] is refused', () => {
    const limiter = new RateLimiter();
    const limit: RateLimit = { key: 'k', ratePerSec: 10, burst: 1 };
    expect(limiter.reserve([limit], 0)).toBe(0);
    limiter.share = 0.5;
    expect(limiter.reserve([limit], 100)).toBe(0); // the token it already had coming
    expect(limiter.reserve([limit], 101)).toBe(199); // then one per 200 ms
    expect(() => (limiter.share = 0)).toThrow(RangeError);
    expect(() => (limiter.share = 1.5)).toThrow(RangeError);
  });

  test.each([
    [3, 50],
    [4, 50],
    [6, 50],
    [2, 7],
    [3, 7],
  ])('share: %i instances at 1/n of underCeiling(%i) never exceed it together, whatever their phases (a whole number of tokens each)', (n, ceiling) => {
    const limit = underCeiling('k', ceiling);
    const run = (l: RateLimit) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const limiter = new RateLimiter();
        limiter.share = 1 / n;
        times.push(...drain(limiter, [l], 30_000, () => 0, 1_000_000 + i * 3));
      }
      return times.sort((x, y) => x - y);
    };
    const together = run(limit);
    expect(peakInWindow(together)).toBeLessThanOrEqual(ceiling);
    expect(together.length / 30).toBeGreaterThanOrEqual(0.8 * ceiling); // floor(ceiling / n) each: 93 % at 50/3
    // rate × share alone: each window edge adds one per instance
    expect(peakInWindow(run({ ...limit, ceilingPerSec: undefined }))).toBeGreaterThan(ceiling);
  });
});
