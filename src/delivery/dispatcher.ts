/**
 * The delivery loop over the durable outbox: claims due messages under a lease, sends each when the
 * platform's rate limits allow, and records the outcome. Several dispatchers (processes) may share one
 * outbox: the lease makes sure two of them never hold the same message at once.
 *
 * At-least-once: a message is marked only after the platform answered, so a dispatcher that dies
 * between the answer and the mark leaves a message that the next one sends again once the lease ran
 * out (at most the sends in flight at the crash). Nothing is lost.
 *
 * Timing: real timers (setTimeout) for sleeping, the injected clock for every time it stores or
 * compares (due times, leases, rate-limit buckets). The clock must move with the timers: the system
 * clock, or Jest's modern fake timers (which fake Date too).
 */
import type { Lane, OutboxMessage, SendOutcome } from '../domain/delivery';
import type { Platform } from '../domain/people';
import type { Clock, OutboxRepository } from '../domain/ports';
import type { Logger } from '../logger';
import type { DeliveryMetrics } from './metrics';
import { RateLimiter, type RateLimit } from './rate-limiter';
import type { PlatformDelivery } from './senders';
import type { SharedCeiling } from './share';

/** The pino methods the dispatcher uses (a pino Logger fits). */
export type DispatcherLog = Pick<Logger, 'warn' | 'info' | 'error' | 'debug'>;
type Log = DispatcherLog;

export interface DispatcherOptions {
  outbox: OutboxRepository;
  /** One sender per platform; messages of a platform without one fail permanently. */
  deliveries: Partial<Record<Platform, PlatformDelivery>>;
  clock: Clock;
  /** This dispatcher's name in leases: unique per process (e.g. `${hostname}:${pid}`). */
  owner: string;
  log: DispatcherLog;
  /** Messages claimed at once (default 200). */
  batchSize?: number;
  /** Lease on claimed messages (default 60 s). */
  leaseMs?: number;
  /** Attempts before a temporary failure becomes permanent (default 8). */
  maxAttempts?: number;
  /** Sends in flight at most (default 64). */
  concurrency?: number;
  /** Exponential backoff with full jitter: random(0, min(cap, base · 2^(attempt-1))). Defaults 1 s and 5 min. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A claimed message whose token is further away than this (a Retry-After pause, a slow bucket) is released, due then (default 1 s). */
  maxHoldMs?: number;
  /**
   * A claimed message with so many others ahead of it on a bucket that its turn is further away than
   * this is released, due at its estimated turn (default (leaseMs - leaseMarginMs) / 2: what is held
   * is sent well within the lease). Keep batchSize ≤ rate × this to avoid releasing what was just claimed.
   */
  maxQueueWaitMs?: number;
  /**
   * No send starts when the lease has less than this left, and a send that takes longer is abandoned
   * as a temporary failure ('timeout'), so the outcome is always recorded while the lease holds.
   * Default min(leaseMs / 4, 15 s).
   */
  leaseMarginMs?: number;
  /** When pending work exists but cannot be claimed (held by others, or not due), look again after at most this (default 1 s). */
  claimPollMs?: number;
  /** Longest sleep when idle (default 30 s); `poke()` wakes the loop at once. */
  idlePollMs?: number;
  /** Shared by the dispatchers of one process, if several; default: its own. */
  limiter?: RateLimiter;
  /** The outbox lane this dispatcher sends (default bulk): the answers to requests have one of their own. */
  lane?: Lane;
  /** Told of each send recorded as sent (e.g. to keep the platform's message id of a channel post); its failure is logged, never undoes the send. */
  onSent?: (msg: OutboxMessage, outcome: Extract<SendOutcome, { ok: true }>) => Promise<void>;
  /** Told of each message that failed for good (e.g. to mark a person who left the platform); its failure is logged. */
  onFailed?: (msg: OutboxMessage, reason: string) => Promise<void>;
  /** For the jitter; default Math.random. */
  random?: () => number;
  /**
   * Several instances on one store: the platforms' ceilings are split between those sending
   * (src/delivery/share.ts). Every lane paces at the share; the bulk lane says when it has work in hand
   * and waits for its warm-up before its first send. Default: alone (the whole ceilings).
   */
  share?: SharedCeiling;
  /** Told of every send outcome and lease takeover (the /metrics counters). */
  metrics?: DeliveryMetrics;
}

