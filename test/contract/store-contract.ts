import type { Store } from '../../src/domain/ports';

/**
 * The contract every store implementation must honour. `open` returns a store on fresh, empty
 * storage; `reopen` (when the store is durable) returns a new store on the same storage.
 */
export interface StoreFactory {
  open(): Promise<Store>;
  reopen(previous: Store): Promise<Store>;
  dispose(store: Store): Promise<void>;
}

const T0 = new Date('2026-03-01T09:00:00Z');
const T1 = new Date('2026-03-01T10:00:00Z');
const T2 = new Date('2026-03-02T10:00:00Z');

export function storeContract(factory: StoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  test('an installation id, made once, the same after a restart', async () => {
    const id = await store.installationId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.installationId()).toBe(id);
    store = await factory.reopen(store);
    expect(await store.installationId()).toBe(id);
  });

  test('instances beat, are heard while their beats are recent, and leave', async () => {
    const at = (ms: number) => new Date(T0.getTime() + ms);
    await store.instances.beat({ owner: 'a', seenAt: at(0), busy: false, startsAt: null });
    await store.instances.beat({ owner: 'b', seenAt: at(500), busy: true, startsAt: at(3000) });
    expect(await store.instances.live(at(-3000))).toEqual([
      { owner: 'a', seenAt: at(0), busy: false, startsAt: null },
      { owner: 'b', seenAt: at(500), busy: true, startsAt: at(3000) },
    ]);
    // a later beat replaces the earlier one
    await store.instances.beat({ owner: 'a', seenAt: at(1000), busy: true, startsAt: at(1000) });
    expect(await store.instances.live(at(800))).toEqual([{ owner: 'a', seenAt: at(1000), busy: true, startsAt: at(1000) }]);
    // b stopped beating: forgotten when another leaves after it went quiet
    await store.instances.beat({ owner: 'c', seenAt: at(9000), busy: false, startsAt: null });
    await store.instances.leave('a', at(5000));
    expect((await store.instances.live(at(-10_000))).map((i) => i.owner)).toEqual(['c']);
  });

  test('records where the bot can post in a channel, refreshed by later activities', async () => {
    expect(await store.conversations.get('teams', '19:general@thread.tacv2')).toBeNull();
    await store.conversations.record(
      { platform: 'teams', id: '19:general@thread.tacv2', serviceUrl: 'https://smba.example/emea/', tenantId: 'tenant-1', teamId: '19:general@thread.tacv2', name: 'Général' },
      T0,
    );
    await store.conversations.record({ platform: 'teams', id: '19:general@thread.tacv2', serviceUrl: 'https://smba.example/amer/', tenantId: 'tenant-1' }, T1);
    expect(await store.conversations.get('teams', '19:general@thread.tacv2')).toEqual({
      platform: 'teams',
      id: '19:general@thread.tacv2',
      serviceUrl: 'https://smba.example/amer/',
      tenantId: 'tenant-1',
      teamId: '19:general@thread.tacv2',
      name: 'Général',
    });
    expect(await store.conversations.get('slack', '19:general@thread.tacv2')).toBeNull();
  });

  test('a request is admitted once; an unfinished stale attempt is taken over; a finished one never', async () => {
    const at = new Date('2026-03-01T09:00:00Z');
    const later = new Date(at.getTime() + 30_000);
    expect(await store.requests.admit('slack:sig:v0=aa', at, new Date(at.getTime() - 10_000))).toBe(true);
    expect(await store.requests.admit('slack:sig:v0=aa', at, new Date(at.getTime() - 10_000))).toBe(false); // a replay
    // still unfinished 30 s later: the first attempt's process is taken to be dead
    expect(await store.requests.admit('slack:sig:v0=aa', later, new Date(later.getTime() - 10_000))).toBe(true);
    await store.requests.done('slack:sig:v0=aa');
    expect(await store.requests.admit('slack:sig:v0=aa', new Date(later.getTime() + 60_000), new Date(later.getTime() + 50_000))).toBe(false);
    // of ten identical requests at once, one is admitted
    const at2 = new Date('2026-03-01T10:00:00Z');
    const results = await Promise.all(Array.from({ length: 10 }, () => store.requests.admit('slack:event:Ev1', at2, new Date(at2.getTime() - 10_000))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.requests.purge(new Date('2026-03-01T09:30:00Z'))).toBe(1);
    expect(await store.requests.admit('slack:sig:v0=aa', at2, new Date(at2.getTime() - 10_000))).toBe(true); // forgotten
  });

  test('health reports the store as serving', async () => {
    const h = await store.health();
    expect(h.ok).toBe(true);
    expect(h.kind).toBe(store.kind);
  });

  test('records a person once per platform identity and refreshes what the platform says', async () => {
    const first = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1', displayName: 'Camille', locale: 'fr' }, T0);
    expect(first).toMatchObject({ id: 'slack:T1/U1', platform: 'slack', tenant: 'T1', user: 'U1', displayName: 'Camille', locale: 'fr' });
    expect(first.firstSeenAt.toISOString()).toBe(T0.toISOString());

    const again = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1', email: 'Camille@Exemple.FR' }, T1);
    expect(again.displayName).toBe('Camille'); // absent fields keep their value
    expect(again.email).toBe('camille@exemple.fr');
    expect(again.locale).toBe('fr');
    expect(again.firstSeenAt.toISOString()).toBe(T0.toISOString());
    expect(again.lastSeenAt.toISOString()).toBe(T1.toISOString());
    expect(await store.people.count()).toBe(1);

    // same user id in another workspace is another person
    await store.people.record({ platform: 'slack', tenant: 'T2', user: 'U1', displayName: 'Autre' }, T1);
    expect(await store.people.count()).toBe(2);
  });

  test('people.page: everyone by id, a page at a time', async () => {
    const ids = ['U5', 'U1', 'U3', 'U2', 'U4'];
    for (const u of ids) await store.people.record({ platform: 'slack', tenant: 'T1', user: u, displayName: u }, new Date('2026-03-01T09:00:00Z'));
    const seen: string[] = [];
    for (let after: string | null = null; ; ) {
      const page = await store.people.page(after, 2);
      seen.push(...page.map((p) => p.id));
      if (page.length < 2) break;
      after = page[page.length - 1].id;
    }
    expect(seen).toEqual(['slack:T1/U1', 'slack:T1/U2', 'slack:T1/U3', 'slack:T1/U4', 'slack:T1/U5']);
    expect((await store.people.page('slack:T1/U5', 10)).length).toBe(0);
    expect((await store.people.page(null, 1))[0].displayName).toBe('U1');
  });

  test('a late, older contact does not move lastSeenAt backwards', async () => {
    await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1', displayName: 'A' }, T2);
    const p = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1' }, T0);
    expect(p.lastSeenAt.toISOString()).toBe(T2.toISOString());
  });

  test('keeps a Teams conversation reference and finds a person by Teams user id and by e-mail', async () => {
    const ref = {
      serviceUrl: 'https://smba.example/teams/',
      conversationId: 'a:1xyz',
      userId: '29:abc',
      botId: '28:bot',
      tenantId: '11111111-1111-1111-1111-111111111111',
    };
    await store.people.record(
      {
        platform: 'teams',
        tenant: ref.tenantId,
        user: '22222222-2222-2222-2222-222222222222',
        displayName: 'Dominique',
        email: 'dominique@exemple.fr',
        teams: ref,
      },
      T0,
    );
    const got = await store.people.get(`teams:${ref.tenantId}/22222222-2222-2222-2222-222222222222`);
    expect(got?.teams).toEqual(ref);
    expect((await store.people.findByTeamsUserId('29:abc'))?.displayName).toBe('Dominique');
    expect(await store.people.findByTeamsUserId('29:nobody')).toBeNull();
    expect((await store.people.findByEmail('DOMINIQUE@exemple.fr')).map((p) => p.displayName)).toEqual(['Dominique']);
    expect(await store.people.get('teams:none/none')).toBeNull();
  });

  test('stores role decisions in order and finds them by subject', async () => {
    await store.roles.save({ subject: 'slack:T1/U1', role: 'pilote', axisId: 'usager', active: true, by: 'slack:T1/U9', at: T0 });
    await store.roles.save({ subject: 'email:a@b.fr', role: 'organisateur', active: true, by: 'slack:T1/U9', at: T1 });
    await store.roles.save({ subject: 'slack:T1/U1', role: 'pilote', axisId: 'usager', active: false, by: 'slack:T1/U9', at: T2 });

    const mine = await store.roles.forSubjects(['slack:T1/U1', 'email:nobody@x.fr']);
    expect(mine.map((r) => [r.role, r.axisId, r.active])).toEqual([
      ['pilote', 'usager', true],
      ['pilote', 'usager', false],
    ]);
    expect(mine[1].at.toISOString()).toBe(T2.toISOString());
    expect((await store.roles.all()).length).toBe(3);
    expect(await store.roles.forSubjects([])).toEqual([]);
    const org = await store.roles.forSubjects(['email:a@b.fr']);
    expect(org[0]).toEqual({ subject: 'email:a@b.fr', role: 'organisateur', active: true, by: 'slack:T1/U9', at: T1 });
  });

  test('text that looks like a query operator is stored as plain text', async () => {
    const p = await store.people.record({ platform: 'slack', tenant: 'T1', user: '{"$ne":null}', displayName: '{"$gt":""}' }, T0);
    expect(p.displayName).toBe('{"$gt":""}');
    expect(await store.people.findByEmail('{"$ne":null}')).toEqual([]);
    expect(await store.people.count()).toBe(1);
  });

  test('data written before a restart is read after it', async () => {
    await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U7', displayName: 'Sacha' }, T0);
    await store.roles.save({ subject: 'slack:T1/U7', role: 'organisateur', active: true, by: 'test', at: T0 });
    store = await factory.reopen(store);
    expect((await store.people.get('slack:T1/U7'))?.displayName).toBe('Sacha');
    expect((await store.roles.forSubjects(['slack:T1/U7'])).length).toBe(1);
  });
}
