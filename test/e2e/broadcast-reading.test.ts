import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { blockActionBody, slackHeaders, viewState, viewSubmissionBody } from '../support/slack-request';
import { messageActivity } from '../support/teams-activity';
import { DEFAULT_PREFERENCES } from '../../src/domain/preferences';

/** A clock that runs like real time but that the test can jump forward. */
function manualClock(start: Date) {
  const realStart = Date.now();
  let offset = 0;
  return { now: () => new Date(start.getTime() + offset + (Date.now() - realStart)), advance: (ms: number) => (offset += ms) };
}

const START = new Date('2026-11-23T09:00:00Z'); // 10:00 in Paris: no quiet hours
const PUBLIC_URL = 'https://ensemble.exemple.fr';
const LINK = 'https://intranet.exemple.fr/note-de-service';
const TEAMS_USERS = [1, 2].map((i) => ({ id: `29:r${i}`, aadObjectId: `5555555${i}-5555-4555-8555-55555555555${i}`, name: `Agent Teams ${i}` }));
const SLACK_USERS = ['UORG', 'U1', 'U2'];

const blocksOf = (body: any): any[] => (typeof body.blocks === 'string' ? JSON.parse(body.blocks) : (body.blocks ?? []));
const buttons = (body: any): any[] => blocksOf(body).flatMap((b: any) => (b.type === 'actions' ? b.elements : []));
const teamsCard = (r: { body: any }) => r.body.attachments[0].content;
const teamsActions = (card: any): any[] => JSON.stringify(card).match(/"type":"Action\.[A-Za-z]+"[^{}]*/g) ?? [];

