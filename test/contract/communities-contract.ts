import type { NewCommunity } from '../../src/domain/communities';
import type { Store } from '../../src/domain/ports';
import type { StoreFactory } from './store-contract';

const T0 = new Date('2026-12-01T09:00:00Z');
const T1 = new Date('2026-12-02T09:00:00Z');
const T2 = new Date('2026-12-03T09:00:00Z');
const ANA = 'slack:T1/UANA';
const BOB = 'teams:t/bob';
const LAB = 'slack:T1/ULAB';

const programme: NewCommunity[] = [
  { id: 'ambassadeurs', name: 'Communauté des ambassadeurs', kind: 'ambassadeurs', description: 'Être les relais de la transformation.', createdBy: 'programme' },
  {
    id: 'accueil',
    name: 'Groupe de progrès « Accueil »',
    kind: 'groupe_progres',
    description: 'Résoudre ensemble.',
    problem: "L'attente au guichet",
    channel: { slack: 'C0ACCUEIL' },
    createdBy: 'programme',
  },
];

/** Communities: what both stores must do identically, through the port only. */
export function communitiesContract(factory: StoreFactory): void {
  let store: Store;
  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  test("the programme's communities are seeded, then merged by id: the file's words change, members and stage stay", async () => {
    expect(await store.communities.seed(programme, T0)).toBe(2);
    expect(await store.communities.get('accueil')).toEqual({ ...programme[1], stage: 'analyse', createdAt: T0 });
    await store.communities.join('accueil', ANA, T1);
    await store.communities.setStage('accueil', 'analyse', 'pistes', LAB, T1);
    const renamed = { ...programme[1], name: 'Groupe « Accueil des usagers »', channel: undefined };
    expect(await store.communities.seed([programme[0], renamed], T2)).toBe(0);
    const after = await store.communities.get('accueil');
    expect(after).toMatchObject({ name: 'Groupe « Accueil des usagers »', stage: 'pistes', problem: "L'attente au guichet", createdAt: T0 });
    expect(after?.channel).toBeUndefined();
    expect(await store.communities.members('accueil')).toEqual([ANA]);
    expect((await store.communities.list()).map((c) => c.id)).toEqual(['ambassadeurs', 'accueil']);
  });

  test('a community created in chat is stored; its id cannot be taken twice, even at once', async () => {
    const c: NewCommunity = { id: 'cafe-numerique', name: 'Café numérique', kind: 'autre', description: 'Un café par mois', createdBy: LAB };
    const both = await Promise.all([store.communities.create(c, T0), store.communities.create({ ...c, name: 'Autre' }, T0)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await store.communities.get('cafe-numerique')).toEqual(both.find(Boolean));
    expect(await store.communities.create(c, T1)).toBeNull();
    expect(await store.communities.get('nope')).toBeNull();
    expect((await store.communities.list()).map((x) => x.id)).toEqual(['cafe-numerique']);
  });

  test('join and leave are idempotent and exact under concurrency; members, counts and communitiesOf', async () => {
    await store.communities.seed(programme, T0);
    const joins = await Promise.all(Array.from({ length: 5 }, () => store.communities.join('accueil', ANA, T1)));
    expect(joins.filter((x) => x === true)).toHaveLength(1);
    expect(await store.communities.join('accueil', BOB, T2)).toBe(true);
    expect(await store.communities.join('ambassadeurs', ANA, T2)).toBe(true);
    expect(await store.communities.join('nope', ANA, T2)).toBeNull();
    expect(await store.communities.members('accueil')).toEqual([ANA, BOB]);
    expect(await store.communities.counts()).toEqual(
      new Map([
        ['accueil', 2],
        ['ambassadeurs', 1],
      ]),
    );
    expect(await store.communities.communitiesOf(ANA)).toEqual(['accueil', 'ambassadeurs']);
    const leaves = await Promise.all([store.communities.leave('accueil', ANA), store.communities.leave('accueil', ANA)]);
    expect(leaves.filter(Boolean)).toHaveLength(1);
    expect(await store.communities.leave('accueil', ANA)).toBe(false);
    expect(await store.communities.members('accueil')).toEqual([BOB]);
  });

  test("a progress group's stage moves by compare-and-set, with who and when; other kinds have none", async () => {
    await store.communities.seed(programme, T0);
    const both = await Promise.all([store.communities.setStage('accueil', 'analyse', 'pistes', LAB, T1), store.communities.setStage('accueil', 'analyse', 'pistes', ANA, T1)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await store.communities.setStage('accueil', 'analyse', 'proposition', LAB, T2)).toBeNull();
    expect(await store.communities.setStage('accueil', 'pistes', 'proposition', LAB, T2)).toMatchObject({ stage: 'proposition' });
    expect(await store.communities.setStage('ambassadeurs', 'analyse', 'pistes', LAB, T2)).toBeNull();
    expect((await store.communities.get('ambassadeurs'))?.stage).toBeUndefined();
    const stages = await store.communities.stages('accueil');
    expect(stages.map((s) => [s.stage, s.at])).toEqual([
      ['analyse', T0],
      ['pistes', T1],
      ['proposition', T2],
    ]);
    expect(stages[0].by).toBe('programme');
    expect(stages[2].by).toBe(LAB);
  });

  test("training offers; a person's data, and forgetting it", async () => {
    await store.communities.seed(programme, T0);
    await store.communities.join('accueil', ANA, T1);
    await store.communities.join('accueil', BOB, T1);
    const offer = await store.communities.addOffer(ANA, 'Excel : les tableaux croisés', T1);
    await store.communities.addOffer(BOB, 'La facilitation', T2);
    expect(offer).toEqual({ id: offer.id, personId: ANA, subject: 'Excel : les tableaux croisés', at: T1 });
    expect((await store.communities.offers(10)).map((o) => o.personId)).toEqual([BOB, ANA]);
    expect(await store.communities.dataOf(ANA)).toEqual({ memberships: [{ communityId: 'accueil', personId: ANA, at: T1 }], offers: [offer] });
    await store.communities.forget(ANA);
    expect(await store.communities.dataOf(ANA)).toEqual({ memberships: [], offers: [] });
    expect(await store.communities.members('accueil')).toEqual([BOB]);
    expect((await store.communities.offers(10)).map((o) => o.personId)).toEqual([BOB]);
  });
}
