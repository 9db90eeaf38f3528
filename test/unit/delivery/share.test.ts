/**
 * Several instances, one ceiling: dispatchers of different "instances" (each its own limiter, as in
 * separate processes) on one outbox and one table of beats. Under Jest's fake timers (Date included),
 * every send time is exact: the sliding-second counts below do not depend on the machine's speed.
 */
import { Dispatcher } from '../../../src/delivery/dispatcher';
import { underCeiling } from '../../../src/delivery/rate-limiter';
import { CeilingShare } from '../../../src/delivery/share';
import type { OutboxMessage } from '../../../src/domain/delivery';
import type { InstanceBeat, InstanceRepository } from '../../../src/domain/ports';
import { FakeDelivery, messages, type SendRecord, silentLog, systemClock } from './fakes';
import { MemoryOutbox } from './memory-outbox';

const T0 = new Date('2030-01-01T08:00:00Z').getTime();
const CEILING = 50;

/** The store's instances table, in memory. */
class MemoryInstances implements InstanceRepository {
  readonly beats = new Map<string, InstanceBeat>();
  async beat(b: InstanceBeat): Promise<void> {
    this.beats.set(b.owner, { ...b });
  }
  async live(since: Date): Promise<InstanceBeat[]> {
    return [...this.beats.values()].filter((b) => b.seenAt.getTime() >= since.getTime()).map((b) => ({ ...b }));
  }
  async leave(owner: string, before: Date): Promise<void> {
    this.beats.delete(owner);
    for (const [k, b] of this.beats) if (b.seenAt.getTime() < before.getTime()) this.beats.delete(k);
  }
}

interface Instance {
  name: string;
  share?: CeilingShare;
  dispatcher: Dispatcher;
  delivery: FakeDelivery;
}

const started: Instance[] = [];

/** One "process": its own limiter, its own share (unless `alone`), one app-wide bucket at the ceiling. */
async function instance(name: string, outbox: MemoryOutbox, instances: InstanceRepository, opts: { shared?: boolean; leaseMs?: number } = {}): Promise<Instance> {
  const delivery = new FakeDelivery('teams', {
    by: name,
    latencyMs: 100,
    limits: (m: OutboxMessage) => [underCeiling('teams:app', CEILING), underCeiling(`teams:conv:${m.key}`, 7)],
  });
  let dispatcher: Dispatcher | undefined;
  const share = opts.shared === false ? undefined : new CeilingShare({ instances, clock: systemClock, owner: name, log: silentLog, onPeerBusy: () => dispatcher?.poke() });
  dispatcher = new Dispatcher({
    outbox,
    deliveries: { teams: delivery },
    clock: systemClock,
    owner: name,
    log: silentLog,
    leaseMs: opts.leaseMs ?? 10_000,
    claimPollMs: 200,
    share,
  });
  await share?.start();
  dispatcher.start();
  const i = { name, share, dispatcher, delivery };
  started.push(i);
  return i;
}

async function advanceUntil(condition: () => boolean, what: string, maxMs = 600_000, stepMs = 100): Promise<void> {
  for (let elapsed = 0; !condition(); elapsed += stepMs) {
    if (elapsed > maxMs) throw new Error(`${what}: not reached after ${maxMs} ms of fake time`);
    await jest.advanceTimersByTimeAsync(stepMs);
  }
}

/** The most sends that fell in any sliding 1000 ms window (what the platform counts). */
function peakPerSecond(sends: SendRecord[]): number {
  const at = sends.map((s) => s.at).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; j < at.length; j++) {
    while (at[j] - at[i] >= 1000) i++;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
}

const everySend = (...xs: Instance[]) => xs.flatMap((x) => x.delivery.sends);
const done = (outbox: MemoryOutbox) => () => outbox.all().every((m) => m.state !== 'pending');

beforeEach(() => jest.useFakeTimers({ now: T0 }));

afterEach(async () => {
  for (const i of started.splice(0)) {
    const stopping = Promise.all([i.dispatcher.stop(), i.share?.stop()]);
    await jest.advanceTimersByTimeAsync(2000);
    await stopping;
  }
  jest.useRealTimers();
});

/** A table of beats that a "crashed" instance no longer writes to (it says no goodbye either). */
function mortal(instances: InstanceRepository) {
  const state = { dead: false };
  const repo: InstanceRepository = {
    beat: async (b) => (state.dead ? undefined : instances.beat(b)),
    live: (since) => instances.live(since),
    leave: async (owner, before) => (state.dead ? undefined : instances.leave(owner, before)),
  };
  return { repo, die: () => (state.dead = true) };
}