export interface DispatchCounts {
  /** Recorded as sent. */
  sent: number;
  /** Failed for good (permanent, or gave up after maxAttempts). */
  failed: number;
  /** Temporary failures, scheduled again. */
  retried: number;
  /** Given back without a send attempt (rate limited beyond maxHoldMs, lease ending, stop). */
  released: number;
}

interface Held {
  msg: OutboxMessage;
  delivery: PlatformDelivery;
  limits: RateLimit[];
  /** This dispatcher's own view of the lease end (claim time + leaseMs). */
  leaseEnd: number;
}

const zero = (): DispatchCounts => ({ sent: 0, failed: 0, retried: 0, released: 0 });

export class Dispatcher {
  readonly limiter: RateLimiter;
  private readonly o: Required<Omit<DispatcherOptions, 'limiter' | 'deliveries' | 'log' | 'lane' | 'share' | 'metrics' | 'onSent' | 'onFailed'>> & {
    log: Log;
    metrics?: DeliveryMetrics;
    onSent?: DispatcherOptions['onSent'];
    onFailed?: DispatcherOptions['onFailed'];
  };
  private readonly share: SharedCeiling | undefined;
  private readonly lane: Lane;
  private readonly deliveries: Partial<Record<Platform, PlatformDelivery>>;
  private queue: Held[] = [];
  private inFlight = 0;
  /** Every pending outbox operation and send, awaited by stop(). */
  private readonly pendingOps = new Set<Promise<unknown>>();
  private readonly totals: DispatchCounts = zero();
  private running = false;
  private stopping = false;
  private killed = false;
  private loopDone: Promise<void> | undefined;
  private nextClaimAt = 0;
  private woken = false;
  private wake: (() => void) | undefined;
  private peakInFlight = 0;

  constructor(opts: DispatcherOptions) {
    const leaseMs = opts.leaseMs ?? 60_000;
    this.o = {
      outbox: opts.outbox,
      clock: opts.clock,
      owner: opts.owner,
      log: opts.log,
      batchSize: opts.batchSize ?? 200,
      leaseMs,
      maxAttempts: opts.maxAttempts ?? 8,
      concurrency: opts.concurrency ?? 64,
      backoffBaseMs: opts.backoffBaseMs ?? 1000,
      backoffCapMs: opts.backoffCapMs ?? 300_000,
      maxHoldMs: opts.maxHoldMs ?? 1000,
      leaseMarginMs: opts.leaseMarginMs ?? Math.min(leaseMs / 4, 15_000),
      maxQueueWaitMs: 0,
      claimPollMs: opts.claimPollMs ?? 1000,
      idlePollMs: opts.idlePollMs ?? 30_000,
      random: opts.random ?? Math.random,
      metrics: opts.metrics,
      onSent: opts.onSent,
      onFailed: opts.onFailed,
    };
    if (this.o.leaseMarginMs >= leaseMs) throw new RangeError('leaseMarginMs must be shorter than leaseMs');
    this.o.maxQueueWaitMs = opts.maxQueueWaitMs ?? (leaseMs - this.o.leaseMarginMs) / 2;
    this.deliveries = opts.deliveries;
    this.limiter = opts.limiter ?? new RateLimiter();
    this.lane = opts.lane ?? 'bulk';
    this.share = opts.share;
  }

