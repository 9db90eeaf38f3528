import type { NewEvent, NewJob, ProgrammeEvent } from '../../src/domain/events';
import type { Store } from '../../src/domain/ports';
import type { OutboxStoreFactory } from './outbox-contract';
import { inThreads } from './threads';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = new Date('2026-03-01T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function newEvent(over: Partial<NewEvent> = {}): NewEvent {
  return {
    kind: 'creer',
    title: 'Journée « Créer » — accueil',
    description: 'Ligne 1\nLigne 2, émoji 🎉, {"$ne": null}',
    startsAt: at(30 * DAY),
    endsAt: at(30 * DAY + 8 * 60 * MIN),
    place: 'Hôtel de Région',
    capacity: 2,
    axisId: 'usager',
    audience: { kind: 'everyone' },
    createdBy: 'teams:T/ORG',
    createdAt: T0,
    ...over,
  };
}

const person = (n: number) => `slack:T1/U${n}`;
const noKey = (o: object, key: string) => !Object.hasOwn(o, key);

/** The contract of events, registrations, feedback and scheduled jobs, for every store. */
export function eventsContract(factory: OutboxStoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  test('an academy session keeps its community and its trainer; a change sets or clears them', async () => {
    const trainer = { id: person(7), name: 'Dominique Formatrice' };
    const e = await store.events.create(newEvent({ kind: 'academie', communityId: 'academie', trainer, audience: { kind: 'community', communityId: 'academie' } }));
    expect(e).toMatchObject({ kind: 'academie', communityId: 'academie', trainer, audience: { kind: 'community', communityId: 'academie' } });
    expect(await store.events.get(e.id)).toEqual(e);
    for (const k of ['communityId', 'trainer']) expect(noKey(await store.events.create(newEvent()), k)).toBe(true);
    const moved = await store.events.update(e.id, { communityId: 'managers', trainer: { id: person(8), name: 'Autre' } }, at(MIN));
    expect(moved).toMatchObject({ event: { communityId: 'managers', trainer: { id: person(8), name: 'Autre' } } });
    const cleared = await store.events.update(e.id, { kind: 'creer', communityId: null, trainer: null }, at(2 * MIN));
    if (!cleared || cleared === 'belowRegistered') throw new Error('not updated');
    for (const k of ['communityId', 'trainer']) expect(noKey(cleared.event, k)).toBe(true);
    expect(await store.events.get(e.id)).toEqual(cleared.event);
  });

  test('keeps an event as given, and lists upcoming (soonest first) and past ones', async () => {
    const e = await store.events.create(newEvent());
    expect(e).toMatchObject({ kind: 'creer', title: 'Journée « Créer » — accueil', state: 'scheduled', version: 1, registered: 0, waiting: 0, capacity: 2 });
    expect(e.description).toContain('{"$ne": null}');
    const online = await store.events.create(
      newEvent({
        kind: 'off',
        title: 'OFF',
        startsAt: at(2 * DAY),
        endsAt: at(2 * DAY + 60 * MIN),
        place: undefined,
        capacity: undefined,
        axisId: undefined,
        link: 'https://visio.exemple.fr/x',
        audience: { kind: 'role', role: 'pilote' } as never,
      }),
    );
    for (const k of ['place', 'capacity', 'axisId', 'cancelReason']) expect(noKey(online, k)).toBe(true);
    const got = (await store.events.get(online.id))!;
    expect(got).toEqual(online);
    expect(got.audience).toEqual({ kind: 'role', role: 'pilote' });
    const old = await store.events.create(newEvent({ title: 'Passée', startsAt: at(-3 * DAY), endsAt: at(-3 * DAY + MIN) }));

    expect((await store.events.upcoming(T0, 10)).map((x) => x.id)).toEqual([online.id, e.id]);
    expect((await store.events.upcoming(T0, 1)).map((x) => x.id)).toEqual([online.id]);
    // an event still running counts as upcoming until it ends
    expect((await store.events.upcoming(at(2 * DAY + 30 * MIN), 10)).map((x) => x.id)).toEqual([online.id, e.id]);
    expect((await store.events.past(T0, 10)).map((x) => x.id)).toEqual([old.id]);
    expect((await store.events.past(at(40 * DAY), 10)).map((x) => x.id)).toEqual([e.id, online.id, old.id]);
    expect(await store.events.get(9999)).toBeNull();
  });

  test('gives places in order, then a waiting list; a repeated registration changes nothing', async () => {
    const e = await store.events.create(newEvent());
    expect(await store.events.register(e.id, person(1), at(1))).toEqual({ state: 'registered', already: false });
    expect(await store.events.register(e.id, person(2), at(2))).toEqual({ state: 'registered', already: false });
    expect(await store.events.register(e.id, person(3), at(3))).toEqual({ state: 'waiting', already: false });
    expect(await store.events.register(e.id, person(4), at(4))).toEqual({ state: 'waiting', already: false });
    expect(await store.events.register(e.id, person(1), at(5))).toEqual({ state: 'registered', already: true });
    expect(await store.events.register(e.id, person(3), at(6))).toEqual({ state: 'waiting', already: true });
    expect(await store.events.get(e.id)).toMatchObject({ registered: 2, waiting: 2 });
    const regs = await store.events.registrations(e.id);
    expect(regs.map((r) => [r.personId, r.state])).toEqual([
      [person(1), 'registered'],
      [person(2), 'registered'],
      [person(3), 'waiting'],
      [person(4), 'waiting'],
    ]);
    expect(regs[0].at.toISOString()).toBe(at(1).toISOString());
    const other = await store.events.create(newEvent({ capacity: undefined }));
    await store.events.register(other.id, person(3), at(7));
    const mine = await store.events.registrationsOf(person(3), [e.id, other.id, 9999]);
    expect([...mine.entries()].sort()).toEqual([
      [e.id, 'waiting'],
      [other.id, 'registered'],
    ]);
    expect((await store.events.registrationsOf(person(9), [e.id])).size).toBe(0);
    expect(await store.events.register(9999, person(1), at(8))).toBeNull();
  });

  test('a withdrawal gives the place to the oldest waiting person; a waiting one leaving promotes nobody', async () => {
    const e = await store.events.create(newEvent());
    for (let i = 1; i <= 5; i++) await store.events.register(e.id, person(i), at(i));
    expect(await store.events.unregister(e.id, person(4))).toEqual({ was: 'waiting' });
    expect(await store.events.unregister(e.id, person(1))).toEqual({ was: 'registered', promoted: person(3) });
    expect(await store.events.unregister(e.id, person(1))).toEqual({ was: null });
    expect(await store.events.get(e.id)).toMatchObject({ registered: 2, waiting: 1 });
    expect(await store.events.unregister(e.id, person(2))).toEqual({ was: 'registered', promoted: person(5) });
    expect(await store.events.unregister(e.id, person(3))).toEqual({ was: 'registered' });
    expect(await store.events.get(e.id)).toMatchObject({ registered: 1, waiting: 0 });
    // after leaving, registering again puts the person at the end of the line
    expect(await store.events.register(e.id, person(1), at(20))).toEqual({ state: 'registered', already: false });
    expect(await store.events.register(e.id, person(2), at(21))).toEqual({ state: 'waiting', already: false });
  });

  test('a change refuses a capacity below the places held, promotes when it grows, and counts versions', async () => {
    const e = await store.events.create(newEvent());
    for (let i = 1; i <= 5; i++) await store.events.register(e.id, person(i), at(i));
    expect(await store.events.update(e.id, { capacity: 1, title: 'Autre' }, at(10))).toBe('belowRegistered');
    expect(await store.events.get(e.id)).toMatchObject({ capacity: 2, title: e.title, version: 1 });

    const grown = await store.events.update(e.id, { capacity: 4, startsAt: at(31 * DAY), endsAt: at(31 * DAY + MIN), place: null }, at(11));
    expect(grown).not.toBe('belowRegistered');
    const { event, promoted } = grown as { event: ProgrammeEvent; promoted: string[] };
    expect(promoted).toEqual([person(3), person(4)]);
    expect(event).toMatchObject({ capacity: 4, registered: 4, waiting: 1, version: 2 });
    expect(event.startsAt.toISOString()).toBe(at(31 * DAY).toISOString());
    expect(event.updatedAt.toISOString()).toBe(at(11).toISOString());
    expect(noKey(event, 'place')).toBe(true);
    expect(await store.events.get(e.id)).toEqual(event);

    // no limit any more: everyone waiting gets a place
    const open = (await store.events.update(e.id, { capacity: null }, at(12))) as { event: ProgrammeEvent; promoted: string[] };
    expect(open.promoted).toEqual([person(5)]);
    expect(open.event).toMatchObject({ registered: 5, waiting: 0, version: 3 });
    expect(noKey(open.event, 'capacity')).toBe(true);
    // exactly the places held is accepted
    expect(await store.events.update(e.id, { capacity: 5 }, at(13))).toMatchObject({ event: { capacity: 5 }, promoted: [] });
    expect(await store.events.update(9999, { title: 'x' }, at(14))).toBeNull();
  });

  test('a cancelled event takes no registration, no change and no promotion', async () => {
    const e = await store.events.create(newEvent());
    for (let i = 1; i <= 3; i++) await store.events.register(e.id, person(i), at(i));
    const cancelled = (await store.events.cancel(e.id, 'salle indisponible', at(5)))!;
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelReason: 'salle indisponible', version: 2 });
    expect(await store.events.cancel(e.id, undefined, at(6))).toBeNull();
    expect(await store.events.register(e.id, person(9), at(7))).toBeNull();
    expect(await store.events.update(e.id, { title: 'x' }, at(8))).toBeNull();
    expect(await store.events.unregister(e.id, person(1))).toEqual({ was: 'registered' });
    expect((await store.events.registrations(e.id)).map((r) => r.state)).toEqual(['registered', 'waiting']);
    expect(await store.events.upcoming(T0, 10)).toEqual([]);
    expect((await store.events.past(at(60 * DAY), 10)).map((x) => x.state)).toEqual(['cancelled']);
  });

  test('30 people registering at once for 10 places across two connections: exactly 10 places and 20 waiting', async () => {
    const e = await store.events.create(newEvent({ capacity: 10 }));
    const other = factory.sibling ? await factory.sibling(store) : store;
    try {
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? other : store).events.register(e.id, person(i), at(i))));
      expect(results.filter((r) => r?.state === 'registered')).toHaveLength(10);
      expect(results.filter((r) => r?.state === 'waiting')).toHaveLength(20);
      // the same person clicking five times at once is one registration
      const same = await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 ? other : store).events.register(e.id, person(99), at(40))));
      expect(same.filter((r) => r && !r.already)).toHaveLength(1);
      const regs = await store.events.registrations(e.id);
      expect(regs).toHaveLength(31);
      expect(regs.filter((r) => r.state === 'registered')).toHaveLength(10);
      expect(await store.events.get(e.id)).toMatchObject({ registered: 10, waiting: 21 });
      // ten withdrawals at once: ten promotions, each person once, still 10 places
      const leaving = regs.filter((r) => r.state === 'registered').map((r) => r.personId);
      const out = await Promise.all(leaving.map((p, i) => (i % 2 ? other : store).events.unregister(e.id, p)));
      const promoted = out.map((o) => o.promoted).filter(Boolean);
      expect(new Set(promoted).size).toBe(10);
      expect(await store.events.get(e.id)).toMatchObject({ registered: 10, waiting: 11 });
    } finally {
      if (other !== store) await other.close();
    }
  });

  test('registrations from several threads at once hold the capacity', async () => {
    if (!factory.threadSibling) return;
    const e = await store.events.create(newEvent({ capacity: 10 }));
    const body = `
      const out = [];
      for (const p of data.people) out.push((await store.events.register(data.id, p, new Date(data.at))).state);
      return out;`;
    const data = [0, 1, 2].map((t) => ({ id: e.id, at: T0.getTime(), people: Array.from({ length: 10 }, (_, i) => person(t * 10 + i)) }));
    const states = (await inThreads<string[]>(factory.threadSibling(store), body, data)).flat();
    expect(states.filter((s) => s === 'registered')).toHaveLength(10);
    expect(states.filter((s) => s === 'waiting')).toHaveLength(20);
    expect(await store.events.get(e.id)).toMatchObject({ registered: 10, waiting: 20 });
  });

  test('keeps one feedback per person, the latest answer winning', async () => {
    const e = await store.events.create(newEvent());
    expect(await store.events.saveFeedback({ eventId: e.id, personId: person(1), rating: 2, comment: 'Trop long', at: at(1) })).toBe(true);
    expect(await store.events.saveFeedback({ eventId: e.id, personId: person(2), rating: 5, at: at(2) })).toBe(true);
    expect(await store.events.saveFeedback({ eventId: e.id, personId: person(1), rating: 4, at: at(3) })).toBe(false);
    const all = await store.events.feedback(e.id);
    expect(all.map((f) => [f.personId, f.rating])).toEqual([
      [person(2), 5],
      [person(1), 4],
    ]);
    expect(all.every((f) => noKey(f, 'comment'))).toBe(true);
    expect(await store.events.feedback(9999)).toEqual([]);
  });

  const job = (key: string, dueAt: Date, ref = 'event:1'): NewJob => ({ key, kind: 'event.reminder', ref, param: 60, dueAt });

  test('jobs: added once per key, claimed when due by one holder, done once', async () => {
    expect(await store.jobs.add([job('a', at(MIN)), job('b', at(2 * MIN)), job('c', at(DAY), 'event:2')])).toBe(3);
    expect(await store.jobs.add([job('a', at(5 * MIN)), job('d', at(3 * MIN))])).toBe(1);
    expect((await store.jobs.forRef('event:1')).map((j) => j.key)).toEqual(['a', 'b', 'd']);
    expect((await store.jobs.forRef('event:1'))[0].dueAt.toISOString()).toBe(at(MIN).toISOString());
    expect(await store.jobs.nextDue()).toEqual(at(MIN));
    expect(await store.jobs.claimDue('w1', T0, 10 * MIN)).toBeNull();

    const a = (await store.jobs.claimDue('w1', at(2 * MIN), 10 * MIN))!;
    expect(a).toMatchObject({ key: 'a', kind: 'event.reminder', param: 60, state: 'pending', leaseOwner: 'w1' });
    const b = (await store.jobs.claimDue('w2', at(2 * MIN), 10 * MIN))!;
    expect(b.key).toBe('b');
    expect(await store.jobs.claimDue('w3', at(2 * MIN), 10 * MIN)).toBeNull();
    expect(await store.jobs.complete(a.id, 'w2', at(3 * MIN))).toBe(false); // not its holder
    expect(await store.jobs.complete(a.id, 'w1', at(3 * MIN))).toBe(true);
    // b's holder vanished: its lease expires and someone else takes it
    const again = (await store.jobs.claimDue('w3', at(13 * MIN), 10 * MIN))!;
    expect(again.key).toBe('b');
    expect(await store.jobs.complete(again.id, 'w2', at(13 * MIN))).toBe(false); // w2 lost it
    expect(await store.jobs.complete(again.id, 'w3', at(13 * MIN))).toBe(true);
    expect(await store.jobs.complete(again.id, 'w3', at(14 * MIN))).toBe(false);
    const states = Object.fromEntries((await store.jobs.forRef('event:1')).map((j) => [j.key, j.state]));
    expect(states).toEqual({ a: 'done', b: 'done', d: 'pending' });
    expect((await store.jobs.forRef('event:1')).find((j) => j.key === 'a')!.doneAt!.toISOString()).toBe(at(3 * MIN).toISOString());
  });

  test('jobs: rescheduled (even a cancelled one), cancelled one by one or by reference; done ones stay done', async () => {
    await store.jobs.add([job('a', at(MIN)), job('b', at(2 * MIN)), job('c', at(3 * MIN)), job('x', at(4 * MIN), 'event:2')]);
    const [a, b, c] = await store.jobs.forRef('event:1');
    expect((await store.jobs.claimDue('w', at(MIN), MIN))!.id).toBe(a.id);
    expect(await store.jobs.complete(a.id, 'w', at(MIN))).toBe(true);
    expect(await store.jobs.reschedule(a.id, at(DAY))).toBe(false);
    expect(await store.jobs.reschedule(b.id, at(DAY))).toBe(true);
    expect(await store.jobs.cancel(c.id)).toBe(true);
    expect(await store.jobs.cancel(c.id)).toBe(false);
    expect(await store.jobs.claimDue('w', at(10 * MIN), MIN)).toMatchObject({ key: 'x' });
    expect(await store.jobs.claimDue('w', at(10 * MIN), MIN)).toBeNull();
    expect(await store.jobs.reschedule(c.id, at(2 * DAY))).toBe(true);
    expect((await store.jobs.forRef('event:1')).map((j) => [j.key, j.state, j.dueAt.toISOString()])).toEqual([
      ['a', 'done', at(MIN).toISOString()],
      ['b', 'pending', at(DAY).toISOString()],
      ['c', 'pending', at(2 * DAY).toISOString()],
    ]);
    expect(await store.jobs.nextDue()).toEqual(at(4 * MIN)); // x is pending, held by w
    expect(await store.jobs.cancelRef('event:1')).toBe(2);
    expect(await store.jobs.cancelRef('event:1')).toBe(0);
    expect(await store.jobs.claimDue('w', at(3 * DAY), MIN)).toMatchObject({ key: 'x' }); // its lease expired
    expect(await store.jobs.claimDue('w', at(3 * DAY), MIN)).toBeNull();
    expect(await store.jobs.reschedule('424242', at(DAY))).toBe(false);
  });

  test('jobs: a job moved while it runs is not marked done by the one running it', async () => {
    await store.jobs.add([job('a', at(MIN))]);
    const a = (await store.jobs.claimDue('w', at(MIN), 10 * MIN))!;
    expect(await store.jobs.reschedule(a.id, at(DAY))).toBe(true);
    expect(await store.jobs.complete(a.id, 'w', at(2 * MIN))).toBe(false);
    expect((await store.jobs.forRef('event:1'))[0]).toMatchObject({ state: 'pending', dueAt: at(DAY) });
    expect(await store.jobs.claimDue('w', at(2 * MIN), MIN)).toBeNull();
    expect((await store.jobs.claimDue('w', at(DAY), MIN))!.id).toBe(a.id);
  });

  test('job plans: written with the change they go with, computed from the event as changed', async () => {
    const job = (key: string, kind: NewJob['kind'], dueAt: Date, subject?: string): NewJob => ({ key, kind, ref: 'event:1', param: 0, dueAt, ...(subject ? { subject } : {}) });
    const event = await store.events.create(newEvent({ capacity: 1 }), (e) => ({
      add: [job(`event:${e.id}:reminder:1440`, 'event.reminder', at(DAY)), job(`event:${e.id}:feedback`, 'event.feedback', at(2 * DAY))],
    }));
    expect(event.id).toBe(1);
    expect((await store.jobs.forRef('event:1')).map((j) => j.key).sort()).toEqual(['event:1:feedback', 'event:1:reminder:1440']);

    // a move: the other pending jobs of these kinds are cancelled, the new ones added, a queued reminder dropped
    await store.outbox.enqueue([{ key: 'r:1', source: 'event:1:reminders', platform: 'slack', target: { kind: 'person', personId: person(1) }, payload: '{}', dueAt: T0 }], T0);
    let seen: { event: ProgrammeEvent; before: ProgrammeEvent } | undefined;
    const changed = await store.events.update(1, { startsAt: at(40 * DAY), endsAt: at(40 * DAY + MIN) }, at(MIN), (change) => {
      seen = change;
      return {
        cancelOthers: { ref: 'event:1', kinds: ['event.reminder'], keep: [] },
        add: [job('event:1:reminder:1440@new', 'event.reminder', at(3 * DAY)), job('event:1:changed:v2', 'event.changed', at(MIN))],
        cancelOutbox: ['event:1:reminders'],
      };
    });
    expect(changed && changed !== 'belowRegistered' && changed.event.version).toBe(2);
    expect(seen?.before.startsAt).toEqual(at(30 * DAY));
    expect(seen?.event.startsAt).toEqual(at(40 * DAY));
    const states = async () => Object.fromEntries((await store.jobs.forRef('event:1')).map((j) => [j.key, j.state]));
    expect(await states()).toEqual({
      'event:1:reminder:1440': 'cancelled',
      'event:1:feedback': 'pending',
      'event:1:reminder:1440@new': 'pending',
      'event:1:changed:v2': 'pending',
    });
    expect((await store.outbox.report('event:1:reminders')).cancelled).toBe(1);

    // moved back: the cancelled reminder is revived at its new time; a pending one is left as it is
    await store.events.update(1, { startsAt: at(30 * DAY) }, at(2 * MIN), () => ({
      add: [job('event:1:reminder:1440', 'event.reminder', at(5 * DAY)), job('event:1:feedback', 'event.feedback', at(9 * DAY))],
    }));
    const revived = (await store.jobs.forRef('event:1')).find((j) => j.key === 'event:1:reminder:1440')!;
    expect(revived).toMatchObject({ state: 'pending', dueAt: at(5 * DAY) });
    expect((await store.jobs.forRef('event:1')).find((j) => j.key === 'event:1:feedback')!.dueAt).toEqual(at(2 * DAY));

    // a withdrawal that gives the place away: the plan knows to whom
    await store.events.register(1, person(1), at(3 * MIN));
    await store.events.register(1, person(2), at(4 * MIN));
    const out = await store.events.unregister(1, person(1), (e, promoted) => ({ add: [job(`event:${e.id}:promoted:${promoted}`, 'event.promoted', at(5 * MIN), promoted)] }));
    expect(out).toEqual({ was: 'registered', promoted: person(2) });
    expect((await store.jobs.forRef('event:1')).find((j) => j.kind === 'event.promoted')).toMatchObject({
      key: `event:1:promoted:${person(2)}`,
      subject: person(2),
      state: 'pending',
    });
    // a withdrawal that gives nothing away writes no plan
    let called = false;
    await store.events.unregister(1, person(9), () => {
      called = true;
      return {};
    });
    expect(called).toBe(false);

    // a cancellation: every pending job of the event goes, its notice comes
    const cancelled = await store.events.cancel(1, 'salle', at(6 * MIN), () => ({
      cancelRef: 'event:1',
      add: [job('event:1:cancelled', 'event.cancelled', at(6 * MIN))],
      cancelOutbox: ['event:1:feedback'],
    }));
    expect(cancelled?.state).toBe('cancelled');
    const after = await store.jobs.forRef('event:1');
    expect(after.filter((j) => j.state === 'pending').map((j) => j.key)).toEqual(['event:1:cancelled']);
  });

  test('jobs survive a restart', async () => {
    await store.jobs.add([job('a', at(MIN))]);
    store = await factory.reopen(store);
    expect((await store.jobs.claimDue('w', at(MIN), MIN))!.key).toBe('a');
  });
}
