import type { NewBroadcast } from '../../src/domain/broadcasts';
import type { Store } from '../../src/domain/ports';
import type { StoreFactory } from './store-contract';

const T0 = new Date('2026-03-01T09:00:00Z');
const T1 = new Date('2026-03-01T09:05:00Z');
const T2 = new Date('2026-03-01T09:10:00Z');

const draft = (over: Partial<NewBroadcast> = {}): NewBroadcast => ({
  message: 'Note de service',
  audience: { kind: 'everyone' },
  schedule: { kind: 'now' },
  createdBy: 'slack:T1/UORG',
  createdAt: T0,
  ...over,
});

/** Broadcasts read and clicked: « J'ai lu », the « important » flag, counted clicks, the links' secret. */
export function readingContract(factory: StoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  test('the acknowledgement and the « important » flag are stored with the broadcast; absent when not chosen', async () => {
    const named = await store.broadcasts.create(draft({ ack: 'named', important: true, link: { label: 'Lire', url: 'https://exemple.fr/a' } }), 'draft', T0);
    const plain = await store.broadcasts.create(draft(), 'draft', T0);
    expect(named).toMatchObject({ ack: 'named', important: true });
    expect(await store.broadcasts.get(named.id)).toMatchObject({ ack: 'named', important: true, link: { label: 'Lire', url: 'https://exemple.fr/a' } });
    const readPlain = await store.broadcasts.get(plain.id);
    expect(readPlain?.ack).toBeUndefined();
    expect(readPlain?.important).toBeUndefined();
    store = await factory.reopen(store);
    expect(await store.broadcasts.get(named.id)).toMatchObject({ ack: 'named', important: true });
  });

  test("« J'ai lu » counts once per person; clicks once per person and link; figures per broadcast", async () => {
    const a = await store.broadcasts.create(draft({ ack: 'counted' }), 'draft', T0);
    const b = await store.broadcasts.create(draft({ ack: 'counted' }), 'draft', T0);
    expect(await store.broadcasts.reading(a.id)).toEqual({ acknowledged: 0, clickers: 0 });
    expect(await store.broadcasts.acknowledge(a.id, 'slack:T1/U1', T1)).toBe(true);
    expect(await store.broadcasts.acknowledge(a.id, 'slack:T1/U1', T2)).toBe(false);
    expect(await store.broadcasts.acknowledge(a.id, 'teams:T/x', T2)).toBe(true);
    expect(await store.broadcasts.acknowledge(b.id, 'slack:T1/U1', T2)).toBe(true);
    expect(await store.broadcasts.recordClick(a.id, 'slack:T1/U1', 0, T1)).toBe(true);
    expect(await store.broadcasts.recordClick(a.id, 'slack:T1/U1', 0, T2)).toBe(false);
    expect(await store.broadcasts.recordClick(a.id, 'slack:T1/U1', 1, T2)).toBe(true);
    expect(await store.broadcasts.recordClick(a.id, 'slack:T1/U2', 1, T2)).toBe(true);
    // two people clicked (one of them on two links)
    expect(await store.broadcasts.reading(a.id)).toEqual({ acknowledged: 2, clickers: 2 });
    expect(await store.broadcasts.reading(b.id)).toEqual({ acknowledged: 1, clickers: 0 });
    store = await factory.reopen(store);
    expect(await store.broadcasts.reading(a.id)).toEqual({ acknowledged: 2, clickers: 2 });
  });

  test('who acknowledged, in the order they did, with the first time only', async () => {
    const a = await store.broadcasts.create(draft({ ack: 'named' }), 'draft', T0);
    await store.broadcasts.acknowledge(a.id, 'teams:T/x', T2);
    await store.broadcasts.acknowledge(a.id, 'slack:T1/U1', T1);
    await store.broadcasts.acknowledge(a.id, 'slack:T1/U1', T2);
    expect(await store.broadcasts.acknowledgements(a.id)).toEqual([
      { personId: 'slack:T1/U1', at: T1 },
      { personId: 'teams:T/x', at: T2 },
    ]);
    expect(await store.broadcasts.acknowledgements(a.id + 1)).toEqual([]);
  });

  test('the links secret is made once and kept across a restart', async () => {
    const secret = await store.broadcasts.linkSecret();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await store.broadcasts.linkSecret()).toBe(secret);
    store = await factory.reopen(store);
    expect(await store.broadcasts.linkSecret()).toBe(secret);
  });
}
