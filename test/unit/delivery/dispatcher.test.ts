import { Dispatcher, type DispatcherOptions } from '../../../src/delivery/dispatcher';
import { RateLimiter } from '../../../src/delivery/rate-limiter';
import type { OutboxMessage, SendOutcome } from '../../../src/domain/delivery';
import { FakeDelivery, messages, recordingLog, silentLog, systemClock, waitFor } from './fakes';
import { MemoryOutbox } from './memory-outbox';

const running: Dispatcher[] = [];

function dispatcher(outbox: MemoryOutbox, delivery: FakeDelivery, opts: Partial<DispatcherOptions> = {}): Dispatcher {
  const d = new Dispatcher({
    outbox,
    deliveries: { [delivery.platform]: delivery },
    clock: systemClock,
    owner: 'A',
    log: silentLog,
    claimPollMs: 20,
    ...opts,
  });
  running.push(d);
  return d;
}

afterEach(async () => {
  jest.useRealTimers(); // the tests that assert on time run under fake timers (see useFakeTime)
  for (const d of running.splice(0)) await d.stop();
});

const channelOf = (m: OutboxMessage) => (m.target.kind === 'channel' ? m.target.channel : m.target.kind === 'person' ? m.target.personId : m.target.url);

/**
 * Time, for the tests that assert on it: Jest's modern fake timers fake Date too, so the dispatcher's
 * clock (systemClock) and its sleeps move together, only when the test advances them. Every delay,
 * due time and gap is then exact, whatever the speed of the machine.
 */
const T0 = new Date('2030-01-01T08:00:00Z').getTime();

function useFakeTime(): void {
  jest.useFakeTimers({ now: T0 });
}

/** Advances fake time `stepMs` at a time until `condition` holds (timers fire in order, at their exact time). */
async function advanceUntil(condition: () => boolean, what: string, maxMs = 600_000, stepMs = 10): Promise<void> {
  for (let elapsed = 0; !condition(); elapsed += stepMs) {
    if (elapsed > maxMs) throw new Error(`${what}: not reached after ${maxMs} ms of fake time`);
    await jest.advanceTimersByTimeAsync(stepMs);
  }
}

/** Stops a dispatcher under fake time (its loop may be asleep on a fake timer). */
async function stopUnderFakeTime(d: Dispatcher): Promise<void> {
  running.splice(running.indexOf(d), 1);
  const stopping = d.stop();
  await jest.advanceTimersByTimeAsync(1000);
  await stopping;
}

/** A clock that stands still unless the test moves it. */
function fixedClock(at = T0) {
  let t = at;
  return { now: () => new Date(t), set: (ms: number) => (t = ms) };
}

async function allDone(outbox: MemoryOutbox, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => outbox.all().every((m) => m.state !== 'pending'), timeoutMs, 'every message sent or failed');
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

