import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliverDue, repliesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { PNG } from 'pngjs';

// Microsoft's reference renderer (UMD bundle: see test/unit/cards/adaptive-card.test.ts)
const AC = require('adaptivecards/dist/adaptivecards.js');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_END = Buffer.from('IEND\xaeB`\x82', 'latin1');
import { blockActionBody, eventBody, modalActionBody, slackHeaders, viewSubmissionBody } from '../support/slack-request';
import { messageActivity, TENANT, type TeamsUser } from '../support/teams-activity';
import { settableClock } from '../support/clock';

/** Tuesday 1 December 2026, 10:00 in Paris. */
const START = new Date('2026-12-01T09:00:00Z');
const TEMPLATE = readFileSync(path.join(__dirname, '../../programme/consultations/cinq-ambitions.yaml'), 'utf8');

const SLACK_AGENTS = Array.from({ length: 12 }, (_, i) => `UA${String(i + 1).padStart(2, '0')}`);
const TEAMS_AGENTS: TeamsUser[] = Array.from({ length: 8 }, (_, i) => ({
  id: `29:agent-${i + 1}`,
  aadObjectId: `44444444-4444-4444-8444-${String(i + 1).padStart(12, '0')}`,
  name: `Agent Teams ${i + 1}`,
}));

/** A Slack view state: block_id = action_id = input id. */
const radio = (id: string, value: string) => ({ [id]: { [id]: { type: 'radio_buttons', selected_option: { value } } } });
const select = (id: string, value: string) => ({ [id]: { [id]: { type: 'static_select', selected_option: { value } } } });
const checks = (id: string, values: string[]) => ({ [id]: { [id]: { type: 'checkboxes', selected_options: values.map((value) => ({ value })) } } });
const text = (id: string, value: string) => ({ [id]: { [id]: { type: 'plain_text_input', value } } });
const date = (id: string, value: string) => ({ [id]: { [id]: { type: 'datepicker', selected_date: value } } });
const time = (id: string, value: string) => ({ [id]: { [id]: { type: 'timepicker', selected_time: value } } });

/** An organiser on Teams. */
const TORG: TeamsUser = { id: '29:organiser', aadObjectId: '66666666-6666-4666-8666-666666666666', name: 'Organisatrice Teams' };

const PAGE0 = { 'ans:seance': '0', 'ans:questionnaire': '1' };
const PAGE1 = { 'ans:ambitions.0.0': 'Les guichets ouvrent plus tard #accueil', 'ans:ambitions.1.1': 'Des salles calmes pour le télétravail' };
const PAGE2 = (i: number) => ({ 'ans:roles': '0,3', 'ans:recommandation': String(6 + (i % 5)), 'ans:reactions': 'Plus de télétravail et des outils modernes' });

