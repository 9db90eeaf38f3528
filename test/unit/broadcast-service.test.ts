import { channelIds } from '../../src/platforms/channel-ids';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProgramme } from '../../src/config/programme';
import { BroadcastService, type BroadcastInput, type Recipient } from '../../src/domain/broadcast-service';
import type { Audience } from '../../src/domain/broadcasts';
import { PeopleService, type Actor } from '../../src/domain/people-service';
import type { Programme } from '../../src/domain/programme';
import { cronCalendar } from '../../src/scheduler/cron-calendar';
import { SqliteStore } from '../../src/store/sqlite';
import { refused, stillClock } from '../support/domain';

/**
 * The rules of broadcasts, on the real service, the real cron calendar and the real embedded store (in a
 * temporary folder), with a clock that moves only when the test says so. Times are wall-clock in Paris.
 */
const TZ = 'Europe/Paris';
const NOW = new Date('2026-03-10T08:30:00Z'); // a Tuesday, 09:30 in Paris (winter time, UTC+1)
const clock = stillClock(NOW);

/** Pilots: UP of « usager », UQ of « usager » and « transitions », UZ (never seen by the bot) of « equipe ». Channels on three axes. */
function testProgramme(): Programme {
  const programme = structuredClone(loadProgramme(undefined));
  programme.organisers = ['slack:T1/UO'];
  const axis = (id: string) => programme.axes.find((x) => x.id === id)!;
  axis('usager').pilots = ['slack:T1/UP', 'slack:T1/UQ'];
  axis('usager').channel = { slack: 'CUSAGER1', teams: '19:usager@thread.tacv2' };
  axis('transitions').pilots = ['slack:T1/UQ'];
  axis('transitions').channel = { slack: 'CTRANS01' };
  axis('territoires').channel = { teams: '19:territoires@thread.tacv2' };
  axis('equipe').pilots = ['slack:T1/UZ'];
  return programme;
}

let dir: string;
let store: SqliteStore;
let people: PeopleService;
let broadcasts: BroadcastService;
let a: Actor;
let teamsAgent: Actor;
let pilot: Actor;
let twoAxesPilot: Actor;
let organiser: Actor;