describe('broadcasts read and clicked: « J’ai lu », counted links, the report, « important »', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slash, slashReply, click, teamsActCard } = talk(() => ({ bot, slack, teams }));
  const clock = manualClock(START);

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    bot = await startTestBot({
      slackApiUrl: slack.apiUrl,
      programmeFile: programmeWith({ organisers: ['slack:T1/UORG'] }),
      clock,
      env: { PUBLIC_URL },
      background: false,
    });
    for (const u of SLACK_USERS) await slash(u, 'aide');
    for (const u of TEAMS_USERS) {
      await bot.post('/api/messages', messageActivity(teams.url, u, 'aide'));
      await teams.waitForSent(`a:${u.id}`);
    }
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  /** The organiser submits the form and confirms the preview; returns the broadcast's number and the preview's text. */
  async function send(values: Record<string, Record<string, unknown>>): Promise<{ id: number; preview: string }> {
    const isPreview = (r: { path: string; body: any }) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && String(r.body.text).includes('Aperçu');
    const before = slack.requests.filter(isPreview).length;
    const body = viewSubmissionBody({ callbackId: 'broadcast.submit', user: 'UORG', values });
    expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);
    const preview = (await slack.waitFor(isPreview, before + 1)).at(-1)!;
    const id = (await bot.services.store.broadcasts.list(1))[0].id;
    const done = await click('UORG', 'broadcast.confirm', { id: String(id) });
    expect(done.text).toContain(`diffusion n°${id}`);
    for (let i = 0; i < 40; i++) {
      await bot.delivery.tick();
      const r = await bot.services.store.outbox.report(`broadcast:${id}`);
      if (r.targeted > 0 && r.pending === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    return { id, preview: allText(blocksOf(preview.body)) };
  }

  const slackGot = (user: string, text: string) => slack.calls('chat.postMessage').filter((c) => c.body.channel === user && JSON.stringify(c.body.blocks ?? '').includes(text));
  const teamsGot = (user: string, text: string) => teams.sent(`a:${user}`).filter((r) => JSON.stringify(r.body).includes(text));

  test('two press « J’ai lu » (one twice), one follows the Teams link through /r/<token>, one clicks the Slack URL button: the report counts 2 and 2', async () => {
    const { id, preview } = await send({
      ...viewState.text('message', 'La **note** sur le télétravail est en ligne.'),
      ...viewState.text('linkLabel', 'Lire la note'),
      ...viewState.text('linkUrl', LINK),
      ...viewState.select('audience', 'everyone'),
      ...viewState.radio('when', 'now'),
      ...viewState.radio('ack', 'counted'),
    });
    expect(preview).toContain('« J’ai lu », compté sans les noms');
    expect(await bot.services.store.outbox.report(`broadcast:${id}`)).toMatchObject({ targeted: 5, sent: 5, pending: 0 });

    // Slack: the organiser's address on the URL button, told to the bot when followed; « J'ai lu »
    const [u1] = slackGot('U1', 'télétravail');
    const [u2] = slackGot('U2', 'télétravail');
    const url2 = buttons(u2.body).find((b) => b.url);
    expect(url2.url).toBe(LINK);
    const ack1 = buttons(u1.body).find((b) => b.action_id === 'broadcast.ack');
    expect(ack1.text.text).toBe('J’ai lu');

    // Teams: the link goes through the bot's own /r/<token>, one token per recipient
    const [t1] = teamsGot(TEAMS_USERS[0].id, 'télétravail');
    const [t2] = teamsGot(TEAMS_USERS[1].id, 'télétravail');
    const urlOf = (r: { body: any }) => {
      const m = JSON.stringify(teamsCard(r)).match(/"url":"(https:\/\/ensemble\.exemple\.fr\/r\/[^"]+)"/);
      if (!m) throw new Error('no counted link in the Teams card');
      return m[1];
    };
    expect(urlOf(t1)).not.toBe(urlOf(t2));
    expect(JSON.stringify(teamsCard(t2))).not.toContain(LINK);
    expect(teamsActions(teamsCard(t1)).join()).toContain('"verb":"broadcast.ack"');

    // « J'ai lu »: U1 twice (counted once; the card says it is noted), Teams 1 once
    const first = await click('U1', 'broadcast.ack', JSON.parse(ack1.value));
    expect(allText(first.blocks)).toContain('Lecture notée, merci.');
    expect(allText(first.blocks)).toContain('Gérer mes notifications');
    expect(buttons(first).some((b) => b.action_id === 'broadcast.ack')).toBe(false);
    expect(first.replace_original).toBe(true);
    const again = await click('U1', 'broadcast.ack', JSON.parse(ack1.value));
    expect(allText(again.blocks)).toContain('Lecture notée, merci.');
    const teamsAck = await teamsActCard(TEAMS_USERS[0], 'broadcast.ack', { id: String(id) });
    expect(allText(teamsAck)).toContain('Lecture notée, merci.');

    // Teams 2 follows the link: a 302 to the organiser's address, twice, counted once
    const token = urlOf(t2).slice(`${PUBLIC_URL}/r/`.length);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${bot.url}/r/${token}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(LINK);
    }

    // U2 clicks the Slack URL button: Slack sends block_actions, the bot counts it and answers nothing
    const body = blockActionBody({ actionId: url2.action_id, value: url2.value, user: 'U2', responseUrl: slack.responseUrl('url-click') });
    expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);

    // forged or unknown tokens: a plain 404, no redirect
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const otherPerson = token.replace(/^(\d+\.\d+\.)[^.]+/, `$1${Buffer.from('slack:T1/U1').toString('base64url')}`);
    for (const bad of [forged, otherPerson, 'nimportequoi', `${id}.0.${encodeURIComponent('https://evil.example')}`]) {
      const res = await fetch(`${bot.url}/r/${bad}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('Ce lien est inconnu ou n’est plus valable.');
    }

    const report = allText((await slashReply('UORG', `diffusion rapport ${id}`)).blocks);
    expect(report).toMatch(/« J’ai lu »\*\n2 · 40 % des envoyés/);
    expect(report).toMatch(/Ont suivi le lien\*\n2 · 40 % des envoyés/);
    expect(report).not.toContain('Exporter les noms');
    expect(report).not.toContain('U1');
    // counted, not named: no names to export
    const refused = await slashReply('UORG', `diffusion lectures ${id}`);
    expect(allText(refused.blocks ?? refused.text)).toContain('ne demande pas d’accusé nominatif');
    expect(slack.requests.filter((r) => r.path.startsWith('/upload/'))).toHaveLength(0);
  });

  test('a named acknowledgement of an « important » notice: recipients are told, it reaches those who turned broadcasts off, the names are exported', async () => {
    const u2 = (await bot.services.store.people.all()).find((p) => p.id === 'slack:T1/U2')!;
    await bot.services.store.preferences.save(u2.id, { ...DEFAULT_PREFERENCES, kinds: { ...DEFAULT_PREFERENCES.kinds, broadcasts: 'off' } }, clock.now());
    const { id, preview } = await send({
      ...viewState.text('message', 'Exercice d’évacuation jeudi à 10 h : [le plan](https://intranet.exemple.fr/plan).'),
      ...viewState.select('audience', 'everyone'),
      ...viewState.radio('when', 'now'),
      ...viewState.radio('ack', 'named'),
      ...viewState.toggle('important', true),
    });
    expect(preview).toContain('Important');
    expect(preview).toContain('« J’ai lu » nominatif');
    expect(await bot.services.store.broadcasts.get(id)).toMatchObject({ important: true, ack: 'named' });
    // « important » goes through « off »: U2 receives it
    const [got] = slackGot('U2', 'évacuation');
    expect(allText(blocksOf(got.body))).toContain('votre nom est enregistré et transmis aux organisateurs');
    expect(allText(blocksOf(got.body))).toContain('*Important*');
    const [t1] = teamsGot(TEAMS_USERS[0].id, 'évacuation');
    expect(allText(teamsCard(t1))).toContain('votre nom est enregistré');

    // the message's own link goes through /r/<token> on Slack too (a text link tells the bot nothing)
    const planLink = JSON.stringify(blocksOf(got.body)).match(/<(https:\/\/ensemble\.exemple\.fr\/r\/[^|>]+)\|le plan>/);
    expect(planLink).not.toBeNull();
    const followed = await fetch(`${bot.url}${planLink![1].slice(PUBLIC_URL.length)}`, { redirect: 'manual' });
    expect(followed.status).toBe(302);
    expect(followed.headers.get('location')).toBe('https://intranet.exemple.fr/plan');

    await click('U2', 'broadcast.ack', { id: String(id) });
    await teamsActCard(TEAMS_USERS[0], 'broadcast.ack', { id: String(id) });
    const report = await slashReply('UORG', `diffusion rapport ${id}`);
    const text = allText(report.blocks);
    expect(text).toMatch(/Important\*\nOui/);
    expect(text).toMatch(/« J’ai lu »\*\n2 · 40 % des envoyés/);
    expect(text).toMatch(/Ont suivi le lien\*\n1 · 20 % des envoyés/);
    const exportButton = buttons(report).find((b) => b.action_id === 'broadcast.acks');
    expect(exportButton).toBeDefined();

    slack.clear();
    await click('UORG', 'broadcast.acks', JSON.parse(exportButton.value)).catch(() => undefined);
    await slack.waitForCall('files.completeUploadExternal');
    const csv = slack.requests.find((r) => r.path.startsWith('/upload/'))!.raw;
    expect(csv).toContain('Personne;E-mail;Plateforme;Lu le');
    expect(csv).toContain('U2;;Slack;');
    expect(csv).toContain('Agent Teams 1;;Teams;');
    expect(csv).not.toContain('UORG');
  });

  test('« J’ai lu » on a broadcast that asks for none, or not sent, is refused and counts nothing', async () => {
    const refused = await click('U1', 'broadcast.ack', { id: '999' });
    expect(allText(refused.blocks ?? refused.text)).toContain('n’est pas encore partie');
    const none = await send({ ...viewState.text('message', 'Simple information.'), ...viewState.select('audience', 'organisers'), ...viewState.radio('when', 'now') });
    const res = await click('UORG', 'broadcast.ack', { id: String(none.id) });
    expect(allText(res.blocks ?? res.text)).toContain('ne demande pas d’accusé de lecture');
    expect(await bot.services.store.broadcasts.reading(none.id)).toEqual({ acknowledged: 0, clickers: 0 });
  });
});
