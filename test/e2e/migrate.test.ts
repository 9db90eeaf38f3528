import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoStore } from '../../src/store/mongo';
import type { CliIo } from '../../src/tools/cli';
import { EXIT, runMigrate } from '../../src/tools/migrate-cli';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, repliesSettled, startTestBot, type TestBot } from '../support/harness';
import { freshDatabase, mongoUri, sayIfMongoSkipped, uriWithDatabase } from '../support/mongo';
import { programmeWith } from '../support/programme';
import { ANA, BEN, TENANT, type TeamsUser } from '../support/teams-activity';

sayIfMongoSkipped('migrate e2e');
if (mongoUri) jest.setTimeout(180_000); // FerretDB 1.x scans whole collections (see mongo-store.test.ts)

/** A clock the test sets: it runs like real time from the moment it was last set (no assertion on real time). */
function settableClock(start: Date) {
  let base = start.getTime();
  let realBase = Date.now();
  return {
    now: () => new Date(base + (Date.now() - realBase)),
    advance: (ms: number) => {
      base += ms;
    },
    set: (d: Date) => {
      base = d.getTime();
      realBase = Date.now();
    },
  };
}

const START = new Date('2026-11-23T08:00:00Z');
const ORG: TeamsUser = { id: '29:org', aadObjectId: '55555555-5555-4555-8555-555555555555', name: 'Lab Organisatrice' };

/**
 * Moving to MongoDB, end to end: a bot on the embedded store is used through its real endpoints (ideas,
 * supports, an event with a waiting list, a notification still to send), stopped, migrated with the real
 * command into a fresh MongoDB database, and started again on MongoDB: it serves the same ideas, counts,
 * registrations and pending delivery, and numbering continues.
 */
