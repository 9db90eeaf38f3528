import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { blockActionBody, eventBody, slackHeaders, slashCommandBody, viewState, viewSubmissionBody } from '../support/slack-request';

/**
 * The door of /slack/events: what is signed is checked in a five-minute window either way; the same
 * signed request, or the same event, runs once; a malformed payload is acknowledged and answered.
 */
describe('Slack: replays, retries, signature window, malformed payloads', () => {
  let slack: FakeSlack;
  let bot: TestBot;
  const { slashReply, nextId } = talk(() => ({ bot, slack }));
  const ideas = async () => (await bot.services.store.ideas.all()).length;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    slack.profiles.set('U1', { real_name: 'Camille Martin', locale: 'fr-FR' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, background: true });
    await slashReply('U1', 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
  });

  /** Posts the same signed body `times` times at once, as a replaying attacker (or a flaky proxy) would. */
  async function replay(body: string, times: number, headers = slackHeaders(body)) {
    return Promise.all(Array.from({ length: times }, () => bot.post('/slack/events', body, headers)));
  }

  test('the same signed slash command posted 3 times makes one idea and one answer', async () => {
    const before = await ideas();
    const id = nextId('replay');
    const body = slashCommandBody({ text: 'idee Une navette entre les sites #territorialisation', user: 'U1', responseUrl: slack.responseUrl(id) });
    const answers = await replay(body, 3);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    await slack.waitForResponse(id);
    // and again, one after the other (the first has been answered by now)
    for (const r of await replay(body, 2)) expect(r.status).toBe(200);
    // a later request's answer arrives: the replays had their chance to run
    await slashReply('U1', 'aide');
    expect(await ideas()).toBe(before + 1);
    expect(slack.requests.filter((r) => r.path === `/respond/${id}`)).toHaveLength(1);
  });

  test('a replayed « Soutenir » click does not flip the support on, off, on', async () => {
    const [idea] = await bot.services.store.ideas.all();
    const id = nextId('click');
    const body = blockActionBody({ actionId: 'idea.support', value: JSON.stringify({ id: String(idea.id), view: 'idea' }), user: 'U1', responseUrl: slack.responseUrl(id) });
    await replay(body, 1);
    await slack.waitForResponse(id);
    await replay(body, 2);
    await slashReply('U1', 'aide');
    expect(await bot.services.store.ideas.supporters(idea.id)).toEqual(['slack:T1/U1']);
    expect(slack.requests.filter((r) => r.path === `/respond/${id}`)).toHaveLength(1);
  });

  test('a replayed form submission makes one idea', async () => {
    const before = await ideas();
    const body = viewSubmissionBody({
      callbackId: 'idea.submit',
      user: 'U1',
      values: { ...viewState.text('title', 'Un vestiaire partagé'), ...viewState.select('axis', 'equipe') },
    });
    const answers = await replay(body, 3);
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await slashReply('U1', 'aide');
    expect(await ideas()).toBe(before + 1);
  });

  test('an Events API retry (same event_id, X-Slack-Retry-Num) runs once: one idea from one DM', async () => {
    const before = await ideas();
    const body = eventBody({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'idee Des casiers pour les vélos #sobriété', ts: '5.5', event_ts: '5.5' });
    slack.clear();
    const json = { contentType: 'application/json' };
    expect((await bot.post('/slack/events', body, slackHeaders(body, json))).status).toBe(200);
    await slack.waitFor((r) => r.path === '/api/chat.postMessage' && String(r.body.text).includes('Merci'));
    // Slack resends it, freshly signed, with the retry headers
    for (const n of [1, 2]) {
      const headers = { ...slackHeaders(body, { ...json, timestamp: Math.floor(Date.now() / 1000) + n }), 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' };
      expect((await bot.post('/slack/events', body, headers)).status).toBe(200);
    }
    await slashReply('U1', 'aide');
    expect(await ideas()).toBe(before + 1);
  });

  test.each([
    ['6 minutes ahead', 6 * 60],
    ['a year ahead', 365 * 86_400],
  ])('a request signed %s gets 401 and does nothing', async (_name, ahead) => {
    const before = await ideas();
    const body = slashCommandBody({ text: 'idee Signée dans le futur #accueil', user: 'U1', responseUrl: slack.responseUrl(nextId('future')) });
    const res = await bot.post('/slack/events', body, slackHeaders(body, { timestamp: Math.floor(Date.now() / 1000) + ahead }));
    expect(res.status).toBe(401);
    await slashReply('U1', 'aide');
    expect(await ideas()).toBe(before);
  });

  test('4 minutes ahead (clocks drift) is accepted', async () => {
    const id = nextId('drift');
    const body = slashCommandBody({ text: 'aide', user: 'U1', responseUrl: slack.responseUrl(id) });
    expect((await bot.post('/slack/events', body, slackHeaders(body, { timestamp: Math.floor(Date.now() / 1000) + 4 * 60 }))).status).toBe(200);
    await slack.waitForResponse(id);
  });

  describe('malformed payloads are acknowledged at once and answered "not understood"', () => {
    function interaction(payload: unknown): string {
      return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    }
    const who = { user: { id: 'U1', name: 'camille', team_id: 'T1' }, team: { id: 'T1' }, api_app_id: 'A1', token: 'x' };

    test.each([
      ['empty actions', (url: string) => ({ type: 'block_actions', ...who, response_url: url, trigger_id: '1.2.3', actions: [] })],
      ['actions without action_id', (url: string) => ({ type: 'block_actions', ...who, response_url: url, trigger_id: '1.2.4', actions: [{ type: 'button' }] })],
      [
        'state.values null',
        (url: string) => ({ type: 'view_submission', ...who, response_url: url, trigger_id: '1.2.5', view: { id: 'V1', callback_id: 'idea.submit', state: { values: null } } }),
      ],
      ['no user', (url: string) => ({ type: 'block_actions', team: { id: 'T1' }, response_url: url, actions: [{ action_id: 'help.show' }] })],
      ['an unknown type', (url: string) => ({ type: 'no_such_type', ...who, response_url: url })],
    ])('%s', async (_name, build) => {
      const id = nextId('bad');
      const body = interaction(build(slack.responseUrl(id)));
      const res = await bot.post('/slack/events', body, slackHeaders(body));
      expect(res.status).toBe(200);
      const [reply] = await slack.waitForResponse(id);
      expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
      expect(reply.body.text).toContain('Je n’ai pas compris cette demande');
    });

    test('a JSON array as payload, and an event that is not an object, are acknowledged', async () => {
      const body = new URLSearchParams({ payload: '[1,2,3]' }).toString();
      expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);
      const event = JSON.stringify([{ type: 'event_callback' }]);
      expect((await bot.post('/slack/events', event, slackHeaders(event, { contentType: 'application/json' }))).status).toBe(200);
      const notJson = new URLSearchParams({ payload: '{nope' }).toString();
      expect((await bot.post('/slack/events', notJson, slackHeaders(notJson))).status).toBe(200);
      expect(allText((await slashReply('U1', 'aide')).blocks)).toContain('Faire Administration');
    });
  });
});
