/**
 * Token buckets keyed by string, in their "virtual scheduling" form (GCRA: one number per key, the
 * theoretical arrival time of the next token). Pure: the clock is passed in.
 *
 * A bucket {ratePerSec r, burst b} emits one token every T = 1000 / r ms and lets `b` tokens be taken
 * back to back. Its guarantee (virtual scheduling: n tokens span at least (n - 1) · T - τ ms, with
 * τ = (b - 1) · T): in any half-open window of W ms, at most `ceil((W + τ) · r / 1000)` tokens, i.e.
 * `b - 1 + ceil(W · r / 1000)` for a whole b; with b = 1, at most r per sliding second.
 *
 * Burst may be fractional: the bucket then tolerates a taker up to τ ms late without losing its slot
 * (timers fire late), with the same bound.
 *
 * Server ceilings ("N per second" on a sliding window, i.e. what it received in the last 1000 ms):
 * a bucket at rate N with burst b > 1 gives b at once then N per second, b + N - 1 > N in a window.
 * burst = 1 at rate N (pure pacing: the 1st and the (N+1)th token ≥ 1000 ms apart) never exceeds N,
 * but every ms a timer fires late is lost for good (1-2 ms per 20 ms slot = 5-10 % below N). So
 * `underCeiling` paces at N · headroom (default 97 %) with a small tolerance τ (4 ms: late timers
 * cost nothing up to it): provably ≤ N per sliding second at the limiter, 97 % of N sustained, and
 * N + 1 tokens always span ≥ 1000 / headroom - τ ms (1027 ms at 50/s): a request may be held up by
 * ~27 ms (GC, a WAL checkpoint) between its token and the server before the server could count
 * N + 1 in a second.
 *
 * Share: several instances sending at once split the ceilings (src/delivery/share.ts). `share` (0, 1]
 * scales every bucket's rate (interval 1000 / (r · share)) and keeps its tolerance in time ((b - 1) · T
 * at the full rate: a late timer costs the same few ms), so n instances at 1/n stay under the ceiling
 * together. A change applies from the next token on.
 *
 * Memory: a key whose bucket is full again is forgotten (it is indistinguishable from a new key), so
 * 75,000 one-off conversation keys do not accumulate.
 */

export interface RateLimit {
  key: string;
  /** Sustained rate, tokens per second (> 0). */
  ratePerSec: number;
  /**
   * Tokens that may be taken back to back (≥ 1, may be fractional). 1 = pure pacing (never exceeds
   * the rate on a sliding window).
   */
  burst: number;
  /**
   * The server's ceiling this limit stays under (set by underCeiling). With a share, each instance then
   * keeps to a whole number of tokens per window, floor(ceiling × share): n instances at 1/n never add up
   * to more than the ceiling, whatever n (rate × share alone would let each one's window edge add one).
   */
  ceilingPerSec?: number;
}

/**
 * A bucket that never gives more than `ceilingPerSec` tokens in any sliding 1000 ms window and
 * sustains `headroom` of it (see the header). Of the room the headroom leaves (1000 · (1/h - 1) ms
 * per N tokens: 31 ms at 97 %), `lateMs` (default 4, at most half) lets a late taker keep its slot;
 * the rest is the jitter tolerated between the token and the request reaching the server (27 ms).
 * headroom 1: pure pacing at the ceiling (burst 1).
 */
export function underCeiling(key: string, ceilingPerSec: number, headroom = 0.97, lateMs = 4): RateLimit {
  if (!(headroom > 0 && headroom <= 1)) throw new RangeError('headroom must be in (0, 1]');
  const ratePerSec = ceilingPerSec * headroom;
  // r · (1000 + τ) < N · 1000  ⇔  τ < 1000 · (1 / headroom - 1)
  const room = 1000 * (1 / headroom - 1);
  const toleranceMs = Math.min(Math.max(0, lateMs), room / 2);
  return { key, ratePerSec, burst: 1 + (ratePerSec * toleranceMs) / 1000, ceilingPerSec };
}

