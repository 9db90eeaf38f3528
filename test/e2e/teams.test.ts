import { FakeTeams } from '../support/fake-teams';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { ANA, BEN, TENANT, cardActionActivity, conversationUpdateActivity, installActivity, messageActivity } from '../support/teams-activity';

const CARD = 'application/vnd.microsoft.card.adaptive';

describe('Teams in local mode: /api/messages', () => {
  let teams: FakeTeams;
  let bot: TestBot;

  beforeAll(async () => {
    teams = await new FakeTeams().start();
    bot = await startTestBot({ random: () => 0.99 });
  });
  afterAll(async () => {
    await bot.close();
    await teams.stop();
  });
  beforeEach(() => teams.clear());

  /**
   * A marker: a direct "aide" from `user`, and its answer. Once the answer is in, whatever an earlier
   * request caused has had its turn; returns the answer, to leave it out of what is checked.
   */
  async function answered(user: typeof ANA, conversationId = `a:${user.id}`) {
    const res = await bot.post('/api/messages', messageActivity(teams.url, user, 'aide', { conversationId }));
    expect(res.status).toBe(200);
    const [reply] = await teams.waitFor(
      (r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/${conversationId}/activities`) && allText(r.body).includes(`Bonjour ${user.name}`),
    );
    return reply;
  }

  test('"aide" in the personal chat gets the menu as an Adaptive Card posted to the serviceUrl', async () => {
    const res = await bot.post('/api/messages', messageActivity(teams.url, ANA, 'aide'));
    expect(res.status).toBe(200);
    const [sent] = await teams.waitForSent(`a:${ANA.id}`);
    expect(sent.method).toBe('POST');
    const activity = sent.body;
    expect(activity.type).toBe('message');
    expect(activity.summary).toContain('Faire Administration');
    expect(activity.attachments).toHaveLength(1);
    expect(activity.attachments[0].contentType).toBe(CARD);
    const card = activity.attachments[0].content;
    expect(card.version).toBe('1.5');
    expect(card.body[0].text).toBe('Ensemble · Faire Administration');
    expect(allText(card)).toContain('Bonjour Ana Teams');
    expect(allText(card)).toContain('#qualitédevieautravail');
    const buttons = card.body.flatMap((b: any) => (b.type === 'ActionSet' ? b.actions : []));
    expect(buttons.map((b: any) => [b.type, b.verb])).toContainEqual(['Action.Execute', 'inspire.show']);
  });

  test('"help" from an English client is answered in English; any other text gets a hint', async () => {
    await bot.post('/api/messages', messageActivity(teams.url, BEN, 'help', { locale: 'en-US' }));
    const [sent] = await teams.waitForSent(`a:${BEN.id}`);
    expect(allText(sent.body)).toContain('Hello Ben Teams');
    teams.clear();
    await bot.post('/api/messages', messageActivity(teams.url, BEN, 'bonjour tout le monde ?!', { locale: 'en-US' }));
    await bot.post('/api/messages', messageActivity(teams.url, BEN, 'quoi de neuf', { locale: 'en-US' }));
    const sentAll = await teams.waitForSent(`a:${BEN.id}`, 2);
    expect(allText(sentAll[1].body)).toContain('I don\'t know "quoi"');
  });

  test('installing the app sends the welcome card once and records the person with a usable conversation reference', async () => {
    const user = { id: '29:new', aadObjectId: '44444444-4444-4444-8444-444444444444', name: 'Nour' };
    const res = await bot.post('/api/messages', installActivity(teams.url, user, { conversationId: 'a:install-1' }));
    expect(res.status).toBe(200);
    await bot.post('/api/messages', conversationUpdateActivity(teams.url, user, { conversationId: 'a:install-1' }));
    const [sent] = await teams.waitForSent('a:install-1');
    expect(allText(sent.body.attachments[0].content)).toContain('Bienvenue dans Faire Administration !');
    // a later message in the same conversation is answered: what the two activities caused came before it
    const marker = await answered(user, 'a:install-1');
    expect(teams.sent('a:install-1').filter((r) => r !== marker)).toHaveLength(1);

    const person = await bot.services.store.people.get(`teams:${TENANT}/${user.aadObjectId}`);
    expect(person).toMatchObject({ displayName: 'Nour', locale: 'fr', platform: 'teams', tenant: TENANT });
    expect(person?.teams).toEqual({
      serviceUrl: `${teams.url}/`,
      conversationId: 'a:install-1',
      userId: '29:new',
      botId: '28:ensemble-bot',
      tenantId: TENANT,
    });

    // the reference is usable: the bot can message the person later, on its own initiative
    teams.clear();
    await bot.teams.proactive.send(person!.teams!, { type: 'message', text: 'bonjour' });
    const proactive = await teams.waitForSent('a:install-1');
    expect(proactive.some((r) => r.body.text === 'bonjour')).toBe(true);
  });

  test('a conversationUpdate adding the bot (clients that send no installationUpdate) also welcomes', async () => {
    await bot.post('/api/messages', conversationUpdateActivity(teams.url, ANA, { conversationId: 'a:cu-only' }));
    const [sent] = await teams.waitForSent('a:cu-only');
    expect(allText(sent.body)).toContain('Bienvenue');
  });

  test('a card button (Action.Execute) is answered and the invoke gets a 200 response', async () => {
    const res = await bot.post('/api/messages', cardActionActivity(teams.url, ANA, 'inspire.show'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    const [sent] = await teams.waitForSent(`a:${ANA.id}`);
    expect(allText(sent.body)).toContain('Et si elle devait fonctionner dans la commune la plus éloignée du siège ?');
  });

  test("an older client's Action.Submit (message with value) is handled like the button", async () => {
    const activity = { ...messageActivity(teams.url, ANA, ''), value: { verb: 'role.mine' } };
    await bot.post('/api/messages', activity);
    const [sent] = await teams.waitForSent(`a:${ANA.id}`);
    expect(allText(sent.body)).toContain('Vos rôles : agent (aucun rôle particulier).');
  });

  test('an invalid verb in a card action gets a localised error', async () => {
    await bot.post('/api/messages', cardActionActivity(teams.url, ANA, '{"$ne": null}'));
    const [sent] = await teams.waitForSent(`a:${ANA.id}`);
    expect(allText(sent.body)).toContain('Je n’ai pas compris cette demande');
  });

  test('something that is not an activity gets 400 and is not recorded', async () => {
    const before = await bot.services.store.people.count();
    const res = await bot.post('/api/messages', { type: 'message', text: 'aide' });
    expect(res.status).toBe(400);
    const broken = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(broken.status).toBe(400);
    expect(await bot.services.store.people.count()).toBe(before);
  });

  test('local mode refuses requests that came through a proxy', async () => {
    const res = await bot.post('/api/messages', messageActivity(teams.url, ANA, 'aide'), { 'x-forwarded-for': '203.0.113.9' });
    expect(res.status).toBe(403);
    const marker = await answered(ANA);
    expect(teams.requests.filter((r) => r !== marker)).toHaveLength(0);
  });
});

describe('Teams with credentials (TEAMS_CLIENT_ID set)', () => {
  let teams: FakeTeams;
  let bot: TestBot;

  beforeAll(async () => {
    teams = await new FakeTeams().start();
    bot = await startTestBot({
      env: {
        TEAMS_CLIENT_ID: '55555555-5555-4555-8555-555555555555',
        TEAMS_CLIENT_SECRET: 'secret-value',
        TEAMS_TENANT_ID: TENANT,
      },
    });
  });
  afterAll(async () => {
    await bot.close();
    await teams.stop();
  });

  test('an activity without a token gets 401 and nothing is sent or recorded', async () => {
    const res = await bot.post('/api/messages', messageActivity(teams.url, ANA, 'aide'));
    expect(res.status).toBe(401);
    // No marker can get through without a real token; none is needed: the route awaits the SDK, which
    // refuses before the activity reaches the app, so nothing runs behind a 401 (as in the next test).
    expect(teams.requests).toHaveLength(0);
    expect(await bot.services.store.people.count()).toBe(0);
  });

  test('an activity with a forged token gets 401', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'nope' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ aud: '55555555-5555-4555-8555-555555555555', iss: 'https://api.botframework.com', exp: 9999999999 })).toString('base64url');
    const res = await bot.post('/api/messages', messageActivity(teams.url, ANA, 'aide'), { authorization: `Bearer ${header}.${payload}.c2lnbmF0dXJl` });
    expect(res.status).toBe(401);
    expect(teams.requests).toHaveLength(0);
    const garbage = await bot.post('/api/messages', messageActivity(teams.url, ANA, 'aide'), { authorization: 'Bearer not-a-jwt' });
    expect(garbage.status).toBe(401);
    expect(await bot.services.store.people.count()).toBe(0);
  });

  test('requests from elsewhere are not refused by the loopback rule when authenticated', async () => {
    const res = await bot.post('/api/messages', messageActivity(teams.url, ANA, 'aide'), { 'x-forwarded-for': '203.0.113.9' });
    expect(res.status).toBe(401); // token checked, not the address
  });
});