  /** Totals since creation, and what is held right now. */
  stats(): DispatchCounts & { inFlight: number; queued: number; peakInFlight: number } {
    return { ...this.totals, inFlight: this.inFlight, queued: this.queue.length, peakInFlight: this.peakInFlight };
  }

  /**
   * Claims one batch and delivers it (waiting for tokens up to maxHoldMs, releasing the rest), then
   * returns what happened to it. Not to be mixed with start().
   */
  async runOnce(): Promise<DispatchCounts> {
    if (this.running) throw new Error('runOnce() while the dispatcher loop runs');
    const before = { ...this.totals };
    const now = this.o.clock.now().getTime();
    await this.claim(now, this.o.batchSize);
    while (this.queue.length > 0 || this.inFlight > 0) {
      const next = this.pump();
      if (this.queue.length === 0 && this.inFlight === 0) break;
      await this.sleep(Number.isFinite(next) ? next : this.o.idlePollMs);
    }
    await this.settle();
    return {
      sent: this.totals.sent - before.sent,
      failed: this.totals.failed - before.failed,
      retried: this.totals.retried - before.retried,
      released: this.totals.released - before.released,
    };
  }

  /** Starts the loop: claim, send what the limiters allow, sleep until the next token or due message. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  /** Something was queued: look at the outbox now rather than at the next poll. */
  poke(): void {
    this.nextClaimAt = 0;
    this.wakeUp();
  }

  /** Stops claiming, gives back what was claimed but not sent, and waits for the sends in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp();
    await this.loopDone;
    this.loopDone = undefined;
    this.running = false;
    const now = this.o.clock.now().getTime();
    for (const h of this.queue.splice(0)) this.release(h, now);
    await this.settle();
  }

  /**
   * Simulates a crash (tests, benchmarks): stops at once, records nothing more (outcomes of sends in
   * flight are dropped, claimed messages stay leased until their lease runs out).
   */
  kill(): void {
    this.killed = true;
    this.stopping = true;
    this.queue = [];
    this.wakeUp();
  }

