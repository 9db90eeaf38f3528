import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { BroadcastCards } from '../../src/app/broadcasts/cards';
import { BroadcastRunner } from '../../src/app/broadcasts/runner';
import { Notices } from '../../src/app/notices';
import { loadProgramme } from '../../src/config/programme';
import { BroadcastService, broadcastSource } from '../../src/domain/broadcast-service';
import { PeopleService } from '../../src/domain/people-service';
import { I18n } from '../../src/i18n';
import type { Store } from '../../src/domain/ports';
import { channelIds } from '../../src/platforms/channel-ids';
import { cronCalendar } from '../../src/scheduler/cron-calendar';
import { SqliteStore } from '../../src/store/sqlite';
import { stillClock } from '../support/domain';

/** A broadcast run turned into outbox messages, on the real embedded store. */
describe('BroadcastRunner', () => {
  const clock = stillClock(new Date('2026-03-10T08:30:00Z'));
  let dir: string;
  let store: SqliteStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ensemble-runner-'));
    store = SqliteStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a broadcast cancelled while its run is being queued sends nothing', async () => {
    const programme = structuredClone(loadProgramme(undefined));
    programme.organisers = ['slack:T1/UO'];
    const people = new PeopleService(store, programme, clock);
    const organiser = await people.contact({ platform: 'slack', tenant: 'T1', user: 'UO', displayName: 'Orga' });
    for (let i = 0; i < 5; i++) await people.contact({ platform: 'slack', tenant: 'T1', user: `U${i}`, displayName: `P${i}` });
    const broadcasts = new BroadcastService(store, programme, people, clock, cronCalendar, 'Europe/Paris', channelIds);
    const draft = await broadcasts.draft(organiser, { message: 'Bonjour', audience: 'everyone', when: 'now' });
    await broadcasts.confirm(organiser, draft.id);
    // the organiser cancels at the moment the run queues its messages (after the cancellation found nothing pending)
    const outbox: Store['outbox'] = Object.assign(Object.create(store.outbox), {
      enqueue: async (...args: Parameters<Store['outbox']['enqueue']>) => {
        await broadcasts.cancel(organiser, draft.id);
        return store.outbox.enqueue(...args);
      },
    });
    const racing: Store = Object.assign(Object.create(store), { outbox });
    const notices = new Notices(racing, clock, () => undefined, { timeZone: 'Europe/Paris', defaultLocale: 'fr', manageLabel: () => 'Gérer mes notifications' });
    const delivery = { notices, cards: new BroadcastCards(racing, new I18n('fr'), undefined), defaultLocale: 'fr' as const };
    const runner = new BroadcastRunner(racing, broadcasts, delivery, clock, pino({ level: 'silent' }), 'owner-1');
    expect(await runner.runDue()).toBe(0);
    const report = await store.outbox.report(broadcastSource(draft.id));
    expect(report.pending).toBe(0);
    expect(report.cancelled).toBe(6);
  });
});
