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
  for (const d of running.splice(0)) await d.stop();
});

const channelOf = (m: OutboxMessage) => (m.target.kind === 'channel' ? m.target.channel : m.target.personId);

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
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(5), new Date());
    const delivery = new FakeDelivery('slack', {
      behaviour: (_m, attempt) => (attempt <= 4 ? { ok: false, permanent: false, reason: 'slack http 502' } : { ok: true }),
    });
    // random() = 1: the top of the jitter range, so the delays are exactly base · 2^(n-1), capped.
    const d = dispatcher(outbox, delivery, { backoffBaseMs: 40, backoffCapMs: 200, random: () => 1 });
    d.start();
    await allDone(outbox);
    for (const m of outbox.all()) {
      expect(m).toMatchObject({ state: 'sent', attempts: 5 });
      const times = delivery.sends.filter((s) => s.id === m.id).map((s) => s.at);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      const expected = [40, 80, 160, 200];
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(expected[i] - 1);
        expect(gap).toBeLessThan(expected[i] + 150);
      });
    }
  });

  test('full jitter: the delay is uniform between 0 and the ceiling', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(1), new Date());
    const delivery = new FakeDelivery('slack', { behaviour: () => ({ ok: false, permanent: false, reason: 'x' }) });
    const d = dispatcher(outbox, delivery, { backoffBaseMs: 1000, random: () => 0.25 });
    const before = Date.now();
    await d.runOnce();
    const m = outbox.all()[0];
    expect(m.dueAt.getTime() - before).toBeGreaterThanOrEqual(250);
    expect(m.dueAt.getTime() - before).toBeLessThan(250 + 100);
  });

  test('permanent failures are not retried', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(10, { platform: 'teams' }), new Date());
    const delivery = new FakeDelivery('teams', { behaviour: () => ({ ok: false, permanent: true, reason: 'teams 403 BotDisabledByAdmin' }) });
    const d = dispatcher(outbox, delivery);
    d.start();
    await allDone(outbox);
    await new Promise((r) => setTimeout(r, 150));
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
    await allDone(outbox);
    const toA = delivery.sends.filter((s) => Number(s.key.split(':')[1]) % 2 === 0);
    const toB = delivery.sends.filter((s) => Number(s.key.split(':')[1]) % 2 === 1);
    expect(toA).toHaveLength(11); // 10 + the one retried
    expect(toA.filter((s) => s.at > limitedAt && s.at < limitedAt + 400)).toEqual([]);
    expect(toB.filter((s) => s.at > limitedAt && s.at < limitedAt + 400).length).toBeGreaterThan(0);
    expect(outbox.all().every((m) => m.state === 'sent')).toBe(true);
  });

  test('a turn further away than maxQueueWaitMs: the message is released, due at its turn', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(5, { channel: () => 'slow' }), new Date());
    const delivery = new FakeDelivery('slack', { limits: () => [{ key: 'slow', ratePerSec: 2, burst: 1 }] });
    const d = dispatcher(outbox, delivery, { maxQueueWaitMs: 1200 });
    const start = Date.now();
    const counts = await d.runOnce();
    // turns at 0, 500, 1000 ms; 1500 and 2000 ms are beyond 1200: released
    expect(counts).toEqual({ sent: 3, failed: 0, retried: 0, released: 2 });
    const released = outbox.all().filter((m) => m.state === 'pending');
    expect(released.map((m) => m.key)).toEqual(['b1:3', 'b1:4']);
    expect(released[0].dueAt.getTime()).toBeGreaterThanOrEqual(start + 1500);
    expect(released[1].dueAt.getTime()).toBeGreaterThanOrEqual(start + 2000);
    for (const m of released) expect(m.leaseOwner).toBeUndefined();
    expect(delivery.sends.map((s) => s.key)).toEqual(['b1:0', 'b1:1', 'b1:2']);
  });

  test('a Retry-After longer than maxHoldMs: what waits on that bucket is released, due after it', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(6, { channel: () => 'A' }), new Date());
    let limitedAt = 0;
    const delivery = new FakeDelivery('slack', {
      limits: () => [{ key: 'slack:ws:T1', ratePerSec: 100, burst: 1 }],
      behaviour: () => {
        if (limitedAt) return { ok: true };
        limitedAt = Date.now();
        return { ok: false, permanent: false, reason: 'slack ratelimited', retryAfterMs: 3000 };
      },
    });
    const d = dispatcher(outbox, delivery, { concurrency: 1 });
    const counts = await d.runOnce();
    expect(counts).toEqual({ sent: 0, failed: 0, retried: 1, released: 5 });
    expect(delivery.sends).toHaveLength(1);
    for (const m of outbox.all()) {
      expect(m.state).toBe('pending');
      expect(m.dueAt.getTime()).toBeGreaterThanOrEqual(limitedAt + 3000);
    }
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
    await new Promise((r) => setTimeout(r, 50));
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
    const b = new FakeDelivery('slack', { by: 'B' });
    const db = dispatcher(outbox, b, { owner: 'B' });
    const started = Date.now();
    db.start();
    await allDone(outbox);
    expect(Date.now() - started).toBeLessThan(2000);
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
    const outbox = new MemoryOutbox();
    const due = Date.now() + 300;
    await outbox.enqueue(messages(3, { source: 'later', dueAt: new Date(due) }), new Date());
    const delivery = new FakeDelivery('slack');
    const d = dispatcher(outbox, delivery, { idlePollMs: 10_000, claimPollMs: 10_000 });
    d.start();
    await waitFor(() => delivery.sends.length === 3, 3000, 'the scheduled messages');
    for (const s of delivery.sends) {
      expect(s.at).toBeGreaterThanOrEqual(due);
      expect(s.at).toBeLessThan(due + 200);
    }
    // Idle now (next look in 10 s): a poke makes it look at once.
    await new Promise((r) => setTimeout(r, 50));
    await outbox.enqueue(messages(2, { source: 'now' }), new Date());
    const poked = Date.now();
    d.poke();
    await waitFor(() => delivery.sends.length === 5, 2000, 'the poked messages');
    expect(Date.now() - poked).toBeLessThan(500);
  });

  test('rate limits hold across a run: never more than the bucket allows on a sliding window', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(120, { platform: 'teams' }), new Date());
    const delivery = new FakeDelivery('teams', { limits: () => [{ key: 'app', ratePerSec: 100, burst: 1 }] });
    const d = dispatcher(outbox, delivery);
    const start = Date.now();
    d.start();
    await allDone(outbox);
    const elapsed = Date.now() - start;
    const times = delivery.sends.map((s) => s.at).sort((x, y) => x - y);
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    expect(peak).toBeLessThanOrEqual(100);
    expect(elapsed).toBeGreaterThanOrEqual(1190); // 120 at 100/s
    expect(elapsed).toBeLessThan(1190 / 0.9);
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
