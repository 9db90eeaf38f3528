import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliveriesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { slackHeaders, viewState, viewSubmissionBody } from '../support/slack-request';
import { ANA, BEN, conversationUpdateActivity, installActivity, TENANT } from '../support/teams-activity';

/** A clock that runs like real time but that the test can jump forward. */
function manualClock(start: Date) {
  const realStart = Date.now();
  let offset = 0;
  return { now: () => new Date(start.getTime() + offset + (Date.now() - realStart)), advance: (ms: number) => (offset += ms) };
}

const START = new Date('2026-11-23T08:00:00Z');
const SLACK_CHANNEL = 'CAXEUSAGER';
const TEAMS_CHANNEL = '19:axe-usager@thread.tacv2';
const DAY = 86_400_000;

/** Following an axis and its pilot's updates (points d'étape), through the real endpoints of both platforms. */
describe('axes: follow an axis, the pilot posts updates, 👏 and questions, corrections in place', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const clock = manualClock(START);
  const { slash, slashReply, click, teamsSay, teamsActCard } = talk(() => ({ bot, slack, teams }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    // Ana (Teams) pilots the axis « usager »; the axis has a channel on each platform
    const programmeFile = programmeWith({ organisers: ['slack:T1/UORG'], pilots: { usager: [`teams:${TENANT}/${ANA.aadObjectId}`] } });
    const doc = parse(readFileSync(programmeFile, 'utf8'));
    doc.axes.find((a: { id: string }) => a.id === 'usager').channel = { slack: SLACK_CHANNEL, teams: TEAMS_CHANNEL };
    writeFileSync(programmeFile, stringify(doc));
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile, clock, background: true });
    for (const u of ['U1', 'UORG']) await slash(u, 'aide');
    for (const u of [ANA, BEN]) await teamsSay(u, 'aide');
    // the bot is added to the team of the axis channel: it learns where to post there
    const added = conversationUpdateActivity(teams.url, ANA, { conversationId: TEAMS_CHANNEL });
    const inChannel = {
      ...added,
      conversation: { id: TEAMS_CHANNEL, conversationType: 'channel', tenantId: TENANT },
      channelData: { tenant: { id: TENANT }, channel: { id: TEAMS_CHANNEL } },
    };
    expect((await bot.post('/api/messages', inChannel)).status).toBe(200);
    await teams.waitForSent(TEAMS_CHANNEL);
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  const slackGot = (channel: string, text: string) =>
    slack.calls('chat.postMessage').filter((c) => c.body.channel === channel && (String(c.body.text).includes(text) || allText(c.body.blocks).includes(text)));
  const teamsGot = (conversation: string, text: string) => teams.sent(conversation).filter((r) => r.method === 'POST' && allText(r.body).includes(text));
  /** The draft id a « Publier » button carries (in a card, or in Block Kit where button values are JSON text). */
  const draftOf = (card: unknown) => /draft\\*"\s*:\s*\\*"([^"\\]+)/.exec(typeof card === 'string' ? card : JSON.stringify(card))?.[1];

  let first = 0;

  test('a Slack agent follows through the axis card (twice is once), a Teams agent through the welcome card', async () => {
    const card = await slashReply('U1', 'axe usager');
    expect(allText(card.blocks)).toContain('Suivre');
    expect(allText(card.blocks)).toContain('0 abonné');
    const followed = await click('U1', 'axis.follow', { axis: 'usager' });
    expect(followed.replace_original).toBe(true);
    expect(allText(followed.blocks)).toContain('Ne plus suivre');
    expect(allText(followed.blocks)).toContain('1 abonné');
    const again = await click('U1', 'axis.follow', { axis: 'usager' });
    expect(allText(again.blocks)).toContain('1 abonné');

    // the menu of axes, for a word that matches none
    const menu = await slashReply('U1', 'axe jardinage');
    expect(allText(menu.blocks)).toContain('Je ne connais pas l’axe « jardinage »');

    // the welcome card asks which axes interest the person, one button per axis
    const before = teams.sent(`a:${BEN.id}`).length;
    await bot.post('/api/messages', installActivity(teams.url, BEN));
    const [, welcome] = [before, (await teams.waitForSent(`a:${BEN.id}`, before + 1)).at(-1)];
    expect(allText(welcome?.body)).toContain('Quels axes vous intéressent');
    expect(JSON.stringify(welcome?.body)).toContain('axis.follow');
    await teamsActCard(BEN, 'axis.follow', { axis: 'usager', from: 'welcome' });
    expect(await bot.services.store.follows.followers('usager')).toEqual(['slack:T1/U1', `teams:${TENANT}/${BEN.aadObjectId}`]);
  });

  test('a non-pilot is refused, and bad input is refused next to its field with nothing stored', async () => {
    expect(allText((await slashReply('U1', 'point')).blocks)).toContain('Vous ne pilotez aucun axe');
    expect(allText((await click('U1', 'axis.updateOpen', { axis: 'usager' })).blocks)).toContain('Seuls les pilotes de l’axe');
    const cases: Array<[Record<string, string>, string]> = [
      [{ status: 'on_track', progress: '150', done: 'Fait' }, 'entre 0 et 100'],
      [{ status: 'on_track', progress: 'beaucoup', done: 'Fait' }, 'entre 0 et 100'],
      [{ status: 'on_track', done: '' }, 'Dites ce qui a été fait'],
      [{ status: 'on_track', done: 'Fait', link: 'javascript:alert(1)' }, 'https://'],
    ];
    for (const [values, message] of cases) {
      const form = await teamsActCard(ANA, 'axis.updatePreview', { axis: 'usager', ...values });
      expect(allText(form)).toContain(message);
    }
    expect(await bot.services.store.axisUpdates.history('usager', 10)).toEqual([]);
  });

  test('the pilot posts from Teams: preview, publish; each follower gets it once, the axis channels too, not the pilot', async () => {
    const form = await teamsSay(ANA, 'point');
    expect(allText(form.attachments[0].content)).toContain('Ce qui a été fait');
    const preview = await teamsActCard(ANA, 'axis.updatePreview', {
      axis: 'usager',
      status: 'at_risk',
      progress: '40',
      done: 'Trois ateliers avec les agents d’accueil.',
      next: 'Synthèse en janvier.',
      link: 'https://intranet.exemple.fr/usager',
    });
    expect(allText(preview)).toContain('ses 2 abonnés');
    const draft = draftOf(preview);
    expect(draft).toBeDefined();
    // nothing sent before « Publier »
    await deliveriesSettled(bot);
    expect(slackGot('U1', 'Trois ateliers')).toHaveLength(0);

    const published = await teamsActCard(ANA, 'axis.publish', { draft: draft! });
    expect(allText(published)).toContain('envoyé au canal de l’axe et à 2 abonnés');
    // pressing « Publier » again publishes nothing more
    expect(await teamsActCard(ANA, 'axis.publish', { draft: draft! })).toBeUndefined();
    await teams.waitFor((r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/a:${ANA.id}/activities`) && allText(r.body).includes('déjà été publié'));
    await deliveriesSettled(bot);
    [first] = (await bot.services.store.axisUpdates.history('usager', 1)).map((u) => u.id);

    expect(slackGot('U1', 'Trois ateliers')).toHaveLength(1);
    expect(teamsGot(`a:${BEN.id}`, 'Trois ateliers')).toHaveLength(1);
    expect(slackGot(SLACK_CHANNEL, 'Trois ateliers')).toHaveLength(1);
    expect(teamsGot(TEAMS_CHANNEL, 'Trois ateliers')).toHaveLength(1);
    expect(teamsGot(`a:${ANA.id}`, 'Trois ateliers')).toHaveLength(0);
    expect(allText(slackGot('U1', 'Trois ateliers')[0].body.blocks)).toContain('À risque');
    expect(await bot.services.store.axisUpdates.history('usager', 10)).toHaveLength(1);
  });

  test('👏 pressed twice counts once; a question reaches the pilot, and the answer the asker', async () => {
    const one = await click('U1', 'axis.applaud', { id: String(first) });
    expect(allText(one.blocks)).toContain('👏 1');
    const two = await click('U1', 'axis.applaud', { id: String(first) });
    expect(allText(two.blocks)).toContain('👏 1');
    expect((await bot.services.store.axisUpdates.get(first))?.reactions).toBe(1);

    const asked = await teamsActCard(BEN, 'axis.askSubmit', { id: String(first), question: 'Quand aura lieu la synthèse ?' });
    expect(allText(asked)).toContain('transmise aux pilotes');
    const [toPilot] = await teams.waitFor((r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/a:${ANA.id}/activities`) && allText(r.body).includes('Quand aura lieu'));
    expect(JSON.stringify(toPilot.body)).toContain('axis.answer');
    const q = /"q":"(\d+)"/.exec(JSON.stringify(toPilot.body))![1];
    const answered = await teamsActCard(ANA, 'axis.answerSubmit', { q, answer: 'Le 15 janvier, en salle du conseil.' });
    expect(allText(answered)).toContain('Votre réponse a été envoyée');
    const [toAsker] = await teams.waitFor((r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/a:${BEN.id}/activities`) && allText(r.body).includes('Le 15 janvier'));
    expect(allText(toAsker.body)).toContain('Quand aura lieu la synthèse');

    // the pilot's view: delivered, 👏, questions
    await deliveriesSettled(bot);
    const history = await teamsSay(ANA, 'axe usager historique');
    const text = allText(history.attachments[0].content);
    expect(text).toContain('Remis à 2 abonné(s) sur 2');
    expect(text).toContain('👏 1');
    expect(text).toContain('Questions : 1');
  });

  test('a second update the next day reaches the channels but not the followers', async () => {
    clock.advance(DAY);
    const preview = await teamsActCard(ANA, 'axis.updatePreview', { axis: 'usager', status: 'on_track', done: 'Un quatrième atelier au guichet.' });
    expect(allText(preview)).toContain('au canal de l’axe et au résumé seulement');
    const published = await teamsActCard(ANA, 'axis.publish', { draft: draftOf(preview)! });
    expect(allText(published)).toContain('au canal de l’axe et au résumé seulement');
    await deliveriesSettled(bot);
    expect(slackGot(SLACK_CHANNEL, 'quatrième atelier')).toHaveLength(1);
    expect(teamsGot(TEAMS_CHANNEL, 'quatrième atelier')).toHaveLength(1);
    expect(slackGot('U1', 'quatrième atelier')).toHaveLength(0);
    expect(teamsGot(`a:${BEN.id}`, 'quatrième atelier')).toHaveLength(0);
  });

  test('an organiser may send a further one to the followers anyway; the preview says so', async () => {
    const body = viewSubmissionBody({
      callbackId: 'axis.updatePreview',
      user: 'UORG',
      values: { ...viewState.radio('status', 'blocked'), ...viewState.text('done', 'Le local des ateliers est fermé.') },
      privateMetadata: JSON.stringify({ axis: 'usager' }),
    });
    expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && allText(r.body.blocks).includes('Le local des ateliers'));
    const text = allText(preview.body.blocks);
    expect(text).toContain('au canal de l’axe et au résumé seulement');
    expect(text).toContain('Envoyer quand même aux abonnés');
    const draft = draftOf(preview.body.blocks)!;
    const sent = await click('UORG', 'axis.publish', { draft, override: '1' });
    expect(allText(sent.blocks)).toContain('envoyé au canal de l’axe et à 2 abonnés');
    await deliveriesSettled(bot);
    expect(slackGot('U1', 'Le local des ateliers')).toHaveLength(1);
    expect(teamsGot(`a:${BEN.id}`, 'Le local des ateliers')).toHaveLength(1);
  });

  test('a correction edits the channel messages in place, and followers are not told again', async () => {
    // the ts Slack gave the channel post was kept
    const ts = (await bot.services.store.axisUpdates.posts(first)).find((p) => p.platform === 'slack')?.messageId;
    expect(ts).toBeDefined();
    const corrected = await teamsActCard(ANA, 'axis.correctSubmit', {
      id: String(first),
      status: 'at_risk',
      progress: '45',
      done: 'Quatre ateliers avec les agents d’accueil.',
      next: 'Synthèse en janvier.',
    });
    expect(allText(corrected)).toContain('corrigé');
    await deliveriesSettled(bot);
    const [update] = slack.calls('chat.update');
    expect(update.body.channel).toBe(SLACK_CHANNEL);
    expect(update.body.ts).toBe(ts);
    expect(allText(update.body.blocks)).toContain('Quatre ateliers');
    const teamsId = (await bot.services.store.axisUpdates.posts(first)).find((p) => p.platform === 'teams')?.messageId;
    const put = teams.requests.filter((r) => r.method === 'PUT' && decodeURIComponent(r.path) === `/v3/conversations/${TEAMS_CHANNEL}/activities/${teamsId}`);
    expect(put).toHaveLength(1);
    expect(allText(put[0].body)).toContain('Quatre ateliers');
    // no new message anywhere
    expect(slackGot(SLACK_CHANNEL, 'Quatre ateliers')).toHaveLength(0);
    expect(slackGot('U1', 'Quatre ateliers')).toHaveLength(0);
    expect(teamsGot(`a:${BEN.id}`, 'Quatre ateliers')).toHaveLength(0);
    // someone else cannot correct it
    const refused = await click('U1', 'axis.correct', { id: String(first) });
    expect(allText(refused.blocks)).toContain('Seuls l’auteur du point d’étape et les organisateurs');
  });

  test('a new pilot follows their axis; « Suivre l’axe » on an idea’s card follows its axis', async () => {
    await slash('U2', 'aide');
    expect(await bot.services.store.follows.axesOf('slack:T1/U2')).toEqual([]);
    await slashReply('UORG', 'role ajouter <@U2|bob> pilote usager');
    expect(await bot.services.store.follows.axesOf('slack:T1/U2')).toEqual(['usager']);

    await slashReply('UORG', 'idee Un guichet numérique unique #recrutement');
    const [idea] = (await bot.services.store.ideas.all()).slice(-1);
    const card = await slashReply('UORG', `voir ${idea.id}`);
    expect(JSON.stringify(card.blocks)).toContain('axis.follow');
    const followed = await click('UORG', 'axis.follow', { axis: idea.axisId, from: 'idea' });
    expect(followed.replace_original).not.toBe(true); // the idea's card stays
    expect(allText(followed.blocks)).toContain('vous suivez l’axe');
    expect(await bot.services.store.follows.axesOf('slack:T1/UORG')).toEqual([idea.axisId]);
  });

  test('an axis broadcast now reaches the axis followers too', async () => {
    const recipients = await bot.services.broadcasts.recipients({ kind: 'axis', axisId: 'usager' });
    const people = recipients.flatMap((r) => (r.kind === 'person' ? [r.person.id] : []));
    expect(people.sort()).toEqual([`teams:${TENANT}/${ANA.aadObjectId}`, `teams:${TENANT}/${BEN.aadObjectId}`, 'slack:T1/U1', 'slack:T1/U2'].sort());
  });
});
