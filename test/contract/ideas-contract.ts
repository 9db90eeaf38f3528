import type { Idea, NewIdea } from '../../src/domain/ideas';
import type { Store } from '../../src/domain/ports';
import type { StoreFactory } from './store-contract';

const T0 = new Date('2026-03-01T09:00:00Z');
const T1 = new Date('2026-03-01T10:00:00Z');
const T2 = new Date('2026-03-02T10:00:00Z');
const T3 = new Date('2026-03-03T10:00:00Z');

const ALICE = 'slack:T1/UALICE';
const BOB = 'slack:T1/UBOB';
const PILOT = 'slack:T1/UPILOT';

function draft(over: Partial<NewIdea> = {}): NewIdea {
  return {
    title: 'Un guichet unique',
    description: 'Un seul endroit pour toutes les démarches.',
    axisId: 'usager',
    hashtags: ['accueil'],
    anonymous: false,
    authorId: ALICE,
    createdAt: T0,
    ...over,
  };
}

const ids = (ideas: Idea[]) => ideas.map((i) => i.id);
const sorted = (xs: string[]) => [...xs].sort();

/**
 * The ideas, supports and drafts part of the store contract: what both the embedded SQLite store and
 * MongoDB must do identically. Only the repository ports are used, never a storage detail.
 */
