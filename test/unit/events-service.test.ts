import { channelIds } from '../../src/platforms/channel-ids';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProgramme } from '../../src/config/programme';
import { BroadcastService } from '../../src/domain/broadcast-service';
import { eventSources, type EventInput, type ProgrammeEvent, type ScheduledJob } from '../../src/domain/events';
import { EventsService } from '../../src/domain/events-service';
import { PeopleService, type Actor } from '../../src/domain/people-service';
import type { Programme } from '../../src/domain/programme';
import { cronCalendar } from '../../src/scheduler/cron-calendar';
import { SqliteStore } from '../../src/store/sqlite';
import { refused, stillClock } from '../support/domain';

/**
 * The rules of events, on the real service and the real embedded store (in a temporary folder), with a
 * clock that moves only when the test says so. Dates in forms are wall-clock times in Paris.
 */
const TZ = 'Europe/Paris';
const NOW = new Date('2026-03-10T08:30:00Z'); // a Tuesday, 09:30 in Paris (winter time, UTC+1)
const clock = stillClock(NOW);

function testProgramme(): Programme {
  const programme = structuredClone(loadProgramme(undefined));
  programme.organisers = ['slack:T1/UO'];
  programme.axes.find((a) => a.id === 'usager')!.pilots = ['slack:T1/UP'];
  programme.axes.find((a) => a.id === 'usager')!.channel = { slack: 'CUSAGER' };
  programme.reminderOffsetsMinutes = [10080, 1440, 60];
  return programme;
}

let dir: string;
let store: SqliteStore;
let programme: Programme;
let people: PeopleService;
let events: EventsService;
/** Agents. */
let a: Actor;
let b: Actor;
let c: Actor;
let d: Actor;
let pilot: Actor;
let organiser: Actor;

const actor = (user: string, displayName: string) => people.contact({ platform: 'slack', tenant: 'T1', user, displayName });

function build(p: Programme): void {
  programme = p;
  people = new PeopleService(store, programme, clock);
  const broadcasts = new BroadcastService(store, programme, people, clock, cronCalendar, TZ, channelIds);
  events = new EventsService(store, programme, broadcasts, clock, TZ);
}

