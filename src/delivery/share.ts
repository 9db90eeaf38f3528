/**
 * Several instances, one ceiling. The platforms' limits (Teams: 50 activities per second per app and
 * tenant, 7 per conversation; Slack: one message per second per channel and the workspace's pace) hold
 * for the whole deployment, so the instances that send at once split them: each paces its buckets at
 * 1/n of the ceilings, n being the instances sending bulk work (broadcasts, reminders) at that moment.
 *
 * They learn about each other through the store: every instance writes a beat every `beatMs` (its
 * owner, whether it is busy, and since when it may send) and reads the others' beats; an instance not
 * heard from for `ttlMs` is gone (crashed, stopped), and its share goes back to the others.
 *
 * The moment one more instance starts sending is the delicate one: the others must already have made
 * room, or for a moment the deployment sends at more than the ceiling (and draws 429s). Two cases:
 * - Others are sending (as last read): it announces itself and waits `settleMs` before its first send
 *   (the "warm-up"); the others, which read the beats every `beatMs`, slow down `marginMs` before it
 *   starts.
 * - No one else is sending: it starts at once, but cautiously for `settleMs`, counting every live
 *   instance as sending (one of them may have started at the same moment without having read its
 *   beat yet); after that, it paces at the share of those it has read busy.
 * settleMs must exceed two beats plus marginMs plus a read and a write (defaults 1000 > 2 × 250 + 250):
 * an instance that becomes busy during another's cautious start has read it within a beat, or is read
 * by it before that start is over. An instance alone (no live peer) sends at once at the whole
 * ceilings. An instance that has had nothing in hand for `lingerMs` (a broadcast queued in several
 * steps does not cost a warm-up per step) says it is no longer busy; the others speed up at their next
 * read (they only ever under-use the ceiling while they catch up).
 *
 * What this does not cover: the answers to people's requests (the reply lane) are never held back by a
 * warm-up, and an instance that is not busy answers at 1/(busy others + 1): a reply sent while two
 * others share a ceiling may overshoot it by that one message, at worst drawing a 429 that is retried
 * after its Retry-After. Clocks: beats carry their writer's clock; instances are expected to keep their
 * clocks within a few hundred ms (NTP), far below ttlMs and marginMs.
 */
import type { Clock, InstanceBeat, InstanceRepository } from '../domain/ports';
import type { DispatcherLog } from './dispatcher';

/** What a dispatcher needs from the share (the bulk lane announces and waits; every lane paces at the factor). */
export interface SharedCeiling {
  /** Fraction of the platforms' ceilings this instance may use at `now` (1 alone, 1/n with n sending). */
  factor(nowMs: number): number;
  /** The bulk lane has work in hand (true) or none left (false). */
  setBusy(busy: boolean, nowMs: number): void;
  /** When this instance may start sending its bulk work (epoch ms): after its warm-up. */
  readyAt(): number;
}

export interface CeilingShareOptions {
  instances: InstanceRepository;
  clock: Clock;
  owner: string;
  log: DispatcherLog;
  /** Beat and read every (default 250 ms). */
  beatMs?: number;
  /** An instance not heard from for this long is gone (default 3 s). */
  ttlMs?: number;
  /** Warm-up of an instance that becomes busy while others send, cautious start otherwise (default 1 s). */
  settleMs?: number;
  /** The others make room this long before it starts (default 250 ms). */
  marginMs?: number;
  /** Nothing in hand for this long: no longer busy (default 0.5 s). */
  lingerMs?: number;
  /** Another instance became busy: there is bulk work in the outbox (wake the bulk dispatcher). */
  onPeerBusy?: () => void;
}

export class CeilingShare implements SharedCeiling {
  private readonly beatMs: number;
  private readonly ttlMs: number;
  private readonly settleMs: number;
  private readonly marginMs: number;
  private readonly lingerMs: number;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The other live instances, as last read. */
  private peers: InstanceBeat[] = [];
  private busy = false;
  private startsAt: number | null = null;
  private ready = 0;
  /** Until then (a start without a warm-up), every live instance counts as sending. */
  private cautiousUntil = 0;
  /** When this instance's first beat was written: the others know of it a beat later. */
  private firstBeatAt: number | undefined;
  /** Its busy beat could not be written: the others do not know it sends, so it waits until they do. */
  private unannounced = false;
  private writes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private beating: Promise<void> | undefined;
  private lastFactor = 1;

  constructor(private readonly o: CeilingShareOptions) {
    this.beatMs = o.beatMs ?? 250;
    this.ttlMs = o.ttlMs ?? 3000;
    this.settleMs = o.settleMs ?? 1000;
    this.marginMs = o.marginMs ?? 250;
    this.lingerMs = o.lingerMs ?? 500;
    if (this.settleMs < 2 * this.beatMs + this.marginMs) throw new RangeError('settleMs must be at least 2 × beatMs + marginMs');
    if (this.ttlMs < 2 * this.beatMs) throw new RangeError('ttlMs must be at least 2 × beatMs');
  }