interface Bucket {
  /** Theoretical arrival time (ms): when the bucket is full again. */
  tat: number;
  /** No token before this time (Retry-After); the bucket is empty then and refills from there. */
  pausedUntil: number;
  /** (burst - 1) · interval, as last used: when a paused bucket is full again. */
  tolerance: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sinceSweep = 0;
  private part = 1;

  /** The fraction of every rate this limiter paces at (1: the whole ceiling; 1/n: one of n instances sending). */
  get share(): number {
    return this.part;
  }

  set share(value: number) {
    if (!(value > 0 && value <= 1)) throw new RangeError('share must be in (0, 1]');
    this.part = value;
  }

  /**
   * Takes one token from every bucket, atomically (all or none). Returns 0 when taken, otherwise the
   * ms to wait before the first moment all of them may have one (nothing taken then).
   */
  reserve(limits: ReadonlyArray<RateLimit>, nowMs: number): number {
    let wait = 0;
    for (const l of limits) {
      const b = this.buckets.get(l.key);
      if (!b) {
        shape(l, this.part); // validates the limit even for a new key
        continue;
      }
      const w = Math.max(b.tat - shape(l, this.part).tolerance - nowMs, b.pausedUntil - nowMs);
      if (w > wait) wait = w;
    }
    if (wait > 0) return Math.max(1, Math.ceil(wait));
    for (const l of limits) {
      const { interval, tolerance } = shape(l, this.part);
      const b = this.buckets.get(l.key);
      if (b) {
        // After a pause the bucket restarts empty: one token at pausedUntil, then one per interval.
        b.tat = Math.max(b.tat, b.pausedUntil + tolerance, nowMs) + interval;
        b.tolerance = tolerance;
      } else {
        this.buckets.set(l.key, { tat: nowMs + interval, pausedUntil: 0, tolerance });
      }
    }
    if (++this.sinceSweep >= 4096) this.sweep(nowMs);
    return 0;
  }

  /** No token for `key` before `untilMs` (a Retry-After); after it the bucket restarts with one token, not a burst. */
  pause(key: string, untilMs: number): void {
    const b = this.buckets.get(key);
    if (b) b.pausedUntil = Math.max(b.pausedUntil, untilMs);
    else this.buckets.set(key, { tat: untilMs, pausedUntil: untilMs, tolerance: 0 });
  }

  /** The earliest time (ms) a token may be taken for `key` (≤ nowMs: now). For diagnostics and tests. */
  availableAt(limit: RateLimit, nowMs: number): number {
    const b = this.buckets.get(limit.key);
    if (!b) return nowMs;
    return Math.max(nowMs, b.tat - shape(limit, this.part).tolerance, b.pausedUntil);
  }

  /** How many keys are remembered (buckets not yet full again). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets the buckets that are full again and not paused: they behave like new keys. */
  sweep(nowMs: number): void {
    this.sinceSweep = 0;
    for (const [key, b] of this.buckets) if (Math.max(b.tat, b.pausedUntil + b.tolerance) <= nowMs) this.buckets.delete(key);
  }
}

function shape(l: RateLimit, share: number): { interval: number; tolerance: number } {
  if (!(l.ratePerSec > 0)) throw new RangeError(`rate limit ${l.key}: ratePerSec must be > 0`);
  const full = 1000 / l.ratePerSec;
  const burst = Math.max(1, l.burst);
  let interval = full / share;
  if (share < 1 && l.ceilingPerSec !== undefined) {
    // k tokens per window of 1000 ms plus the room the headroom leaves (see the header): k + 1 tokens
    // span at least that, so each of n instances counts at most k in any server second. Below one token
    // per window (Slack's 1/s per channel shared by two) the split holds on average only.
    const k = Math.floor(l.ceilingPerSec * share + 1e-9);
    if (k >= 1) interval = Math.max(interval, (1000 * l.ceilingPerSec) / (l.ratePerSec * k));
  }
  return { interval, tolerance: (burst - 1) * full };
}