beforeEach(async () => {
  clock.set(NOW);
  dir = mkdtempSync(path.join(tmpdir(), 'ensemble-events-'));
  store = SqliteStore.open(dir);
  build(testProgramme());
  a = await actor('UA', 'A');
  b = await actor('UB', 'B');
  c = await actor('UC', 'C');
  d = await actor('UD', 'D');
  pilot = await actor('UP', 'Pilote');
  organiser = await actor('UO', 'Orga');
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A good form: a « Créer » day on Thursday 2 April 2026 (summer time in Paris, UTC+2), 09:00–17:00, 2 places. */
const form = (over: Partial<EventInput> = {}): EventInput => ({
  kind: 'creer',
  title: 'Journée Créer : accueil des usagers',
  description: 'Imaginer ensemble des solutions concrètes.',
  startDate: '2026-04-02',
  startTime: '09:00',
  endTime: '17:00',
  place: 'Hôtel de Région, salle 2',
  capacity: '2',
  axis: 'usager',
  audience: 'everyone',
  ...over,
});
const START = '2026-04-02T07:00:00.000Z';
const END = '2026-04-02T15:00:00.000Z';

const create = (over: Partial<EventInput> = {}, announce = false) => events.create(organiser, form(over), announce);
/** Every event stored, cancelled ones included. */
const allEvents = async () => {
  const all = [...(await store.events.upcoming(new Date(0), 100)), ...(await store.events.past(new Date('2100-01-01'), 100))];
  return [...new Map(all.map((e) => [e.id, e])).values()];
};
const jobsOf = (e: Pick<ProgrammeEvent, 'id'>) => store.jobs.forRef(`event:${e.id}`);
const pending = (jobs: ScheduledJob[]) => jobs.filter((j) => j.state === 'pending');
/** [kind, param, due time] of the jobs, sorted. */
const plan = (jobs: ScheduledJob[]) => jobs.map((j) => [j.kind, j.param, j.dueAt.toISOString()]).sort();
const ids = (people: Array<{ id: string }>) => people.map((p) => p.id);

test('the test actors hold the roles the programme gives them', () => {
  expect(a.roles).toEqual([]);
  expect(pilot.roles).toEqual([{ role: 'pilote', axisId: 'usager' }]);
  expect(organiser.roles).toEqual([{ role: 'organisateur' }]);
});

describe('organisers only', () => {
  test('an agent or a pilot cannot create, change, cancel, list registrants, look back or read the feedback; nothing changes', async () => {
    const event = await create();
    for (const who of [a, pilot]) {
      await refused(events.create(who, form(), false), 'event.organiserOnly');
      await refused(events.update(who, event.id, form({ title: 'Autre titre' })), 'event.organiserOnly');
      await refused(events.cancel(who, event.id, 'non'), 'event.organiserOnly');
      await refused(events.registrants(who, event.id), 'event.organiserOnly');
      await refused(events.history(who), 'event.organiserOnly');
      await refused(events.feedbackSummary(who, event.id), 'event.organiserOnly');
    }
    expect(await allEvents()).toHaveLength(1);
    expect(await store.events.get(event.id)).toMatchObject({ title: 'Journée Créer : accueil des usagers', state: 'scheduled', version: event.version });
  });

  test('an organiser can do all of it', async () => {
    const event = await create();
    await events.register(a, event.id);
    expect((await events.update(organiser, event.id, form({ title: 'Autre titre' }))).event.title).toBe('Autre titre');
    expect((await events.registrants(organiser, event.id)).registrations.map((r) => [r.personId, r.person?.displayName])).toEqual([['slack:T1/UA', 'A']]);
    expect((await events.feedbackSummary(organiser, event.id)).summary.count).toBe(0);
    expect(await events.history(organiser)).toEqual([]);
    expect((await events.cancel(organiser, event.id, 'salle indisponible')).event.state).toBe('cancelled');
  });
});

describe('the form', () => {
  test('a good form is stored: wall-clock times in Paris, the end on the start date by default, the axis and audience resolved', async () => {
    const event = await create({ axis: '3', place: '  Salle 2  ', link: 'https://Visio.Exemple.FR/salle 1', audience: 'pilotes' });
    expect(event).toMatchObject({
      kind: 'creer',
      title: 'Journée Créer : accueil des usagers',
      description: 'Imaginer ensemble des solutions concrètes.',
      place: 'Salle 2',
      link: 'https://visio.exemple.fr/salle%201',
      capacity: 2,
      axisId: 'usager',
      audience: { kind: 'pilots' },
      state: 'scheduled',
      createdBy: 'slack:T1/UO',
      registered: 0,
      waiting: 0,
    });
    expect(event.startsAt.toISOString()).toBe(START); // 09:00 in Paris, summer time
    expect(event.endsAt.toISOString()).toBe(END);
    expect(event.createdAt.toISOString()).toBe(NOW.toISOString());
    // in winter, the same wall-clock hour is an hour later in UTC; an end date may be given
    const winter = await create({ startDate: '2026-03-20', endDate: '2026-03-21', endTime: '12:00', capacity: '', axis: '', audience: '', link: '' });
    expect(winter.startsAt.toISOString()).toBe('2026-03-20T08:00:00.000Z');
    expect(winter.endsAt.toISOString()).toBe('2026-03-21T11:00:00.000Z');
    expect(winter).toMatchObject({ audience: { kind: 'everyone' } });
    expect(winter.capacity).toBeUndefined(); // blank: unlimited
    expect(winter.axisId).toBeUndefined();
    expect(winter.link).toBeUndefined();
  });

  /** [what, change to the good form, code, params]. */
  const badForms: Array<[string, Partial<EventInput>, string, Record<string, unknown>?]> = [
    ['an unknown kind', { kind: 'soirée' }, 'event.kind.invalid'],
    ['an empty title', { title: '' }, 'event.title.empty'],
    ['a blank title', { title: '   ' }, 'event.title.empty'],
    ['a title over 120 characters', { title: 'x'.repeat(121) }, 'event.title.tooLong', { max: 120 }],
    ['a title that is JSON', { title: '{"$ne": null}' }, 'event.title.invalid'],
    ['a title that is a JSON array', { title: '[1, 2]' }, 'event.title.invalid'],
    ['a description over 2000 characters', { description: 'd'.repeat(2001) }, 'event.description.tooLong', { max: 2000 }],
    ['a description that is JSON', { description: '{"$gt": ""}' }, 'event.description.invalid'],
    ['a place over 200 characters', { place: 'p'.repeat(201) }, 'event.place.tooLong', { max: 200 }],
    ['a place that is JSON', { place: '{"a": 1}' }, 'event.place.invalid'],
    ['a start date in words', { startDate: 'demain' }, 'event.start.invalid'],
    ['a start date that does not exist', { startDate: '2026-02-30' }, 'event.start.invalid'],
    ['a start month 13', { startDate: '2026-13-01' }, 'event.start.invalid'],
    ['a start time 25:00', { startTime: '25:00' }, 'event.start.invalid'],
    ['no start time', { startTime: '' }, 'event.start.invalid'],
    ['an end time in words', { endTime: 'midi' }, 'event.end.invalid'],
    ['an end date that is malformed', { endDate: '02/04/2026' }, 'event.end.invalid'],
    ['an end before the start', { startTime: '14:00', endTime: '10:00' }, 'event.endBeforeStart'],
    ['an end equal to the start', { startTime: '14:00', endTime: '14:00' }, 'event.endBeforeStart'],
    ['an end date before the start date', { endDate: '2026-04-01' }, 'event.endBeforeStart'],
    ['a start in the past', { startDate: '2026-03-01' }, 'event.past'],
    ['a start at this very minute', { startDate: '2026-03-10', startTime: '09:30', endTime: '10:00' }, 'event.past'],
    ['a capacity of 0', { capacity: '0' }, 'event.capacity.invalid', { max: 100_000 }],
    ['a negative capacity', { capacity: '-3' }, 'event.capacity.invalid', { max: 100_000 }],
    ['a capacity with decimals', { capacity: '2.5' }, 'event.capacity.invalid'],
    ['a capacity in words', { capacity: 'dix' }, 'event.capacity.invalid'],
    ['a capacity above 100 000', { capacity: '100001' }, 'event.capacity.invalid', { max: 100_000 }],
    ['a javascript: link', { link: 'javascript:alert(1)' }, 'event.link.invalid'],
    ['an ftp link', { link: 'ftp://fichiers.exemple.fr/a' }, 'event.link.invalid'],
    ['a link that is not a URL', { link: 'visio de 10 h' }, 'event.link.invalid'],
    ['an unknown axis', { axis: 'mars' }, 'axis.unknown', { axis: 'mars' }],
    ['an axis number that does not exist', { axis: '9' }, 'axis.unknown', { axis: '9' }],
    ['an unknown audience', { audience: 'galaxie' }, 'broadcast.audience.unknown', { audience: 'galaxie' }],
    ['an audience of an unknown axis', { audience: 'axis:mars' }, 'axis.unknown', { axis: 'mars' }],
    ['an audience over 300 characters', { audience: 'x'.repeat(301) }, 'broadcast.audience.unknown'],
  ];
  // every row with its 4 arguments (test.each would pass `done` in place of a missing last one)
  test.each(badForms.map(([what, over, code, params]) => [what, over, code, params ?? {}] as const))('refuses %s, and stores nothing', async (_what, over, code, params) => {
    await refused(create(over), code, params);
    expect(await allEvents()).toEqual([]);
    expect(await store.jobs.nextDue()).toBeNull();
  });

  test('an unknown axis refusal lists the axes that exist', async () => {
    const err = await refused(create({ axis: 'mars' }), 'axis.unknown');
    expect(err.params.axes).toBe('transitions, territoires, usager, marque-employeur, equipe');
  });

  test('limits are inclusive, and text that merely starts with a brace is text', async () => {
    const event = await create({ title: 't'.repeat(120), description: 'd'.repeat(2000), place: 'p'.repeat(200), capacity: '100000', link: 'http://visio.exemple.fr' });
    expect(event).toMatchObject({ capacity: 100_000, link: 'http://visio.exemple.fr/' });
    expect(event.title).toHaveLength(120);
    expect(event.description).toHaveLength(2000);
    expect((await create({ title: '{ idée } à creuser', capacity: '1' })).title).toBe('{ idée } à creuser');
    expect((await create({ audience: 'axis:usager' })).audience).toEqual({ kind: 'axis', axisId: 'usager' });
    expect((await create({ audience: 'channel:slack:C0123456' })).audience).toEqual({ kind: 'channel', platform: 'slack', channel: 'C0123456' });
  });
});

describe('registration', () => {
  test('one click: a place while there is one, then the waiting list; clicking again changes nothing', async () => {
    const event = await create(); // 2 places
    expect(await events.register(a, event.id)).toMatchObject({ state: 'registered', already: false, event: { registered: 1, waiting: 0 } });
    expect(await events.register(b, event.id)).toMatchObject({ state: 'registered', already: false, event: { registered: 2, waiting: 0 } });
    expect(await events.register(c, event.id)).toMatchObject({ state: 'waiting', already: false, event: { registered: 2, waiting: 1 } });
    expect(await events.register(c, event.id)).toMatchObject({ state: 'waiting', already: true, event: { registered: 2, waiting: 1 } });
    expect(await events.register(a, event.id)).toMatchObject({ state: 'registered', already: true, event: { registered: 2, waiting: 1 } });
    expect(await events.stateOf(c, event.id)).toBe('waiting');
    expect(await events.stateOf(d, event.id)).toBeUndefined();
  });

  test('without a capacity, everyone gets a place', async () => {
    const event = await create({ capacity: '' });
    for (const who of [a, b, c, d]) expect((await events.register(who, event.id)).state).toBe('registered');
    expect(await store.events.get(event.id)).toMatchObject({ registered: 4, waiting: 0 });
  });

  test('a withdrawal frees a place for the oldest waiting person; a waiting person withdrawing frees nothing', async () => {
    const event = await create();
    for (const who of [a, b, c, d]) await events.register(who, event.id); // c then d wait
    const left = await events.unregister(a, event.id);
    expect(left.was).toBe('registered');
    expect(left.promoted?.id).toBe('slack:T1/UC');
    expect(left.event).toMatchObject({ registered: 2, waiting: 1 });
    expect((await store.events.registrations(event.id)).map((r) => [r.personId, r.state])).toEqual([
      ['slack:T1/UB', 'registered'],
      ['slack:T1/UC', 'registered'],
      ['slack:T1/UD', 'waiting'],
    ]);
    const waitingLeaves = await events.unregister(d, event.id);
    expect(waitingLeaves).toMatchObject({ was: 'waiting', promoted: undefined, event: { registered: 2, waiting: 0 } });
    expect(await events.unregister(d, event.id)).toMatchObject({ was: null, promoted: undefined });
  });

  test('a larger capacity gives places to the waiting list, oldest first; unlimited gives everyone a place', async () => {
    const event = await create({ capacity: '1' });
    for (const who of [a, b, c, d]) await events.register(who, event.id);
    const grown = await events.update(organiser, event.id, form({ capacity: '3' }));
    expect(ids(grown.promoted)).toEqual(['slack:T1/UB', 'slack:T1/UC']);
    expect(grown.event).toMatchObject({ capacity: 3, registered: 3, waiting: 1 });
    const unlimited = await events.update(organiser, event.id, form({ capacity: '' }));
    expect(ids(unlimited.promoted)).toEqual(['slack:T1/UD']);
    expect(unlimited.event).toMatchObject({ registered: 4, waiting: 0 });
    expect(unlimited.event.capacity).toBeUndefined();
  });

  test('a capacity below the number registered is refused and nothing changes; equal to it is fine', async () => {
    const event = await create({ capacity: '5' });
    for (const who of [a, b, c]) await events.register(who, event.id);
    const before = (await store.events.get(event.id))!;
    await refused(events.update(organiser, event.id, form({ capacity: '2', title: 'Nouveau titre' })), 'event.capacityBelowRegistered', { capacity: 2, count: 3 });
    expect(await store.events.get(event.id)).toMatchObject({ capacity: 5, registered: 3, title: before.title, version: before.version });
    expect((await events.update(organiser, event.id, form({ capacity: '3' }))).event).toMatchObject({ capacity: 3, registered: 3 });
  });

  test('registering for (or withdrawing from) a cancelled or started event is refused; an unknown event is not found', async () => {
    const cancelled = await create();
    await events.register(a, cancelled.id);
    await events.cancel(organiser, cancelled.id, undefined);
    await refused(events.register(b, cancelled.id), 'event.cancelled', { title: 'Journée Créer : accueil des usagers' });
    await refused(events.unregister(a, cancelled.id), 'event.cancelled');

    const started = await create({ title: 'Journée déjà commencée' });
    await events.register(a, started.id);
    clock.set(START); // the very minute it starts
    await refused(events.register(b, started.id), 'event.closed', { title: 'Journée déjà commencée' });
    await refused(events.unregister(a, started.id), 'event.closed');
    expect(await store.events.get(started.id)).toMatchObject({ registered: 1, waiting: 0 });

    await refused(events.register(a, 999), 'event.notFound', { id: '999' });
    await refused(events.register(a, 0), 'event.notFound');
    await refused(events.register(a, Number.NaN), 'event.notFound');
  });
});

describe('cancel and update', () => {
  test('cancelling tells everyone registered or waiting (a job), drops the reminders and the poll, and refuses a second time', async () => {
    const event = await create({}, true);
    for (const who of [a, b, c]) await events.register(who, event.id); // c waits
    const ref = `event:${event.id}`;
    const queued = (source: string) => ({
      key: `${source}:x`,
      source,
      platform: 'slack' as const,
      target: { kind: 'person' as const, personId: 'slack:T1/UA' },
      payload: '{}',
      dueAt: NOW,
    });
    await store.outbox.enqueue(
      [queued(eventSources.reminders(event.id)), queued(eventSources.feedback(event.id)), queued(eventSources.announce(event.id)), queued(eventSources.changes(event.id))],
      NOW,
    );

    const { event: after, told } = await events.cancel(organiser, event.id, '  salle indisponible  ');
    expect(told).toBe(3);
    expect(after).toMatchObject({ state: 'cancelled', cancelReason: 'salle indisponible' });
    const jobs = await jobsOf(event);
    expect(pending(jobs).map((j) => [j.key, j.kind, j.dueAt.toISOString()])).toEqual([[`${ref}:cancelled`, 'event.cancelled', NOW.toISOString()]]);
    expect(jobs.filter((j) => j.kind !== 'event.cancelled').every((j) => j.state === 'cancelled')).toBe(true);
    for (const source of [eventSources.reminders(event.id), eventSources.feedback(event.id), eventSources.announce(event.id)]) {
      expect(await store.outbox.report(source)).toMatchObject({ pending: 0, cancelled: 1 });
    }
    expect(await store.outbox.report(eventSources.changes(event.id))).toMatchObject({ pending: 1, cancelled: 0 });

    await refused(events.cancel(organiser, event.id, undefined), 'event.cancelled', { title: event.title });
    await refused(events.update(organiser, event.id, form()), 'event.cancelled');
    expect(pending(await jobsOf(event))).toHaveLength(1);
  });

  test('a cancellation reason is plain text of 500 characters at most', async () => {
    const event = await create();
    await refused(events.cancel(organiser, event.id, '{"$set": {"state": "scheduled"}}'), 'event.reason.invalid', { max: 500 });
    await refused(events.cancel(organiser, event.id, 'r'.repeat(501)), 'event.reason.invalid', { max: 500 });
    expect((await store.events.get(event.id))!.state).toBe('scheduled');
    expect((await events.cancel(organiser, event.id, 'r'.repeat(500))).event.cancelReason).toHaveLength(500);
  });

  test('an ended event can be neither changed nor cancelled; one under way can be changed but not moved into the past', async () => {
    const event = await create();
    clock.set('2026-04-02T12:00:00Z'); // under way
    expect((await events.update(organiser, event.id, form({ place: 'Salle 3' }))).event.place).toBe('Salle 3');
    await refused(events.update(organiser, event.id, form({ startTime: '11:00' })), 'event.past');
    clock.set(END); // ended
    await refused(events.update(organiser, event.id, form({ title: 'Trop tard' })), 'event.ended', { title: event.title });
    await refused(events.cancel(organiser, event.id, undefined), 'event.ended', { title: event.title });
    expect(await store.events.get(event.id)).toMatchObject({ state: 'scheduled', title: event.title, place: 'Salle 3' });
    await refused(events.update(organiser, 999, form()), 'event.notFound', { id: '999' });
  });

  test('a change is checked like a new form', async () => {
    const event = await create();
    await refused(events.update(organiser, event.id, form({ title: '' })), 'event.title.empty');
    await refused(events.update(organiser, event.id, form({ endTime: '08:00' })), 'event.endBeforeStart');
    await refused(events.update(organiser, event.id, form({ link: 'javascript:alert(1)' })), 'event.link.invalid');
    await refused(events.update(organiser, event.id, form({ startDate: '2026-03-01' })), 'event.past');
    expect((await store.events.get(event.id))!.version).toBe(event.version);
  });
});

describe('reminders', () => {
  test('created: reminders at the programme offsets (7 days, 1 day, 1 hour before), the poll at the end, the results 3 days later', async () => {
    const event = await create();
    expect(plan(await jobsOf(event))).toEqual(
      [
        ['event.reminder', 10080, '2026-03-26T08:00:00.000Z'], // Thursday 26 March 09:00, still winter time
        ['event.reminder', 1440, '2026-04-01T07:00:00.000Z'],
        ['event.reminder', 60, '2026-04-02T06:00:00.000Z'],
        ['event.feedback', 0, END],
        ['event.results', 0, '2026-04-05T15:00:00.000Z'],
      ].sort(),
    );
    expect(pending(await jobsOf(event))).toHaveLength(5);
    // keys carry the time they are about
    expect((await jobsOf(event)).map((j) => j.key).sort()).toEqual(
      [`reminder:10080@${START}`, `reminder:1440@${START}`, `reminder:60@${START}`, `feedback@${END}`, `results@${END}`].map((k) => `event:${event.id}:${k}`).sort(),
    );
  });

  test('whole days are counted on the Paris wall clock across the spring change (29 March 2026): the day before 09:00 is 09:00', async () => {
    // Monday 30 March 2026, 09:00 summer time (07:00 UTC)
    const event = await create({ startDate: '2026-03-30' });
    expect(plan(pending(await jobsOf(event))).filter((j) => j[0] === 'event.reminder')).toEqual(
      [
        ['event.reminder', 10080, '2026-03-23T08:00:00.000Z'], // Monday 23 March 09:00 winter time: 7 × 24 h + 1 h earlier
        ['event.reminder', 1440, '2026-03-29T07:00:00.000Z'], // Sunday 29 March 09:00 summer time: 23 h earlier
        ['event.reminder', 60, '2026-03-30T06:00:00.000Z'], // an hour is an hour
      ].sort(),
    );
  });

  test('and across the autumn change (25 October 2026)', async () => {
    // Monday 26 October 2026, 09:00 winter time (08:00 UTC)
    const event = await create({ startDate: '2026-10-26' });
    expect(plan(pending(await jobsOf(event))).filter((j) => j[0] === 'event.reminder')).toEqual(
      [
        ['event.reminder', 10080, '2026-10-19T07:00:00.000Z'], // 09:00 summer time
        ['event.reminder', 1440, '2026-10-25T08:00:00.000Z'], // Sunday 09:00 winter time: 25 h earlier
        ['event.reminder', 60, '2026-10-26T07:00:00.000Z'],
      ].sort(),
    );
  });

  test('the offsets are the programme’s (duplicates once); reminders already past are not planned; an announcement is due now when asked', async () => {
    const p = testProgramme();
    p.reminderOffsetsMinutes = [2880, 120, 120];
    build(p);
    const soon = await events.create(organiser, form({ startDate: '2026-03-12' }), true); // Thursday 12 March 09:00 winter time
    expect(plan(await jobsOf(soon))).toEqual(
      [
        ['event.announce', 0, NOW.toISOString()],
        ['event.reminder', 120, '2026-03-12T06:00:00.000Z'],
        ['event.feedback', 0, '2026-03-12T16:00:00.000Z'],
        ['event.results', 0, '2026-03-15T16:00:00.000Z'],
      ].sort(),
    ); // 2 days before (10 March 09:00) is already past: left out
    const later = await events.create(organiser, form({ startDate: '2026-03-20' }), false);
    expect(plan(await jobsOf(later)).filter((j) => j[0] !== 'event.feedback' && j[0] !== 'event.results')).toEqual(
      [
        ['event.reminder', 2880, '2026-03-18T08:00:00.000Z'],
        ['event.reminder', 120, '2026-03-20T06:00:00.000Z'],
      ].sort(),
    );
  });

  test('reminderSuperseded: a late reminder is skipped once a closer one is due', async () => {
    const event = await create(); // reminders at 26 March 08:00, 1 April 07:00, 2 April 06:00 UTC
    const at = (iso: string) => new Date(iso);
    expect(events.reminderSuperseded(event, 10080, at('2026-03-26T08:00:00Z'))).toBe(false);
    expect(events.reminderSuperseded(event, 10080, at('2026-04-01T06:59:59.999Z'))).toBe(false);
    expect(events.reminderSuperseded(event, 10080, at('2026-04-01T07:00:00Z'))).toBe(true);
    expect(events.reminderSuperseded(event, 1440, at('2026-04-02T05:59:59.999Z'))).toBe(false);
    expect(events.reminderSuperseded(event, 1440, at('2026-04-02T06:00:00Z'))).toBe(true);
    expect(events.reminderSuperseded(event, 10080, at('2026-04-02T06:00:00Z'))).toBe(true);
    // the closest one is never superseded
    expect(events.reminderSuperseded(event, 60, at('2026-04-02T06:59:00Z'))).toBe(false);
  });

  test('moving an event cancels its pending timed jobs, plans new ones, queues one change notice, and drops reminders queued for the old time', async () => {
    const event = await create();
    await events.register(a, event.id);
    const old = await jobsOf(event);
    await store.outbox.enqueue(
      [{ key: 'r1', source: eventSources.reminders(event.id), platform: 'slack', target: { kind: 'person', personId: 'slack:T1/UA' }, payload: '{}', dueAt: NOW }],
      NOW,
    );

    const change = await events.update(organiser, event.id, form({ startDate: '2026-04-09' })); // one week later
    expect(change.moved).toBe(true);
    expect(change.event.version).toBe(event.version + 1);
    expect(change.event.startsAt.toISOString()).toBe('2026-04-09T07:00:00.000Z');
    const jobs = await jobsOf(event);
    for (const j of old) expect(jobs.find((x) => x.id === j.id)!.state).toBe('cancelled');
    expect(plan(pending(jobs))).toEqual(
      [
        ['event.changed', change.event.version, NOW.toISOString()],
        ['event.reminder', 10080, '2026-04-02T07:00:00.000Z'],
        ['event.reminder', 1440, '2026-04-08T07:00:00.000Z'],
        ['event.reminder', 60, '2026-04-09T06:00:00.000Z'],
        ['event.feedback', 0, '2026-04-09T15:00:00.000Z'],
        ['event.results', 0, '2026-04-12T15:00:00.000Z'],
      ].sort(),
    );
    expect(await store.outbox.report(eventSources.reminders(event.id))).toMatchObject({ pending: 0, cancelled: 1 });

    // moved back: the jobs of the first date are pending again (the same ones), the second date's cancelled
    const back = await events.update(organiser, event.id, form());
    const again = await jobsOf(event);
    for (const j of old) expect(again.find((x) => x.id === j.id)).toMatchObject({ state: 'pending', dueAt: j.dueAt });
    expect(plan(pending(again)).filter((j) => j[0] !== 'event.changed')).toEqual(plan(old));
    expect(
      pending(again)
        .filter((j) => j.kind === 'event.changed')
        .map((j) => j.param)
        .sort(),
    ).toEqual([change.event.version, back.event.version]);
  });

  test('a reminder already sent stays sent after a move, and the new date gets its own', async () => {
    const event = await create();
    clock.set('2026-03-26T08:00:00Z');
    const job = (await store.jobs.claimDue('test', clock.now(), 60_000))!;
    expect(job).toMatchObject({ kind: 'event.reminder', param: 10080 });
    expect(await store.jobs.complete(job.id, 'test', clock.now())).toBe(true);

    await events.update(organiser, event.id, form({ startDate: '2026-04-09' }));
    const jobs = await jobsOf(event);
    expect(jobs.find((j) => j.id === job.id)!.state).toBe('done');
    expect(
      pending(jobs)
        .filter((j) => j.kind === 'event.reminder')
        .map((j) => [j.param, j.dueAt.toISOString()]),
    ).toEqual([
      [10080, '2026-04-02T07:00:00.000Z'],
      [1440, '2026-04-08T07:00:00.000Z'],
      [60, '2026-04-09T06:00:00.000Z'],
    ]);
  });

  test('moved closer: a new reminder time already past is not planned', async () => {
    const event = await create();
    await events.update(organiser, event.id, form({ startDate: '2026-03-12' })); // the 7-day reminder would be on 5 March
    expect(plan(pending(await jobsOf(event))).filter((j) => j[0] === 'event.reminder')).toEqual(
      [
        ['event.reminder', 1440, '2026-03-11T08:00:00.000Z'],
        ['event.reminder', 60, '2026-03-12T07:00:00.000Z'],
      ].sort(),
    );
  });

  test('a new place or link tells the registrants without touching the reminders; a new title alone tells nobody', async () => {
    const event = await create();
    const before = pending(await jobsOf(event));
    const retitled = await events.update(organiser, event.id, form({ title: 'Journée Créer (nouveau titre)' }));
    expect(retitled.moved).toBe(false);
    expect(pending(await jobsOf(event))).toEqual(before);

    const placed = await events.update(organiser, event.id, form({ place: 'Salle 5' }));
    expect(placed.moved).toBe(true);
    const linked = await events.update(organiser, event.id, form({ place: 'Salle 5', link: 'https://visio.exemple.fr/x' }));
    expect(linked.moved).toBe(true);
    const after = pending(await jobsOf(event));
    expect(after.filter((j) => j.kind !== 'event.changed')).toEqual(before);
    expect(after.filter((j) => j.kind === 'event.changed').map((j) => j.param)).toEqual([placed.event.version, linked.event.version]);
  });
});

describe('feedback', () => {
  /** An event (of 2 places: a and b hold one, c waits), the clock after its end. */
  async function pastEvent(over: Partial<EventInput> = {}, registrants = [a, b, c]) {
    const event = await create(over);
    for (const who of registrants) await events.register(who, event.id);
    clock.set('2026-04-02T16:00:00Z');
    return event;
  }

  test('not before the event has started; from its start on, it is welcome', async () => {
    const event = await create();
    await events.register(a, event.id);
    await refused(events.giveFeedback(a, event.id, 5, undefined), 'event.feedback.tooEarly', { title: event.title });
    clock.set('2026-04-02T06:59:59.999Z');
    await refused(events.giveFeedback(a, event.id, 5, undefined), 'event.feedback.tooEarly');
    clock.set(START);
    expect(await events.giveFeedback(a, event.id, 5, undefined)).toMatchObject({ first: true });
  });

  test('only from someone who held a place: not from the waiting list, nor from a stranger', async () => {
    const event = await pastEvent();
    await refused(events.giveFeedback(c, event.id, 4, undefined), 'event.feedback.notRegistered', { title: event.title });
    await refused(events.giveFeedback(d, event.id, 4, undefined), 'event.feedback.notRegistered');
    expect(await store.events.feedback(event.id)).toEqual([]);
  });

  test('a rating is a whole number from 1 to 5', async () => {
    const event = await pastEvent();
    for (const rating of [0, 6, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await refused(events.giveFeedback(a, event.id, rating, undefined), 'event.feedback.rating');
    }
    expect(await store.events.feedback(event.id)).toEqual([]);
    expect((await events.giveFeedback(a, event.id, 1, undefined)).first).toBe(true);
    expect((await events.giveFeedback(b, event.id, 5, undefined)).first).toBe(true);
    expect((await store.events.feedback(event.id)).map((f) => f.rating).sort()).toEqual([1, 5]);
  });

  test('a comment is plain text of 1000 characters at most; a blank one is none', async () => {
    const event = await pastEvent();
    await refused(events.giveFeedback(a, event.id, 4, 'c'.repeat(1001)), 'event.feedback.tooLong', { max: 1000 });
    await refused(events.giveFeedback(a, event.id, 4, '{"$where": "1"}'), 'event.feedback.invalid');
    expect(await store.events.feedback(event.id)).toEqual([]);
    await events.giveFeedback(a, event.id, 4, 'c'.repeat(1000));
    await events.giveFeedback(b, event.id, 3, '   ');
    const saved = await store.events.feedback(event.id);
    expect(saved.find((f) => f.personId === 'slack:T1/UA')!.comment).toHaveLength(1000);
    expect(saved.find((f) => f.personId === 'slack:T1/UB')!.comment).toBeUndefined();
  });

  test('answering again replaces the first answer', async () => {
    const event = await pastEvent();
    expect(await events.giveFeedback(a, event.id, 5, 'Très concret')).toMatchObject({ first: true });
    clock.set('2026-04-02T17:00:00Z');
    expect(await events.giveFeedback(a, event.id, 2, '  Trop long, finalement  ')).toMatchObject({ first: false });
    const saved = await store.events.feedback(event.id);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ personId: 'slack:T1/UA', rating: 2, comment: 'Trop long, finalement' });
    expect(saved[0].at.toISOString()).toBe('2026-04-02T17:00:00.000Z');
  });

  test('not for a cancelled event', async () => {
    const event = await create();
    await events.register(a, event.id);
    await events.cancel(organiser, event.id, undefined);
    clock.set('2026-04-02T16:00:00Z');
    await refused(events.giveFeedback(a, event.id, 5, undefined), 'event.cancelled');
  });

  test('the summary: count, average to one decimal, distribution of the ratings, and the comments only', async () => {
    const event = await pastEvent({ capacity: '' }, [a, b, c, d]); // all hold a place
    expect((await events.summary(event.id)).summary).toEqual({ count: 0, average: null, distribution: [0, 0, 0, 0, 0], comments: [] });

    await events.giveFeedback(a, event.id, 5, 'Très concret');
    await events.giveFeedback(b, event.id, 4, undefined);
    await events.giveFeedback(c, event.id, 4, 'Un peu long');
    expect((await events.summary(event.id)).summary).toMatchObject({ count: 3, average: 4.3, distribution: [0, 0, 0, 2, 1] }); // 13 / 3

    await events.giveFeedback(d, event.id, 1, undefined);
    const { summary } = await events.feedbackSummary(organiser, event.id);
    expect(summary).toMatchObject({ count: 4, average: 3.5, distribution: [1, 0, 0, 2, 1] });
    expect(summary.comments.map((x) => [x.rating, x.comment]).sort()).toEqual([
      [4, 'Un peu long'],
      [5, 'Très concret'],
    ]);
  });
});

describe('reconciliation', () => {
  test('on a consistent store it finds nothing to do; reminders lost are planned again, once', async () => {
    const e = await create();
    await events.register(a, e.id);
    const nothing = { events: 0, registrations: 0, promoted: 0, ideas: 0, plans: 0, jobs: 0 };
    expect(await events.reconcile()).toEqual(nothing);
    const db = (store as unknown as { db: import('node:sqlite').DatabaseSync }).db;
    db.prepare(`DELETE FROM jobs WHERE ref = ? AND kind = 'event.reminder'`).run(`event:${e.id}`);
    expect(await events.reconcile()).toEqual({ ...nothing, jobs: 3 });
    expect(await events.reconcile()).toEqual(nothing);
  });
});
