import type { NewConsultation } from '../../src/domain/consultations';
import type { Store } from '../../src/domain/ports';
import type { StoreFactory } from './store-contract';

const T0 = new Date('2026-12-01T09:00:00Z');
const T1 = new Date('2026-12-15T17:00:00Z');
const ALICE = 'slack:T1/UALICE';
const BOB = 'slack:T1/UBOB';
const CAROL = 'teams:t/carol';

function consultation(over: Partial<NewConsultation> = {}): NewConsultation {
  return {
    kind: 'questionnaire',
    title: 'Votre avis nous intéresse',
    questions: [
      { id: 'q1', type: 'single', text: 'Avez-vous participé ?', required: true, choices: ['Oui', 'Non'] },
      { id: 'q2', type: 'long', text: 'Vos réactions', required: false },
    ],
    anonymous: true,
    audience: { kind: 'everyone' },
    opensAt: T0,
    closesAt: T1,
    results: 'closed',
    createdBy: ALICE,
    createdAt: T0,
    ...over,
  };
}

/** Consultations, their register and their answers: what both stores must do identically, through the port only. */
export function consultationsContract(factory: StoreFactory, raw?: (store: Store) => Promise<unknown[]>): void {
  let store: Store;
  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  test('created as a draft, numbered; moved from state to state only from the states given', async () => {
    const a = await store.consultations.create(consultation());
    const b = await store.consultations.create(consultation({ title: 'Deuxième', kind: 'poll' }));
    expect(b.id).toBeGreaterThan(a.id);
    expect(a).toMatchObject({ state: 'draft', reached: 0, anonymous: true, title: 'Votre avis nous intéresse', audience: { kind: 'everyone' } });
    expect((await store.consultations.get(a.id))?.questions).toEqual(consultation().questions);
    expect((await store.consultations.list(10)).map((c) => c.id)).toEqual([b.id, a.id]);
    const opened = await store.consultations.setState(a.id, ['draft'], 'open', { closesAt: new Date('2026-12-20T17:00:00Z') });
    expect(opened).toMatchObject({ state: 'open', closesAt: new Date('2026-12-20T17:00:00Z') });
    expect(await store.consultations.setState(a.id, ['draft'], 'open')).toBeNull();
    expect((await store.consultations.get(a.id))?.closesAt).toEqual(new Date('2026-12-20T17:00:00Z'));
  });

  test('anonymous: saved page by page (resumed), the link dropped at submission, a second answer refused; no person id in the answers', async () => {
    const c = await store.consultations.create(consultation());
    expect(await store.consultations.invite(c.id, [ALICE, BOB, CAROL])).toBe(3);
    expect(await store.consultations.invite(c.id, [ALICE])).toBe(0);
    expect((await store.consultations.get(c.id))?.reached).toBe(3);
    expect(await store.consultations.saveAnswers(c.id, 'slack:T1/UNOBODY', [{ question: 'q1', value: '0' }], { anonymous: true, page: 1, day: '2026-12-02' })).toBe('notInvited');

    expect(await store.consultations.saveAnswers(c.id, ALICE, [{ question: 'q1', value: '0' }], { anonymous: true, page: 1, day: '2026-12-02' })).toBe('saved');
    expect(await store.consultations.registerOf(c.id, ALICE)).toMatchObject({ state: 'in_progress', page: 1 });
    expect((await store.consultations.registerOf(c.id, ALICE))?.responseId).toBeDefined();
    // a later sitting: what was saved is there to resume
    expect(await store.consultations.answersOf(c.id, ALICE)).toEqual([{ question: 'q1', value: '0' }]);
    expect(
      await store.consultations.saveAnswers(c.id, ALICE, [{ question: 'q2', value: 'Plus de télétravail' }], {
        anonymous: true,
        page: 2,
        day: '2026-12-03',
        submit: { groups: { platform: 'slack' } },
      }),
    ).toBe('submitted');
    const reg = await store.consultations.registerOf(c.id, ALICE);
    expect(reg?.state).toBe('done');
    expect(reg?.responseId).toBeUndefined();
    expect(await store.consultations.answersOf(c.id, ALICE)).toEqual([]);
    expect(await store.consultations.saveAnswers(c.id, ALICE, [{ question: 'q1', value: '1' }], { anonymous: true, page: 1, day: '2026-12-04' })).toBe('already');

    const answers = await store.consultations.answers(c.id);
    expect(answers.map((a) => [a.question, a.value, a.day]).sort()).toEqual([
      ['q1', '0', '2026-12-02'],
      ['q2', 'Plus de télétravail', '2026-12-03'],
    ]);
    expect(await store.consultations.responses(c.id)).toEqual([{ responseId: answers[0].responseId, day: '2026-12-03', groups: { platform: 'slack' } }]);
    expect(JSON.stringify(answers)).not.toContain('UALICE');
    if (raw) {
      // the stored rows themselves: no person id, no time finer than the day
      const rows = JSON.stringify(await raw(store));
      expect(rows).not.toContain('UALICE');
      expect(rows).not.toMatch(/T\d\d:\d\d/);
    }
    expect(await store.consultations.pending(c.id)).toEqual([BOB, CAROL].sort());
    expect(await store.consultations.figures(c.id)).toEqual({ reached: 3, started: 0, done: 1 });
  });

  test('one answer per person under concurrent submissions', async () => {
    const c = await store.consultations.create(consultation({ kind: 'poll' }));
    await store.consultations.invite(c.id, [ALICE, BOB]);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.consultations.saveAnswers(c.id, ALICE, [{ question: 'q1', value: String(i % 2) }], { anonymous: true, page: 1, day: '2026-12-02', submit: { groups: {} } }),
      ),
    );
    expect(outcomes.filter((o) => o === 'submitted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already')).toHaveLength(7);
    expect(await store.consultations.responses(c.id)).toHaveLength(1);
    expect((await store.consultations.answers(c.id)).filter((a) => a.question === 'q1')).toHaveLength(1);
    await store.consultations.saveAnswers(c.id, BOB, [{ question: 'q1', value: '1' }], { anonymous: true, page: 1, day: '2026-12-02', submit: { groups: {} } });
    const tally = await store.consultations.tally(c.id, 'q1');
    expect(tally.reduce((n, t) => n + t.count, 0)).toBe(2);
    expect(tally.find((t) => t.value === '1')?.count).toBeGreaterThanOrEqual(1);
  });

  test('named: answers change until closing; data of a person and forgetting them', async () => {
    const named = await store.consultations.create(consultation({ anonymous: false, title: 'Nommé' }));
    const anon = await store.consultations.create(consultation({ title: 'Anonyme' }));
    await store.consultations.invite(named.id, [ALICE, BOB]);
    await store.consultations.invite(anon.id, [ALICE]);
    const submit = { groups: { platform: 'slack' } };
    expect(await store.consultations.saveAnswers(named.id, ALICE, [{ question: 'q1', value: '0' }], { anonymous: false, page: 1, day: '2026-12-02', submit })).toBe('submitted');
    expect(await store.consultations.saveAnswers(named.id, ALICE, [{ question: 'q1', value: '1' }], { anonymous: false, page: 1, day: '2026-12-03', submit })).toBe('submitted');
    expect(await store.consultations.answersOf(named.id, ALICE)).toEqual([{ question: 'q1', value: '1' }]);
    expect(await store.consultations.responses(named.id)).toHaveLength(1);
    await store.consultations.saveAnswers(named.id, BOB, [{ question: 'q1', value: '0' }], { anonymous: false, page: 1, day: '2026-12-02', submit });
    await store.consultations.saveAnswers(anon.id, ALICE, [{ question: 'q1', value: '0' }], { anonymous: true, page: 1, day: '2026-12-02', submit });

    const data = (await store.consultations.dataOf(ALICE)) as { consultations: Array<Record<string, unknown>> };
    expect(data.consultations).toEqual([
      { consultation: named.id, title: 'Nommé', anonymous: false, state: 'done', answers: [{ question: 'q1', value: '1', day: '2026-12-03' }] },
      { consultation: anon.id, title: 'Anonyme', anonymous: true, state: 'done' },
    ]);

    await store.consultations.forget(ALICE);
    expect(await store.consultations.registerOf(named.id, ALICE)).toBeNull();
    expect(await store.consultations.registerOf(anon.id, ALICE)).toBeNull();
    expect((await store.consultations.answers(named.id)).map((a) => a.value)).toEqual(['0']);
    expect(await store.consultations.responses(named.id)).toHaveLength(1);
    // the anonymous answer stays: it holds nothing of the person
    expect(await store.consultations.answers(anon.id)).toHaveLength(1);
    expect(await store.consultations.dataOf(ALICE)).toEqual({ consultations: [] });
  });
}
