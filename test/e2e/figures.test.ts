import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { parse, stringify } from 'yaml';
import { settableClock } from '../support/clock';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliverDue, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { ANA, TENANT } from '../support/teams-activity';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_END = Buffer.from('IEND\xaeB`\x82', 'latin1');
const PUBLIC_URL = 'https://ensemble.exemple.fr';

/**
 * `/ensemble chiffres` as a dashboard: organisers get the programme's figures as charts (Slack: the PNG with
 * the message and the numbers as text; Teams: native charts with a fallback), a pilot their axis's, an agent
 * the most supported ideas only.
 */
describe('the programme’s figures as charts', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashReply, teamsSay } = talk(() => ({ bot, slack, teams }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    bot = await startTestBot({
      slackApiUrl: slack.apiUrl,
      programmeFile: programmeWith({ organisers: ['slack:T1/UORG', `teams:${TENANT}/${ANA.aadObjectId}`], pilots: { usager: ['slack:T1/UPIL'] } }),
      background: false,
      env: { PUBLIC_URL },
    });
    await slashReply('U1', 'idee Un guichet unique pour les nouveaux agents #usager');
    await slashReply('U2', 'idee Des salles de réunion réservables en ligne #usager');
    await slashReply('U2', 'idee Un tri des déchets dans chaque étage #transitions');
    await slashReply('U1', 'soutenir 2');
    await deliverDue(bot);
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  test('an organiser on Slack: the dashboard, its numbers as text, and the first chart as a PNG that decodes', async () => {
    const reply = await slashReply('UORG', 'chiffres');
    const text = allText(reply.blocks);
    expect(text).toContain('Idées par axe et par statut');
    expect(text).toContain('Personnes actives cette semaine');
    expect(text).toContain('3 sur 3'); // U1, U2 and UORG have written (the pilot UPIL not yet)
    const [upload] = await slack.waitFor((r) => r.path.startsWith('/upload/'));
    const bytes = upload.bytes.subarray(upload.bytes.indexOf(PNG_SIGNATURE));
    const png = PNG.sync.read(Buffer.from(bytes.subarray(0, bytes.lastIndexOf(PNG_END) + PNG_END.length)));
    expect(png.width).toBeGreaterThanOrEqual(400);
    expect(png.height).toBeGreaterThanOrEqual(200);
    const [done] = await slack.waitForCall('files.completeUploadExternal');
    expect(String(done.body.initial_comment)).toContain('Idées par axe et par statut');
  });

  test('an organiser on Teams: native charts, each with a fallback carrying the numbers', async () => {
    const sent = await teamsSay(ANA, 'chiffres');
    const card = sent.attachments[0].content;
    const charts = (card.body as Array<{ type: string; fallback?: { items?: Array<{ type: string }> } }>).filter((e) => e.type.startsWith('Chart.'));
    expect(charts.map((c) => c.type)).toContain('Chart.VerticalBar.Grouped');
    for (const c of charts) expect(c.fallback?.items?.some((i) => i.type === 'FactSet')).toBe(true);
    // the fallback's image is the same chart as a PNG, drawn by the bot at the address it signed
    const image = (charts[0].fallback?.items ?? []).find((i) => i.type === 'Image') as { url: string } | undefined;
    expect(image?.url.startsWith(`${PUBLIC_URL}/c/`)).toBe(true);
    const got = await fetch(`${bot.url}${image!.url.slice(PUBLIC_URL.length)}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toContain('image/png');
    const png = PNG.sync.read(Buffer.from(await got.arrayBuffer()));
    expect(png.width).toBeGreaterThanOrEqual(400);
    // a forged address draws nothing
    const path = image!.url.slice(PUBLIC_URL.length);
    const forged = `${path.slice(0, -6)}${path.at(-5) === 'A' ? 'B' : 'A'}.png`;
    expect((await fetch(`${bot.url}${forged}`)).status).toBe(404);
  });

  test('a pilot sees their axis; an agent gets the most supported ideas, without the dashboard', async () => {
    const pilot = allText((await slashReply('UPIL', 'chiffres')).blocks);
    expect(pilot).toContain('Idées par axe et par statut');
    expect(pilot).not.toContain('Personnes actives');
    const agent = allText((await slashReply('U2', 'chiffres')).blocks);
    expect(agent).not.toContain('Idées par axe et par statut');
    expect(agent).toContain('Un guichet unique');
  });
});

describe('the weekly figures post to the organisers’ channel', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  // Tuesday 1 December 2026, 10:00 in Paris; the post is due on Monday 7 December, 09:00
  const clock = settableClock(new Date('2026-12-01T09:00:00Z'));
  const { slashReply } = talk(() => ({ bot, slack, teams }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    const programmeFile = programmeWith({ organisers: ['slack:T1/UORG'] });
    const doc = parse(readFileSync(programmeFile, 'utf8'));
    doc.figuresPost = { day: 'monday', time: '09:00', channel: { slack: 'CLAB' } };
    writeFileSync(programmeFile, stringify(doc));
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile, clock, background: false });
    await slashReply('U1', 'idee Un guichet unique pour les nouveaux agents #usager');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  const posts = () => slack.calls('chat.postMessage').filter((c) => c.body.channel === 'CLAB' && allText(c.body).includes('Les chiffres de la semaine'));

  test('nothing before Monday 09:00; then one post with its chart, once, and the next one planned', async () => {
    clock.set(new Date('2026-12-07T07:59:00Z'));
    await deliverDue(bot);
    expect(posts()).toHaveLength(0);
    clock.set(new Date('2026-12-07T08:00:30Z'));
    await deliverDue(bot);
    await deliverDue(bot);
    expect(posts()).toHaveLength(1);
    expect(allText(posts()[0].body)).toContain('Idées par axe et par statut');
    await slack.waitFor((r) => r.path.startsWith('/upload/'));
    clock.set(new Date('2026-12-07T12:00:00Z'));
    await deliverDue(bot);
    expect(posts()).toHaveLength(1);
    const planned = (await bot.services.store.jobs.forRef('figures-post')).filter((j) => j.state === 'pending');
    expect(planned.map((j) => j.dueAt.toISOString())).toEqual(['2026-12-14T08:00:00.000Z']);
  });
});