const now = () => Date.now();

/** One instance's share, on the given table of beats, with the default timings. */
const shareOf = (owner: string, instances: InstanceRepository) => new CeilingShare({ instances, clock: systemClock, owner, log: silentLog });

describe('CeilingShare', () => {
  test('alone, an instance has the whole ceiling and sends at once', async () => {
    const share = shareOf('A', new MemoryInstances());
    await share.start();
    await jest.advanceTimersByTimeAsync(1000);
    share.setBusy(true, now());
    expect(share.factor(now())).toBe(1);
    expect(share.readyAt()).toBe(now());
    await share.stop();
  });

  test('a new instance sends nothing before the others can have read its first beat (they know it is there)', async () => {
    const share = shareOf('A', new MemoryInstances());
    await share.start();
    share.setBusy(true, T0);
    expect(share.readyAt()).toBe(T0 + 250 + 250);
    await share.stop();
  });

  test('a busy instance that finds an instance it did not know of counts it as sending for the settle time', async () => {
    const instances = new MemoryInstances();
    const a = shareOf('A', instances);
    await a.start();
    await jest.advanceTimersByTimeAsync(1000);
    a.setBusy(true, now());
    expect(a.factor(now())).toBe(1); // alone
    // B starts and becomes busy before A has read it: B saw A idle, so it starts cautiously, but A did not know of B
    const b = shareOf('B', instances);
    await b.start();
    await jest.advanceTimersByTimeAsync(250); // A's next read finds B
    expect(a.factor(now())).toBe(0.5);
    await jest.advanceTimersByTimeAsync(1100);
    expect(a.factor(now())).toBe(1); // B has nothing to send
    await a.stop();
    await b.stop();
  });

  test('a busy beat that could not be written: no send until one is (the others do not know it joins)', async () => {
    const instances = new MemoryInstances();
    let failing = false;
    const flaky: InstanceRepository = {
      beat: async (x) => {
        if (failing) throw new Error('store unavailable');
        return instances.beat(x);
      },
      live: (since) => instances.live(since),
      leave: (o, before) => instances.leave(o, before),
    };
    const a = shareOf('A', instances);
    const b = shareOf('B', flaky);
    await a.start();
    await b.start();
    await jest.advanceTimersByTimeAsync(1000);
    a.setBusy(true, now());
    await jest.advanceTimersByTimeAsync(2000); // B has read A busy
    failing = true;
    b.setBusy(true, now());
    await jest.advanceTimersByTimeAsync(3000);
    expect(b.readyAt()).toBe(Number.POSITIVE_INFINITY);
    expect(a.factor(now())).toBe(1);
    failing = false;
    await jest.advanceTimersByTimeAsync(250); // B's beat written at last
    expect(b.readyAt()).toBeGreaterThan(now());
    expect(b.readyAt()).toBeLessThan(Number.POSITIVE_INFINITY);
    await jest.advanceTimersByTimeAsync(500);
    expect(a.factor(now())).toBe(0.5); // A made room before B starts
    expect(b.readyAt()).toBeLessThanOrEqual(now());
    await a.stop();
    await b.stop();
  });

  test('another instance live but idle: it starts at once, cautiously at half for the settle time, then at the whole ceiling', async () => {
    const instances = new MemoryInstances();
    const a = shareOf('A', instances);
    const b = shareOf('B', instances);
    await a.start();
    await b.start();
    await jest.advanceTimersByTimeAsync(1000);
    const t = now();
    a.setBusy(true, t);
    expect(a.readyAt()).toBe(t);
    expect(a.factor(t)).toBe(0.5); // B might have started at the same moment without having read A yet
    await jest.advanceTimersByTimeAsync(250); // B reads A's beat at its next refresh
    expect(b.factor(now())).toBe(0.5);
    await jest.advanceTimersByTimeAsync(800);
    expect(a.factor(now())).toBe(1); // B has nothing to send: A may use all of it
    await a.stop();
    await b.stop();
  });

  test('another instance sending: it announces itself and waits; the other makes room before it starts', async () => {
    const instances = new MemoryInstances();
    const a = shareOf('A', instances);
    const b = shareOf('B', instances);
    await a.start();
    await b.start();
    await a.refresh();
    b.setBusy(true, now());
    await jest.advanceTimersByTimeAsync(2000);
    expect(b.factor(now())).toBe(1);
    const t = now();
    a.setBusy(true, t);
    expect(a.readyAt()).toBe(t + 1000);
    await jest.advanceTimersByTimeAsync(0); // the beat is written
    expect(instances.beats.get('A')).toMatchObject({ busy: true, startsAt: new Date(t + 1000) });
    await jest.advanceTimersByTimeAsync(300); // B has read A's beat; A starts in 700 ms
    expect(b.factor(now())).toBe(1);
    await jest.advanceTimersByTimeAsync(500); // 200 ms before A starts
    expect(b.factor(now())).toBe(0.5);
    expect(a.factor(now())).toBe(0.5);
    await a.stop();
    await b.stop();
  });

  test('an instance with nothing left says so after the linger; the other takes the whole ceiling back at its next read', async () => {
    const instances = new MemoryInstances();
    const a = shareOf('A', instances);
    const b = shareOf('B', instances);
    await a.start();
    await b.start();
    await a.refresh();
    a.setBusy(true, now());
    await jest.advanceTimersByTimeAsync(3000);
    expect(b.factor(now())).toBe(0.5);
    a.setBusy(false, now());
    a.setBusy(true, now()); // more work within the linger: still busy, no second warm-up
    a.setBusy(false, now());
    await jest.advanceTimersByTimeAsync(400);
    expect(instances.beats.get('A')?.busy).toBe(true);
    await jest.advanceTimersByTimeAsync(1200);
    expect(instances.beats.get('A')?.busy).toBe(false);
    expect(b.factor(now())).toBe(1);
    await a.stop();
    await b.stop();
  });

  test('a crashed instance (no beat, no goodbye) is gone after the ttl: its share comes back', async () => {
    const instances = new MemoryInstances();
    const a = shareOf('A', instances);
    const bTable = mortal(instances);
    const b = shareOf('B', bTable.repo);
    await a.start();
    await b.start();
    await a.refresh();
    b.setBusy(true, now());
    await jest.advanceTimersByTimeAsync(3000);
    expect(a.factor(now())).toBe(0.5);
    bTable.die();
    await jest.advanceTimersByTimeAsync(2000);
    expect(a.factor(now())).toBe(0.5); // heard from 2 s ago: maybe only slow
    await jest.advanceTimersByTimeAsync(1500);
    expect(a.factor(now())).toBe(1);
    await a.stop();
    await b.stop();
  });

  test('beats are written one at a time, in order: a slow older beat never lands after a newer one, nor after the goodbye', async () => {
    const instances = new MemoryInstances();
    let calls = 0;
    const slowFirst: InstanceRepository = {
      beat: async (x) => {
        if (calls++ === 1) await new Promise((r) => setTimeout(r, 300)); // the timer's beat (busy: false) is slow
        return instances.beat(x);
      },
      live: (since) => instances.live(since),
      leave: (o, before) => instances.leave(o, before),
    };
    const a = shareOf('A', slowFirst);
    await a.start(); // beat 0
    await jest.advanceTimersByTimeAsync(260); // the timer's beat 1 (idle) is under way, slow
    a.setBusy(true, now()); // beat 2 (busy)
    await jest.advanceTimersByTimeAsync(400);
    expect(instances.beats.get('A')?.busy).toBe(true);
    const stopping = a.stop();
    await jest.advanceTimersByTimeAsync(400);
    await stopping;
    expect(instances.beats.has('A')).toBe(false);
  });

  test('a settle time shorter than two beats and the margin is refused (the others could not make room in time)', () => {
    expect(() => new CeilingShare({ instances: new MemoryInstances(), clock: systemClock, owner: 'A', log: silentLog, settleMs: 600 })).toThrow(RangeError);
  });
});

