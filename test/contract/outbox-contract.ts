import type { Audience, Broadcast, NewBroadcast, Schedule } from '../../src/domain/broadcasts';
import type { NewOutboxMessage, OutboxMessage, OutboxReport } from '../../src/domain/delivery';
import type { Store } from '../../src/domain/ports';
import type { StoreFactory } from './store-contract';
import { inThreads } from './threads';

/**
 * A store factory that can also open more connections on the same storage, to check that claims
 * stay exclusive across connections (several instances of the bot sharing one store).
 */
export interface OutboxStoreFactory extends StoreFactory {
  /** Another store, in this process, on the same storage as `store` (a second connection). The test closes it. */
  sibling?(store: Store): Promise<Store>;
  /**
   * A JavaScript expression giving another store (or a promise of one) on the same storage as `store`,
   * evaluated in a worker thread whose `require` loads the project's TypeScript sources.
   * The worker closes it.
   */
  threadSibling?(store: Store): string;
}

const MIN = 60_000;
const T0 = new Date('2026-03-01T09:00:00Z');
const T1 = new Date('2026-03-01T10:00:00Z');
const T2 = new Date('2026-03-02T10:00:00Z');
const FAR = new Date('2030-01-01T00:00:00Z');
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

const SRC = 'b1:r1';
const OTHER = 'b2:r1';
const LEASE = 10 * MIN;

const CARD = JSON.stringify({
  title: 'Atelier « Accueil » — jeudi',
  body: 'Ligne 1\nLigne 2\t"citée" \\ antislash, émoji 🎉, {"$ne": null}',
  actions: [{ label: 'Voir', url: 'https://exemple.fr/a?b=1&c=2' }],
});

function message(n: number | string, over: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    key: `${over.source ?? SRC}:slack:T1/U${n}`,
    source: SRC,
    platform: 'slack',
    target: { kind: 'person', personId: `slack:T1/U${n}` },
    payload: CARD,
    dueAt: T0,
    ...over,
  };
}

const keys = (ms: OutboxMessage[]) => ms.map((m) => m.key);
const sorted = <T>(xs: T[]) => [...xs].sort();
const noKey = (o: object, key: string) => !Object.hasOwn(o, key);

/** Claims everything due at `now` for `owner`, keyed by message key. */
async function claimAll(store: Store, owner: string, now: Date): Promise<Map<string, OutboxMessage>> {
  const got = await store.outbox.claim(owner, now, 10_000, LEASE);
  return new Map(got.map((m) => [m.key, m]));
}

/** A worker loop: claims `batch` at a time until nothing is left, marking each message sent. */
async function drain(store: Store, owner: string, now: Date, batch: number): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const got = await store.outbox.claim(owner, now, batch, LEASE);
    if (got.length === 0) return ids;
    for (const m of got) {
      expect(m.leaseOwner).toBe(owner);
      ids.push(m.id);
      await store.outbox.markSent(m.id, owner, now);
    }
  }
}

/**
 * Runs `drain` in worker threads, each on its own store opened by `expr`. The threads open their store,
 * then all start claiming at the same signal.
 */
async function drainInThreads(expr: string, owners: string[], now: Date, batch: number): Promise<string[][]> {
  const body = `
    const ids = [];
    const now = new Date(data.now);
    for (;;) {
      const got = await store.outbox.claim(data.owner, now, data.batch, data.leaseMs);
      if (got.length === 0) return ids;
      for (const m of got) {
        if (m.leaseOwner !== data.owner) throw new Error('claimed a message leased to ' + m.leaseOwner);
        ids.push(m.id);
        await store.outbox.markSent(m.id, data.owner, now);
      }
    }`;
  const data = owners.map((owner) => ({ owner, now: now.getTime(), batch, leaseMs: LEASE }));
  return inThreads<string[]>(expr, body, data, (i) => owners[i]);
}

const NEW_BROADCAST: NewBroadcast = {
  message: '**Atelier** jeudi à 14 h — _venez nombreux_',
  audience: { kind: 'everyone' },
  schedule: { kind: 'now' },
  createdBy: 'slack:T1/UORG',
  createdAt: T0,
};

function newBroadcast(over: Partial<NewBroadcast> = {}): NewBroadcast {
  return { ...NEW_BROADCAST, ...over };
}

/**
 * The delivery part of the store contract: the durable outbox and the broadcasts. What both the
 * embedded SQLite store and MongoDB must do identically, through the repository ports only.
 */