describe('consultations: a questionnaire from YAML answered on Slack and Teams, anonymously, with reminders and results', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const clock = settableClock(START);
  const { slashReply, click, teamsSay, teamsActCard, teamsAction } = talk(() => ({ bot, slack, teams }));
  const teamsSayCard = async (user: TeamsUser, text: string) => (await teamsSay(user, text)).attachments[0].content;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    for (const u of ['UORG', ...SLACK_AGENTS]) slack.profiles.set(u, { real_name: `Agent ${u}`, locale: 'fr-FR' });
    bot = await startTestBot({
      slackApiUrl: slack.apiUrl,
      programmeFile: programmeWith({ organisers: ['slack:T1/UORG', `teams:${TENANT}/${TORG.aadObjectId}`] }),
      clock,
      background: false,
    });
    for (const u of ['UORG', ...SLACK_AGENTS]) await slashReply(u, 'aide');
    for (const u of TEAMS_AGENTS) await teamsSay(u, 'aide');
  });

  /** A file attached in the Teams personal chat: the bot reads it from its download URL. */
  async function shareOnTeams(user: TeamsUser, name: string, content: string): Promise<string> {
    teams.sharedFiles.set(name, content);
    const before = teams.sent(`a:${user.id}`).length;
    const activity = {
      ...messageActivity(teams.url, user, ''),
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name,
          contentUrl: teams.fileUrl(name),
          content: { downloadUrl: teams.fileUrl(name), fileType: 'yaml' },
        },
      ],
    };
    expect((await bot.post('/api/messages', activity)).status).toBe(200);
    const sent = await teams.waitForSent(`a:${user.id}`, before + 1);
    return allText(sent[before].body);
  }
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  async function shareOnSlack(user: string, name: string, content: string): Promise<string> {
    slack.sharedFiles.set(name, content);
    const before = slack.calls('chat.postMessage').filter((c) => c.body.channel === `D${user}`).length;
    const body = eventBody({
      type: 'message',
      subtype: 'file_share',
      channel_type: 'im',
      channel: `D${user}`,
      user,
      text: '',
      ts: `${Date.now() / 1000}`,
      files: [{ id: 'F1', name, size: content.length, url_private_download: slack.fileUrl(name) }],
    });
    expect((await bot.post('/slack/events', body, slackHeaders(body, { contentType: 'application/json' }))).status).toBe(200);
    const posted = await slack.waitFor((c) => c.path === '/api/chat.postMessage' && c.body.channel === `D${user}`, before + 1);
    return allText(posted[before].body);
  }

  /** A click whose answer is a modal (views.open with the click's trigger): returns the view opened. */
  async function clickModal(user: string, verb: string, data: Record<string, string>): Promise<any> {
    const before = slack.calls('views.open').length;
    const body = blockActionBody({ actionId: verb, value: JSON.stringify(data), user, responseUrl: slack.responseUrl(`m-${user}-${before}`) });
    expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);
    return (await slack.waitForCall('views.open', before + 1))[before].body.view;
  }

  async function submitView(user: string, callbackId: string, metadata: Record<string, string>, values: Record<string, Record<string, unknown>>): Promise<any> {
    const body = viewSubmissionBody({ callbackId, privateMetadata: JSON.stringify(metadata), values, user });
    const res = await bot.post('/slack/events', body, slackHeaders(body));
    expect(res.status).toBe(200);
    return res.body;
  }

  /** A Slack agent's page as a view state. */
  function slackPage(page: number, i: number): Record<string, Record<string, unknown>> {
    if (page === 0) return { ...radio('ans:seance', PAGE0['ans:seance']), ...radio('ans:questionnaire', PAGE0['ans:questionnaire']) };
    if (page === 1) return Object.assign({}, ...Object.entries(PAGE1).map(([k, v]) => text(k, v)));
    const p = PAGE2(i);
    return { ...checks('ans:roles', p['ans:roles'].split(',')), ...select('ans:recommandation', p['ans:recommandation']), ...text('ans:reactions', p['ans:reactions']) };
  }

  let id = 0;

  test('a questionnaire with mistakes is refused, each problem with its line and field; nothing is created', async () => {
    const said = await shareOnSlack(
      'UORG',
      'essai.yaml',
      'title: Essai\nquestions:\n  - type: notation\n    text: Une note\n  - type: grid\n    text: Grille\n    prompts: [Constat]\n',
    );
    expect(said).toContain('ligne 3, questions[0].type');
    expect(said).toContain('type de question inconnu');
    expect(said).toContain('ligne 5, questions[1].items');
    expect(await bot.services.store.consultations.list(10)).toHaveLength(0);
    // an agent's file is not a questionnaire: organisers only
    expect(await shareOnSlack('UA01', 'cinq-ambitions.yaml', TEMPLATE)).toContain('organisateurs');
    // on Teams, an attachment: a closing before the opening, and a file that is not YAML
    const teamsSaid = await shareOnTeams(TORG, 'dates.yaml', 'title: Dates\nopens: 2026-12-10\ncloses: 2026-12-01\nquestions:\n  - type: short\n    text: Un mot\n');
    expect(teamsSaid).toContain('ligne 3, closes');
    expect(teamsSaid).toContain('la clôture doit venir après l’ouverture');
    expect(await shareOnTeams(TORG, 'notes.txt', 'bonjour')).toContain('.yaml');
    expect(await bot.services.store.consultations.list(10)).toHaveLength(0);
  });

  test('the organiser attaches the 5-ambitions questionnaire on Slack: previewed, then launched to everyone', async () => {
    const preview = await shareOnSlack('UORG', 'cinq-ambitions.yaml', TEMPLATE);
    expect(preview).toContain('Aperçu de la consultation n°');
    expect(preview).toContain('Votre avis nous intéresse');
    expect(preview).toContain('Page 2 sur 3');
    const [c] = await bot.services.store.consultations.list(1);
    id = c.id;
    expect(c).toMatchObject({ state: 'draft', anonymous: true });

    // the preview, exactly as respondents see it: the first page, saving nothing
    const opened = await clickModal('UORG', 'consultation.preview.page', { id: String(id), page: '0' });
    expect(allText(opened)).toContain('Avez-vous participé à une séance');
    expect(allText(opened)).toContain('Aperçu : rien n’est enregistré.');

    // a closing before the opening is refused next to its field
    const refused = await submitView(
      'UORG',
      'consultation.launch.submit',
      { id: String(id) },
      { ...select('audience', 'everyone'), ...date('opensDate', '2026-12-05'), ...date('closesDate', '2026-12-04') },
    );
    expect(refused.response_action).toBe('errors');
    expect(JSON.stringify(refused.errors)).toContain('après l’ouverture');
    expect((await bot.services.store.consultations.get(id))?.state).toBe('draft');

    const done = await submitView(
      'UORG',
      'consultation.launch.submit',
      { id: String(id) },
      { ...select('audience', 'everyone'), ...date('closesDate', '2026-12-10'), ...time('closesTime', '17:00'), ...radio('results', 'closed') },
    );
    expect(done?.response_action).toBeUndefined();
    await deliverDue(bot);
    expect((await bot.services.store.consultations.get(id))?.state).toBe('open');
    expect((await bot.services.store.consultations.figures(id)).reached).toBe(22);
    for (const u of SLACK_AGENTS) expect(slack.calls('chat.postMessage').some((c) => c.body.channel === u && allText(c.body).includes('Votre avis nous intéresse'))).toBe(true);
    for (const u of TEAMS_AGENTS)
      expect(teams.sent(`a:${u.id}`).some((r) => allText(r.body).includes('Votre avis nous intéresse') && allText(r.body).includes('consultation.answer'))).toBe(true);
  });

  test('20 agents answer on Slack (modals) and Teams (cards replaced in place), two of them over two sittings; one cannot answer twice', async () => {
    // Slack: « Répondre » opens the first page; « Suivant » updates the modal; the last page sends
    for (const [i, u] of SLACK_AGENTS.slice(0, 10).entries()) {
      expect(allText(await clickModal(u, 'consultation.answer', { id: String(id) }))).toContain('Page 1 sur 3');
      const p1 = await submitView(u, 'consultation.page', { id: String(id), page: '0' }, slackPage(0, i));
      expect(p1.response_action).toBe('update');
      expect(allText(p1.view)).toContain('Page 2 sur 3');
      if (i === 0) continue; // UA01 stops here: a second sitting below
      const p2 = await submitView(u, 'consultation.page', { id: String(id), page: '1' }, slackPage(1, i));
      expect(allText(p2.view)).toContain('Page 3 sur 3');
      const end = await submitView(u, 'consultation.page', { id: String(id), page: '2' }, slackPage(2, i));
      expect(end?.response_action).toBeUndefined();
    }
    // Teams: each page replaces the card
    for (const [i, u] of TEAMS_AGENTS.slice(0, 6).entries()) {
      const first = await teamsActCard(u, 'consultation.answer', { id: String(id) });
      expect(allText(first)).toContain('Page 1 sur 3');
      const second = await teamsActCard(u, 'consultation.page', { id: String(id), page: '0', ...PAGE0 });
      expect(allText(second)).toContain('Page 2 sur 3');
      if (i === 0) continue; // the first Teams agent stops here too
      const third = await teamsActCard(u, 'consultation.page', { id: String(id), page: '1', ...PAGE1 });
      expect(allText(third)).toContain('Page 3 sur 3');
      const thanks = await teamsActCard(u, 'consultation.page', { id: String(id), page: '2', ...PAGE2(i) });
      expect(allText(thanks)).toContain('Merci ! Votre réponse est enregistrée, sans votre nom.');
    }
    await repliesSettled(bot);
    expect(slack.calls('chat.postMessage').some((c) => c.body.channel === 'UA02' && allText(c.body).includes('Merci ! Votre réponse est enregistrée'))).toBe(true);

    // the second sitting: « Répondre » opens where they stopped, with what they saved
    clock.set(new Date('2026-12-02T08:00:00Z'));
    slack.clear();
    expect(allText(await clickModal('UA01', 'consultation.answer', { id: String(id) }))).toContain('Page 2 sur 3');
    // « Précédent » inside the modal: the modal is updated with the first page, as it was saved
    const backBody = modalActionBody({
      actionId: 'consultation.back',
      value: JSON.stringify({ id: String(id), page: '1' }),
      user: 'UA01',
      callbackId: 'consultation.page',
      values: slackPage(1, 0),
    });
    expect((await bot.post('/slack/events', backBody, slackHeaders(backBody))).status).toBe(200);
    const [updated] = await slack.waitForCall('views.update');
    expect(allText(updated.body)).toContain('Page 1 sur 3');
    expect(JSON.stringify(updated.body)).toContain('initial_option');
    await submitView('UA01', 'consultation.page', { id: String(id), page: '1' }, slackPage(1, 0));
    await submitView('UA01', 'consultation.page', { id: String(id), page: '2' }, slackPage(2, 0));
    const back = await teamsActCard(TEAMS_AGENTS[0], 'consultation.answer', { id: String(id) });
    expect(allText(back)).toContain('Page 2 sur 3');
    // « Précédent » goes back to the first page, with the answers saved
    const previous = await teamsActCard(TEAMS_AGENTS[0], 'consultation.back', { id: String(id), page: '1' });
    expect(allText(previous)).toContain('Page 1 sur 3');
    expect(JSON.stringify(previous)).toContain('"value":"0"');
    await teamsActCard(TEAMS_AGENTS[0], 'consultation.page', { id: String(id), page: '0', ...PAGE0 });
    await teamsActCard(TEAMS_AGENTS[0], 'consultation.page', { id: String(id), page: '1', ...PAGE1 });
    await teamsActCard(TEAMS_AGENTS[0], 'consultation.page', { id: String(id), page: '2', ...PAGE2(0) });

    // a second answer is refused, clearly, and changes nothing
    const again = await click('UA02', 'consultation.answer', { id: String(id) });
    expect(allText(again)).toContain('Vous avez déjà répondu');
    const forced = await teamsActCard(TEAMS_AGENTS[1], 'consultation.page', { id: String(id), page: '2', ...PAGE2(1) });
    expect(allText(forced)).toContain('Vous avez déjà répondu');
    expect(await bot.services.store.consultations.figures(id)).toEqual({ reached: 22, started: 0, done: 16 });
    expect(await bot.services.store.consultations.responses(id)).toHaveLength(16);
  });

  test('in the anonymous store no answer row holds a person id, nor a time finer than the day', async () => {
    const db = new DatabaseSync(path.join(bot.dataDir, 'ensemble.db'), { readOnly: true });
    try {
      const rows = JSON.stringify([...db.prepare('SELECT * FROM consultation_answers').all(), ...db.prepare('SELECT * FROM consultation_responses').all()]);
      expect(rows.length).toBeGreaterThan(100);
      for (const u of [...SLACK_AGENTS, ...TEAMS_AGENTS.map((t) => t.aadObjectId), 'slack:', 'teams:', TENANT]) expect(rows).not.toContain(u);
      expect(rows).not.toMatch(/T\d\d:\d\d/);
      const linked = db.prepare("SELECT COUNT(*) AS n FROM consultation_register WHERE state = 'done' AND response_id IS NOT NULL").get() as { n: number };
      expect(linked.n).toBe(0);
    } finally {
      db.close();
    }
  });

  test('reminders 48 h before closing reach only those who have not answered, through their preferences', async () => {
    slack.clear();
    teams.clear();
    clock.set(new Date('2026-12-08T16:00:05Z')); // 10 Dec 17:00 Paris − 48 h
    await deliverDue(bot);
    const reminded = (u: string) => slack.calls('chat.postMessage').filter((c) => c.body.channel === u && allText(c.body).includes('Rappel')).length;
    for (const u of SLACK_AGENTS.slice(0, 10)) expect(reminded(u)).toBe(0);
    for (const u of ['UA11', 'UA12', 'UORG']) expect(reminded(u)).toBe(1);
    const remindedTeams = (u: TeamsUser) => teams.sent(`a:${u.id}`).filter((r) => allText(r.body).includes('Rappel')).length;
    for (const u of TEAMS_AGENTS.slice(0, 6)) expect(remindedTeams(u)).toBe(0);
    for (const u of TEAMS_AGENTS.slice(6)) expect(remindedTeams(u)).toBe(1);
    // ticking again sends nothing twice
    await deliverDue(bot);
    expect(reminded('UA11')).toBe(1);
  });

  test('after closing: answering is refused; the organiser gets the results (rate, counts, NPS, words, per day) and the free texts as CSV', async () => {
    slack.clear();
    clock.set(new Date('2026-12-10T16:00:05Z'));
    await deliverDue(bot);
    expect((await bot.services.store.consultations.get(id))?.state).toBe('closed');
    const late = await click('UA11', 'consultation.answer', { id: String(id) });
    expect(allText(late)).toContain('est close');

    const [results] = slack.calls('chat.postMessage').filter((c) => c.body.channel === 'UORG' && allText(c.body).includes('Résultats'));
    expect(results).toBeDefined();
    const said = allText(results.body);
    expect(said).toContain('16 sur 22 (73 %)');
    expect(said).toContain('16 (100 %)'); // « Non » to the first questionnaire
    expect(said).toContain('NPS');
    expect(said).toContain('télétravail (16)');
    expect(said).toContain('#accueil (16)');
    expect(said).toContain('2026-12-01');
    expect(said).toContain('2026-12-02');
    // breakdowns: Slack has 11 respondents (shown, ≥ 10), Teams 6 (hidden)
    expect(said).toContain('Plateforme slack');
    expect(said).not.toContain('Plateforme teams');

    // the results' charts: on Slack each chart's PNG comes with the message (decodes, sane size); the text says what it shows
    await slack.waitFor((r) => r.path.startsWith('/upload/'));
    const pngs = slack.requests.filter((r) => r.path.startsWith('/upload/')).map((r) => r.bytes.subarray(r.bytes.indexOf(PNG_SIGNATURE)));
    expect(pngs.length).toBeGreaterThanOrEqual(2);
    for (const bytes of pngs) {
      const png = PNG.sync.read(Buffer.from(bytes.subarray(0, bytes.lastIndexOf(PNG_END) + PNG_END.length)));
      expect(png.width).toBeGreaterThanOrEqual(400);
      expect(png.width).toBeLessThanOrEqual(4000);
      expect(png.height).toBeGreaterThanOrEqual(200);
      expect(png.height).toBeLessThanOrEqual(4000);
    }
    const comments = slack.calls('files.completeUploadExternal').map((c) => String(c.body.initial_comment ?? ''));
    expect(comments.join(' ')).toContain('Graphique');
    // on Teams, the same results draw native charts, each with a fallback (the numbers) for clients that draw none
    const teamsCard = await teamsSayCard(TORG, `consultation resultats ${id}`);
    const charts = (teamsCard.body as Array<{ type: string; fallback?: unknown }>).filter((e) => e.type.startsWith('Chart.'));
    expect(charts.length).toBeGreaterThanOrEqual(2);
    for (const c of charts) expect(c.fallback).toMatchObject({ type: 'Container' });
    const parsed = new AC.AdaptiveCard();
    const ctx = new AC.SerializationContext(AC.Versions.v1_5);
    parsed.parse(teamsCard, ctx);
    expect(parsed.getItemCount()).toBeGreaterThan(0);
    slack.clear();

    // an agent cannot see the organiser's breakdowns nor export
    const forbidden = await click('UA02', 'consultation.export', { id: String(id) });
    expect(allText(forbidden)).toContain('organisateurs');
    await click('UORG', 'consultation.export', { id: String(id) });
    await slack.waitForCall('files.completeUploadExternal');
    const upload = slack.requests.find((r) => r.path.startsWith('/upload/'));
    expect(upload?.raw).toContain('Des salles calmes pour le télétravail');
    expect(upload?.raw).not.toContain('UA0');
  });

  test('privacy: a person’s data lists what they were asked, without anonymous answers; forgetting them keeps the anonymous answers', async () => {
    const person = 'slack:T1/UA02';
    const data = (await bot.services.store.consultations.dataOf(person)) as { consultations: Array<Record<string, unknown>> };
    expect(data.consultations).toEqual([{ consultation: id, title: 'Votre avis nous intéresse', anonymous: true, state: 'done' }]);
    const before = (await bot.services.store.consultations.answers(id)).length;
    await bot.services.store.consultations.forget(person);
    expect(await bot.services.store.consultations.registerOf(id, person)).toBeNull();
    expect((await bot.services.store.consultations.answers(id)).length).toBe(before);
    // on Teams, answering an unknown consultation is a clear refusal
    const unknown = await teamsAction(TEAMS_AGENTS[7], 'consultation.answer', { id: '999' });
    expect(allText(unknown.body)).toContain('n°999');
  });
});
