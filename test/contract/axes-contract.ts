import type { NewAxisUpdate } from '../../src/domain/axes';
import type { Store } from '../../src/domain/ports';
import type { OutboxStoreFactory } from './outbox-contract';

const T0 = new Date('2026-03-01T09:00:00Z');
const T1 = new Date('2026-03-02T09:00:00Z');
const T2 = new Date('2026-03-03T09:00:00Z');

const ALICE = 'slack:T1/UALICE';
const BOB = 'slack:T1/UBOB';
const CAROL = 'teams:t/carol';
const PILOT = 'teams:t/pilot';

function update(over: Partial<NewAxisUpdate> = {}): NewAxisUpdate {
  return {
    axisId: 'usager',
    authorId: PILOT,
    status: 'on_track',
    progress: 40,
    done: 'Trois ateliers menés.',
    next: 'Synthèse en janvier.',
    createdAt: T0,
    reachedFollowers: true,
    ...over,
  };
}

/** Following axes and pilots' updates: what both stores must do identically, through the ports only. */
export function axesContract(factory: OutboxStoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  describe('follows', () => {
    test('follow and unfollow are idempotent; followers in the order they followed; counts per axis', async () => {
      expect(await store.follows.follow(BOB, 'usager', T1)).toBe(true);
      expect(await store.follows.follow(ALICE, 'usager', T0)).toBe(true);
      expect(await store.follows.follow(ALICE, 'usager', T2)).toBe(false);
      expect(await store.follows.follow(ALICE, 'transitions', T1)).toBe(true);
      expect(await store.follows.followers('usager')).toEqual([ALICE, BOB]);
      expect(await store.follows.axesOf(ALICE)).toEqual(['usager', 'transitions']);
      expect(Object.fromEntries(await store.follows.counts())).toEqual({ usager: 2, transitions: 1 });

      expect(await store.follows.unfollow(ALICE, 'usager')).toBe(true);
      expect(await store.follows.unfollow(ALICE, 'usager')).toBe(false);
      expect(await store.follows.followers('usager')).toEqual([BOB]);
      expect(await store.follows.axesOf(CAROL)).toEqual([]);
      expect(await store.follows.followers('nothing')).toEqual([]);
    });

    test('pages of people, by person id, never split', async () => {
      await store.follows.follow(CAROL, 'usager', T0);
      await store.follows.follow(ALICE, 'usager', T0);
      await store.follows.follow(ALICE, 'transitions', T1);
      await store.follows.follow(BOB, 'transitions', T0);
      const first = await store.follows.page(null, 2);
      expect(first).toEqual([
        { personId: ALICE, axisIds: ['usager', 'transitions'] },
        { personId: BOB, axisIds: ['transitions'] },
      ]);
      expect(await store.follows.page(BOB, 2)).toEqual([{ personId: CAROL, axisIds: ['usager'] }]);
      expect(await store.follows.page(CAROL, 2)).toEqual([]);
    });

    test('a follow survives a restart', async () => {
      await store.follows.follow(ALICE, 'usager', T0);
      store = await factory.reopen(store);
      expect(await store.follows.followers('usager')).toEqual([ALICE]);
    });
  });

  describe('axis updates', () => {
    test('create, get, history newest first, since, and the last time one reached followers', async () => {
      const a = await store.axisUpdates.create(update({ help: 'Un local', link: 'https://exemple.fr/a' }));
      const b = await store.axisUpdates.create(update({ createdAt: T1, reachedFollowers: false, progress: undefined, status: 'at_risk' }));
      const c = await store.axisUpdates.create(update({ axisId: 'transitions', createdAt: T2 }));
      expect([a.id, b.id, c.id]).toEqual([1, 2, 3]);
      expect(await store.axisUpdates.get(1)).toEqual({
        id: 1,
        axisId: 'usager',
        authorId: PILOT,
        status: 'on_track',
        progress: 40,
        done: 'Trois ateliers menés.',
        next: 'Synthèse en janvier.',
        help: 'Un local',
        link: 'https://exemple.fr/a',
        createdAt: T0,
        reachedFollowers: true,
        reactions: 0,
        questions: 0,
      });
      const second = await store.axisUpdates.get(2);
      expect(second?.progress).toBeUndefined();
      expect(second?.help).toBeUndefined();
      expect(second?.reachedFollowers).toBe(false);
      expect((await store.axisUpdates.history('usager', 10)).map((u) => u.id)).toEqual([2, 1]);
      expect((await store.axisUpdates.history('usager', 1)).map((u) => u.id)).toEqual([2]);
      expect((await store.axisUpdates.since(T1)).map((u) => u.id)).toEqual([3, 2]);
      expect(await store.axisUpdates.lastReached('usager')).toEqual(T0);
      expect(await store.axisUpdates.lastReached('transitions')).toEqual(T2);
      expect(await store.axisUpdates.lastReached('numerique')).toBeNull();
      expect(await store.axisUpdates.get(99)).toBeNull();
    });

    test('a correction changes the fields given, clears those given as undefined, and says when', async () => {
      await store.axisUpdates.create(update({ help: 'Un local' }));
      const edited = await store.axisUpdates.edit(1, { status: 'blocked', done: 'Deux ateliers menés.', help: undefined }, T1);
      expect(edited).toMatchObject({ status: 'blocked', done: 'Deux ateliers menés.', next: 'Synthèse en janvier.', progress: 40, editedAt: T1 });
      expect(edited?.help).toBeUndefined();
      expect((await store.axisUpdates.get(1))?.createdAt).toEqual(T0);
      expect(await store.axisUpdates.edit(42, { status: 'done' }, T1)).toBeNull();
    });

    test('👏: one per person, pressing twice is once, the count is exact', async () => {
      await store.axisUpdates.create(update());
      expect(await store.axisUpdates.react(1, ALICE, T1)).toEqual({ added: true, count: 1 });
      expect(await store.axisUpdates.react(1, ALICE, T1)).toEqual({ added: false, count: 1 });
      expect(await store.axisUpdates.react(1, BOB, T1)).toEqual({ added: true, count: 2 });
      expect((await store.axisUpdates.get(1))?.reactions).toBe(2);
      expect(await store.axisUpdates.react(7, BOB, T1)).toBeNull();
    });

    test('👏 from two instances at once: each person counted once', async () => {
      await store.axisUpdates.create(update());
      const other = factory.sibling ? await factory.sibling(store) : store;
      try {
        const people = Array.from({ length: 12 }, (_, i) => `slack:T1/U${i}`);
        const results = await Promise.all(
          people.flatMap((p, i) => [store.axisUpdates.react(1, p, T1), other.axisUpdates.react(1, p, T1), (i % 2 ? store : other).axisUpdates.react(1, p, T1)]),
        );
        expect(results.filter((r) => r?.added)).toHaveLength(12);
        expect((await store.axisUpdates.get(1))?.reactions).toBe(12);
      } finally {
        if (other !== store) await other.close();
      }
    });

    test('questions and answers', async () => {
      await store.axisUpdates.create(update());
      const q = await store.axisUpdates.ask(1, ALICE, 'Quand est la synthèse ?', T1);
      expect(q).toEqual({ id: q.id, updateId: 1, askerId: ALICE, text: 'Quand est la synthèse ?', askedAt: T1 });
      await store.axisUpdates.ask(1, BOB, 'Et le local ?', T2);
      expect((await store.axisUpdates.get(1))?.questions).toBe(2);
      const answered = await store.axisUpdates.answer(q.id, 'Le 15 janvier.', PILOT, T2);
      expect(answered).toMatchObject({ id: q.id, answer: 'Le 15 janvier.', answeredBy: PILOT, answeredAt: T2 });
      expect((await store.axisUpdates.questions(1)).map((x) => x.text)).toEqual(['Quand est la synthèse ?', 'Et le local ?']);
      expect(await store.axisUpdates.question(q.id)).toEqual(answered);
      expect(await store.axisUpdates.answer(999, 'x', PILOT, T2)).toBeNull();
      expect(await store.axisUpdates.question(999)).toBeNull();
    });

    test('channel posts are recorded once per channel', async () => {
      await store.axisUpdates.create(update());
      await store.axisUpdates.recordPost({ updateId: 1, platform: 'slack', channel: 'CAXIS', messageId: '1.1' });
      await store.axisUpdates.recordPost({ updateId: 1, platform: 'teams', channel: '19:x@thread.tacv2', messageId: 'act-1' });
      await store.axisUpdates.recordPost({ updateId: 1, platform: 'slack', channel: 'CAXIS', messageId: '1.2' });
      expect(await store.axisUpdates.posts(1)).toEqual([
        { updateId: 1, platform: 'slack', channel: 'CAXIS', messageId: '1.2' },
        { updateId: 1, platform: 'teams', channel: '19:x@thread.tacv2', messageId: 'act-1' },
      ]);
      expect(await store.axisUpdates.posts(2)).toEqual([]);
    });
  });
}