beforeEach(async () => {
  clock.set(NOW);
  dir = mkdtempSync(path.join(tmpdir(), 'ensemble-broadcasts-'));
  store = SqliteStore.open(dir);
  const programme = testProgramme();
  people = new PeopleService(store, programme, clock);
  broadcasts = new BroadcastService(store, programme, people, clock, cronCalendar, TZ, channelIds);
  const slack = (user: string, displayName: string) => people.contact({ platform: 'slack', tenant: 'T1', user, displayName });
  a = await slack('UA', 'A');
  teamsAgent = await people.contact({ platform: 'teams', tenant: 'TEN', user: 'aad-b', displayName: 'B' });
  pilot = await slack('UP', 'Pilote');
  twoAxesPilot = await slack('UQ', 'Pilote de deux axes');
  organiser = await slack('UO', 'Orga');
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = (over: Partial<BroadcastInput> = {}): BroadcastInput => ({ message: 'La journée Créer commence demain à 9 h.', audience: 'everyone', when: 'now', ...over });
const draft = (over: Partial<BroadcastInput> = {}) => broadcasts.draft(organiser, input(over));
const stored = () => store.broadcasts.list(100);

test('the test actors hold the roles the programme gives them', () => {
  expect(a.roles).toEqual([]);
  expect(pilot.roles).toEqual([{ role: 'pilote', axisId: 'usager' }]);
  expect(twoAxesPilot.roles).toEqual(
    expect.arrayContaining([
      { role: 'pilote', axisId: 'usager' },
      { role: 'pilote', axisId: 'transitions' },
    ]),
  );
  expect(organiser.roles).toEqual([{ role: 'organisateur' }]);
});

describe('organisers only', () => {
  test('an agent or a pilot can neither compose, see, confirm, cancel, list, follow nor retry; nothing changes', async () => {
    const b = await draft();
    for (const who of [a, teamsAgent, pilot]) {
      await refused(broadcasts.draft(who, input()), 'broadcast.organiserOnly');
      await refused(broadcasts.get(who, b.id), 'broadcast.organiserOnly');
      await refused(broadcasts.confirm(who, b.id), 'broadcast.organiserOnly');
      await refused(broadcasts.cancel(who, b.id), 'broadcast.organiserOnly');
      await refused(broadcasts.list(who), 'broadcast.organiserOnly');
      await refused(broadcasts.report(who, b.id), 'broadcast.organiserOnly');
      await refused(broadcasts.retryFailed(who, b.id), 'broadcast.organiserOnly');
    }
    expect(await stored()).toEqual([b]);
    expect(b).toMatchObject({ state: 'draft', createdBy: 'slack:T1/UO' });
  });

  test('an organiser composes a draft: nothing is scheduled before confirmation', async () => {
    const b = await draft({ message: '  La journée **Créer** commence demain.  ' });
    expect(b).toMatchObject({ id: 1, message: 'La journée **Créer** commence demain.', audience: { kind: 'everyone' }, schedule: { kind: 'now' }, state: 'draft', runs: 0 });
    expect(b.createdAt.toISOString()).toBe(NOW.toISOString());
    expect(b.link).toBeUndefined();
    expect(await store.broadcasts.claimDue('test', new Date('2030-01-01'), 60_000)).toBeNull(); // a draft never runs
    expect((await broadcasts.list(organiser)).map((x) => [x.broadcast.id, x.report.targeted])).toEqual([[1, 0]]);
  });
});

describe('the message and its link', () => {
  test('an empty or blank message, or one over 3000 characters, is refused; 3000 is fine', async () => {
    await refused(draft({ message: '' }), 'broadcast.message.empty');
    await refused(draft({ message: '  \n ' }), 'broadcast.message.empty');
    await refused(draft({ message: 'm'.repeat(3001) }), 'broadcast.message.tooLong', { max: 3000 });
    expect(await stored()).toEqual([]);
    expect((await draft({ message: 'm'.repeat(3000) })).message).toHaveLength(3000);
  });

  test.each([
    ['javascript:alert(1)'],
    ['ftp://fichiers.exemple.fr/programme.pdf'],
    ['intranet.exemple.fr/creer'], // no scheme: not a URL
    ['le programme'],
    [`https://intranet.exemple.fr/${'a'.repeat(1000)}`], // over 1000 characters
  ])('a link to %s is refused', async (linkUrl) => {
    await refused(draft({ linkUrl, linkLabel: 'Le programme' }), 'broadcast.link.invalid');
    expect(await stored()).toEqual([]);
  });

  test('a good link keeps its label (60 characters at most) or gets its host name; a blank address is no link', async () => {
    expect((await draft({ linkUrl: ' https://intranet.exemple.fr/creer ', linkLabel: '  Le programme ' })).link).toEqual({
      label: 'Le programme',
      url: 'https://intranet.exemple.fr/creer',
    });
    expect((await draft({ linkUrl: 'http://intranet.exemple.fr/creer' })).link).toEqual({ label: 'intranet.exemple.fr', url: 'http://intranet.exemple.fr/creer' });
    expect((await draft({ linkUrl: 'https://x.exemple.fr/', linkLabel: 'l'.repeat(61) })).link!.label).toBe('l'.repeat(60));
    expect((await draft({ linkUrl: '   ', linkLabel: 'Sans adresse' })).link).toBeUndefined();
  });
});

describe('audiences', () => {
  test.each<[string, Audience]>([
    ['everyone', { kind: 'everyone' }],
    ['tous', { kind: 'everyone' }],
    ['  everyone  ', { kind: 'everyone' }],
    ['pilots', { kind: 'pilots' }],
    ['pilotes', { kind: 'pilots' }],
    ['organisers', { kind: 'organisers' }],
    ['organisateurs', { kind: 'organisers' }],
    ['axis:usager', { kind: 'axis', axisId: 'usager' }], // Slack and Teams channels
    ['axe:3', { kind: 'axis', axisId: 'usager' }],
    ['axis:#accueil', { kind: 'axis', axisId: 'usager' }], // one of its hashtags
    ['axis:transitions', { kind: 'axis', axisId: 'transitions' }], // a Slack channel only
    ['axis:territoires', { kind: 'axis', axisId: 'territoires' }], // a Teams channel only
    ['axis:equipe', { kind: 'axis', axisId: 'equipe' }], // no channel: its followers and pilots
    ['axe:5', { kind: 'axis', axisId: 'equipe' }],
    ['channel:slack:C0123456', { kind: 'channel', platform: 'slack', channel: 'C0123456' }],
    ['channel:slack:G0123456789', { kind: 'channel', platform: 'slack', channel: 'G0123456789' }],
    ['channel:teams:19:abc123@thread.tacv2', { kind: 'channel', platform: 'teams', channel: '19:abc123@thread.tacv2' }],
    ['channel:teams:19:meeting_x@thread.skype', { kind: 'channel', platform: 'teams', channel: '19:meeting_x@thread.skype' }],
  ])('"%s" is understood', async (audience, expected) => {
    expect(broadcasts.parseAudience(audience)).toEqual(expected);
    expect((await draft({ audience })).audience).toEqual(expected);
  });

  test.each<[string, string, Record<string, unknown>]>([
    ['axis:mars', 'axis.unknown', { axis: 'mars', axes: 'transitions, territoires, usager, marque-employeur, equipe' }],
    ['channel:slack:D0123456', 'broadcast.audience.unknown', { audience: 'channel:slack:D0123456' }], // a direct message, not a channel
    ['channel:slack:C012', 'broadcast.audience.unknown', {}], // too short
    ['channel:slack:c0123456', 'broadcast.audience.unknown', {}],
    ['channel:teams:abc@thread.tacv2', 'broadcast.audience.unknown', {}], // no "19:"
    ['channel:teams:19:a b@thread.tacv2', 'broadcast.audience.unknown', {}],
    ['channel:discord:123', 'broadcast.audience.unknown', {}],
    ['général', 'broadcast.audience.unknown', { audience: 'général' }],
    ['', 'broadcast.audience.unknown', { audience: '' }],
  ])('"%s" is refused (%s)', async (audience, code, params) => {
    await refused(draft({ audience }), code, params);
    expect(await stored()).toEqual([]);
  });
});

describe('schedules', () => {
  test('"now": the first run is the draft time', async () => {
    expect(broadcasts.parseSchedule({ when: 'now' })).toEqual({ schedule: { kind: 'now' }, nextRunAt: NOW });
    expect((await draft()).nextRunAt).toEqual(NOW);
  });

  test('"at": a wall-clock date and time in Paris, winter or summer', async () => {
    expect(broadcasts.parseSchedule({ when: 'at', date: '2026-03-10', time: '10:00' }).nextRunAt.toISOString()).toBe('2026-03-10T09:00:00.000Z');
    const summer = await draft({ when: 'at', date: '2026-04-02', time: '9:05' });
    expect(summer.schedule).toEqual({ kind: 'at', at: new Date('2026-04-02T07:05:00.000Z') });
    expect(summer.nextRunAt!.toISOString()).toBe('2026-04-02T07:05:00.000Z');
  });

  test.each([
    ['2026-03-10', '09:00'],
    ['2026-03-10', '09:30'], // this very minute
    ['2025-12-31', '23:59'],
  ])('"at" %s %s is in the past: refused', async (date, time) => {
    await refused(draft({ when: 'at', date, time }), 'broadcast.when.past');
    expect(await stored()).toEqual([]);
  });

  test.each<[string | undefined, string | undefined]>([
    ['2026-13-01', '10:00'],
    ['2026-02-30', '10:00'],
    ['2026-03-11', '25:00'],
    ['2026-03-11', '10:60'],
    ['demain', '10:00'],
    ['11/03/2026', '10:00'],
    ['2026-03-11', ''],
    [undefined, undefined],
  ])('"at" %s %s is malformed: refused', async (date, time) => {
    await refused(draft({ when: 'at', date, time }), 'broadcast.when.invalid');
    expect(await stored()).toEqual([]);
  });

  test('an unknown kind of schedule is refused', async () => {
    await refused(draft({ when: 'bientôt' }), 'broadcast.when.invalid');
    await refused(draft({ when: '' }), 'broadcast.when.invalid');
  });

  test.each<[string, string, Record<string, unknown>]>([
    ['', 'broadcast.cron.invalid', { cron: '' }],
    ['tous les lundis', 'broadcast.cron.invalid', { cron: 'tous les lundis' }],
    ['0 9 *', 'broadcast.cron.invalid', { cron: '0 9 *' }],
    ['61 9 * * 1', 'broadcast.cron.invalid', {}],
    ['0 9 * * 1 2026 x', 'broadcast.cron.invalid', {}],
    [`0 9 * * 1${' '.repeat(100)}1`, 'broadcast.cron.invalid', {}], // over 100 characters
    ['* * * * *', 'broadcast.cron.tooFrequent', {}],
    ['*/5 * * * *', 'broadcast.cron.tooFrequent', {}],
    ['0,30 9 * * *', 'broadcast.cron.tooFrequent', {}],
    ['*/10 * * * * *', 'broadcast.cron.tooFrequent', {}], // with seconds
  ])('cron "%s" is refused (%s)', async (cron, code, params) => {
    await refused(draft({ when: 'cron', cron }), code, params);
    expect(await stored()).toEqual([]);
  });

  test('cron: the first run is the next one in Paris time; hourly is the most often allowed', async () => {
    const weekly = await draft({ when: 'cron', cron: ' 0 9 * * 1 ' });
    expect(weekly.schedule).toEqual({ kind: 'cron', cron: '0 9 * * 1' });
    expect(weekly.nextRunAt!.toISOString()).toBe('2026-03-16T08:00:00.000Z'); // Monday 09:00 winter time
    expect((await draft({ when: 'cron', cron: '0 * * * *' })).nextRunAt!.toISOString()).toBe('2026-03-10T09:00:00.000Z');
    clock.set('2026-03-27T10:00:00Z'); // Friday before the change to summer time
    expect((await draft({ when: 'cron', cron: '0 9 * * 1' })).nextRunAt!.toISOString()).toBe('2026-03-30T07:00:00.000Z'); // Monday 09:00 summer time
  });

  // Reported, not fixed: the frequency check compares only the first two runs after now. Between the two
  // runs of a day (09:00 and 09:15) the next two are 23 h 45 apart, so the rule lets through a broadcast
  // that then goes out twice within 15 minutes every day.
  test('cron "0,15 9 * * *" drafted at 09:05, between its two daily runs, is refused as more often than hourly', async () => {
    clock.set('2026-03-10T08:05:00Z'); // 09:05 in Paris
    await refused(draft({ when: 'cron', cron: '0,15 9 * * *' }), 'broadcast.cron.tooFrequent');
  });

  test('nextRun: a recurring broadcast runs again at its next time; a one-off does not', async () => {
    const weekly = await draft({ when: 'cron', cron: '0 9 * * 1' });
    expect(broadcasts.nextRun(weekly, weekly.nextRunAt!)!.toISOString()).toBe('2026-03-23T08:00:00.000Z');
    expect(broadcasts.nextRun(await draft(), NOW)).toBeUndefined();
    expect(broadcasts.nextRun(await draft({ when: 'at', date: '2026-03-11', time: '10:00' }), NOW)).toBeUndefined();
  });
});

describe('confirm', () => {
  test('only a draft is confirmed: "now" is scheduled for the confirmation time; twice is refused', async () => {
    const b = await draft();
    clock.set('2026-03-10T08:35:00Z');
    const scheduled = await broadcasts.confirm(organiser, b.id);
    expect(scheduled).toMatchObject({ id: b.id, state: 'scheduled' });
    expect(scheduled.nextRunAt!.toISOString()).toBe('2026-03-10T08:35:00.000Z');
    await refused(broadcasts.confirm(organiser, b.id), 'broadcast.notDraft', { id: b.id });
    expect((await store.broadcasts.get(b.id))!.nextRunAt!.toISOString()).toBe('2026-03-10T08:35:00.000Z');
  });

  test('"at": scheduled at its time; once that time has passed, the confirmation is refused and it stays a draft', async () => {
    const onTime = await draft({ when: 'at', date: '2026-03-10', time: '10:00' });
    expect((await broadcasts.confirm(organiser, onTime.id)).nextRunAt!.toISOString()).toBe('2026-03-10T09:00:00.000Z');

    const late = await draft({ when: 'at', date: '2026-03-10', time: '10:00' });
    clock.set('2026-03-10T09:00:00Z'); // its very minute
    await refused(broadcasts.confirm(organiser, late.id), 'broadcast.when.past');
    expect(await store.broadcasts.get(late.id)).toMatchObject({ state: 'draft' });
  });

  test('cron: the first run is computed again from the confirmation time', async () => {
    const b = await draft({ when: 'cron', cron: '0 9 * * 1' });
    clock.set('2026-03-16T09:00:00Z'); // Monday 10:00 in Paris: this week's run has passed
    expect((await broadcasts.confirm(organiser, b.id)).nextRunAt!.toISOString()).toBe('2026-03-23T08:00:00.000Z');
  });

  test('a cancelled broadcast cannot be confirmed; an unknown one is not found', async () => {
    const b = await draft();
    await broadcasts.cancel(organiser, b.id);
    await refused(broadcasts.confirm(organiser, b.id), 'broadcast.notDraft', { id: b.id });
    await refused(broadcasts.confirm(organiser, 999), 'broadcast.notFound', { id: '999' });
    await refused(broadcasts.get(organiser, 0), 'broadcast.notFound');
    await refused(broadcasts.get(organiser, Number.NaN), 'broadcast.notFound');
  });
});

describe('cancel', () => {
  const queue = (id: number, n: number) =>
    store.outbox.enqueue(
      Array.from({ length: n }, (_, i) => ({
        key: `broadcast:${id}:${i}`,
        source: `broadcast:${id}`,
        platform: 'slack' as const,
        target: { kind: 'person' as const, personId: `slack:T1/U${i}` },
        payload: '{}',
        dueAt: NOW,
      })),
      NOW,
    );

  test('a draft or a scheduled broadcast is cancelled; its pending messages are dropped, those sent stay sent', async () => {
    const d = await draft();
    expect(await broadcasts.cancel(organiser, d.id)).toMatchObject({ broadcast: { id: d.id, state: 'cancelled' }, dropped: 0 });

    const s = await broadcasts.confirm(organiser, (await draft()).id);
    await queue(s.id, 3);
    const [first] = await store.outbox.claim('test', NOW, 1, 60_000);
    await store.outbox.markSent(first.id, 'test', NOW);
    const { broadcast, dropped } = await broadcasts.cancel(organiser, s.id);
    expect(broadcast).toMatchObject({ state: 'cancelled' });
    expect(broadcast.nextRunAt).toBeUndefined();
    expect(dropped).toBe(2);
    expect(await store.outbox.report(`broadcast:${s.id}`)).toMatchObject({ targeted: 3, sent: 1, cancelled: 2, pending: 0 });
    expect(await store.broadcasts.claimDue('test', new Date('2030-01-01'), 60_000)).toBeNull(); // no further run
  });

  test('cancelling again is refused (notCancellable), and so is cancelling a finished run with nothing pending', async () => {
    const d = await draft();
    await broadcasts.cancel(organiser, d.id);
    await refused(broadcasts.cancel(organiser, d.id), 'broadcast.notCancellable', { id: d.id });

    const s = await broadcasts.confirm(organiser, (await draft()).id);
    const run = (await store.broadcasts.claimDue('test', NOW, 60_000))!;
    expect(run.id).toBe(s.id);
    await queue(s.id, 2);
    expect((await store.broadcasts.completeRun(s.id, 'test', NOW, undefined)).state).toBe('done');
    // done, but two messages still pending: they are dropped, the broadcast stays done
    expect(await broadcasts.cancel(organiser, s.id)).toMatchObject({ broadcast: { id: s.id, state: 'done' }, dropped: 2 });
    await refused(broadcasts.cancel(organiser, s.id), 'broadcast.notCancellable', { id: s.id });
    await refused(broadcasts.cancel(organiser, 999), 'broadcast.notFound');
  });
});

describe('recipients', () => {
  const of = (recipients: Recipient[]) => recipients.map((r) => (r.kind === 'person' ? r.person.id : `${r.platform} channel ${r.channel}`)).sort();

  test('everyone: every person the bot knows, on both platforms', async () => {
    expect(of(await broadcasts.recipients({ kind: 'everyone' }))).toEqual(['slack:T1/UA', 'slack:T1/UO', 'slack:T1/UP', 'slack:T1/UQ', 'teams:TEN/aad-b']);
  });

  test('pilots: the pilots of every axis the bot knows, once each', async () => {
    expect(of(await broadcasts.recipients({ kind: 'pilots' }))).toEqual(['slack:T1/UP', 'slack:T1/UQ']); // UZ never wrote to the bot
  });

  test('organisers: from the programme and from roles granted in chat', async () => {
    expect(of(await broadcasts.recipients({ kind: 'organisers' }))).toEqual(['slack:T1/UO']);
    await people.grant(organiser, { kind: 'person', person: teamsAgent.person }, 'organisateur');
    expect(of(await broadcasts.recipients({ kind: 'organisers' }))).toEqual(['slack:T1/UO', 'teams:TEN/aad-b']);
  });

  test('an axis: its channels on each platform, and its pilots in person', async () => {
    expect(of(await broadcasts.recipients({ kind: 'axis', axisId: 'usager' }))).toEqual([
      'slack channel CUSAGER1',
      'slack:T1/UP',
      'slack:T1/UQ',
      'teams channel 19:usager@thread.tacv2',
    ]);
    expect(of(await broadcasts.recipients({ kind: 'axis', axisId: 'transitions' }))).toEqual(['slack channel CTRANS01', 'slack:T1/UQ']);
    expect(of(await broadcasts.recipients({ kind: 'axis', axisId: 'territoires' }))).toEqual(['teams channel 19:territoires@thread.tacv2']);
  });

  test('a channel: that channel only', async () => {
    expect(await broadcasts.recipients({ kind: 'channel', platform: 'teams', channel: '19:abc@thread.tacv2' })).toEqual([
      { kind: 'channel', platform: 'teams', channel: '19:abc@thread.tacv2' },
    ]);
    expect(await broadcasts.recipients(broadcasts.parseAudience('channel:slack:C0123456'))).toEqual([{ kind: 'channel', platform: 'slack', channel: 'C0123456' }]);
  });
});