export function ideasContract(factory: StoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  describe('ideas', () => {
    test('since: visible ideas created or answered from a time on, newest first', async () => {
      const old = await store.ideas.create(draft({ createdAt: T0 }));
      const answered = await store.ideas.create(draft({ title: 'Répondue', createdAt: T0 }));
      const fresh = await store.ideas.create(draft({ title: 'Nouvelle', createdAt: T2 }));
      const hidden = await store.ideas.create(draft({ title: 'Masquée', createdAt: T2 }));
      await store.ideas.setStatus(answered.id, 'retenue', undefined, PILOT, T2);
      await store.ideas.hide(hidden.id, 'hors sujet', PILOT, T2);
      expect(ids(await store.ideas.since(T1))).toEqual([fresh.id, answered.id]);
      expect(ids(await store.ideas.since(T0))).toEqual([fresh.id, answered.id, old.id]);
      expect(await store.ideas.since(T3)).toEqual([]);
    });

    test('create assigns increasing ids, starting fresh, and the fields round-trip', async () => {
      const a = await store.ideas.create(draft({ hashtags: ['accueil', 'sobriété'], anonymous: true }));
      const b = await store.ideas.create(draft({ title: 'Deuxième', authorId: BOB, createdAt: T1, hashtags: [] }));
      const c = await store.ideas.create(draft({ title: 'Troisième', createdAt: T2 }));
      expect(a.id).toBe(1);
      expect(b.id).toBe(2);
      expect(c.id).toBe(3);

      const expected = {
        id: 1,
        title: 'Un guichet unique',
        description: 'Un seul endroit pour toutes les démarches.',
        axisId: 'usager',
        hashtags: ['accueil', 'sobriété'],
        anonymous: true,
        authorId: ALICE,
        status: 'proposee',
        supportCount: 0,
        createdAt: T0,
        updatedAt: T0,
      };
      // What create returns and what get reads back are the same, with no extra keys (not even undefined ones).
      for (const idea of [a, (await store.ideas.get(1))!]) {
        expect(idea).toEqual(expected);
        expect(idea.createdAt).toBeInstanceOf(Date);
        expect(idea.createdAt.toISOString()).toBe(T0.toISOString());
        expect(idea.updatedAt.toISOString()).toBe(T0.toISOString());
        for (const key of ['answer', 'answeredBy', 'answeredAt', 'hidden', 'mergedInto']) {
          expect(Object.hasOwn(idea, key)).toBe(false);
        }
      }
      const gotB = (await store.ideas.get(2))!;
      expect(gotB.hashtags).toEqual([]);
      expect(gotB.anonymous).toBe(false);
      expect(gotB.authorId).toBe(BOB);
      expect(gotB.createdAt.toISOString()).toBe(T1.toISOString());
    });

    test('get of an unknown idea is null', async () => {
      expect(await store.ideas.get(1)).toBeNull();
      await store.ideas.create(draft());
      expect(await store.ideas.get(2)).toBeNull();
      expect(await store.ideas.get(999_999)).toBeNull();
    });

    test('list shows visible ideas only, sorted by supports (top) or newest first (recent)', async () => {
      const i1 = await store.ideas.create(draft({ title: 'one' }));
      const i2 = await store.ideas.create(draft({ title: 'two' }));
      const i3 = await store.ideas.create(draft({ title: 'three' }));
      const i4 = await store.ideas.create(draft({ title: 'four' }));
      const hidden = await store.ideas.create(draft({ title: 'hidden' }));
      const merged = await store.ideas.create(draft({ title: 'merged' }));

      // supports: i1 → 2, i2 → 0, i3 → 2, i4 → 1, hidden → 5
      await store.ideas.addSupport(i1.id, 'p1', T1);
      await store.ideas.addSupport(i1.id, 'p2', T1);
      await store.ideas.addSupport(i3.id, 'p1', T1);
      await store.ideas.addSupport(i3.id, 'p3', T1);
      await store.ideas.addSupport(i4.id, 'p1', T1);
      for (const p of ['p1', 'p2', 'p3', 'p4', 'p5']) await store.ideas.addSupport(hidden.id, p, T1);
      await store.ideas.hide(hidden.id, 'hors sujet', PILOT, T2);
      await store.ideas.merge(merged.id, i2.id, T2);

      const top = await store.ideas.list({ sort: 'top', offset: 0, limit: 50 });
      expect(ids(top.items)).toEqual([i3.id, i1.id, i4.id, i2.id]); // 2 (id desc), 2, 1, 0
      expect(top.total).toBe(4);

      const recent = await store.ideas.list({ sort: 'recent', offset: 0, limit: 50 });
      expect(ids(recent.items)).toEqual([i4.id, i3.id, i2.id, i1.id]);
      expect(recent.total).toBe(4);
      expect(recent.items.find((i) => i.id === i3.id)?.supportCount).toBe(2);
    });

    test('list filters by axis, hashtag and author, alone or combined', async () => {
      const a = await store.ideas.create(draft({ axisId: 'usager', hashtags: ['accueil', 'sobriété'], authorId: ALICE }));
      const b = await store.ideas.create(draft({ axisId: 'transitions', hashtags: ['sobriété'], authorId: BOB }));
      const c = await store.ideas.create(draft({ axisId: 'usager', hashtags: [], authorId: BOB }));
      const d = await store.ideas.create(draft({ axisId: 'equipe', hashtags: ['accueil'], authorId: ALICE }));
      const hidden = await store.ideas.create(draft({ axisId: 'usager', hashtags: ['accueil'], authorId: ALICE }));
      await store.ideas.hide(hidden.id, 'doublon', PILOT, T1);

      const q = { sort: 'recent' as const, offset: 0, limit: 50 };
      expect(ids((await store.ideas.list({ ...q, axisId: 'usager' })).items)).toEqual([c.id, a.id]);
      expect((await store.ideas.list({ ...q, axisId: 'usager' })).total).toBe(2);
      expect(ids((await store.ideas.list({ ...q, hashtag: 'accueil' })).items)).toEqual([d.id, a.id]);
      expect(ids((await store.ideas.list({ ...q, hashtag: 'sobriété' })).items)).toEqual([b.id, a.id]);
      expect((await store.ideas.list({ ...q, hashtag: 'sobriété' })).total).toBe(2);
      expect(ids((await store.ideas.list({ ...q, hashtag: 'inconnu' })).items)).toEqual([]);
      expect((await store.ideas.list({ ...q, hashtag: 'inconnu' })).total).toBe(0);
      expect(ids((await store.ideas.list({ ...q, authorId: ALICE })).items)).toEqual([d.id, a.id]);
      expect(ids((await store.ideas.list({ ...q, authorId: BOB })).items)).toEqual([c.id, b.id]);
      // filters combine
      expect(ids((await store.ideas.list({ ...q, axisId: 'usager', hashtag: 'accueil' })).items)).toEqual([a.id]);
      expect(ids((await store.ideas.list({ ...q, axisId: 'usager', authorId: BOB })).items)).toEqual([c.id]);
      expect(ids((await store.ideas.list({ ...q, hashtag: 'sobriété', authorId: BOB, axisId: 'transitions' })).items)).toEqual([b.id]);
      expect((await store.ideas.list({ ...q, axisId: 'territoires' })).total).toBe(0);
    });

    test('list pages with offset and limit and reports the total', async () => {
      const created: Idea[] = [];
      for (let n = 0; n < 23; n++) created.push(await store.ideas.create(draft({ title: `idée ${n}` })));
      const newestFirst = ids(created).reverse();

      const p1 = await store.ideas.list({ sort: 'recent', offset: 0, limit: 10 });
      const p2 = await store.ideas.list({ sort: 'recent', offset: 10, limit: 10 });
      const p3 = await store.ideas.list({ sort: 'recent', offset: 20, limit: 10 });
      const p4 = await store.ideas.list({ sort: 'recent', offset: 30, limit: 10 });
      expect(ids(p1.items)).toEqual(newestFirst.slice(0, 10));
      expect(ids(p2.items)).toEqual(newestFirst.slice(10, 20));
      expect(ids(p3.items)).toEqual(newestFirst.slice(20));
      expect(p4.items).toEqual([]);
      for (const p of [p1, p2, p3, p4]) expect(p.total).toBe(23);

      const top = await store.ideas.list({ sort: 'top', offset: 5, limit: 3 });
      expect(ids(top.items)).toEqual(newestFirst.slice(5, 8)); // no supports: ties broken by id desc
      expect(top.total).toBe(23);
    });

    test('all() lists every idea, hidden and merged included, oldest first', async () => {
      const a = await store.ideas.create(draft({ title: 'a' }));
      const b = await store.ideas.create(draft({ title: 'b' }));
      const c = await store.ideas.create(draft({ title: 'c' }));
      await store.ideas.hide(a.id, 'raison', PILOT, T1);
      await store.ideas.merge(b.id, c.id, T1);
      const all = await store.ideas.all();
      expect(ids(all)).toEqual([a.id, b.id, c.id]);
      expect(all[0].hidden?.reason).toBe('raison');
      expect(all[1].mergedInto).toBe(c.id);
    });

    test('supports: one per person, counts exact, withdrawals idempotent', async () => {
      const idea = await store.ideas.create(draft());
      const other = await store.ideas.create(draft({ title: 'other' }));

      expect(await store.ideas.addSupport(idea.id, BOB, T1)).toBe(true);
      expect(await store.ideas.addSupport(idea.id, BOB, T2)).toBe(false);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(1);
      expect(await store.ideas.supporters(idea.id)).toEqual([BOB]);

      expect(await store.ideas.addSupport(idea.id, ALICE, T1)).toBe(true);
      expect(await store.ideas.addSupport(other.id, ALICE, T1)).toBe(true);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(2);
      expect((await store.ideas.get(other.id))!.supportCount).toBe(1);
      expect(sorted(await store.ideas.supporters(idea.id))).toEqual(sorted([ALICE, BOB]));

      expect(await store.ideas.removeSupport(idea.id, BOB)).toBe(true);
      expect(await store.ideas.removeSupport(idea.id, BOB)).toBe(false);
      expect(await store.ideas.removeSupport(idea.id, 'slack:T1/UNOBODY')).toBe(false);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(1);
      expect(await store.ideas.supporters(idea.id)).toEqual([ALICE]);
      expect((await store.ideas.get(other.id))!.supportCount).toBe(1);

      // supporting again after a withdrawal counts again
      expect(await store.ideas.addSupport(idea.id, BOB, T3)).toBe(true);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(2);
    });

    test('supportedBy tells which of the given ideas a person supports', async () => {
      const a = await store.ideas.create(draft({ title: 'a' }));
      const b = await store.ideas.create(draft({ title: 'b' }));
      const c = await store.ideas.create(draft({ title: 'c' }));
      await store.ideas.addSupport(a.id, BOB, T1);
      await store.ideas.addSupport(c.id, BOB, T1);
      await store.ideas.addSupport(b.id, ALICE, T1);

      const bob = await store.ideas.supportedBy(BOB, [a.id, b.id, c.id]);
      expect(bob).toBeInstanceOf(Set);
      expect([...bob].sort()).toEqual([a.id, c.id]);
      expect([...(await store.ideas.supportedBy(BOB, [b.id, c.id]))]).toEqual([c.id]);
      expect([...(await store.ideas.supportedBy(ALICE, [a.id, b.id, c.id]))]).toEqual([b.id]);
      expect((await store.ideas.supportedBy('slack:T1/UNOBODY', [a.id, b.id])).size).toBe(0);
      expect((await store.ideas.supportedBy(BOB, [])).size).toBe(0);
      expect(await store.ideas.supporters(b.id)).toEqual([ALICE]);
      expect(await store.ideas.supporters(999)).toEqual([]);
    });

    test('setStatus records the answer, and removes it when none is given', async () => {
      const idea = await store.ideas.create(draft());
      const studied = await store.ideas.setStatus(idea.id, 'a_l_etude', 'Nous regardons cela.', PILOT, T1);
      expect(studied).toMatchObject({ id: idea.id, status: 'a_l_etude', answer: 'Nous regardons cela.', answeredBy: PILOT });
      expect(studied.answeredAt?.toISOString()).toBe(T1.toISOString());
      expect(studied.updatedAt.toISOString()).toBe(T1.toISOString());
      expect(studied.createdAt.toISOString()).toBe(T0.toISOString());
      expect((await store.ideas.get(idea.id))!.answer).toBe('Nous regardons cela.');

      const kept = await store.ideas.setStatus(idea.id, 'retenue', undefined, BOB, T2);
      expect(kept.status).toBe('retenue');
      expect(kept.answeredBy).toBe(BOB);
      expect(kept.answeredAt?.toISOString()).toBe(T2.toISOString());
      expect(Object.hasOwn(kept, 'answer')).toBe(false);
      const read = (await store.ideas.get(idea.id))!;
      expect(read.status).toBe('retenue');
      expect(Object.hasOwn(read, 'answer')).toBe(false);
      expect(read.supportCount).toBe(0);
      expect(read.title).toBe(idea.title);
    });

    test('hide records who hid the idea, why and when', async () => {
      const idea = await store.ideas.create(draft());
      await store.ideas.addSupport(idea.id, BOB, T1);
      const hidden = await store.ideas.hide(idea.id, 'Propos inappropriés', PILOT, T2);
      expect(hidden.hidden).toEqual({ reason: 'Propos inappropriés', by: PILOT, at: T2 });
      expect(hidden.hidden!.at.toISOString()).toBe(T2.toISOString());
      expect(hidden.updatedAt.toISOString()).toBe(T2.toISOString());
      const read = (await store.ideas.get(idea.id))!;
      expect(read.hidden).toEqual({ reason: 'Propos inappropriés', by: PILOT, at: T2 });
      expect(read.supportCount).toBe(1);
      expect((await store.ideas.list({ sort: 'top', offset: 0, limit: 10 })).total).toBe(0);
    });

    test('merge moves the supports, counting a person who supported both once', async () => {
      const from = await store.ideas.create(draft({ title: 'doublon' }));
      const into = await store.ideas.create(draft({ title: 'original' }));
      const bystander = await store.ideas.create(draft({ title: 'autre' }));
      await store.ideas.addSupport(from.id, 'A', T1);
      await store.ideas.addSupport(from.id, 'B', T1);
      await store.ideas.addSupport(into.id, 'B', T1);
      await store.ideas.addSupport(into.id, 'C', T1);
      await store.ideas.addSupport(bystander.id, 'A', T1);

      const r = await store.ideas.merge(from.id, into.id, T2);
      expect(r.into.id).toBe(into.id);
      expect(r.into.supportCount).toBe(3);
      expect(r.from.id).toBe(from.id);
      expect(r.from.supportCount).toBe(0);
      expect(r.from.mergedInto).toBe(into.id);
      expect(r.from.updatedAt.toISOString()).toBe(T2.toISOString());
      expect(Object.hasOwn(r.into, 'mergedInto')).toBe(false);

      expect(sorted(await store.ideas.supporters(into.id))).toEqual(['A', 'B', 'C']);
      expect(await store.ideas.supporters(from.id)).toEqual([]);
      expect((await store.ideas.get(into.id))!.supportCount).toBe(3);
      expect((await store.ideas.get(from.id))!).toMatchObject({ supportCount: 0, mergedInto: into.id });
      expect((await store.ideas.get(bystander.id))!.supportCount).toBe(1);
      expect([...(await store.ideas.supportedBy('A', [from.id, into.id, bystander.id]))].sort()).toEqual([into.id, bystander.id]);

      const listed = await store.ideas.list({ sort: 'top', offset: 0, limit: 10 });
      expect(ids(listed.items)).toEqual([into.id, bystander.id]);
      expect(listed.total).toBe(2);

      // a later support of the merged-into idea by someone already counted changes nothing
      expect(await store.ideas.addSupport(into.id, 'A', T3)).toBe(false);
      expect((await store.ideas.get(into.id))!.supportCount).toBe(3);
    });

    test('text that looks like a query operator is stored as plain text', async () => {
      const idea = await store.ideas.create(draft({ title: '{"$ne": null}', description: '{"$gt": ""}', hashtags: ['accueil'], authorId: '{"$ne":null}' }));
      const read = (await store.ideas.get(idea.id))!;
      expect(read.title).toBe('{"$ne": null}');
      expect(read.description).toBe('{"$gt": ""}');
      expect(read.authorId).toBe('{"$ne":null}');
      await store.ideas.create(draft({ title: 'ordinaire' }));

      const q = { sort: 'recent' as const, offset: 0, limit: 10 };
      const byTag = await store.ideas.list({ ...q, hashtag: '{"$ne":null}' });
      expect(byTag.items).toEqual([]);
      expect(byTag.total).toBe(0);
      expect((await store.ideas.list({ ...q, axisId: '{"$ne":null}' })).total).toBe(0);
      expect(ids((await store.ideas.list({ ...q, authorId: '{"$ne":null}' })).items)).toEqual([idea.id]);
      expect(await store.ideas.addSupport(idea.id, '{"$gt":""}', T1)).toBe(true);
      expect(await store.ideas.supporters(idea.id)).toEqual(['{"$gt":""}']);
      expect(await store.ideas.removeSupport(idea.id, '{"$ne":null}')).toBe(false);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(1);
    });

    test('100 people each clicking support twice at the same moment on one idea leaves exactly 100 supports', async () => {
      const idea = await store.ideas.create(draft());
      const people = Array.from({ length: 100 }, (_, i) => `person-${i + 1}`);
      // interleaved: person-1, person-2, …, person-100, person-1, person-2, …
      const clicks = [...people, ...people].map((p) => store.ideas.addSupport(idea.id, p, T1));
      const results = await Promise.all(clicks);

      expect(results.filter((r) => r === true)).toHaveLength(100);
      expect(results.filter((r) => r === false)).toHaveLength(100);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(100);
      const supporters = await store.ideas.supporters(idea.id);
      expect(supporters).toHaveLength(100);
      expect(sorted(supporters)).toEqual(sorted(people));

      // then 100 withdrawals and 100 new supports, all at once, by different people
      const newcomers = Array.from({ length: 100 }, (_, i) => `person-${i + 101}`);
      const mixed = await Promise.all([...people.map((p) => store.ideas.removeSupport(idea.id, p)), ...newcomers.map((p) => store.ideas.addSupport(idea.id, p, T2))]);
      expect(mixed.every((r) => r === true)).toBe(true);
      const after = await store.ideas.supporters(idea.id);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(after.length);
      expect(sorted(after)).toEqual(sorted(newcomers));

      // and a storm of duplicates mixing both: half withdraw twice, half of the old ones come back twice
      const storm = await Promise.all([
        ...newcomers.slice(0, 50).flatMap((p) => [store.ideas.removeSupport(idea.id, p), store.ideas.removeSupport(idea.id, p)]),
        ...people.slice(0, 30).flatMap((p) => [store.ideas.addSupport(idea.id, p, T3), store.ideas.addSupport(idea.id, p, T3)]),
      ]);
      expect(storm.filter((r) => r === true)).toHaveLength(80);
      const final = await store.ideas.supporters(idea.id);
      expect(final).toHaveLength(80);
      expect((await store.ideas.get(idea.id))!.supportCount).toBe(final.length);
      expect(sorted(final)).toEqual(sorted([...newcomers.slice(50), ...people.slice(0, 30)]));
    });
  });

  describe('drafts', () => {
    test('a draft is taken once, and only by its owner', async () => {
      const id = await store.drafts.save(ALICE, 'Une idée #accueil pas encore rangée', T0);
      expect(typeof id).toBe('string');
      expect(id.length).toBeGreaterThan(0);
      const other = await store.drafts.save(BOB, 'autre brouillon', T0);
      expect(other).not.toBe(id);

      expect(await store.drafts.take(id, BOB)).toBeNull();
      expect(await store.drafts.take('no-such-draft', ALICE)).toBeNull();
      // still there after the refused attempt
      expect(await store.drafts.take(id, ALICE)).toBe('Une idée #accueil pas encore rangée');
      expect(await store.drafts.take(id, ALICE)).toBeNull();
      // the other draft is untouched
      expect(await store.drafts.take(other, BOB)).toBe('autre brouillon');
    });

    test('a draft id that looks like a query operator finds nothing', async () => {
      await store.drafts.save(ALICE, 'secret', T0);
      expect(await store.drafts.take('{"$ne":null}', ALICE)).toBeNull();
      expect(await store.drafts.take('{"$gt":""}', '{"$ne":null}')).toBeNull();
    });
  });
}