describe('Dispatcher', () => {
  test('sends each message once and records it sent', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(300), new Date());
    const delivery = new FakeDelivery('slack', { latencyMs: () => Math.random() * 3 });
    const d = dispatcher(outbox, delivery, { batchSize: 40 });
    d.start();
    await allDone(outbox);
    await d.stop();
    expect(delivery.sends).toHaveLength(300);
    expect(new Set(delivery.sends.map((s) => s.id)).size).toBe(300);
    expect(outbox.all().every((m) => m.state === 'sent' && m.attempts === 1 && m.leaseOwner === undefined)).toBe(true);
    expect(d.stats()).toMatchObject({ sent: 300, failed: 0, retried: 0, inFlight: 0, queued: 0 });
  });

  test('runOnce delivers one batch and says what happened', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(30), new Date());
    const delivery = new FakeDelivery('slack', {
      behaviour: (m): SendOutcome => {
        const i = Number(m.key.split(':')[1]);
        if (i % 10 === 0) return { ok: false, permanent: true, reason: 'slack channel_not_found' };
        if (i % 10 === 1) return { ok: false, permanent: false, reason: 'slack http 503' };
        return { ok: true };
      },
    });
    const d = dispatcher(outbox, delivery, { batchSize: 20 });
    expect(await d.runOnce()).toEqual({ sent: 16, failed: 2, retried: 2, released: 0 });
    const report = await outbox.report('b1');
    expect(report).toMatchObject({ targeted: 30, sent: 16, failed: 2, pending: 12 });
    expect(report.reasons).toEqual(
      expect.arrayContaining([
        { reason: 'slack channel_not_found', count: 2 },
        { reason: 'slack http 503', count: 2 },
      ]),
    );
    expect(await d.runOnce()).toMatchObject({ sent: 8, failed: 1 });
  });

  test('temporary failures are retried with exponential backoff (full jitter, capped), then succeed', async () => {
    useFakeTime();
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(5), new Date());
    const { lines, log } = recordingLog();
    const delivery = new FakeDelivery('slack', {
      behaviour: (_m, attempt) => (attempt <= 4 ? { ok: false, permanent: false, reason: 'slack http 502' } : { ok: true }),
    });
    // random() = 1: the top of the jitter range, so the delays are exactly base · 2^(n-1), capped.
    const d = dispatcher(outbox, delivery, { backoffBaseMs: 40, backoffCapMs: 200, random: () => 1, log });
    d.start();
    await advanceUntil(() => outbox.all().every((m) => m.state !== 'pending'), 'every message sent', 10_000, 1);
    await stopUnderFakeTime(d);
    const expected = [40, 80, 160, 200];
    for (const m of outbox.all()) {
      expect(m).toMatchObject({ state: 'sent', attempts: 5 });
      // the delay each failure was given, from the injected clock
      const retries = lines.filter((l) => l.msg === 'delivery failed, will retry' && (l.obj as { id: string }).id === m.id).map((l) => (l.obj as { retryInMs: number }).retryInMs);
      expect(retries).toEqual(expected);
      // and the message went out again exactly then, not before
      const times = delivery.sends.filter((s) => s.id === m.id).map((s) => s.at);
      expect(times.slice(1).map((t, i) => t - times[i])).toEqual(expected);
    }
  });

  test.each([
    // [random(), failures so far, ceiling base · 2^(n-1), expected delay]
    [0, 0, 1000, 0],
    [0.25, 0, 1000, 250],
    [0.999, 0, 1000, 999],
    [0.5, 2, 4000, 2000],
    [0.1, 2, 4000, 400],
    [0.75, 9, 300_000, 225_000], // 1000 · 2^9 = 512 s, capped at 5 min
  ])('full jitter: random() = %d after %d failure(s) → the delay is random() × the ceiling (%d ms): %d ms', async (r, before, _ceiling, delay) => {
    const clock = fixedClock();
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(1), new Date(T0));
    const delivery = new FakeDelivery('slack', { behaviour: () => ({ ok: false, permanent: false, reason: 'x' }) });
    let random = 0;
    const d = dispatcher(outbox, delivery, { clock, backoffBaseMs: 1000, maxAttempts: 20, random: () => random });
    // the earlier failures, each run once its retry is due on the clock
    for (let i = 0; i < before; i++) {
      await d.runOnce();
      clock.set(outbox.all()[0].dueAt.getTime());
    }
    const at = clock.now().getTime();
    random = r;
    expect(await d.runOnce()).toMatchObject({ retried: 1 });
    const m = outbox.all()[0];
    expect(m.attempts).toBe(before + 1);
    expect(m.dueAt.getTime() - at).toBe(delay);
  });

  test('permanent failures are not retried', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(10, { platform: 'teams' }), new Date());
    const delivery = new FakeDelivery('teams', { behaviour: () => ({ ok: false, permanent: true, reason: 'teams 403 BotDisabledByAdmin' }) });
    const d = dispatcher(outbox, delivery);
    d.start();
    await allDone(outbox);
    // nothing is pending any more, and the loop has stopped with every send recorded: no retry can follow
    await d.stop();
    expect(await outbox.nextDue()).toBeNull();
    expect(delivery.sends).toHaveLength(10);
    for (const m of outbox.all()) expect(m).toMatchObject({ state: 'failed', permanent: true, attempts: 1, lastError: 'teams 403 BotDisabledByAdmin' });
  });

  test('gives up after maxAttempts: a permanent failure saying why', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(4), new Date());
    const { lines, log } = recordingLog();
    const delivery = new FakeDelivery('slack', { behaviour: () => ({ ok: false, permanent: false, reason: 'slack http 500' }) });
    const d = dispatcher(outbox, delivery, { maxAttempts: 3, backoffBaseMs: 5, log });
    d.start();
    await allDone(outbox);
    expect(countBy(delivery.sends, (s) => s.id)).toEqual(new Map(outbox.all().map((m) => [m.id, 3])));
    for (const m of outbox.all()) {
      expect(m).toMatchObject({ state: 'failed', permanent: true, attempts: 3, lastError: 'gave up after 3 attempts: slack http 500' });
    }
    expect(lines.filter((l) => l.level === 'warn' && l.msg === 'delivery gave up')).toHaveLength(4);
  });

  test('Retry-After: nothing goes to the limited key before it; other keys go on; the message is sent after', async () => {
    useFakeTime();
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(20, { platform: 'teams', channel: (i) => (i % 2 ? 'B' : 'A') }), new Date());
    let limitedAt = 0;
    const delivery = new FakeDelivery('teams', {
      limits: (m) => [{ key: `conv:${channelOf(m)}`, ratePerSec: 100, burst: 1 }],
      behaviour: (m) => {
        if (channelOf(m) === 'A' && limitedAt === 0) {
          limitedAt = Date.now();
          return { ok: false, permanent: false, reason: 'teams 429', retryAfterMs: 400 };
        }
        return { ok: true };
      },
    });
    const d = dispatcher(outbox, delivery);
    d.start();
    await advanceUntil(() => outbox.all().every((m) => m.state !== 'pending'), 'every message sent', 10_000, 1);
    await stopUnderFakeTime(d);
    expect(limitedAt).toBe(T0); // the very first send to A
    const toA = delivery.sends.filter((s) => Number(s.key.split(':')[1]) % 2 === 0).map((s) => s.at - limitedAt);
    const toB = delivery.sends.filter((s) => Number(s.key.split(':')[1]) % 2 === 1).map((s) => s.at - limitedAt);
    expect(toA).toHaveLength(11); // 10 + the one retried
    // A: the limited send, then nothing until the 400 ms have passed, then its pace (100/s) again
    expect(toA).toEqual([0, 400, 410, 420, 430, 440, 450, 460, 470, 480, 490]);
    // B is not held up: its 10 messages go at its own pace during A's pause
    expect(toB).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    // the limited message itself waits for its turn after the pause
    const retried = delivery.sends.filter((s) => s.key === 'b1:0').map((s) => s.at - limitedAt);
    expect(retried).toEqual([0, 490]);
    expect(outbox.all().every((m) => m.state === 'sent')).toBe(true);
  });

  test('a turn further away than maxQueueWaitMs: the message is released, due at its turn', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(5, { channel: () => 'slow' }), new Date());
    const delivery = new FakeDelivery('slack', { limits: () => [{ key: 'slow', ratePerSec: 2, burst: 1 }] });
    useFakeTime();
    const d = dispatcher(outbox, delivery, { maxQueueWaitMs: 1200 });
    const run = d.runOnce();
    await jest.advanceTimersByTimeAsync(1000);
    const counts = await run;
    // turns at 0, 500, 1000 ms; 1500 and 2000 ms are beyond 1200: released
    expect(counts).toEqual({ sent: 3, failed: 0, retried: 0, released: 2 });
    const released = outbox.all().filter((m) => m.state === 'pending');
    expect(released.map((m) => m.key)).toEqual(['b1:3', 'b1:4']);
    expect(released.map((m) => m.dueAt.getTime() - T0)).toEqual([1500, 2000]);
    for (const m of released) expect(m.leaseOwner).toBeUndefined();
    expect(delivery.sends.map((s) => s.key)).toEqual(['b1:0', 'b1:1', 'b1:2']);
    expect(delivery.sends.map((s) => s.at - T0)).toEqual([0, 500, 1000]);
  });

  test('a Retry-After longer than maxHoldMs: what waits on that bucket is released, due after it', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(6, { channel: () => 'A' }), new Date());
    let limited = false;
    const delivery = new FakeDelivery('slack', {
      limits: () => [{ key: 'slack:ws:T1', ratePerSec: 100, burst: 1 }],
      behaviour: () => {
        if (limited) return { ok: true };
        limited = true;
        return { ok: false, permanent: false, reason: 'slack ratelimited', retryAfterMs: 3000 };
      },
    });
    // the clock stands still: the Retry-After starts at T0 exactly
    const d = dispatcher(outbox, delivery, { concurrency: 1, clock: fixedClock() });
    const counts = await d.runOnce();
    expect(counts).toEqual({ sent: 0, failed: 0, retried: 1, released: 5 });
    expect(delivery.sends).toHaveLength(1);
    for (const m of outbox.all()) expect(m).toMatchObject({ state: 'pending', leaseOwner: undefined });
    // the limited one is due when the platform said; the others after it, one bucket interval apart
    expect(outbox.all().map((m) => [m.key, m.dueAt.getTime() - T0])).toEqual([
      ['b1:0', 3000],
      ['b1:1', 3000],
      ['b1:2', 3010],
      ['b1:3', 3020],
      ['b1:4', 3030],
      ['b1:5', 3040],
    ]);
  });

  test('never more than `concurrency` sends in flight', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(60), new Date());
    const delivery = new FakeDelivery('slack', { latencyMs: 15 });
    const d = dispatcher(outbox, delivery, { concurrency: 5 });
    d.start();
    await allDone(outbox);
    expect(delivery.peakInFlight).toBe(5);
    expect(d.stats().peakInFlight).toBe(5);
  });

  test('two dispatchers sharing one outbox never send a message twice', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(600), new Date());
    const a = new FakeDelivery('slack', { by: 'A', latencyMs: () => Math.random() * 4 });
    const b = new FakeDelivery('slack', { by: 'B', latencyMs: () => Math.random() * 4 });
    const da = dispatcher(outbox, a, { owner: 'A', batchSize: 30 });
    const db = dispatcher(outbox, b, { owner: 'B', batchSize: 30 });
    da.start();
    db.start();
    await allDone(outbox);
    await Promise.all([da.stop(), db.stop()]);
    const all = [...a.sends, ...b.sends];
    expect(all).toHaveLength(600);
    expect(new Set(all.map((s) => s.id)).size).toBe(600);
    expect(a.sends.length).toBeGreaterThan(50);
    expect(b.sends.length).toBeGreaterThan(50);
    expect(outbox.refused).toBe(0);
  });

  test('a killed dispatcher: its leases run out, another takes over, nobody is lost, duplicates ≤ its sends in flight', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(120), new Date());
    const leaseMs = 500;
    const a = new FakeDelivery('slack', { by: 'A', latencyMs: 30 });
    const da = dispatcher(outbox, a, { owner: 'A', leaseMs, batchSize: 40, concurrency: 4 });
    da.start();
    await waitFor(() => a.sends.length >= 20, 5000, 'A to start');
    const inFlightAtKill = a.inFlight;
    const killedAt = Date.now();
    da.kill();
    expect(inFlightAtKill).toBeGreaterThan(0);
    const heldByA = outbox.all().filter((m) => m.state === 'pending' && m.leaseOwner === 'A');
    expect(heldByA.length).toBeGreaterThan(inFlightAtKill); // claimed, some not yet sent

    const b = new FakeDelivery('slack', { by: 'B' });
    const db = dispatcher(outbox, b, { owner: 'B', leaseMs });
    db.start();
    await allDone(outbox);
    await db.stop();

    // B touched nothing A held before A's lease ran out.
    const leaseEnd = new Map(heldByA.map((m) => [m.id, m.leaseUntil!.getTime()]));
    const takenOver = b.sends.filter((x) => leaseEnd.has(x.id));
    expect(takenOver.length).toBe(heldByA.length);
    for (const s of takenOver) expect(s.at).toBeGreaterThanOrEqual(leaseEnd.get(s.id)!);
    // Nobody lost: everything was delivered at least once and is recorded sent.
    const delivered = new Set([...a.sends, ...b.sends].map((s) => s.id));
    expect(delivered.size).toBe(120);
    expect(outbox.all().every((m) => m.state === 'sent')).toBe(true);
    // Duplicates: only what A had in flight (delivered, never recorded).
    const sentByA = new Set(a.sends.map((s) => s.id));
    const duplicates = b.sends.filter((s) => sentByA.has(s.id));
    expect(duplicates.length).toBeLessThanOrEqual(inFlightAtKill);
    // A recorded nothing after the kill, even when its sends in flight came back.
    await waitFor(() => a.inFlight === 0, 5000, 'the sends A had in flight to come back');
    expect(outbox.log.filter((l) => l.owner === 'A' && l.op !== 'claim' && (l.at ?? 0) > killedAt)).toEqual([]);
  });

  test('stop() gives back what was claimed and waits for the sends in flight to be recorded', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(50), new Date());
    const a = new FakeDelivery('slack', { by: 'A', latencyMs: 40, limits: () => [{ key: 'app', ratePerSec: 50, burst: 1 }] });
    const da = dispatcher(outbox, a, { owner: 'A', batchSize: 50 });
    da.start();
    await waitFor(() => a.sends.length >= 5, 5000, 'A to start');
    await da.stop();
    expect(a.inFlight).toBe(0);
    const all = outbox.all();
    expect(all.filter((m) => m.leaseOwner === 'A')).toEqual([]);
    expect(all.filter((m) => m.state === 'sent').length).toBe(a.sends.length);
    // Another dispatcher takes the rest at once (no lease to wait for), without duplicates.
    const left = all.filter((m) => m.state === 'pending').map((m) => m.id);
    expect(left.length).toBeGreaterThan(0);
    const b = new FakeDelivery('slack', { by: 'B' });
    const db = dispatcher(outbox, b, { owner: 'B' });
    db.start();
    await allDone(outbox);
    // B's very first claim got every message A gave back (a message still leased to A would have been left out)
    const claimsByB = outbox.log.filter((l) => l.op === 'claim' && l.owner === 'B');
    const firstClaim = claimsByB.filter((l) => l.at === claimsByB[0].at).map((l) => l.id);
    expect(firstClaim.sort()).toEqual([...left].sort());
    expect(new Set([...a.sends, ...b.sends].map((s) => s.id)).size).toBe(a.sends.length + b.sends.length);
  });

  test('a send that throws or hangs does not stop the loop: temporary failure (timeout before the lease ends), sent later', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(20), new Date());
    const { lines, log } = recordingLog();
    const delivery = new FakeDelivery('slack', {
      behaviour: (m, attempt) => {
        if (m.key === 'b1:0' && attempt === 1) throw new Error('boom');
        if (m.key === 'b1:1' && attempt === 1) return new Promise<SendOutcome>(() => undefined); // never answers
        return { ok: true };
      },
    });
    const d = dispatcher(outbox, delivery, { leaseMs: 400, backoffBaseMs: 10, log });
    d.start();
    await allDone(outbox);
    expect(outbox.all().every((m) => m.state === 'sent')).toBe(true);
    expect(outbox.all().find((m) => m.key === 'b1:0')).toMatchObject({ attempts: 2 });
    expect(outbox.all().find((m) => m.key === 'b1:1')).toMatchObject({ attempts: 2 });
    const warned = lines.filter((l) => l.level === 'warn').map((l) => (l.obj as { reason: string }).reason);
    expect(warned).toEqual(expect.arrayContaining(['send error: boom', 'timeout after 100 ms']));
  });

  test('a platform without a delivery, or a target the delivery cannot limit: failed for good', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue([...messages(2, { platform: 'teams', source: 't' }), ...messages(2, { source: 's' })], new Date());
    const delivery = new FakeDelivery('slack', {
      limits: (m) => {
        if (m.key === 's:1') throw new Error('no channel');
        return [];
      },
    });
    const d = dispatcher(outbox, delivery);
    await d.runOnce();
    expect((await outbox.report('t')).reasons).toEqual([{ reason: 'no delivery for platform teams', count: 2 }]);
    expect(await outbox.report('s')).toMatchObject({ sent: 1, failed: 1, reasons: [{ reason: 'invalid target: no channel', count: 1 }] });
  });

  test('waits for messages not due yet, and poke() wakes it for new ones', async () => {
    useFakeTime();
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(3, { source: 'later', dueAt: new Date(T0 + 300) }), new Date());
    const delivery = new FakeDelivery('slack');
    const d = dispatcher(outbox, delivery, { idlePollMs: 10_000, claimPollMs: 10_000 });
    d.start();
    await jest.advanceTimersByTimeAsync(299);
    expect(delivery.sends).toHaveLength(0); // not due yet
    await jest.advanceTimersByTimeAsync(1);
    expect(delivery.sends.map((s) => s.at - T0)).toEqual([300, 300, 300]); // at their due time exactly
    // Idle now (next look in 10 s): new messages wait for it…
    await jest.advanceTimersByTimeAsync(50);
    await outbox.enqueue(messages(2, { source: 'now' }), new Date());
    await jest.advanceTimersByTimeAsync(1000);
    expect(delivery.sends).toHaveLength(3);
    // …and a poke makes it look at once: sent without any time passing
    const poked = Date.now();
    d.poke();
    for (let i = 0; i < 20 && delivery.sends.length < 5; i++) await jest.advanceTimersByTimeAsync(0);
    expect(delivery.sends.slice(3).map((s) => s.at - poked)).toEqual([0, 0]);
    expect(Date.now()).toBe(poked);
    await stopUnderFakeTime(d);
  });

  test('rate limits hold across a run: never more than the bucket allows on a sliding window', async () => {
    useFakeTime();
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(120, { platform: 'teams' }), new Date());
    const delivery = new FakeDelivery('teams', { limits: () => [{ key: 'app', ratePerSec: 100, burst: 1 }] });
    const d = dispatcher(outbox, delivery);
    d.start();
    await advanceUntil(() => outbox.all().every((m) => m.state !== 'pending'), 'every message sent');
    await stopUnderFakeTime(d);
    const times = delivery.sends.map((s) => s.at - T0).sort((x, y) => x - y);
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    expect(peak).toBeLessThanOrEqual(100);
    // 120 at 100/s: one every 10 ms from the first, none late, none early
    expect(times).toEqual(Array.from({ length: 120 }, (_, i) => i * 10));
  });

  test('dispatchers of one process can share a limiter', async () => {
    const limiter = new RateLimiter();
    const outbox = new MemoryOutbox();
    const a = dispatcher(outbox, new FakeDelivery('slack'), { limiter, owner: 'A' });
    expect(a.limiter).toBe(limiter);
  });
});

describe('Dispatcher with Jest fake timers and the default backoff (1 s base, 8 attempts)', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2030-01-01T08:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  test('retries at 1, 2, 4 … 64 s (top of the jitter), then gives up after the 8th attempt', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(1), new Date());
    const delivery = new FakeDelivery('slack', { behaviour: () => ({ ok: false, permanent: false, reason: 'slack http 503' }) });
    const d = new Dispatcher({ outbox, deliveries: { slack: delivery }, clock: systemClock, owner: 'A', log: silentLog, random: () => 1 });
    d.start();
    for (let s = 0; s < 300 && outbox.all()[0].state === 'pending'; s++) await jest.advanceTimersByTimeAsync(1000);
    const t0 = delivery.sends[0].at;
    expect(delivery.sends.map((s) => Math.round((s.at - t0) / 1000))).toEqual([0, 1, 3, 7, 15, 31, 63, 127]);
    expect(outbox.all()[0]).toMatchObject({ state: 'failed', attempts: 8, lastError: 'gave up after 8 attempts: slack http 503' });
    const stopping = d.stop();
    await jest.advanceTimersByTimeAsync(1000);
    await stopping;
  });
});
