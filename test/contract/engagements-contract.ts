import type { NewEngagement } from '../../src/domain/engagement';
import type { Store } from '../../src/domain/ports';
import type { StoreFactory } from './store-contract';

const T0 = new Date('2026-12-01T09:00:00Z');
const T1 = new Date('2026-12-02T09:00:00Z');
const AGENT = 'slack:T1/UAGENT';
const MANAGER = 'teams:t/manager';
const LAB = 'slack:T1/ULAB';

function request(over: Partial<NewEngagement> = {}): NewEngagement {
  return {
    personId: AGENT,
    managerId: MANAGER,
    role: 'service',
    domains: ['intelligence-collective', 'process-internes'],
    timePercent: 8,
    motivation: 'Faire avancer la démarche dans mon service',
    project: 'Accueil des usagers',
    start: '2027-01-04',
    listed: true,
    ...over,
  };
}

/** Engagements: what both stores must do identically, through the port only. */
export function engagementsContract(factory: StoreFactory): void {
  let store: Store;
  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  test('a request is created pending the manager, and read back as written', async () => {
    const e = await store.engagements.create(request(), T0);
    expect(e).toMatchObject({
      personId: AGENT,
      managerId: MANAGER,
      state: 'pending_manager',
      domains: ['intelligence-collective', 'process-internes'],
      timePercent: 8,
      renewalOf: null,
    });
    expect(await store.engagements.get(e!.id)).toEqual(e);
    expect(await store.engagements.history(e!.id)).toEqual([{ engagementId: e!.id, state: 'pending_manager', by: AGENT, at: T0 }]);
  });

  test('one open engagement per person, even when two requests arrive at once; a terminal state frees the slot', async () => {
    const both = await Promise.all([store.engagements.create(request(), T0), store.engagements.create(request(), T0)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    const e = both.find(Boolean)!;
    expect(await store.engagements.create(request(), T1)).toBeNull();
    expect(await store.engagements.transition(e.id, { from: ['pending_manager'], to: 'refused', by: MANAGER, at: T1, reason: 'Pas ce semestre' })).toMatchObject({
      state: 'refused',
    });
    expect(await store.engagements.create(request(), T1)).toMatchObject({ state: 'pending_manager' });
    expect((await store.engagements.forPerson(AGENT)).map((x) => x.state)).toEqual(['pending_manager', 'refused']);
  });

  test('transitions are compare-and-set: two clicks at once act once; each is kept in the history with who, when and why', async () => {
    const e = (await store.engagements.create(request(), T0))!;
    const approve = () => store.engagements.transition(e.id, { from: ['pending_manager'], to: 'pending_lab', by: MANAGER, at: T1, set: { managerApprovedAt: T1 } });
    const results = await Promise.all([approve(), approve()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.engagements.get(e.id))!.managerApprovedAt).toEqual(T1);
    const end = new Date('2027-07-04T00:00:00Z');
    const active = await store.engagements.transition(e.id, {
      from: ['pending_lab'],
      to: 'active',
      by: LAB,
      at: T1,
      set: { labApprovedBy: LAB, labApprovedAt: T1, activeFrom: T1, termEnd: end },
    });
    expect(active).toMatchObject({ state: 'active', labApprovedBy: LAB, termEnd: end });
    expect(await store.engagements.transition(e.id, { from: ['pending_manager'], to: 'refused', by: MANAGER, at: T1 })).toBeNull();
    expect((await store.engagements.history(e.id)).map((s) => [s.state, s.by])).toEqual([
      ['pending_manager', AGENT],
      ['pending_lab', MANAGER],
      ['active', LAB],
    ]);
    expect((await store.engagements.list(['active'])).map((x) => x.id)).toEqual([e.id]);
    expect(await store.engagements.list(['refused'])).toEqual([]);
    expect((await store.engagements.managedBy(MANAGER)).map((x) => x.id)).toEqual([e.id]);
  });

  test('a renewal is requested beside the active engagement, and becomes the open one when activated', async () => {
    const e = (await store.engagements.create(request(), T0))!;
    await store.engagements.transition(e.id, { from: ['pending_manager'], to: 'active', by: LAB, at: T0 });
    expect(await store.engagements.create(request(), T1)).toBeNull();
    const renewal = (await store.engagements.create(request({ renewalOf: e.id }), T1))!;
    expect(renewal).toMatchObject({ renewalOf: e.id, state: 'pending_manager' });
    expect(await store.engagements.create(request({ renewalOf: e.id }), T1)).toBeNull();
    await store.engagements.transition(e.id, { from: ['active'], to: 'ended', by: 'system', at: T1 });
    await store.engagements.transition(renewal.id, { from: ['pending_manager'], to: 'active', by: LAB, at: T1 });
    // the renewal holds the person's slot: no new request, but a renewal of it can be asked again later
    expect(await store.engagements.create(request(), T1)).toBeNull();
    expect(await store.engagements.create(request({ renewalOf: renewal.id }), T1)).toMatchObject({ renewalOf: renewal.id });
  });

  test('the data of a person, as agent and as manager; forgetting removes their text and unlinks the manager', async () => {
    const e = (await store.engagements.create(request(), T0))!;
    await store.engagements.transition(e.id, { from: ['pending_manager'], to: 'pending_lab', by: MANAGER, at: T1 });
    const agent = await store.engagements.dataOf(AGENT);
    expect(JSON.stringify(agent)).toContain('Faire avancer la démarche');
    const manager = await store.engagements.dataOf(MANAGER);
    expect(manager).toMatchObject({ asManager: [{ id: e.id, agent: AGENT }], decisions: [{ engagementId: e.id, state: 'pending_lab' }] });
    await store.engagements.forget(AGENT);
    await store.engagements.forget(MANAGER);
    const after = (await store.engagements.get(e.id))!;
    expect(after).toMatchObject({ motivation: '', project: '', listed: false, managerId: null });
    expect(JSON.stringify(await store.engagements.history(e.id))).not.toContain(MANAGER);
  });
}
