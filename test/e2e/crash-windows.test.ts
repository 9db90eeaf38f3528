import type { DatabaseSync } from 'node:sqlite';
import { talk } from '../support/conversation';
import { FakeTeams } from '../support/fake-teams';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { ANA, BEN, TENANT, type TeamsUser } from '../support/teams-activity';

const ORG: TeamsUser = { id: '29:org', aadObjectId: '99999999-9999-4999-8999-999999999999', name: 'Lab Orga' };

/**
 * A change and the work it schedules are written together: a failure between the two (a crash, a full
 * disk) keeps neither, never the change without its notice. The failure is made real with a trigger of
 * the embedded store that refuses the second write, as a crash at that moment would.
 */
describe('crash windows: an event change and its jobs', () => {
  let teams: FakeTeams;
  let bot: TestBot;
  const { teamsSay, teamsActCard } = talk(() => ({ bot, teams }));
  const db = () => (bot.services.store as unknown as { db: DatabaseSync }).db;
  /** The next write of a job of this kind fails, as if the process died there. */
  const failJobs = (kind: string) => db().exec(`CREATE TRIGGER fail_jobs BEFORE INSERT ON jobs WHEN NEW.kind = '${kind}' BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;`);
  const healed = () => db().exec('DROP TRIGGER IF EXISTS fail_jobs');
  const jobs = (id: number) => bot.services.store.jobs.forRef(`event:${id}`);
  const form = (over: Record<string, string> = {}) => ({
    kind: 'creer',
    title: 'Journée Créer : la fenêtre de crash',
    description: '',
    startDate: '2027-03-10',
    startTime: '09:00',
    endDate: '',
    endTime: '17:00',
    place: 'Salle 1',
    link: '',
    capacity: '1',
    axis: 'none',
    audience: 'everyone',
    announce: 'false',
    ...over,
  });

  beforeAll(async () => {
    teams = await new FakeTeams().start();
    bot = await startTestBot({ programmeFile: programmeWith({ organisers: [`teams:${TENANT}/${ORG.aadObjectId}`] }) });
    for (const u of [ORG, ANA, BEN]) await teamsSay(u, 'aide');
  });
  afterEach(() => healed());
  afterAll(async () => {
    await bot.close();
    await teams.stop();
  });

  let id = 0;

  test('creating an event whose reminders cannot be written stores no event', async () => {
    failJobs('event.reminder');
    const refused = await teamsActCard(ORG, 'event.submit', form());
    expect(allText(refused)).toContain('Quelque chose s’est mal passé');
    expect(await bot.services.store.events.upcoming(new Date('2027-01-01'), 10)).toEqual([]);
    healed();
    await teamsActCard(ORG, 'event.submit', form());
    const [event] = await bot.services.store.events.upcoming(new Date('2027-01-01'), 10);
    id = event.id;
    expect((await jobs(id)).map((j) => j.kind).sort()).toEqual(['event.feedback', 'event.reminder', 'event.reminder', 'event.reminder', 'event.results']);
  });

  test('moving an event whose change notice cannot be written leaves the event where it was', async () => {
    await teamsActCard(ANA, 'event.register', { id: String(id), c: 'own' });
    failJobs('event.changed');
    const refused = await teamsActCard(ORG, 'event.submit', { ...form({ startDate: '2027-03-17' }), id: String(id) });
    expect(allText(refused)).toContain('Quelque chose s’est mal passé');
    const event = await bot.services.store.events.get(id);
    expect(event!.startsAt.toISOString()).toBe('2027-03-10T08:00:00.000Z');
    expect((await jobs(id)).filter((j) => j.kind === 'event.changed')).toEqual([]);
    // written again once the store writes: the move, its notice and its new reminders, together
    healed();
    await teamsActCard(ORG, 'event.submit', { ...form({ startDate: '2027-03-17' }), id: String(id) });
    const moved = await jobs(id);
    expect(moved.filter((j) => j.kind === 'event.changed')).toHaveLength(1);
    expect(moved.filter((j) => j.kind === 'event.reminder' && j.state === 'pending').every((j) => j.key.endsWith('@2027-03-17T08:00:00.000Z'))).toBe(true);
  });

  test('a withdrawal that gives the place to someone waiting writes their notice with it', async () => {
    await teamsActCard(BEN, 'event.register', { id: String(id), c: 'own' }); // waiting: one place, Ana has it
    failJobs('event.promoted');
    const before = teams.sent(`a:${ANA.id}`).length;
    await teamsActCard(ANA, 'event.unregister', { id: String(id), c: 'own' });
    const [refused] = (await teams.waitForSent(`a:${ANA.id}`, before + 1)).slice(before);
    expect(allText(refused.body)).toContain('Quelque chose s’est mal passé');
    const still = await bot.services.store.events.registrations(id);
    expect(still.map((r) => r.state)).toEqual(['registered', 'waiting']);
    healed();
    await teamsActCard(ANA, 'event.unregister', { id: String(id), c: 'own' });
    const promoted = (await jobs(id)).filter((j) => j.kind === 'event.promoted');
    expect(promoted.map((j) => j.subject)).toEqual([`teams:${TENANT}/${BEN.aadObjectId}`]);
    // and Ben hears of it, with the calendar file
    const bens = teams.sent(`a:${BEN.id}`).length;
    await bot.delivery.tick();
    const sent = await teams.waitForSent(`a:${BEN.id}`, bens + 2);
    expect(sent.slice(bens).some((r) => allText(r.body).includes('une place s’est libérée'))).toBe(true);
    expect(sent.slice(bens).some((r) => r.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.consent')).toBe(true);
  });

  test('cancelling an event whose notices cannot be written keeps it scheduled', async () => {
    failJobs('event.cancelled');
    const refused = await teamsSay(ORG, `evenement annuler ${id} salle indisponible`);
    expect(allText(refused)).toContain('Quelque chose s’est mal passé');
    expect((await bot.services.store.events.get(id))!.state).toBe('scheduled');
    expect((await jobs(id)).filter((j) => j.state === 'pending' && j.kind === 'event.reminder').length).toBeGreaterThan(0);
  });

  test('the sweep plans again the reminders a scheduled event lost', async () => {
    db().exec(`DELETE FROM jobs WHERE ref = 'event:${id}' AND kind IN ('event.reminder', 'event.feedback')`);
    expect((await jobs(id)).filter((j) => j.kind === 'event.reminder')).toEqual([]);
    await bot.delivery.maintenance();
    const back = await jobs(id);
    expect(back.filter((j) => j.kind === 'event.reminder' && j.state === 'pending')).toHaveLength(3);
    expect(back.filter((j) => j.kind === 'event.feedback')).toHaveLength(1);
  });
});
