import type { Recorded } from '../support/fake-server';
import { FakeSlack } from '../support/fake-slack';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { blockActionBody, eventBody, slackHeaders, slashCommandBody } from '../support/slack-request';

describe('Slack over HTTP: /slack/events', () => {
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    slack.profiles.set('U1', { real_name: 'Camille Martin', locale: 'fr-FR', email: 'camille@exemple.fr' });
    slack.profiles.set('UEN', { real_name: 'Jo Smith', locale: 'en-GB', email: 'jo@exemple.fr' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, random: () => 0 });
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
  });
  beforeEach(() => slack.clear());

  async function command(text: string, extra: { user?: string; id?: string; headers?: Record<string, string> } = {}) {
    const body = slashCommandBody({ text, user: extra.user, responseUrl: slack.responseUrl(extra.id ?? 'r1') });
    return bot.post('/slack/events', body, extra.headers ?? slackHeaders(body));
  }

  /**
   * A marker: a good command from U1, and its answer. Once the answer is in, whatever an earlier request
   * caused has had its turn. Returns what Slack saw besides the marker's own traffic.
   */
  async function seenBesidesMarker(): Promise<Recorded[]> {
    expect((await command('aide', { user: 'U1', id: 'marker' })).status).toBe(200);
    await slack.waitForResponse('marker');
    return slack.requests.filter((r) => r.path !== '/respond/marker' && !(r.path === '/api/users.info' && r.body?.user === 'U1'));
  }

  test('a signed "/ensemble aide" is acknowledged and the menu reaches the response_url', async () => {
    const res = await command('aide');
    expect(res.status).toBe(200);
    const [reply] = await slack.waitForResponse('r1');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(reply.body.text).toContain('Faire Administration');
    const blocks = reply.body.blocks as Array<{ type: string; text?: { text: string } }>;
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Ensemble · Faire Administration' } });
    const text = allText(blocks);
    expect(text).toContain('Bonjour Camille Martin');
    for (const axis of ['Accompagner les transitions', 'Aller vers les territoires', 'Renforcer notre culture « usager »', 'Soigner notre marque employeur', 'Faire équipe']) {
      expect(text).toContain(axis);
    }
    expect(text).toContain('#sobriété');
    // the person is recorded once, with what Slack told about them
    const person = await bot.services.store.people.get('slack:T1/U1');
    expect(person).toMatchObject({ displayName: 'Camille Martin', email: 'camille@exemple.fr', locale: 'fr' });
    expect(slack.calls('users.info')).toHaveLength(1);
  });

  test('a bare "/ensemble" shows the menu too, without asking Slack for the profile again', async () => {
    const res = await command('');
    expect(res.status).toBe(200);
    const [reply] = await slack.waitForResponse('r1');
    expect(reply.body.blocks[0].text.text).toBe('Ensemble · Faire Administration');
    expect(slack.calls('users.info')).toHaveLength(0);
  });

  test("the menu follows the person's locale", async () => {
    await command('help', { user: 'UEN', id: 'en' });
    const [reply] = await slack.waitForResponse('en');
    expect(allText(reply.body.blocks)).toContain('Hello Jo Smith');
    expect(allText(reply.body.blocks)).toContain('Supporting the transitions');
  });

  test('an unknown subcommand gets a hint, never silence', async () => {
    await command('aied');
    const [reply] = await slack.waitForResponse('r1');
    expect(reply.body.text).toContain('Je ne connais pas « aied »');
    expect(reply.body.text).toContain('Vouliez-vous dire « aide » ?');
    slack.clear();
    await command('xyzzy plugh', { id: 'r2' });
    const [other] = await slack.waitForResponse('r2');
    expect(other.body.text).toContain('« xyzzy »');
    expect(other.body.text).toContain('Tapez « aide »');
  });

  test('a bad signature gets 401 and does nothing', async () => {
    const body = slashCommandBody({ text: 'aide', user: 'UBAD', responseUrl: slack.responseUrl('bad') });
    const res = await bot.post('/slack/events', body, slackHeaders(body, { secret: 'not-the-secret' }));
    expect(res.status).toBe(401);
    expect(await seenBesidesMarker()).toHaveLength(0);
    expect(await bot.services.store.people.get('slack:T1/UBAD')).toBeNull();
  });

  test('a request signed 6 minutes ago gets 401 and does nothing', async () => {
    const body = slashCommandBody({ text: 'aide', user: 'UOLD', responseUrl: slack.responseUrl('old') });
    const res = await bot.post('/slack/events', body, slackHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }));
    expect(res.status).toBe(401);
    expect(await seenBesidesMarker()).toHaveLength(0);
    expect(await bot.services.store.people.get('slack:T1/UOLD')).toBeNull();
  });

  test('an unsigned request gets 401', async () => {
    const body = slashCommandBody({ text: 'aide', user: 'UNONE', responseUrl: slack.responseUrl('none') });
    const res = await bot.post('/slack/events', body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(401);
    expect(await bot.services.store.people.get('slack:T1/UNONE')).toBeNull();
  });

  test('"inspire-moi" and its button give a creative constraint of the programme', async () => {
    await command('inspire-moi');
    const [reply] = await slack.waitForResponse('r1');
    expect(allText(reply.body.blocks)).toContain("Et si c'était un enfant de 8 ans qui proposait une idée ?");

    const body = blockActionBody({ actionId: 'inspire.show', value: '{}', responseUrl: slack.responseUrl('click') });
    const res = await bot.post('/slack/events', body, slackHeaders(body));
    expect(res.status).toBe(200);
    const [clicked] = await slack.waitForResponse('click');
    expect(clicked.body.replace_original).toBe(false);
    expect(allText(clicked.body.blocks)).toContain('enfant de 8 ans');
  });

  test('a button with a malformed value gets a localised error and changes nothing', async () => {
    const body = blockActionBody({ actionId: 'role.mine', value: '{"$ne": null', responseUrl: slack.responseUrl('broken') });
    const res = await bot.post('/slack/events', body, slackHeaders(body));
    expect(res.status).toBe(200);
    const [reply] = await slack.waitForResponse('broken');
    expect(reply.body.text).toContain('Je n’ai pas compris cette demande');
  });

  test('opening the App Home publishes the menu', async () => {
    const body = eventBody({ type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.1' });
    const res = await bot.post('/slack/events', body, slackHeaders(body, { contentType: 'application/json' }));
    expect(res.status).toBe(200);
    const [call] = await slack.waitForCall('views.publish');
    expect(call.body.user_id).toBe('U1');
    const view = typeof call.body.view === 'string' ? JSON.parse(call.body.view) : call.body.view;
    expect(view.type).toBe('home');
    expect(allText(view.blocks)).toContain('Faire équipe');
  });

  test('a direct message to the app is answered like the slash command', async () => {
    const body = eventBody({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'aide', ts: '2.2', event_ts: '2.2' });
    const res = await bot.post('/slack/events', body, slackHeaders(body, { contentType: 'application/json' }));
    expect(res.status).toBe(200);
    const [call] = await slack.waitForCall('chat.postMessage');
    expect(call.body.channel).toBe('D1');
    expect(call.body.text).toContain('Faire Administration');
  });

  test('the Web API is reached through SLACK_API_URL with the bot token', async () => {
    await command('aide', { user: 'UNEW', id: 'tok' });
    await slack.waitForResponse('tok');
    const [info] = slack.calls('users.info');
    expect(info.headers.authorization).toBe('Bearer xoxb-test-token');
  });

  test('GET /healthz reports the store and both platforms', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', store: { ok: true, kind: 'sqlite' }, slack: 'http', teams: 'local' });
  });
});
