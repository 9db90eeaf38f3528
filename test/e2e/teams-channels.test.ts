import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { talk } from '../support/conversation';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliveriesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { ANA, BEN, cardActionActivity, conversationUpdateActivity, messageActivity, TENANT, type TeamsUser } from '../support/teams-activity';

const GENERAL = '19:general-projet@thread.tacv2';
const AXIS_CHANNEL = '19:axe-usager@thread.tacv2';
const ORG: TeamsUser = { id: '29:org', aadObjectId: '99999999-9999-4999-8999-999999999999', name: 'Lab Orga' };

/** An activity from a team's channel (not the personal chat). */
function inChannel<T extends { conversation: object; channelData: object }>(activity: T, channel: string, messageId?: string): T {
  return {
    ...activity,
    conversation: { id: messageId ? `${channel};messageid=${messageId}` : channel, conversationType: 'channel', tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, team: { id: GENERAL, name: 'Équipe projet' }, channel: { id: channel } },
  };
}

/** Teams channels: the bot learns where it can post when it is added to a team or hears from a channel. */
describe('Teams channels', () => {
  let teams: FakeTeams;
  let bot: TestBot;
  const { teamsSay, teamsActCard } = talk(() => ({ bot, teams }));

  beforeAll(async () => {
    teams = await new FakeTeams().start();
    const programmeFile = programmeWith({ organisers: [`teams:${TENANT}/${ORG.aadObjectId}`] });
    const doc = parse(readFileSync(programmeFile, 'utf8'));
    doc.axes.find((a: { id: string }) => a.id === 'usager').channel = { teams: AXIS_CHANNEL };
    writeFileSync(programmeFile, stringify(doc));
    bot = await startTestBot({ programmeFile, background: true });
    for (const u of [ORG, ANA, BEN]) await teamsSay(u, 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await teams.stop();
  });

  test('added to a team, the bot can post a broadcast in its general channel', async () => {
    // installed in the team: Teams says so in the general channel
    const added = inChannel(conversationUpdateActivity(teams.url, ORG), GENERAL);
    expect((await bot.post('/api/messages', added)).status).toBe(200);
    await teams.waitForSent(GENERAL); // the welcome
    const form = await teamsActCard(ORG, 'broadcast.submit', { message: 'Bienvenue dans le programme !', when: 'now', channel: GENERAL, audience: 'everyone' });
    const confirm = JSON.stringify(form).match(/"verb":"broadcast\.confirm","id":"(\d+)"|"id":"(\d+)","verb":"broadcast\.confirm"/);
    const id = confirm?.[1] ?? confirm?.[2];
    expect(id).toBeDefined();
    await teamsActCard(ORG, 'broadcast.confirm', { id: String(id) });
    const [post] = await teams.waitFor(
      (r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/${GENERAL}/activities`) && allText(r.body).includes('Bienvenue dans le programme'),
    );
    expect(post).toBeDefined();
    await deliveriesSettled(bot);
    const report = await bot.services.store.outbox.report(`broadcast:${id}`);
    expect(report).toMatchObject({ sent: 1, failed: 0 });
  });

  test('an axis channel the bot has heard from receives the axis’s new ideas', async () => {
    // someone mentions the bot in the axis channel: the bot learns where it is
    const mention = inChannel(
      messageActivity(teams.url, BEN, '<at>Ensemble</at> aide', {
        entities: [{ type: 'mention', text: '<at>Ensemble</at>', mentioned: { id: '28:ensemble-bot', name: 'Ensemble' } }],
      }),
      AXIS_CHANNEL,
      '1',
    );
    expect((await bot.post('/api/messages', mention)).status).toBe(200);
    await teamsSay(ANA, 'idee Un accueil sans rendez-vous le samedi #accueil');
    const [post] = await teams.waitFor(
      (r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/${AXIS_CHANNEL}/activities`) && allText(r.body).includes('Un accueil sans rendez-vous'),
    );
    expect(allText(post.body)).toContain('Nouvelle idée sur l’axe 3');
    await deliveriesSettled(bot);
    const failed = (await bot.services.store.outbox.report('notifications')).reasons;
    expect(failed.filter((r) => r.reason.includes('no-service-url'))).toEqual([]);
  });

  test('« Je participe » clicked on an announcement in a channel answers the clicker alone; the card and the calendar file reach their personal chat', async () => {
    const form = {
      kind: 'off',
      title: 'Le OFF : café des idées',
      startDate: '2027-06-01',
      startTime: '12:00',
      endTime: '13:30',
      capacity: '20',
      axis: 'none',
      audience: `channel:teams:${GENERAL}`,
      announce: 'true',
    };
    await teamsActCard(ORG, 'event.submit', form);
    const event = (await bot.services.store.events.upcoming(new Date(), 10)).find((e) => e.title === 'Le OFF : café des idées')!;
    await teams.waitFor((r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/${GENERAL}/activities`) && allText(r.body).includes('café des idées'));
    const inGeneral = () => teams.sent(GENERAL).length;
    const before = inGeneral();
    const personal = () => teams.sent(`a:${BEN.id}`);
    const personalBefore = personal().length;

    const click = inChannel(cardActionActivity(teams.url, BEN, 'event.register', { id: String(event.id), c: 'shared' }), GENERAL, '42');
    const res = await bot.post('/api/messages', click);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(res.body.value).toContain('vous participez à « Le OFF : café des idées »');
    // the personal chat gets the card, then the calendar file to accept
    const sent = await teams.waitForSent(`a:${BEN.id}`, personalBefore + 2);
    const news = sent.slice(personalBefore).map((r) => r.body);
    expect(news.some((b) => allText(b).includes('Je ne participe plus'))).toBe(true);
    expect(news.some((b) => b.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.consent' && /\.ics$/.test(b.attachments[0].name))).toBe(true);
    // nothing about Ben's registration is posted in the channel
    await deliveriesSettled(bot);
    expect(inGeneral()).toBe(before);
    expect((await bot.services.store.events.registrationsOf(`teams:${TENANT}/${BEN.aadObjectId}`, [event.id])).get(event.id)).toBe('registered');
  });
});