(mongoUri ? describe : describe.skip)('npm run migrate: the same bot, before and after, through its endpoints (needs MONGODB_URI)', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  let dataDir: string;
  let database: string;
  let uri: string;
  const clock = settableClock(START);
  const programmeFile = programmeWith({ organisers: [`teams:${TENANT}/${ORG.aadObjectId}`], pilots: { usager: ['slack:T1/UPIL'] } });
  const { slashReply: slash, click, teamsSay, teamsActCard: teamsAct, teamsAction } = talk(() => ({ bot, slack, teams }));

  const start = (env: Record<string, string> = {}) => startTestBot({ slackApiUrl: slack.apiUrl, programmeFile, clock, background: false, dataDir, env });

  /** Queues what is due and sends it, until nothing is due now (the clock moves a second at a time). */
  async function deliverDue() {
    for (let i = 0; i < 30; i++) {
      await bot.delivery.tick();
      const next = await bot.services.store.outbox.nextDue();
      if (!next || next.getTime() > clock.now().getTime() + 1500) return;
      clock.advance(1100);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const toPilot = () => slack.calls('chat.postMessage').filter((c) => c.body.channel === 'UPIL' && allText(c.body).includes('Un guichet unique'));

  /** What people see: the same requests before and after the move. */
  async function views(eventId: number) {
    return {
      idea1: allText((await slash('U3', 'voir 1')).blocks),
      idea2: allText((await slash('U3', 'voir 2')).blocks),
      recent: allText((await slash('U3', 'idees recentes')).blocks),
      top: allText(await teamsSay(BEN, 'idees top')),
      agenda: allText((await slash('U3', 'agenda')).blocks),
      registrants: allText(await teamsSay(ORG, `evenement inscrits ${eventId}`)),
    };
  }

  let eventId = 0;
  let before: Awaited<ReturnType<typeof views>>;
  let installation = '';

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    for (const [u, name] of [
      ['U1', 'Camille Martin'],
      ['U2', 'Dominique Petit'],
      ['U3', 'Sacha Bernard'],
      ['UPIL', 'Pilote Usager'],
    ])
      slack.profiles.set(u, { real_name: name, locale: 'fr-FR' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-migrate-e2e-'));
    database = freshDatabase('ensemble_migrate_e2e');
    uri = uriWithDatabase(mongoUri!, database);
    bot = await start();
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
    const s = await MongoStore.connect(mongoUri!, database);
    await s.drop();
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('on the embedded store: ideas with supports, an event with a waiting list, a notification not sent yet', async () => {
    expect(bot.services.store.kind).toBe('sqlite');
    for (const u of ['U1', 'U2', 'U3', 'UPIL']) await slash(u, 'aide');
    for (const u of [ORG, ANA, BEN]) await teamsSay(u, 'aide');

    expect((await slash('U1', 'idee Un guichet unique pour toutes les démarches des usagers #accueil')).text).toContain('Votre idée n°1 est proposée');
    expect((await slash('U2', 'idee Des salles de réunion réservables depuis son téléphone #sobriété')).text).toContain('Votre idée n°2 est proposée');
    expect((await teamsAction(ANA, 'idea.support', { id: '1', view: 'idea' })).status).toBe(200);
    expect(allText((await click('U2', 'idea.support', { id: '1', view: 'idea' })).blocks)).toContain('2 soutiens');
    expect(allText((await click('U3', 'idea.support', { id: '2', view: 'idea' })).blocks)).toContain('1 soutien');

    const created = await teamsAct(ORG, 'event.submit', {
      kind: 'creer',
      title: 'Journée Créer : accueil des usagers',
      description: 'Imaginer ensemble des solutions concrètes.',
      startDate: '2026-12-10',
      startTime: '09:00',
      endDate: '',
      endTime: '17:00',
      place: 'Hôtel de Région, salle 2',
      link: '',
      capacity: '1',
      axis: 'usager',
      audience: 'everyone',
      announce: 'false',
    });
    eventId = Number(/Événement n°(\d+) créé/.exec(allText(created))?.[1]);
    expect(eventId).toBeGreaterThan(0);
    expect(allText(await click('U1', 'event.register', { id: String(eventId), c: 'own' }))).toContain('vous participez');
    expect(allText(await teamsAct(ANA, 'event.register', { id: String(eventId), c: 'own' }))).toContain('liste d’attente');
    expect(allText(await click('U2', 'event.register', { id: String(eventId), c: 'own' }))).toContain('liste d’attente');

    await repliesSettled(bot);
    // the pilot's notice of idea n°1 is queued, not sent (the bulk lane is ticked by hand here)
    expect(toPilot()).toHaveLength(0);
    expect(await bot.services.store.outbox.nextDue()).not.toBeNull();

    before = await views(eventId);
    expect(before.idea1).toContain('2 soutiens');
    expect(before.registrants).toContain('Participants (1)');
    expect(before.registrants).toMatch(/Liste d’attente \(2\)\*\*\s+1\. Ana Teams\s+2\. Dominique Petit/);
    installation = bot.services.installationId;
    await repliesSettled(bot);
    await bot.close({ keepData: true });
  });

  test('the migration copies and verifies every table', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const io: CliIo = { out: (l) => lines.push(l), err: (l) => errors.push(l) };
    expect(await runMigrate(['--to', uri, '--from', dataDir], {}, io, clock.now())).toBe(EXIT.ok);
    expect(errors).toEqual([]);
    const out = lines.join('\n');
    expect(out).toContain(`database "${database}"`);
    expect(out).toMatch(/^ {2}ideas +2 = 2 ok$/m);
    expect(out).toMatch(/^ {2}supports +3 = 3 ok$/m);
    expect(out).toMatch(/^ {2}registrations +3 = 3 ok$/m);
    expect(out).toMatch(/^ {2}outbox +\d+ = \d+ ok$/m);
    expect(out).toMatch(/^ {2}counter ideas +2 = 2 ok$/m);
    expect(out).not.toContain('MISMATCH');
  });

  test('on MongoDB: the same ideas, counts and registrations are served; the pending notice goes out once; numbering continues', async () => {
    bot = await start({ MONGODB_URI: uri });
    expect(bot.services.store.kind).toBe('mongodb');
    expect((await bot.services.store.health()).detail).toBe(database);
    expect(bot.services.installationId).toBe(installation); // calendar entries keep their UIDs

    expect(await views(eventId)).toEqual(before);

    // the notice queued on SQLite is sent from MongoDB, once
    await deliverDue();
    expect(toPilot()).toHaveLength(1);
    await deliverDue();
    expect(toPilot()).toHaveLength(1);

    // one support per person still holds; a new one counts
    expect((await teamsAction(ANA, 'idea.support', { id: '1', view: 'idea' })).status).toBe(200);
    expect(allText((await click('U3', 'idea.support', { id: '1', view: 'idea' })).blocks)).toContain('3 soutiens');

    // the waiting list kept its order: Ana, first in line, gets the place U1 leaves
    expect(allText(await click('U1', 'event.unregister', { id: String(eventId), c: 'own' }))).toContain('vous ne participez plus');
    const registrants = allText(await teamsSay(ORG, `evenement inscrits ${eventId}`));
    expect(registrants).toContain('Participants (1)');
    expect(registrants).toContain('Ana Teams');

    // the next idea gets the next number
    expect((await slash('U3', 'idee Un café des usagers chaque mois #accueil')).text).toContain('Votre idée n°3 est proposée');
    expect(await bot.services.store.ideas.get(3)).toMatchObject({ authorId: 'slack:T1/U3', supportCount: 0 });
  });
});