export function outboxContract(factory: OutboxStoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  describe('outbox', () => {
    test('enqueue returns how many were added and ignores keys already queued', async () => {
      expect(await store.outbox.enqueue([], T0)).toBe(0);
      expect(await store.outbox.enqueue([message(1), message(2), message(3)], T0)).toBe(3);
      expect(await store.outbox.enqueue([message(1), message(2), message(3)], T1)).toBe(0);
      expect(await store.outbox.enqueue([message(2), message(4), message(3), message(5)], T1)).toBe(2);
      // the same key twice in one call counts once
      expect(await store.outbox.enqueue([message(6), message(6)], T1)).toBe(1);
      // a re-queued key keeps what was first queued (payload, due time, creation time)
      expect(await store.outbox.enqueue([message(1, { payload: '{"other":true}', dueAt: T2 })], T2)).toBe(0);

      const all = await claimAll(store, 'w1', T1);
      expect(sorted([...all.keys()])).toEqual(sorted([1, 2, 3, 4, 5, 6].map((n) => message(n).key)));
      expect(new Set([...all.values()].map((m) => m.id)).size).toBe(6);
      const first = all.get(message(1).key)!;
      expect(first.payload).toBe(CARD);
      expect(first.dueAt.toISOString()).toBe(T0.toISOString());
      expect(first.createdAt.toISOString()).toBe(T0.toISOString());
      expect(all.get(message(4).key)!.createdAt.toISOString()).toBe(T1.toISOString());

      const report = await store.outbox.report(SRC);
      expect(report.targeted).toBe(6);
      expect(report.pending).toBe(6);
    });

    test('lanes: the answers to requests are claimed apart from the bulk, each lane earliest due first', async () => {
      const bulk = Array.from({ length: 5 }, (_, n) => message(n, { dueAt: at(T0, n) }));
      const replies = [
        message(10, { dueAt: at(T0, 100), lane: 'reply', target: { kind: 'response', url: 'https://hooks.slack.com/actions/T1/1/abc' } }),
        message(11, { dueAt: at(T0, 50), lane: 'reply' }),
      ];
      await store.outbox.enqueue([...bulk, ...replies], T0);
      const now = at(T0, 1000);
      expect(await store.outbox.nextDue('reply')).toEqual(at(T0, 50));
      expect(await store.outbox.nextDue()).toEqual(at(T0, 0));
      const gotReplies = await store.outbox.claim('w1', now, 10, LEASE, 'reply');
      expect(keys(gotReplies)).toEqual([replies[1].key, replies[0].key]);
      expect(gotReplies.map((m) => m.lane)).toEqual(['reply', 'reply']);
      expect(gotReplies[1].target).toStrictEqual({ kind: 'response', url: 'https://hooks.slack.com/actions/T1/1/abc' });
      const gotBulk = await store.outbox.claim('w2', now, 10, LEASE);
      expect(keys(gotBulk)).toEqual(bulk.map((m) => m.key));
      expect(await store.outbox.claim('w3', now, 10, LEASE, 'reply')).toEqual([]);
      expect(await store.outbox.nextDue('reply')).toEqual(at(T0, 50)); // pending, held by w1
    });

    test('a claimed message round-trips every field, payload and target exactly', async () => {
      const channel: NewOutboxMessage = {
        key: `${SRC}:teams:19:abc@thread.tacv2`,
        source: SRC,
        platform: 'teams',
        target: { kind: 'channel', platform: 'teams', channel: '19:abc@thread.tacv2', serviceUrl: 'https://smba.example/emea/' },
        payload: '{"distinct":1}',
        dueAt: at(T0, 1),
      };
      const slackChannel: NewOutboxMessage = {
        key: `${SRC}:slack:C42`,
        source: SRC,
        platform: 'slack',
        // an optional field given as undefined is absent when read back (not null)
        target: { kind: 'channel', platform: 'slack', channel: 'C42', serviceUrl: undefined },
        payload: '{"distinct":2}',
        dueAt: at(T0, 2),
      };
      const person = message(1, { dueAt: at(T0, 3) });
      expect(await store.outbox.enqueue([channel, slackChannel, person], T0)).toBe(3);

      const now = at(T0, 5 * MIN);
      const got = await store.outbox.claim('w1', now, 10, LEASE);
      expect(keys(got)).toEqual([channel.key, slackChannel.key, person.key]);
      const [c, s, p] = got;
      expect(c).toEqual({
        id: c.id,
        key: channel.key,
        source: SRC,
        platform: 'teams',
        target: channel.target,
        payload: '{"distinct":1}',
        lane: 'bulk',
        state: 'pending',
        attempts: 0,
        dueAt: at(T0, 1),
        leaseOwner: 'w1',
        leaseUntil: at(now, LEASE),
        createdAt: T0,
      });
      expect(typeof c.id).toBe('string');
      expect(c.id.length).toBeGreaterThan(0);
      for (const m of got) {
        expect(m.dueAt).toBeInstanceOf(Date);
        expect(m.createdAt).toBeInstanceOf(Date);
        expect(m.leaseUntil).toBeInstanceOf(Date);
        for (const key of ['lastError', 'permanent', 'sentAt']) expect(noKey(m, key)).toBe(true);
      }
      expect(s.target).toStrictEqual({ kind: 'channel', platform: 'slack', channel: 'C42' });
      expect(noKey(s.target, 'serviceUrl')).toBe(true);
      expect(s.payload).toBe('{"distinct":2}');
      expect(p.target).toEqual({ kind: 'person', personId: 'slack:T1/U1' });
      expect(p.payload).toBe(CARD);
      expect(p.dueAt.toISOString()).toBe(at(T0, 3).toISOString());
    });

    test('the payload round-trips exactly, shared by many messages or distinct per message', async () => {
      const big = JSON.stringify({ text: 'é'.repeat(20_000), blocks: Array.from({ length: 50 }, (_, i) => ({ i, s: `ligne ${i}\n` })) });
      const shared = Array.from({ length: 40 }, (_, n) => message(n, { payload: big }));
      const distinct = Array.from({ length: 40 }, (_, n) => message(`d${n}`, { payload: JSON.stringify({ n, text: `Bonjour n°${n} 👋 "${'x'.repeat(n)}"` }) }));
      // a payload also used by another source, queued separately
      const elsewhere = message('e', { source: OTHER, payload: CARD });
      const mine = message('m', { payload: CARD });
      expect(await store.outbox.enqueue([...shared, ...distinct], T0)).toBe(80);
      expect(await store.outbox.enqueue([elsewhere], T0)).toBe(1);
      expect(await store.outbox.enqueue([mine], T1)).toBe(1);

      const all = await claimAll(store, 'w1', T1);
      expect(all.size).toBe(82);
      for (const m of [...shared, ...distinct, elsewhere, mine]) expect(all.get(m.key)?.payload).toBe(m.payload);
    });

    test('claim returns only due messages, in due order, up to the limit, and leases them', async () => {
      const a = message('a', { dueAt: at(T0, 3 * MIN) });
      const b = message('b', { dueAt: at(T0, 1 * MIN) });
      const c = message('c', { dueAt: at(T0, 2 * MIN) });
      const d = message('d', { dueAt: at(T0, 10 * MIN) });
      await store.outbox.enqueue([a, b, c, d], T0);

      expect(await store.outbox.claim('w0', T0, 10, LEASE)).toEqual([]);

      const now = at(T0, 5 * MIN);
      const first = await store.outbox.claim('w1', now, 2, LEASE);
      expect(keys(first)).toEqual([b.key, c.key]);
      for (const m of first) {
        expect(m.leaseOwner).toBe('w1');
        expect(m.leaseUntil?.toISOString()).toBe(at(now, LEASE).toISOString());
        expect(m.state).toBe('pending');
      }

      // another owner, leases running: none of the same messages, only what is left and due
      const second = await store.outbox.claim('w2', now, 10, LEASE);
      expect(keys(second)).toEqual([a.key]);
      expect(second[0].leaseOwner).toBe('w2');
      expect(await store.outbox.claim('w3', now, 10, LEASE)).toEqual([]);

      // due exactly now is due
      const third = await store.outbox.claim('w3', at(T0, 10 * MIN), 10, LEASE);
      expect(keys(third)).toEqual([d.key]);
      expect(await store.outbox.claim('w4', at(now, LEASE - 1), 10, LEASE)).toEqual([]);

      // once the leases of w1 and w2 expired (d's runs until 20 min), another owner takes them again
      const later = at(T0, 16 * MIN);
      const retaken = await store.outbox.claim('w4', later, 10, LEASE);
      expect(keys(retaken)).toEqual([b.key, c.key, a.key]);
      expect(retaken.map((m) => m.id)).toEqual([...first.map((m) => m.id), second[0].id]);
      for (const m of retaken) {
        expect(m.leaseOwner).toBe('w4');
        expect(m.leaseUntil?.toISOString()).toBe(at(later, LEASE).toISOString());
      }
      expect(await store.outbox.claim('w5', later, 10, LEASE)).toEqual([]);
      expect(keys(await store.outbox.claim('w5', at(T0, 21 * MIN), 10, LEASE))).toEqual([d.key]);
    });

    test('a limit of 0 claims nothing', async () => {
      await store.outbox.enqueue([message(1)], T0);
      expect(await store.outbox.claim('w1', T1, 0, LEASE)).toEqual([]);
      expect(keys(await store.outbox.claim('w2', T1, 5, LEASE))).toEqual([message(1).key]);
    });

    test('markSent: the message is sent and never claimed again', async () => {
      await store.outbox.enqueue([message(1), message(2)], T0);
      const [m1, m2] = await store.outbox.claim('w1', T0, 10, LEASE);
      await store.outbox.markSent(m1.id, 'w1', at(T0, 1000));
      // idempotent
      await store.outbox.markSent(m1.id, 'w1', at(T0, 2000));

      expect(await store.outbox.report(SRC)).toEqual({ targeted: 2, sent: 1, failed: 0, pending: 1, cancelled: 0, reasons: [] });
      const again = await store.outbox.claim('w2', FAR, 10, LEASE);
      expect(again.map((m) => m.id)).toEqual([m2.id]);
      expect(again[0].attempts).toBe(0);
      await store.outbox.markSent(m2.id, 'w2', FAR);
      expect(await store.outbox.claim('w3', FAR, 10, LEASE)).toEqual([]);
      expect(await store.outbox.nextDue()).toBeNull();
      expect((await store.outbox.report(SRC)).sent).toBe(2);
      // a later failure report does not undo the send
      await store.outbox.markFailed(m1.id, 'w1', { reason: 'timeout', permanent: false, retryAt: T1 });
      await store.outbox.markFailed(m2.id, 'w2', { reason: 'gone', permanent: true });
      await store.outbox.release(m2.id, 'w2', T1);
      expect(await store.outbox.report(SRC)).toEqual({ targeted: 2, sent: 2, failed: 0, pending: 0, cancelled: 0, reasons: [] });
      expect(await store.outbox.claim('w3', FAR, 10, LEASE)).toEqual([]);
    });

    test('markFailed (temporary): back to pending, one more attempt, due at retryAt, reason kept', async () => {
      await store.outbox.enqueue([message(1)], T0);
      const [m] = await store.outbox.claim('w1', T0, 10, LEASE);
      const retryAt = at(T0, 30 * MIN);
      await store.outbox.markFailed(m.id, 'w1', { reason: 'ratelimited', permanent: false, retryAt });

      expect(await store.outbox.report(SRC)).toEqual({
        targeted: 1,
        sent: 0,
        failed: 0,
        pending: 1,
        cancelled: 0,
        reasons: [{ reason: 'ratelimited', count: 1 }],
      });
      expect((await store.outbox.nextDue())?.toISOString()).toBe(retryAt.toISOString());
      // the lease is released, but the message is not due before retryAt
      expect(await store.outbox.claim('w2', at(retryAt, -1), 10, LEASE)).toEqual([]);

      const [back] = await store.outbox.claim('w2', retryAt, 10, LEASE);
      expect(back.id).toBe(m.id);
      expect(back).toMatchObject({ state: 'pending', attempts: 1, lastError: 'ratelimited', leaseOwner: 'w2' });
      expect(back.dueAt.toISOString()).toBe(retryAt.toISOString());
      expect(noKey(back, 'permanent')).toBe(true);

      const retry2 = at(retryAt, 5 * MIN);
      await store.outbox.markFailed(back.id, 'w2', { reason: 'timeout', permanent: false, retryAt: retry2 });
      const [third] = await store.outbox.claim('w3', retry2, 10, LEASE);
      expect(third).toMatchObject({ id: m.id, attempts: 2, lastError: 'timeout' });
      await store.outbox.markSent(third.id, 'w3', retry2);
      expect(await store.outbox.report(SRC)).toEqual({ targeted: 1, sent: 1, failed: 0, pending: 0, cancelled: 0, reasons: [] });
    });

    test('markFailed (permanent): failed for good, never claimed again', async () => {
      await store.outbox.enqueue([message(1), message(2)], T0);
      const [m1, m2] = await store.outbox.claim('w1', T0, 10, LEASE);
      await store.outbox.markFailed(m1.id, 'w1', { reason: 'account_inactive', permanent: true });

      expect(await store.outbox.report(SRC)).toEqual({
        targeted: 2,
        sent: 0,
        failed: 1,
        pending: 1,
        cancelled: 0,
        reasons: [{ reason: 'account_inactive', count: 1 }],
      });
      const later = await store.outbox.claim('w2', FAR, 10, LEASE);
      expect(later.map((m) => m.id)).toEqual([m2.id]);
      await store.outbox.release(m2.id, 'w2', T2);
      expect((await store.outbox.nextDue())?.toISOString()).toBe(T2.toISOString());
      await store.outbox.markSent((await store.outbox.claim('w3', T2, 10, LEASE))[0].id, 'w3', T2);
      expect(await store.outbox.claim('w4', FAR, 10, LEASE)).toEqual([]);
      expect(await store.outbox.nextDue()).toBeNull();
    });

    test('a failure reported by someone not holding the lease changes nothing', async () => {
      await store.outbox.enqueue([message(1)], T0);
      const [m] = await store.outbox.claim('w1', T0, 10, LEASE);
      await store.outbox.markFailed(m.id, 'intruder', { reason: 'nope', permanent: true });
      await store.outbox.markFailed(m.id, 'intruder', { reason: 'nope', permanent: false, retryAt: T0 });
      expect(await store.outbox.report(SRC)).toEqual({ targeted: 1, sent: 0, failed: 0, pending: 1, cancelled: 0, reasons: [] });
      // still leased by w1
      expect(await store.outbox.claim('w2', at(T0, LEASE - 1), 10, LEASE)).toEqual([]);
      const [back] = await store.outbox.claim('w2', at(T0, LEASE + 1), 10, LEASE);
      expect(back).toMatchObject({ id: m.id, attempts: 0 });
      expect(noKey(back, 'lastError')).toBe(true);
    });

    test('release gives the message back, due at the new time, with its lease cleared', async () => {
      await store.outbox.enqueue([message(1)], T0);
      const [m] = await store.outbox.claim('w1', T0, 10, LEASE);
      const dueAt = at(T0, 2 * MIN); // before the lease would have run out
      await store.outbox.release(m.id, 'w1', dueAt);

      expect(await store.outbox.claim('w2', at(T0, 1 * MIN), 10, LEASE)).toEqual([]);
      expect((await store.outbox.nextDue())?.toISOString()).toBe(dueAt.toISOString());
      const [back] = await store.outbox.claim('w2', dueAt, 10, LEASE);
      expect(back).toMatchObject({ id: m.id, state: 'pending', attempts: 0, leaseOwner: 'w2' });
      expect(back.dueAt.toISOString()).toBe(dueAt.toISOString());
      expect(back.leaseUntil?.toISOString()).toBe(at(dueAt, LEASE).toISOString());

      // only the lease owner can release
      await store.outbox.release(m.id, 'w1', dueAt);
      expect(await store.outbox.claim('w3', at(dueAt, 1), 10, LEASE)).toEqual([]);
      expect(await store.outbox.report(SRC)).toEqual({ targeted: 1, sent: 0, failed: 0, pending: 1, cancelled: 0, reasons: [] });
    });

    test('report counts per source, with failure reasons and their counts', async () => {
      const a = Array.from({ length: 10 }, (_, n) => message(`a${n}`));
      const b = Array.from({ length: 4 }, (_, n) => message(`b${n}`, { source: OTHER }));
      await store.outbox.enqueue([...a, ...b], T0);
      const all = await claimAll(store, 'w1', T0);
      const id = (m: NewOutboxMessage) => all.get(m.key)!.id;

      for (const m of a.slice(0, 3)) await store.outbox.markSent(id(m), 'w1', T0);
      for (const m of a.slice(3, 6)) await store.outbox.markFailed(id(m), 'w1', { reason: 'account_inactive', permanent: true });
      for (const m of a.slice(6, 8)) await store.outbox.markFailed(id(m), 'w1', { reason: 'channel_not_found', permanent: true });
      for (const m of a.slice(8)) await store.outbox.release(id(m), 'w1', T0);
      expect(await store.outbox.cancelPending(SRC)).toBe(2);

      await store.outbox.markSent(id(b[0]), 'w1', T0);
      await store.outbox.markFailed(id(b[1]), 'w1', { reason: 'account_inactive', permanent: true });
      // b's last two wait for later, so that only the new ones are due at T1
      for (const m of b.slice(2)) await store.outbox.release(id(m), 'w1', T2);
      const more = [message('a10', { dueAt: at(T0, 1) }), message('a11', { dueAt: at(T0, 2) }), message('a12', { dueAt: at(T0, 3) })];
      await store.outbox.enqueue(more, T1);
      const [tmp] = await store.outbox.claim('w2', T1, 1, LEASE);
      expect(tmp.key).toBe(more[0].key);
      await store.outbox.markFailed(tmp.id, 'w2', { reason: 'ratelimited', permanent: false, retryAt: T2 });

      const ra = await store.outbox.report(SRC);
      expect(ra).toEqual({
        targeted: 13,
        sent: 3,
        failed: 5,
        pending: 3,
        cancelled: 2,
        reasons: [
          { reason: 'account_inactive', count: 3 },
          { reason: 'channel_not_found', count: 2 },
          { reason: 'ratelimited', count: 1 },
        ],
      });
      expect(await store.outbox.report(OTHER)).toEqual({
        targeted: 4,
        sent: 1,
        failed: 1,
        pending: 2,
        cancelled: 0,
        reasons: [{ reason: 'account_inactive', count: 1 }],
      });
      const none: OutboxReport = { targeted: 0, sent: 0, failed: 0, pending: 0, cancelled: 0, reasons: [] };
      expect(await store.outbox.report('b99:r1')).toEqual(none);
      expect(await store.outbox.report('{"$ne":null}')).toEqual(none);
      expect(await store.outbox.report('b1')).toEqual(none); // no prefix matching
    });

    test('cancelPending cancels what is pending for the source only, and leaves sent and failed ones', async () => {
      const a = Array.from({ length: 8 }, (_, n) => message(`a${n}`));
      const b = Array.from({ length: 2 }, (_, n) => message(`b${n}`, { source: OTHER }));
      await store.outbox.enqueue([...a, ...b], T0);
      const all = await claimAll(store, 'w1', T0);
      const id = (m: NewOutboxMessage) => all.get(m.key)!.id;
      for (const m of a.slice(0, 3)) await store.outbox.markSent(id(m), 'w1', T0);
      await store.outbox.markFailed(id(a[3]), 'w1', { reason: 'gone', permanent: true });
      for (const m of [...a.slice(4), ...b]) await store.outbox.release(id(m), 'w1', T1);

      expect(await store.outbox.cancelPending(SRC)).toBe(4);
      expect(await store.outbox.cancelPending(SRC)).toBe(0);
      expect(await store.outbox.report(SRC)).toEqual({
        targeted: 8,
        sent: 3,
        failed: 1,
        pending: 0,
        cancelled: 4,
        reasons: [{ reason: 'gone', count: 1 }],
      });
      expect((await store.outbox.report(OTHER)).pending).toBe(2);

      const left = await store.outbox.claim('w2', FAR, 100, LEASE);
      expect(sorted(keys(left))).toEqual(sorted(b.map((m) => m.key)));
      // cancelled ones stay cancelled, even after a retry of the failed ones
      expect(await store.outbox.retryFailed(SRC, T2)).toBe(1);
      expect(keys(await store.outbox.claim('w3', FAR, 100, LEASE))).toEqual([a[3].key]);
      expect((await store.outbox.report(SRC)).cancelled).toBe(4);
      expect(await store.outbox.cancelPending('b99:r1')).toBe(0);
    });

    test('retryFailed puts the failed messages of the source back to pending, due at the given time', async () => {
      const a = Array.from({ length: 4 }, (_, n) => message(`a${n}`));
      const b = [message('b0', { source: OTHER })];
      await store.outbox.enqueue([...a, ...b], T0);
      const all = await claimAll(store, 'w1', T0);
      const id = (m: NewOutboxMessage) => all.get(m.key)!.id;
      await store.outbox.markFailed(id(a[0]), 'w1', { reason: 'account_inactive', permanent: true });
      await store.outbox.markFailed(id(a[1]), 'w1', { reason: 'channel_not_found', permanent: true });
      await store.outbox.markSent(id(a[2]), 'w1', T0);
      await store.outbox.markFailed(id(a[3]), 'w1', { reason: 'timeout', permanent: false, retryAt: at(T0, MIN) });
      await store.outbox.markFailed(id(b[0]), 'w1', { reason: 'account_inactive', permanent: true });

      expect(await store.outbox.retryFailed(SRC, T1)).toBe(2);
      expect(await store.outbox.retryFailed(SRC, T1)).toBe(0);
      expect(await store.outbox.report(SRC)).toEqual({
        targeted: 4,
        sent: 1,
        failed: 0,
        pending: 3,
        cancelled: 0,
        reasons: [{ reason: 'timeout', count: 1 }],
      });
      expect((await store.outbox.report(OTHER)).failed).toBe(1);

      // not before the given time (only the one waiting for its own retry is due)
      expect(keys(await store.outbox.claim('w2', at(T1, -1), 100, LEASE))).toEqual([a[3].key]);
      const retried = await store.outbox.claim('w2', T1, 100, LEASE);
      expect(sorted(keys(retried))).toEqual(sorted([a[0].key, a[1].key]));
      for (const m of retried) {
        expect(m.state).toBe('pending');
        expect(m.dueAt.toISOString()).toBe(T1.toISOString());
        expect(m.leaseOwner).toBe('w2');
        expect(noKey(m, 'permanent')).toBe(true);
        expect(noKey(m, 'lastError')).toBe(true);
      }
      for (const m of retried) await store.outbox.markSent(m.id, 'w2', T1);
      expect((await store.outbox.report(SRC)).sent).toBe(3);
      // b0 stays failed; a3 (its lease by w2 long run out) is the only one left
      expect(keys(await store.outbox.claim('w3', FAR, 100, LEASE))).toEqual([a[3].key]);
      expect(await store.outbox.retryFailed('b99:r1', T1)).toBe(0);
    });

    test('nextDue is the earliest due time of pending work, or null', async () => {
      expect(await store.outbox.nextDue()).toBeNull();
      await store.outbox.enqueue([message(1, { dueAt: T2 }), message(2, { dueAt: T1 }), message(3, { dueAt: at(T2, MIN), source: OTHER })], T0);
      const first = await store.outbox.nextDue();
      expect(first).toBeInstanceOf(Date);
      expect(first?.toISOString()).toBe(T1.toISOString());

      const [m2] = await store.outbox.claim('w1', T1, 10, LEASE);
      await store.outbox.markSent(m2.id, 'w1', T1);
      expect((await store.outbox.nextDue())?.toISOString()).toBe(T2.toISOString());

      const [m1] = await store.outbox.claim('w1', T2, 10, LEASE);
      await store.outbox.markFailed(m1.id, 'w1', { reason: 'gone', permanent: true });
      expect((await store.outbox.nextDue())?.toISOString()).toBe(at(T2, MIN).toISOString());

      expect(await store.outbox.cancelPending(OTHER)).toBe(1);
      expect(await store.outbox.nextDue()).toBeNull();
      await store.outbox.retryFailed(SRC, T0);
      expect((await store.outbox.nextDue())?.toISOString()).toBe(T0.toISOString());
    });

    test('a claim marks what it took from a lease that had run out (a takeover), and only that', async () => {
      await store.outbox.enqueue([message(1), message(2), message(3)], T0);
      const first = await store.outbox.claim('w1', T0, 2, LEASE);
      expect(first.map((m) => m.takenOver ?? false)).toEqual([false, false]);
      // w1 gives one back: released, it is free again, not taken over
      await store.outbox.release(first[1].id, 'w1', T0);
      const later = at(T0, LEASE + 1);
      const second = await store.outbox.claim('w2', later, 10, LEASE);
      expect(second.map((m) => [m.key, m.takenOver ?? false])).toEqual([
        [message(1).key, true],
        [message(2).key, false],
        [message(3).key, false],
      ]);
    });

    test('depth counts the pending messages per lane at a time, split into free and leased; done ones are not counted', async () => {
      const byState = async (now: Date) =>
        Object.fromEntries((await store.outbox.depth(now)).map((d) => [`${d.lane}:${d.state}`, d.count]).sort(([a], [b]) => String(a).localeCompare(String(b))));
      expect(await store.outbox.depth(T0)).toEqual([]);
      await store.outbox.enqueue([message(1), message(2), message(3), message(4), message(5, { dueAt: T2 }), message('r', { lane: 'reply' })], T0);
      expect(await byState(T0)).toEqual({ 'bulk:pending': 5, 'reply:pending': 1 });
      const [m1, m2, m3] = await store.outbox.claim('w1', T1, 3, LEASE);
      await store.outbox.markSent(m1.id, 'w1', T1);
      await store.outbox.markFailed(m2.id, 'w1', { reason: 'gone', permanent: true });
      expect(await byState(T1)).toEqual({ 'bulk:leased': 1, 'bulk:pending': 2, 'reply:pending': 1 });
      // once the lease ran out, m3 is free again
      expect(await byState(at(T1, LEASE))).toEqual({ 'bulk:pending': 3, 'reply:pending': 1 });
      // all of them held: no free ones
      expect(await store.outbox.claim('w2', at(T1, LEASE), 10, LEASE, 'reply')).toHaveLength(1);
      expect(await byState(at(T1, LEASE))).toEqual({ 'bulk:pending': 3, 'reply:leased': 1 });
      await store.outbox.markSent(m3.id, 'w1', T1);
      expect(await store.outbox.cancelPending(SRC)).toBe(3);
      expect(await store.outbox.depth(at(T1, LEASE))).toEqual([]);
    });

    test('4 workers claiming in parallel send each of 500 messages exactly once', async () => {
      const N = 500;
      const msgs = Array.from({ length: N }, (_, n) => message(n, { dueAt: at(T0, n) }));
      // overlapping enqueues at the same time still add each key once
      const added = await Promise.all([
        store.outbox.enqueue(msgs.slice(0, 200), T0),
        store.outbox.enqueue(msgs.slice(100, 300), T0),
        store.outbox.enqueue(msgs.slice(200, 400), T0),
        store.outbox.enqueue(msgs.slice(300), T0),
        store.outbox.enqueue(msgs, T0),
      ]);
      expect(added.reduce((x, y) => x + y, 0)).toBe(N);

      const now = T1;
      const claimed = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => drain(store, w, now, 25)));
      const ids = claimed.flat();
      expect(ids).toHaveLength(N);
      expect(new Set(ids).size).toBe(N);
      expect(await store.outbox.report(SRC)).toEqual({ targeted: N, sent: N, failed: 0, pending: 0, cancelled: 0, reasons: [] });
      expect(await store.outbox.claim('w5', FAR, 1000, LEASE)).toEqual([]);
      expect(await store.outbox.nextDue()).toBeNull();
    });

    if (factory.sibling) {
      test('two connections on the same storage never claim the same message', async () => {
        const other = await factory.sibling!(store);
        try {
          const N = 400;
          await store.outbox.enqueue(
            Array.from({ length: N }, (_, n) => message(n, { dueAt: at(T0, n) })),
            T0,
          );

          // what one connection holds, the other does not get while the lease runs
          const held = await store.outbox.claim('a1', T0, 10, LEASE);
          expect(held).toHaveLength(1);
          expect(await other.outbox.claim('b1', T0, 10, LEASE)).toEqual([]);
          await store.outbox.release(held[0].id, 'a1', T0);
          // and what the other enqueues is a duplicate
          expect(await other.outbox.enqueue([message(0), message(1)], T0)).toBe(0);

          const claimed = await Promise.all([drain(store, 'a1', T1, 25), drain(other, 'b1', T1, 25), drain(store, 'a2', T1, 10), drain(other, 'b2', T1, 10)]);
          const ids = claimed.flat();
          expect(ids).toHaveLength(N);
          expect(new Set(ids).size).toBe(N);
          expect((await other.outbox.report(SRC)).sent).toBe(N);
          expect((await store.outbox.report(SRC)).sent).toBe(N);
        } finally {
          await other.close();
        }
      });
    }

    if (factory.threadSibling) {
      test('4 threads, each with its own connection, claiming at once send each message exactly once', async () => {
        const N = 800;
        await store.outbox.enqueue(
          Array.from({ length: N }, (_, n) => message(n, { dueAt: at(T0, n) })),
          T0,
        );
        const claimed = await drainInThreads(factory.threadSibling!(store), ['t1', 't2', 't3', 't4'], T1, 25);
        const ids = claimed.flat();
        expect(ids).toHaveLength(N);
        expect(new Set(ids).size).toBe(N);
        expect(await store.outbox.report(SRC)).toEqual({ targeted: N, sent: N, failed: 0, pending: 0, cancelled: 0, reasons: [] });
      });
    }
  });

  describe('broadcasts', () => {
    test('create a draft or a scheduled broadcast; the fields round-trip through get and list', async () => {
      const draft = await store.broadcasts.create(newBroadcast(), 'draft', undefined);
      const next = at(T0, 30 * MIN);
      const scheduled = await store.broadcasts.create(
        newBroadcast({
          message: 'Rappel',
          link: { label: 'Programme', url: 'https://exemple.fr/programme?x=1&y=2' },
          audience: { kind: 'axis', axisId: 'usager' },
          schedule: { kind: 'at', at: next },
          createdAt: T1,
        }),
        'scheduled',
        next,
      );
      expect(scheduled.id).toBeGreaterThan(draft.id);

      const expectedDraft: Broadcast = {
        id: draft.id,
        message: NEW_BROADCAST.message,
        audience: { kind: 'everyone' },
        schedule: { kind: 'now' },
        state: 'draft',
        createdBy: 'slack:T1/UORG',
        createdAt: T0,
        runs: 0,
      };
      for (const b of [draft, (await store.broadcasts.get(draft.id))!]) {
        expect(b).toEqual(expectedDraft);
        expect(b.createdAt).toBeInstanceOf(Date);
        for (const key of ['link', 'nextRunAt', 'lastRunAt', 'leaseOwner', 'leaseUntil']) expect(noKey(b, key)).toBe(true);
      }
      for (const b of [scheduled, (await store.broadcasts.get(scheduled.id))!]) {
        expect(b).toEqual({
          id: scheduled.id,
          message: 'Rappel',
          link: { label: 'Programme', url: 'https://exemple.fr/programme?x=1&y=2' },
          audience: { kind: 'axis', axisId: 'usager' },
          schedule: { kind: 'at', at: next },
          state: 'scheduled',
          createdBy: 'slack:T1/UORG',
          createdAt: T1,
          nextRunAt: next,
          runs: 0,
        });
        expect(b.nextRunAt).toBeInstanceOf(Date);
        expect((b.schedule as { at: Date }).at).toBeInstanceOf(Date);
        for (const key of ['lastRunAt', 'leaseOwner', 'leaseUntil']) expect(noKey(b, key)).toBe(true);
      }
      expect(await store.broadcasts.get(scheduled.id + 1000)).toBeNull();
    });

    test('list is most recent first, up to the limit', async () => {
      const made: number[] = [];
      for (let n = 0; n < 5; n++) made.push((await store.broadcasts.create(newBroadcast({ message: `m${n}` }), 'draft', undefined)).id);
      expect((await store.broadcasts.list(10)).map((b) => b.id)).toEqual([...made].reverse());
      expect((await store.broadcasts.list(2)).map((b) => b.message)).toEqual(['m4', 'm3']);
      await store.broadcasts.cancel(made[4]);
      expect((await store.broadcasts.list(1))[0]).toMatchObject({ id: made[4], state: 'cancelled' });
    });

    test('a link given as undefined is absent when read back', async () => {
      const b = await store.broadcasts.create(newBroadcast({ link: undefined }), 'draft', undefined);
      expect(noKey(b, 'link')).toBe(true);
      expect(noKey((await store.broadcasts.get(b.id))!, 'link')).toBe(true);
    });

    test('list of an empty store is empty', async () => {
      expect(await store.broadcasts.list(10)).toEqual([]);
    });

    test('schedule kinds, link and every audience kind round-trip', async () => {
      const schedules: Schedule[] = [{ kind: 'now' }, { kind: 'at', at: new Date('2026-04-01T07:30:15.123Z') }, { kind: 'cron', cron: '0 9 * * 1' }];
      const audiences: Audience[] = [
        { kind: 'everyone' },
        { kind: 'pilots' },
        { kind: 'organisers' },
        { kind: 'axis', axisId: 'transitions' },
        { kind: 'channel', platform: 'teams', channel: '19:abc@thread.tacv2' },
      ];
      const made: Broadcast[] = [];
      for (const schedule of schedules)
        for (const audience of audiences)
          made.push(
            await store.broadcasts.create(newBroadcast({ schedule, audience, link: { label: 'Lien « spécial » 🎉', url: 'https://exemple.fr/?q="a"&r=é' } }), 'scheduled', T0),
          );
      const listed = await store.broadcasts.list(100);
      expect(listed).toHaveLength(made.length);
      for (const m of made) {
        const read = (await store.broadcasts.get(m.id))!;
        const inList = listed.find((b) => b.id === m.id)!;
        for (const b of [m, read, inList]) {
          expect(b.schedule).toEqual(schedules[Math.floor(made.indexOf(m) / audiences.length)]);
          expect(b.audience).toEqual(audiences[made.indexOf(m) % audiences.length]);
          expect(b.link).toEqual({ label: 'Lien « spécial » 🎉', url: 'https://exemple.fr/?q="a"&r=é' });
          if (b.schedule.kind === 'at') {
            expect(b.schedule.at).toBeInstanceOf(Date);
            expect(b.schedule.at.toISOString()).toBe('2026-04-01T07:30:15.123Z');
          }
        }
      }
      // and through a claim
      const claimed = (await store.broadcasts.claimDue('i1', T0, LEASE))!;
      expect(claimed.schedule).toEqual(made.find((b) => b.id === claimed.id)!.schedule);
      expect(claimed.audience).toEqual(made.find((b) => b.id === claimed.id)!.audience);
    });

    test('schedule moves a draft to scheduled, once', async () => {
      const d = await store.broadcasts.create(newBroadcast(), 'draft', undefined);
      const next = at(T0, 5 * MIN);
      const s = await store.broadcasts.schedule(d.id, next);
      expect(s).toMatchObject({ id: d.id, state: 'scheduled', runs: 0 });
      expect(s!.nextRunAt?.toISOString()).toBe(next.toISOString());
      expect(await store.broadcasts.schedule(d.id, T2)).toBeNull();
      const read = (await store.broadcasts.get(d.id))!;
      expect(read.state).toBe('scheduled');
      expect(read.nextRunAt?.toISOString()).toBe(next.toISOString());
      expect(await store.broadcasts.schedule(d.id + 1000, T2)).toBeNull();

      const cancelled = await store.broadcasts.create(newBroadcast(), 'draft', undefined);
      await store.broadcasts.cancel(cancelled.id);
      expect(await store.broadcasts.schedule(cancelled.id, T2)).toBeNull();
      expect((await store.broadcasts.get(cancelled.id))!.state).toBe('cancelled');
    });

    test('cancel from draft or scheduled, not from done or cancelled', async () => {
      const d = await store.broadcasts.create(newBroadcast(), 'draft', undefined);
      const s = await store.broadcasts.create(newBroadcast(), 'scheduled', T1);
      const done = await store.broadcasts.create(newBroadcast(), 'scheduled', T0);

      const cd = await store.broadcasts.cancel(d.id);
      expect(cd).toMatchObject({ id: d.id, state: 'cancelled' });
      const cs = await store.broadcasts.cancel(s.id);
      expect(cs).toMatchObject({ id: s.id, state: 'cancelled' });
      expect(noKey(cs!, 'nextRunAt')).toBe(true);
      expect(noKey((await store.broadcasts.get(s.id))!, 'nextRunAt')).toBe(true);
      expect(await store.broadcasts.cancel(s.id)).toBeNull();

      const claimed = (await store.broadcasts.claimDue('i1', T0, LEASE))!;
      expect(claimed.id).toBe(done.id);
      expect((await store.broadcasts.completeRun(done.id, 'i1', T0, undefined)).state).toBe('done');
      expect(await store.broadcasts.cancel(done.id)).toBeNull();
      expect((await store.broadcasts.get(done.id))!.state).toBe('done');
      expect(await store.broadcasts.cancel(done.id + 1000)).toBeNull();

      // a cancelled broadcast is never claimed
      expect(await store.broadcasts.claimDue('i2', FAR, LEASE)).toBeNull();
    });

    test('claimDue takes only scheduled, due, unleased broadcasts, one at a time', async () => {
      const LONG = 60 * MIN;
      await store.broadcasts.create(newBroadcast({ message: 'draft' }), 'draft', undefined);
      const later = await store.broadcasts.create(newBroadcast({ message: 'later' }), 'scheduled', at(T0, 20 * MIN));
      const second = await store.broadcasts.create(newBroadcast({ message: 'second' }), 'scheduled', at(T0, 2 * MIN));
      const first = await store.broadcasts.create(newBroadcast({ message: 'first' }), 'scheduled', at(T0, 1 * MIN));
      const gone = await store.broadcasts.create(newBroadcast({ message: 'cancelled' }), 'scheduled', T0);
      await store.broadcasts.cancel(gone.id);

      expect(await store.broadcasts.claimDue('i1', at(T0, MIN - 1), LONG)).toBeNull();
      const now = at(T0, 5 * MIN);
      const c1 = (await store.broadcasts.claimDue('i1', now, LONG))!;
      expect(c1).toMatchObject({ id: first.id, state: 'scheduled', leaseOwner: 'i1', runs: 0 });
      expect(c1.leaseUntil?.toISOString()).toBe(at(now, LONG).toISOString());
      const c2 = (await store.broadcasts.claimDue('i2', now, LONG))!;
      expect(c2).toMatchObject({ id: second.id, leaseOwner: 'i2' });
      // leased: nobody else, not even the same owner, gets them again while the lease runs
      expect(await store.broadcasts.claimDue('i3', now, LONG)).toBeNull();
      expect((await store.broadcasts.get(first.id))!.leaseOwner).toBe('i1');

      // due exactly now is due
      expect((await store.broadcasts.claimDue('i3', at(T0, 20 * MIN), LONG))?.id).toBe(later.id);
      expect(await store.broadcasts.claimDue('i1', at(now, LONG - 1), LONG)).toBeNull();

      // the leases of i1 and i2 ran out: another instance takes them, in due order
      const after = at(now, LONG + 1);
      expect(await store.broadcasts.claimDue('i4', after, LONG)).toMatchObject({ id: first.id, leaseOwner: 'i4' });
      expect(await store.broadcasts.claimDue('i4', after, LONG)).toMatchObject({ id: second.id, leaseOwner: 'i4' });
      expect(await store.broadcasts.claimDue('i4', after, LONG)).toBeNull();
    });

    test('concurrent claims of one due broadcast: exactly one instance gets it', async () => {
      const b = await store.broadcasts.create(newBroadcast(), 'scheduled', T0);
      const got = await Promise.all(Array.from({ length: 8 }, (_, i) => store.broadcasts.claimDue(`i${i}`, T1, LEASE)));
      const winners = got.filter((x): x is Broadcast => x !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0].id).toBe(b.id);
      expect((await store.broadcasts.get(b.id))!.leaseOwner).toBe(winners[0].leaseOwner);
    });

    test('completeRun with a next run keeps it scheduled, counts the run and releases the lease', async () => {
      const b = await store.broadcasts.create(newBroadcast({ schedule: { kind: 'cron', cron: '0 9 * * *' } }), 'scheduled', T0);
      await store.broadcasts.claimDue('i1', T0, LEASE);
      const next = at(T0, 24 * 60 * MIN);
      const done = await store.broadcasts.completeRun(b.id, 'i1', at(T0, 1000), next);
      expect(done).toMatchObject({ id: b.id, state: 'scheduled', runs: 1 });
      expect(done.nextRunAt?.toISOString()).toBe(next.toISOString());
      expect(done.lastRunAt?.toISOString()).toBe(at(T0, 1000).toISOString());
      expect(noKey(done, 'leaseOwner')).toBe(true);
      expect(noKey(done, 'leaseUntil')).toBe(true);
      const read = (await store.broadcasts.get(b.id))!;
      expect(read).toEqual(done);

      // not due again before the next run, even though the lease was released
      expect(await store.broadcasts.claimDue('i2', at(next, -1), LEASE)).toBeNull();
      const again = (await store.broadcasts.claimDue('i2', next, LEASE))!;
      expect(again).toMatchObject({ id: b.id, runs: 1, leaseOwner: 'i2' });
      const next2 = at(next, 24 * 60 * MIN);
      expect(await store.broadcasts.completeRun(b.id, 'i2', next, next2)).toMatchObject({ state: 'scheduled', runs: 2 });
      expect((await store.broadcasts.get(b.id))!.nextRunAt?.toISOString()).toBe(next2.toISOString());
    });

    test('completeRun without a next run marks it done, and it is never claimed again', async () => {
      const b = await store.broadcasts.create(newBroadcast(), 'scheduled', T0);
      await store.broadcasts.claimDue('i1', T0, LEASE);
      const done = await store.broadcasts.completeRun(b.id, 'i1', T1, undefined);
      expect(done).toMatchObject({ id: b.id, state: 'done', runs: 1 });
      expect(done.lastRunAt?.toISOString()).toBe(T1.toISOString());
      for (const key of ['nextRunAt', 'leaseOwner', 'leaseUntil']) expect(noKey(done, key)).toBe(true);
      expect(await store.broadcasts.get(b.id)).toEqual(done);
      expect(await store.broadcasts.claimDue('i2', FAR, LEASE)).toBeNull();
      // completing again changes nothing
      const again = await store.broadcasts.completeRun(b.id, 'i1', T2, at(T2, MIN));
      expect(again).toEqual(done);
    });

    test('completeRun by an instance not holding the lease changes nothing', async () => {
      const b = await store.broadcasts.create(newBroadcast(), 'scheduled', T0);
      const claimed = (await store.broadcasts.claimDue('i1', T0, LEASE))!;
      const res = await store.broadcasts.completeRun(b.id, 'intruder', T1, undefined);
      expect(res).toEqual(claimed);
      expect(await store.broadcasts.get(b.id)).toEqual(claimed);
      expect(claimed).toMatchObject({ state: 'scheduled', runs: 0, leaseOwner: 'i1' });
      // the holder still completes it
      expect(await store.broadcasts.completeRun(b.id, 'i1', T1, undefined)).toMatchObject({ state: 'done', runs: 1 });
      await expect(store.broadcasts.completeRun(b.id + 1000, 'i1', T1, undefined)).rejects.toThrow();
    });

    test('a broadcast cancelled while its run is leased is not completed nor claimed again', async () => {
      const b = await store.broadcasts.create(newBroadcast({ schedule: { kind: 'cron', cron: '*/5 * * * *' } }), 'scheduled', T0);
      await store.broadcasts.claimDue('i1', T0, LEASE);
      expect(await store.broadcasts.cancel(b.id)).toMatchObject({ state: 'cancelled' });
      const res = await store.broadcasts.completeRun(b.id, 'i1', T1, at(T1, 5 * MIN));
      expect(res).toMatchObject({ id: b.id, state: 'cancelled', runs: 0 });
      expect(noKey(res, 'nextRunAt')).toBe(true);
      expect(await store.broadcasts.claimDue('i2', FAR, LEASE)).toBeNull();
    });
  });
}
