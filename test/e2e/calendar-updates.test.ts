import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { TENANT, type TeamsUser } from '../support/teams-activity';

const ORG: TeamsUser = { id: '29:org', aadObjectId: '99999999-9999-4999-8999-999999999999', name: 'Lab Orga' };

/** The calendar entries people received follow the event: a change updates them, a cancellation removes them. */
describe('calendar entries after a change and a cancellation', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashReply, click, teamsSay, teamsActCard } = talk(() => ({ bot, slack, teams }));
  /** The .ics files uploaded to Slack so far. */
  const uploads = () => slack.requests.filter((r) => r.path.startsWith('/upload/')).map((r) => r.raw);
  const form = (over: Record<string, string> = {}) => ({
    kind: 'explorer',
    title: 'Journée Explorer : terrain',
    description: '',
    startDate: '2027-04-06',
    startTime: '09:00',
    endDate: '',
    endTime: '17:00',
    place: 'Salle 2',
    link: '',
    capacity: '',
    axis: 'none',
    audience: 'everyone',
    announce: 'false',
    ...over,
  });

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: [`teams:${TENANT}/${ORG.aadObjectId}`] }) });
    await teamsSay(ORG, 'aide');
    await slashReply('U1', 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  test('moved, the registrant gets the entry again with a higher SEQUENCE; cancelled, with METHOD:CANCEL', async () => {
    await teamsActCard(ORG, 'event.submit', form());
    const [event] = await bot.services.store.events.upcoming(new Date('2027-01-01'), 1);
    await click('U1', 'event.register', { id: String(event.id), c: 'own' });
    await slack.waitFor((r) => r.path.startsWith('/upload/'));
    const uid = `UID:ensemble-event-${event.id}.${bot.services.installationId}@ensemble`;
    expect(uploads()[0]).toContain(uid);
    expect(uploads()[0]).toContain('SEQUENCE:1');

    await teamsActCard(ORG, 'event.submit', { ...form({ startDate: '2027-04-13' }), id: String(event.id) });
    await bot.delivery.tick();
    await slack.waitFor((r) => r.path.startsWith('/upload/'), 2);
    const moved = uploads()[1];
    expect(moved).toContain(uid);
    expect(moved).toContain('SEQUENCE:2');
    expect(moved).toContain('DTSTART:20270413T070000Z');
    expect(moved).toContain('METHOD:PUBLISH');

    await teamsSay(ORG, `evenement annuler ${event.id} météo`);
    await bot.delivery.tick();
    await slack.waitFor((r) => r.path.startsWith('/upload/'), 3);
    const cancelled = uploads()[2];
    expect(cancelled).toContain(uid);
    expect(cancelled).toContain('METHOD:CANCEL');
    expect(cancelled).toContain('STATUS:CANCELLED');
    expect(cancelled).toContain('SEQUENCE:3');
  });

  test('two installations give the same event number different UIDs', async () => {
    const other = await startTestBot({});
    try {
      expect(other.services.installationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(other.services.installationId).not.toBe(bot.services.installationId);
    } finally {
      await other.close();
    }
  });
});
