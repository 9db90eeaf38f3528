import type { JobPlan, NewEvent, NewJob, ProgrammeEvent } from '../../src/domain/events';
import type { RepairReport, Store } from '../../src/domain/ports';
import { CrashedForTest, type CrashPoints, type CrashStep } from '../../src/store/crash-points';
import type { StoreFactory } from './store-contract';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = new Date('2026-03-01T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const person = (n: number) => `slack:T1/U${n}`;

function newEvent(over: Partial<NewEvent> = {}): NewEvent {
  return {
    kind: 'creer',
    title: 'Journée « Créer »',
    description: 'Ateliers',
    startsAt: at(30 * DAY),
    endsAt: at(30 * DAY + 8 * 60 * MIN),
    capacity: 2,
    audience: { kind: 'everyone' },
    createdBy: 'teams:T/ORG',
    createdAt: T0,
    ...over,
  };
}

const ref = (id: number) => `event:${id}`;

/** What the events service plans at creation: a reminder and the announcement. */
function createPlan(e: ProgrammeEvent): JobPlan {
  return {
    add: [
      { key: `${ref(e.id)}:reminder@${e.startsAt.toISOString()}`, kind: 'event.reminder', ref: ref(e.id), param: 1440, dueAt: new Date(e.startsAt.getTime() - DAY) },
      { key: `${ref(e.id)}:announce`, kind: 'event.announce', ref: ref(e.id), param: 0, dueAt: T0 },
    ],
  };
}

function promotionPlan(e: ProgrammeEvent, promoted: string[]): JobPlan {
  const add: NewJob[] = promoted.map((p) => ({ key: `${ref(e.id)}:promoted:${p}`, kind: 'event.promoted', ref: ref(e.id), param: e.version, subject: p, dueAt: T0 }));
  return { add };
}

const NOTHING: RepairReport = { events: 0, registrations: 0, promoted: 0, ideas: 0, plans: 0 };

function sum(a: RepairReport, b: RepairReport): RepairReport {
  return { events: a.events + b.events, registrations: a.registrations + b.registrations, promoted: a.promoted + b.promoted, ideas: a.ideas + b.ideas, plans: a.plans + b.plans };
}

/**
 * The repair pass, for every store: a writer stopped between two steps of a multi-step write (a test-only
 * crash point: nothing after the step is written, as when its process is killed there) leaves the store in
 * a state the pass puts right. With transactions (SQLite) the stop rolls the change back; without (MongoDB)
 * its first steps stay. Either way, after the pass the store is consistent, and a second pass does nothing.
 */
export function reconcileContract(factory: StoreFactory): void {
  let store: Store;
  let crash: CrashPoints;

  beforeEach(async () => {
    store = await factory.open();
    crash = (store as unknown as { crashPoints: CrashPoints }).crashPoints;
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  /** Runs `write` with the writer stopped at `step`, if it reaches it; says whether it did. */
  async function stoppedAt(step: CrashStep, write: () => Promise<unknown>): Promise<boolean> {
    crash.arm(step);
    try {
      await write();
      return false;
    } catch (e) {
      if (!(e instanceof CrashedForTest)) throw e;
      return true;
    } finally {
      crash.disarm(step);
    }
  }

  /** Passes until one finds nothing to do (a store without locks puts right what two passes saw). */
  async function converge(): Promise<{ total: RepairReport; passes: number }> {
    let total = NOTHING;
    for (let passes = 1; passes <= 3; passes++) {
      const r = await store.reconcile(T0, promotionPlan);
      if (Object.values(r).every((n) => n === 0)) return { total, passes };
      total = sum(total, r);
    }
    throw new Error(`no convergence in 3 passes: ${JSON.stringify(total)}`);
  }

  /** Everything the store keeps agrees with itself; `answers`: the last answer each person had. */
  async function expectConsistent(answers: Map<string, string>): Promise<void> {
    for (const e of await store.events.past(at(365 * DAY), 100)) {
      const regs = await store.events.registrations(e.id);
      const holding = regs.filter((r) => r.state === 'registered');
      expect({ event: e.id, registered: e.registered, waiting: e.waiting }).toEqual({
        event: e.id,
        registered: holding.length,
        waiting: regs.length - holding.length,
      });
      const jobs = await store.jobs.forRef(ref(e.id));
      const keys = new Set(jobs.map((j) => j.key));
      // the jobs of its creation
      for (const j of createPlan(e).add ?? []) expect(keys).toContain(j.key);
      if (e.state === 'scheduled') {
        if (e.capacity !== undefined) expect(e.registered).toBeLessThanOrEqual(e.capacity);
        // nobody waits while a place is free
        if (e.waiting > 0) expect(e.registered).toBe(e.capacity);
        // whoever holds a place without having been answered so was told of it
        for (const r of holding) if (answers.get(r.personId) !== 'registered') expect(keys).toContain(`${ref(e.id)}:promoted:${r.personId}`);
        if (e.version > 1) expect(keys).toContain(`${ref(e.id)}:changed:v${e.version}`);
      } else {
        expect(keys).toContain(`${ref(e.id)}:cancelled`);
        expect(jobs.filter((j) => j.state === 'pending').map((j) => j.key)).toEqual([`${ref(e.id)}:cancelled`]);
      }
    }
    for (const idea of await store.ideas.all())
      expect({ idea: idea.id, count: idea.supportCount }).toEqual({ idea: idea.id, count: (await store.ideas.supporters(idea.id)).length });
  }

  test('a consistent store: the pass changes nothing', async () => {
    const e = await store.events.create(newEvent({ capacity: 1 }), createPlan);
    await store.events.register(e.id, person(1), at(1), promotionPlan);
    await store.events.register(e.id, person(2), at(2), promotionPlan);
    await store.events.unregister(e.id, person(1), (ev, p) => promotionPlan(ev, [p])); // person 2 promoted and told
    await store.events.update(e.id, { capacity: 3 }, at(3), ({ event, promoted }) => promotionPlan(event, promoted));
    const idea = await store.ideas.create({ title: 'Idée', description: 'Texte', axisId: 'usager', hashtags: [], anonymous: false, authorId: person(1), createdAt: T0 });
    await store.ideas.addSupport(idea.id, person(1), T0);
    expect(await store.reconcile(T0, promotionPlan)).toEqual(NOTHING);
    expect(await store.reconcile(T0, promotionPlan)).toEqual(NOTHING);
  });

  test('writers stopped between two steps: the pass recounts, settles, tells, writes the plans, and a second pass does nothing', async () => {
    const answers = new Map<string, string>();
    const register = async (id: number, n: number, ms: number) => {
      const r = await store.events.register(id, person(n), at(ms), promotionPlan);
      answers.set(person(n), r?.state ?? 'none');
    };
    const stops: boolean[] = [];
    const e1 = await store.events.create(newEvent(), createPlan);
    await register(e1.id, 1, 1);
    // a registration stopped after its place was counted, before the registration got it
    stops.push(await stoppedAt('registration.counted', () => store.events.register(e1.id, person(2), at(2), promotionPlan)));
    await register(e1.id, 3, 3);
    await register(e1.id, 7, 4);
    // a withdrawal stopped after the place was given to the next in line, before they were told
    stops.push(await stoppedAt('registration.promoted', () => store.events.unregister(e1.id, person(1), (ev, p) => promotionPlan(ev, [p]))));
    // a change stopped before its places were given and its notice planned
    const changed = ({ event, promoted }: { event: ProgrammeEvent; promoted: string[] }): JobPlan => ({
      add: [
        ...(promotionPlan(event, promoted).add ?? []),
        { key: `${ref(event.id)}:changed:v${event.version}`, kind: 'event.changed', ref: ref(event.id), param: event.version, dueAt: T0 },
      ],
    });
    stops.push(await stoppedAt('event.updated', () => store.events.update(e1.id, { capacity: 3, place: 'Salle 2' }, at(5), changed)));
    // an event stopped before its reminder and announcement were planned
    stops.push(await stoppedAt('event.created', () => store.events.create(newEvent({ title: 'OFF', kind: 'off' }), createPlan)));
    // a cancellation stopped before its jobs were cancelled and its notice planned
    const e3 = await store.events.create(newEvent({ title: 'Tester' }), createPlan);
    await register(e3.id, 4, 6);
    stops.push(
      await stoppedAt('event.cancelled', () =>
        store.events.cancel(e3.id, 'météo', at(7), (ev) => ({
          cancelRef: ref(ev.id),
          add: [{ key: `${ref(ev.id)}:cancelled`, kind: 'event.cancelled', ref: ref(ev.id), param: ev.version, dueAt: T0 }],
        })),
      ),
    );
    // a support stopped before it was counted
    const idea = await store.ideas.create({ title: 'Idée', description: 'Texte', axisId: 'usager', hashtags: [], anonymous: false, authorId: person(1), createdAt: T0 });
    await store.ideas.addSupport(idea.id, person(5), T0);
    stops.push(await stoppedAt('support.added', () => store.ideas.addSupport(idea.id, person(6), T0)));
    // every writer was stopped where it was asked to (here, all of them reach their step)
    expect(stops).toEqual([true, true, true, true, true, true]);

    const { total, passes } = await converge();
    await expectConsistent(answers);
    expect(await store.reconcile(T0, promotionPlan)).toEqual(NOTHING);
    if (store.kind === 'mongodb') {
      // without transactions the first steps stayed: person 2's place counted, person 3 given person 1's
      // place untold, the change, the OFF and the cancellation written without their plans, a support uncounted
      expect(total).toEqual({ events: 1, registrations: 1, promoted: 3, ideas: 1, plans: 3 });
      const regs = await store.events.registrations(e1.id);
      expect(regs.map((r) => [r.personId, r.state])).toEqual([
        [person(2), 'registered'],
        [person(3), 'registered'],
        [person(7), 'registered'],
      ]);
      expect((await store.events.get(e1.id))?.place).toBe('Salle 2');
      expect((await store.events.get(e3.id))?.state).toBe('cancelled');
    } else {
      // one transaction each: the stopped writes left nothing
      expect({ total, passes }).toEqual({ total: NOTHING, passes: 1 });
      expect((await store.events.registrations(e1.id)).map((r) => [r.personId, r.state])).toEqual([
        [person(1), 'registered'],
        [person(3), 'registered'],
        [person(7), 'waiting'],
      ]);
      expect((await store.events.get(e3.id))?.state).toBe('scheduled');
    }
    expect((await store.ideas.get(idea.id))?.supportCount).toBe(store.kind === 'mongodb' ? 2 : 1);
  });
}