  /** First beat and read (so that the first decision knows the others), then one every beatMs. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const now = this.o.clock.now().getTime();
    await this.o.instances.leave(this.o.owner, new Date(now - 10 * this.ttlMs)).catch(() => undefined);
    await this.refresh();
    this.schedule();
  }

  /** Stops beating and says so: the others take this instance's share back at their next read. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await this.beating;
    await this.writes;
    const now = this.o.clock.now().getTime();
    await this.o.instances.leave(this.o.owner, new Date(now - 10 * this.ttlMs)).catch((e) => this.o.log.warn({ err: e }, 'could not say this instance stops'));
  }

  /** Writes this instance's beat and reads the others' (at start and every beatMs; tests call it directly). */
  async refresh(): Promise<void> {
    const now = this.o.clock.now().getTime();
    await this.write(now);
    const written = this.o.clock.now().getTime();
    if (written - now > this.beatMs) this.o.log.warn({ ms: written - now }, 'instance beat slow: the others may learn late that this one sends');
    this.firstBeatAt ??= written;
    if (this.unannounced && this.busy) {
      this.unannounced = false;
      this.ready = Math.max(this.startsAt ?? written, written + this.beatMs + this.marginMs);
      this.o.onPeerBusy?.(); // wakes the bulk lane, which waits for it
    }
    const live = await this.o.instances.live(new Date(now - this.ttlMs));
    const before = new Map(this.peers.map((p) => [p.owner, p]));
    this.peers = live.filter((b) => b.owner !== this.o.owner);
    const read = this.o.clock.now().getTime();
    // One it did not know of: it may have started without knowing of this one either (caution, as at a start).
    if (this.busy && this.peers.some((p) => !before.has(p.owner))) this.cautiousUntil = Math.max(this.cautiousUntil, read + this.settleMs);
    const woke = this.peers.some((p) => p.busy && !before.get(p.owner)?.busy);
    if (woke) this.o.onPeerBusy?.();
  }

  factor(nowMs: number): number {
    let sending = 1;
    for (const p of this.peers) if (p.busy && p.startsAt !== null && p.startsAt.getTime() - this.marginMs <= nowMs) sending++;
    if (this.busy && nowMs < this.cautiousUntil) sending = Math.max(sending, 1 + this.peers.length);
    const f = 1 / sending;
    if (f !== this.lastFactor) {
      this.o.log.debug({ owner: this.o.owner, share: f }, 'share of the platform ceilings');
      this.lastFactor = f;
    }
    return f;
  }

  setBusy(busy: boolean, nowMs: number): void {
    if (busy) {
      // Work again before the linger ran out: still busy, no new warm-up.
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      if (this.busy) return;
      this.busy = true;
      // Others sending: it waits until they have made room. Otherwise it starts at once, cautiously.
      const othersSending = this.peers.some((p) => p.busy);
      this.startsAt = othersSending ? nowMs + this.settleMs : nowMs;
      // Not before the others have read this instance's first beat (they know it is there).
      this.ready = Math.max(this.startsAt, (this.firstBeatAt ?? nowMs) + this.beatMs + this.marginMs);
      this.cautiousUntil = othersSending || this.peers.length === 0 ? 0 : nowMs + this.settleMs;
      this.announce(nowMs);
      return;
    }
    if (!this.busy || this.idleTimer || !this.running) {
      if (!this.running) this.busy = false;
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.busy = false;
      this.startsAt = null;
      this.announce(this.o.clock.now().getTime());
    }, this.lingerMs);
    this.idleTimer.unref?.();
  }

  private announce(nowMs: number): void {
    if (!this.running) return;
    const announced = this.startsAt;
    this.beating = this.write(nowMs)
      .then(() => {
        // A slow write: the others hear of it later, so it waits for them to have read it.
        const written = this.o.clock.now().getTime();
        if (announced === null || this.startsAt !== announced || this.peers.length === 0) return;
        if (this.ready > nowMs) this.ready = Math.max(this.ready, written + this.beatMs + this.marginMs);
        else if (this.cautiousUntil > 0) this.cautiousUntil = Math.max(this.cautiousUntil, written + 2 * this.beatMs + this.marginMs);
      })
      .catch((e) => {
        this.o.log.warn({ err: e }, 'could not write this instance beat');
        // Others sending do not know it joins: no send until a beat saying so is written (refresh).
        if (announced !== null && this.startsAt === announced && this.ready > nowMs) {
          this.unannounced = true;
          this.ready = Number.POSITIVE_INFINITY;
        }
      });
  }

  readyAt(): number {
    return this.ready;
  }

  /** One beat written at a time, in order: an older beat never lands after a newer one (or after leave). */
  private write(nowMs: number): Promise<void> {
    const beat = { owner: this.o.owner, seenAt: new Date(nowMs), busy: this.busy, startsAt: this.startsAt === null ? null : new Date(this.startsAt) };
    const written = this.writes.then(() => this.o.instances.beat(beat));
    this.writes = written.catch(() => undefined);
    return written;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.beating = this.refresh()
        .catch((e) => this.o.log.warn({ err: e }, 'instance beat failed (the share stays as last read)'))
        .finally(() => this.schedule());
    }, this.beatMs);
    this.timer.unref?.();
  }
}