  // -------------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const now = this.o.clock.now().getTime();
        // Sharing the ceilings with others: a part of the batch each, so that none holds much more than
        // the others at the end of a broadcast (the one left alone would then send at its part only).
        const batch = Math.max(1, Math.ceil(this.o.batchSize * (this.share ? this.limiter.share : 1)));
        const lowWater = Math.floor(batch / 2);
        if (this.queue.length <= lowWater && now >= this.nextClaimAt) {
          const want = batch - this.queue.length;
          const got = await this.claim(now, want);
          if (this.stopping) break;
          // A short batch: the rest is not due yet, or held by others. Look again later (or on poke).
          if (got < want) this.nextClaimAt = now + this.o.claimPollMs;
        }
        const nextToken = this.pump();
        let sleepMs: number;
        if (this.queue.length > 0) {
          // Waiting for a token (finite) or for a send slot (a completion wakes the loop).
          sleepMs = Number.isFinite(nextToken) ? nextToken : this.o.idlePollMs;
          if (this.queue.length <= lowWater) sleepMs = Math.min(sleepMs, Math.max(0, this.nextClaimAt - now));
        } else if (this.inFlight > 0) {
          sleepMs = Math.max(0, this.nextClaimAt - now);
        } else {
          // Nothing in hand: the other instances may take this one's share back.
          if (this.lane === 'bulk') this.share?.setBusy(false, now);
          const due = await this.o.outbox.nextDue(this.lane);
          const later = this.o.clock.now().getTime();
          if (due === null) sleepMs = this.o.idlePollMs;
          else if (due.getTime() <= later)
            sleepMs = Math.max(0, this.nextClaimAt - later); // due, but leased by someone else
          else sleepMs = Math.min(due.getTime() - later, this.o.idlePollMs);
          if (due !== null && due.getTime() > later) this.nextClaimAt = Math.min(this.nextClaimAt, due.getTime());
        }
        await this.sleep(Math.min(sleepMs, this.o.idlePollMs));
      } catch (e) {
        this.o.log.error({ err: e, owner: this.o.owner }, 'delivery loop error');
        await this.sleep(this.o.claimPollMs);
      }
    }
  }

  private async claim(now: number, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const claimed = await this.o.outbox.claim(this.o.owner, new Date(now), limit, this.o.leaseMs, this.lane);
    if (this.killed) return claimed.length;
    for (const msg of claimed) {
      if (msg.takenOver) this.o.metrics?.takenOver(msg.platform, this.lane);
      const delivery = this.deliveries[msg.platform];
      if (!delivery) {
        this.record(msg, [], { ok: false, permanent: true, reason: `no delivery for platform ${msg.platform}` });
        continue;
      }
      let limits: RateLimit[];
      try {
        limits = delivery.limits(msg);
      } catch (e) {
        this.record(msg, [], { ok: false, permanent: true, reason: `invalid target: ${(e as Error).message}` });
        continue;
      }
      this.queue.push({ msg, delivery, limits, leaseEnd: now + this.o.leaseMs });
    }
    return claimed.length;
  }

  /**
   * Starts every held message the limiters and the concurrency allow (oldest first), releases those
   * that would wait too long or whose lease is ending. Returns the ms until the next token among
   * those kept (Infinity: none).
   */
  private pump(): number {
    if (this.killed) return Infinity;
    const now = this.o.clock.now().getTime();
    let next = Infinity;
    // Before its warm-up ends (another instance is making room), the bulk lane holds what it claimed.
    let warming = 0;
    if (this.share) {
      this.limiter.share = this.share.factor(now);
      if (this.lane === 'bulk' && this.queue.length > 0) {
        this.share.setBusy(true, now);
        warming = this.share.readyAt() - now;
      }
    }
    const share = this.limiter.share;
    const keep: Held[] = [];
    /** Messages kept in this pass per bucket: those ahead of the next one in line. */
    const ahead = new Map<string, number>();
    for (const h of this.queue) {
      if (this.inFlight >= this.o.concurrency || this.stopping) {
        keep.push(h);
        continue;
      }
      if (h.leaseEnd - now < this.o.leaseMarginMs) {
        this.release(h, now);
        continue;
      }
      if (warming > 0) {
        keep.push(h);
        if (warming < next) next = warming;
        continue;
      }
      const wait = this.limiter.reserve(h.limits, now);
      if (wait === 0) {
        this.startSend(h);
        continue;
      }
      // Its turn: the next token, plus one interval per message ahead of it on its busiest bucket.
      let queued = 0;
      for (const l of h.limits) queued = Math.max(queued, ((ahead.get(l.key) ?? 0) * 1000) / (l.ratePerSec * share));
      const turn = wait + queued;
      // Kept or released at its turn, it is ahead of the next ones: released messages come back staggered.
      for (const l of h.limits) ahead.set(l.key, (ahead.get(l.key) ?? 0) + 1);
      if (wait > this.o.maxHoldMs || turn > this.o.maxQueueWaitMs || h.leaseEnd - (now + turn) < this.o.leaseMarginMs) {
        this.release(h, now + Math.ceil(turn));
        continue;
      }
      if (wait < next) next = wait;
      keep.push(h);
    }
    this.queue = keep;
    return next;
  }

  private startSend(h: Held): void {
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    const op = (async () => {
      let outcome: SendOutcome;
      try {
        outcome = await this.withTimeout(h.delivery.send(h.msg));
      } catch (e) {
        outcome = { ok: false, permanent: false, reason: `send error: ${String((e as Error)?.message ?? e).slice(0, 200)}` };
      }
      if (this.killed) return;
      await this.recordNow(h.msg, h.limits, outcome);
    })().finally(() => {
      this.inFlight--;
      this.wakeUp();
    });
    this.track(op);
  }

  private withTimeout(p: Promise<SendOutcome>): Promise<SendOutcome> {
    const ms = this.o.leaseMarginMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SendOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, permanent: false, reason: `timeout after ${ms} ms` }), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  private record(msg: OutboxMessage, limits: RateLimit[], outcome: SendOutcome): void {
    this.track(this.recordNow(msg, limits, outcome));
  }

  private async recordNow(msg: OutboxMessage, limits: RateLimit[], outcome: SendOutcome): Promise<void> {
    const { outbox, owner, log } = this.o;
    const now = this.o.clock.now().getTime();
    this.o.metrics?.attempted(msg.platform, this.lane, outcome);
    try {
      if (outcome.ok) {
        await retrying(() => outbox.markSent(msg.id, owner, new Date(now)));
        this.totals.sent++;
        if (this.o.onSent) await this.o.onSent(msg, outcome).catch((err) => log.warn({ id: msg.id, key: msg.key, err }, 'after-send hook failed'));
        return;
      }
      const attempt = msg.attempts + 1;
      if (outcome.permanent) {
        await retrying(() => outbox.markFailed(msg.id, owner, { reason: outcome.reason, permanent: true }));
        this.totals.failed++;
        log.info({ id: msg.id, key: msg.key, attempt, reason: outcome.reason }, 'delivery failed for good');
        if (this.o.onFailed) await this.o.onFailed(msg, outcome.reason).catch((err) => log.warn({ id: msg.id, key: msg.key, err }, 'after-failure hook failed'));
        return;
      }
      if (outcome.retryAfterMs !== undefined) {
        // The platform said when: nothing more to these buckets before then.
        for (const l of limits) this.limiter.pause(l.key, now + outcome.retryAfterMs);
      }
      if (attempt >= this.o.maxAttempts) {
        const reason = `gave up after ${attempt} attempts: ${outcome.reason}`;
        await retrying(() => outbox.markFailed(msg.id, owner, { reason, permanent: true }));
        this.totals.failed++;
        log.warn({ id: msg.id, key: msg.key, attempt, reason }, 'delivery gave up');
        return;
      }
      const delay = outcome.retryAfterMs ?? this.backoff(attempt);
      await retrying(() => outbox.markFailed(msg.id, owner, { reason: outcome.reason, permanent: false, retryAt: new Date(now + delay) }));
      this.totals.retried++;
      log.warn({ id: msg.id, key: msg.key, attempt, reason: outcome.reason, retryInMs: delay }, 'delivery failed, will retry');
    } catch (e) {
      // The lease runs out and the message comes back: sent again at worst, never lost.
      log.error({ err: e, id: msg.id, key: msg.key, ok: outcome.ok }, 'could not record a delivery outcome');
    }
  }

  /** Full jitter: uniform in [0, min(cap, base · 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.o.backoffCapMs, this.o.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
    return Math.round(this.o.random() * ceiling);
  }

  private release(h: Held, dueAt: number): void {
    this.totals.released++;
    this.track(
      this.o.outbox.release(h.msg.id, this.o.owner, new Date(dueAt)).catch((e) => {
        this.o.log.warn({ err: e, id: h.msg.id }, 'could not release a message (its lease will run out)');
      }),
    );
  }

  private track(op: Promise<unknown>): void {
    this.pendingOps.add(op);
    void op.finally(() => this.pendingOps.delete(op)).catch(() => undefined);
  }

  private async settle(): Promise<void> {
    while (this.pendingOps.size > 0) await Promise.allSettled([...this.pendingOps]);
  }

  private wakeUp(): void {
    this.woken = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.ceil(ms)));
      this.wake = done;
    });
  }
}

async function retrying(op: () => Promise<void>): Promise<void> {
  const delays = [50, 250, 1000];
  for (let i = 0; ; i++) {
    try {
      await op();
      return;
    } catch (e) {
      if (i >= delays.length) throw e;
      await new Promise((r) => setTimeout(r, delays[i]));
    }
  }
}