describe('Two instances on one outbox', () => {
  test('without a share, each paces at the whole ceiling: together they exceed it (what the share is for)', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(600, { platform: 'teams' }), new Date(T0));
    const instances = new MemoryInstances();
    const a = await instance('A', outbox, instances, { shared: false });
    const b = await instance('B', outbox, instances, { shared: false });
    await advanceUntil(done(outbox), 'all sent');
    expect(peakPerSecond(everySend(a, b))).toBeGreaterThan(CEILING * 1.5);
  });

  test('with a share, a broadcast is sent once, by both, never above the ceiling together and at ≥ 95 % of it', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(2000, { platform: 'teams' }), new Date(T0));
    const instances = new MemoryInstances();
    const a = await instance('A', outbox, instances);
    const b = await instance('B', outbox, instances);
    await advanceUntil(done(outbox), 'all sent');
    const sends = everySend(a, b);
    expect(sends).toHaveLength(2000);
    expect(new Set(sends.map((s) => s.key)).size).toBe(2000);
    expect(outbox.all().every((m) => m.state === 'sent')).toBe(true);
    expect(peakPerSecond(sends)).toBeLessThanOrEqual(CEILING);
    expect(a.delivery.sends.length).toBeGreaterThan(150);
    expect(b.delivery.sends.length).toBeGreaterThan(150);
    const at = sends.map((s) => s.at).sort((x, y) => x - y);
    const rate = ((sends.length - 1) * 1000) / (at[at.length - 1] - at[0]);
    expect(rate).toBeGreaterThanOrEqual(CEILING * 0.95);
  });

  test('an instance that joins while the other sends at the whole ceiling waits for it to make room: never above the ceiling', async () => {
    const outbox = new MemoryOutbox();
    const instances = new MemoryInstances();
    const a = await instance('A', outbox, instances);
    await outbox.enqueue(messages(800, { platform: 'teams' }), new Date(T0));
    a.dispatcher.poke();
    await advanceUntil(() => a.delivery.sends.length >= 200, 'A alone at full pace');
    const b = await instance('B', outbox, instances);
    await advanceUntil(done(outbox), 'all sent');
    expect(b.delivery.sends.length).toBeGreaterThan(100);
    expect(peakPerSecond(everySend(a, b))).toBeLessThanOrEqual(CEILING);
    expect(new Set(everySend(a, b).map((s) => s.key)).size).toBe(800);
  });

  test('an idle instance learns of a broadcast queued by another (its beat says busy) and takes its part at once', async () => {
    const outbox = new MemoryOutbox();
    const instances = new MemoryInstances();
    const a = await instance('A', outbox, instances);
    const b = await instance('B', outbox, instances);
    await jest.advanceTimersByTimeAsync(5000); // both asleep (idle poll 30 s)
    await outbox.enqueue(messages(600, { platform: 'teams' }), new Date(now()));
    a.dispatcher.poke(); // only the instance that queued it knows
    await jest.advanceTimersByTimeAsync(5000);
    expect(b.delivery.sends.length).toBeGreaterThan(0); // long before its 30 s poll
    await advanceUntil(done(outbox), 'all sent');
    expect(peakPerSecond(everySend(a, b))).toBeLessThanOrEqual(CEILING);
  });

  test('one instance crashes mid-way: the other finishes, alone at the whole ceiling once the dead one is gone, nothing lost', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(messages(800, { platform: 'teams' }), new Date(T0));
    const instances = new MemoryInstances();
    const table = mortal(instances);
    const a = await instance('A', outbox, instances, { leaseMs: 5000 });
    const b = await instance('B', outbox, table.repo, { leaseMs: 5000 });
    await advanceUntil(() => everySend(a, b).length >= 300, 'mid-way');
    // B dies: its dispatcher records nothing more, its beats stop, no goodbye.
    table.die();
    b.dispatcher.kill();
    const killedAt = now();
    const bSent = b.delivery.sends.length;
    await advanceUntil(done(outbox), 'all sent after the takeover');
    await jest.advanceTimersByTimeAsync(200);
    expect(b.delivery.sends.length - bSent).toBeLessThanOrEqual(64); // only what was on the wire
    const received = new Map<string, number>();
    for (const s of everySend(a, b)) received.set(s.key, (received.get(s.key) ?? 0) + 1);
    expect(received.size).toBe(800); // nobody lost
    expect(outbox.all().every((m) => m.state === 'sent')).toBe(true);
    expect(peakPerSecond(everySend(a, b))).toBeLessThanOrEqual(CEILING);
    // Once B is gone (ttl), A paces at the whole ceiling again.
    const late = a.delivery.sends.filter((s) => s.at >= killedAt + 6000);
    if (late.length > 100) expect(peakPerSecond(late)).toBeGreaterThan(CEILING * 0.9);
    expect(a.share?.factor(now())).toBe(1);
  });
});
