import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, repliesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { blockActionBody, slackHeaders, slashCommandBody, viewSubmissionBody } from '../support/slack-request';
import { cardActionActivity, TENANT, type TeamsUser } from '../support/teams-activity';
import { settableClock } from '../support/clock';

const START = new Date('2026-12-01T09:00:00Z');
const SLACK_PEOPLE = 2400;
const TEAMS_PEOPLE = 600;
const CONCURRENCY = 40;

/** Runs `work` on every item, `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await work(items[i], i);
      }
    }),
  );
}

const radio = (id: string, value: string) => ({ [id]: { [id]: { type: 'radio_buttons', selected_option: { value } } } });
const text = (id: string, value: string) => ({ [id]: { [id]: { type: 'plain_text_input', value } } });
const toggle = (id: string, on: boolean) => ({ [id]: { [id]: { type: 'checkboxes', selected_options: on ? [{ value: 'true' }] : [] } } });
const date = (id: string, value: string) => ({ [id]: { [id]: { type: 'datepicker', selected_date: value } } });
const select = (id: string, value: string) => ({ [id]: { [id]: { type: 'static_select', selected_option: { value } } } });

/**
 * A flash poll to 3,000 people (Slack and Teams) through the real endpoints: the organiser's form, its
 * preview, the confirmation; then everyone answers at once (batches of concurrent requests): the counts are exact.
 */
describe('flash poll to 3,000 people: exact counts under concurrent answers', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const clock = settableClock(START);
  const { slashReply, click } = talk(() => ({ bot, slack, teams }));
  const teamsUsers: TeamsUser[] = Array.from({ length: TEAMS_PEOPLE }, (_, i) => ({
    id: `29:poll-${i}`,
    aadObjectId: `55555555-5555-4555-8555-${String(i).padStart(12, '0')}`,
    name: `Agent ${i}`,
  }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('UORG', { real_name: 'Organisatrice', locale: 'fr-FR' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: ['slack:T1/UORG'] }), clock, background: false });
    await slashReply('UORG', 'aide');
    // the 3,000 people the bot already knows (their first contact is not what is measured here)
    const at = clock.now();
    for (let i = 0; i < SLACK_PEOPLE; i++) await bot.services.store.people.record({ platform: 'slack', tenant: 'T1', user: `UP${i}`, displayName: `Agent ${i}`, locale: 'fr' }, at);
    for (const u of teamsUsers)
      await bot.services.store.people.record(
        {
          platform: 'teams',
          tenant: TENANT,
          user: u.aadObjectId,
          displayName: u.name,
          locale: 'fr',
          teams: { serviceUrl: `${teams.url}/`, conversationId: `a:${u.id}`, userId: u.id, botId: '28:ensemble-bot', tenantId: TENANT },
        },
        at,
      );
  }, 120_000);
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  let id = 0;

  test('« /ensemble sondage »: the form; a single choice is refused next to its field; the preview; the confirmation sends it to everyone', async () => {
    const cmd = slashCommandBody({ text: 'sondage', user: 'UORG', responseUrl: slack.responseUrl('s1') });
    expect((await bot.post('/slack/events', cmd, slackHeaders(cmd))).status).toBe(200);
    const [open] = await slack.waitForCall('views.open');
    expect(allText(open.body)).toContain('Sondage flash');

    const values = (choices: string) => ({
      ...text('question', 'Le télétravail le vendredi, pour vous ?'),
      ...radio('format', 'choices'),
      ...text('choices', choices),
      ...toggle('multiple', false),
      ...toggle('anonymous', true),
      ...select('audience', 'everyone'),
      ...date('closesDate', '2026-12-04'),
      ...radio('results', 'live'),
    });
    const submit = async (choices: string) => {
      const body = viewSubmissionBody({ callbackId: 'consultation.poll.submit', values: values(choices), user: 'UORG' });
      return (await bot.post('/slack/events', body, slackHeaders(body))).body;
    };
    const refused = await submit('Oui');
    expect(refused.response_action).toBe('errors');
    expect(refused.errors.choices).toContain('au moins 2');
    const tooMany = await submit(Array.from({ length: 11 }, (_, i) => `Choix ${i}`).join('\n'));
    expect(tooMany.errors.choices).toContain('Au plus 10');
    expect(await bot.services.store.consultations.list(5)).toHaveLength(0);

    await submit('Oui\nNon\nSans avis');
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && allText(r.body).includes('Aperçu de la consultation'));
    expect(allText(preview.body)).toContain('3001 personnes');
    const [c] = await bot.services.store.consultations.list(1);
    id = c.id;

    const confirmed = await click('UORG', 'consultation.confirm', { id: String(id) });
    expect(allText(confirmed)).toContain('ouverte');
    await bot.delivery.jobs.runDue();
    expect((await bot.services.store.consultations.figures(id)).reached).toBe(SLACK_PEOPLE + TEAMS_PEOPLE + 1);
    // everyone's message went through the Notices gate into the outbox
    const invites = await bot.services.store.outbox.report(`consultation:${id}:invite`);
    expect(invites.targeted).toBe(SLACK_PEOPLE + TEAMS_PEOPLE + 1);
  }, 60_000);

  test('3,000 people answer at once through the real endpoints: the counts are exact; a second click changes nothing', async () => {
    const everyone = [...Array.from({ length: SLACK_PEOPLE }, (_, i) => ({ slack: `UP${i}` })), ...teamsUsers.map((u) => ({ teams: u }))];
    let failed = 0;
    await pool(everyone, CONCURRENCY, async (who, i) => {
      const v = String(i % 3);
      if ('slack' in who) {
        const body = blockActionBody({ actionId: 'consultation.vote', value: JSON.stringify({ id: String(id), v }), user: who.slack, responseUrl: slack.responseUrl(`v${i}`) });
        const res = await bot.post('/slack/events', body, slackHeaders(body));
        if (res.status !== 200) failed++;
      } else {
        const res = await bot.post('/api/messages', cardActionActivity(teams.url, who.teams, 'consultation.vote', { id: String(id), v }));
        if (res.status !== 200 || !allText(res.body).includes('Votre réponse')) failed++;
      }
    });
    expect(failed).toBe(0);
    // one person clicks five times at once: one answer
    await pool([0, 1, 2, 3, 4], 5, async (n) => {
      const body = blockActionBody({ actionId: 'consultation.vote', value: JSON.stringify({ id: String(id), v: '2' }), user: 'UP0', responseUrl: slack.responseUrl(`again${n}`) });
      await bot.post('/slack/events', body, slackHeaders(body));
    });

    const responses = await bot.services.store.consultations.responses(id);
    expect(responses).toHaveLength(3000);
    const answers = await bot.services.store.consultations.answers(id);
    const counts = [0, 1, 2].map((v) => answers.filter((a) => a.value === String(v)).length);
    expect(counts).toEqual([1000, 1000, 1000]);
    expect(responses.filter((r) => r.groups.platform === 'teams')).toHaveLength(600);

    // the clicked card is replaced in place with the answer and the live results
    await repliesSettled(bot, 60_000);
    const [first] = slack.responses('v0');
    expect(first.body.replace_original).toBe(true);
    expect(allText(first.body)).toContain('Votre réponse : *Oui*');
    const [again] = slack.responses('again0');
    expect(allText(again.body)).toContain('déjà répondu');

    // the organiser's results say the same
    const results = allText(await slashReply('UORG', `consultation resultats ${id}`));
    expect(results).toContain('1000 (33.3 %)');
    expect(results).toContain('3000 sur 3001');
  }, 180_000);
});
