import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliverDue, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { ANA, BEN, TENANT, type TeamsUser } from '../support/teams-activity';
import { settableClock } from '../support/clock';

const SLACK_CHANNEL = 'CAXEUSAGER';
/** Tuesday 1 December 2026, 10:00 in Paris (UTC+1). */
const START = new Date('2026-12-01T09:00:00Z');
const at = (iso: string) => new Date(iso);

/**
 * Axis life end to end, through the real endpoints of both platforms with a driven clock: a Slack agent and a
 * Teams agent follow an axis, its pilot posts from Teams at 22:00 (the Teams agent's quiet hours: it reaches
 * them at 08:00), a second update the next day reaches the channel only, the weekly digest goes to each
 * follower once, grouped, and to nobody with nothing new; pilots of an axis without updates are prompted,
 * except the one away, and reminded once.
 */
describe('axis life: updates, quiet hours, the weekly digest, prompts to pilots', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const clock = settableClock(START);
  const { slashReply, click, teamsSay, teamsActCard } = talk(() => ({ bot, slack, teams }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    for (const u of ['U1', 'U2', 'U3', 'U4', 'UPIL', 'UAWAY']) slack.profiles.set(u, { real_name: `Agent ${u}`, locale: 'fr-FR' });
    const programmeFile = programmeWith({
      pilots: { usager: [`teams:${TENANT}/${ANA.aadObjectId}`], transitions: ['slack:T1/UPIL', 'slack:T1/UAWAY'] },
    });
    const doc = parse(readFileSync(programmeFile, 'utf8'));
    doc.axes.find((a: { id: string }) => a.id === 'usager').channel = { slack: SLACK_CHANNEL };
    writeFileSync(programmeFile, stringify(doc));
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile, clock, background: false });
    for (const u of ['U1', 'U2', 'U3', 'U4', 'UPIL', 'UAWAY']) await slashReply(u, 'aide');
    for (const u of [ANA, BEN]) await teamsSay(u, 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  const toSlack = (user: string, text: string) => slack.calls('chat.postMessage').filter((c) => c.body.channel === user && allText(c.body).includes(text));
  const toTeams = (user: TeamsUser, text: string) => teams.sent(`a:${user.id}`).filter((r) => r.method === 'POST' && allText(r.body).includes(text));
  const draftOf = (card: unknown) => /draft\\*"\s*:\s*\\*"([^"\\]+)/.exec(JSON.stringify(card))?.[1] as string;

  async function publishFromTeams(done: string) {
    const preview = await teamsActCard(ANA, 'axis.updatePreview', { axis: 'usager', status: 'on_track', progress: '30', done, next: 'La suite en janvier.' });
    await teamsActCard(ANA, 'axis.publish', { draft: draftOf(preview) });
  }

  test('a Slack agent and a Teams agent follow « usager »; the Teams agent sets quiet hours 19:00–08:00', async () => {
    await click('U1', 'axis.follow', { axis: 'usager' });
    await teamsActCard(BEN, 'axis.follow', { axis: 'usager' });
    // U2 follows an axis that will have nothing new; U3 follows nothing
    await click('U2', 'axis.follow', { axis: 'equipe' });
    await click('U4', 'axis.follow', { axis: 'equipe' });
    const saved = await teamsActCard(BEN, 'preferences.submit', {
      language: 'platform',
      axisUpdates: 'now',
      ideaNews: 'now',
      eventReminders: 'now',
      broadcasts: 'now',
      digest: 'weekly',
      quietFrom: '19:00',
      quietTo: '08:00',
      quietWeekends: 'false',
      pauseUntil: '',
    });
    expect(allText(saved)).toContain('19:00');
    expect(await bot.services.store.follows.followers('usager')).toHaveLength(2);
  });

  test('posted from Teams at 22:00: the Slack follower and the channel get it at once, the Teams follower at 08:00, each once', async () => {
    clock.set(at('2026-12-01T21:00:00Z')); // 22:00 in Paris
    await publishFromTeams('Trois ateliers avec les agents d’accueil.');
    await deliverDue(bot);
    expect(toSlack('U1', 'Trois ateliers')).toHaveLength(1);
    expect(toSlack(SLACK_CHANNEL, 'Trois ateliers')).toHaveLength(1);
    expect(toTeams(BEN, 'Trois ateliers')).toHaveLength(0);

    clock.set(at('2026-12-02T06:59:00Z')); // 07:59
    await deliverDue(bot);
    expect(toTeams(BEN, 'Trois ateliers')).toHaveLength(0);
    clock.set(at('2026-12-02T07:00:10Z')); // 08:00:10
    await deliverDue(bot);
    expect(toTeams(BEN, 'Trois ateliers')).toHaveLength(1);
    clock.set(at('2026-12-02T09:00:00Z'));
    await deliverDue(bot);
    expect(toTeams(BEN, 'Trois ateliers')).toHaveLength(1);
    expect(toSlack('U1', 'Trois ateliers')).toHaveLength(1);
  });

  test('a second update the next day reaches the channel, not the followers', async () => {
    clock.set(at('2026-12-02T14:00:00Z'));
    await publishFromTeams('Synthèse des ateliers partagée avec la direction.');
    clock.set(at('2026-12-03T09:00:00Z')); // past the Teams follower's quiet hours too
    await deliverDue(bot);
    expect(toSlack(SLACK_CHANNEL, 'Synthèse des ateliers')).toHaveLength(1);
    expect(toSlack('U1', 'Synthèse des ateliers')).toHaveLength(0);
    expect(toTeams(BEN, 'Synthèse des ateliers')).toHaveLength(0);
  });

  test('the weekly digest on Monday 09:00: each follower once, grouped by axis, both updates; nobody with nothing new', async () => {
    // an idea of the axis, proposed this week, and one U3 supports whose status changes
    await slashReply('U2', 'idee Un guichet unique pour l’accueil des nouveaux agents #usager');
    await slashReply('U2', 'idee Des salles de réunion réservables en ligne #usager');
    await slashReply('U3', 'soutenir 2');
    await teamsSay(ANA, 'statut 2 retenue Bravo, on la teste.');
    await deliverDue(bot);
    slack.clear();
    teams.clear();

    clock.set(at('2026-12-07T07:59:00Z')); // Monday 08:59
    await deliverDue(bot);
    expect(toSlack('U1', 'Votre résumé de la semaine')).toHaveLength(0);

    clock.set(at('2026-12-07T08:00:05Z')); // Monday 09:00
    await deliverDue(bot);
    const [u1] = toSlack('U1', 'Votre résumé de la semaine');
    expect(u1).toBeDefined();
    const text = allText(u1.body);
    expect(text).toContain('Renforcer notre culture « usager »');
    expect(text).toContain('Du lun. 30 nov. au dim. 6 déc.');
    expect(text).toContain('Trois ateliers');
    expect(text).toContain('Synthèse des ateliers');
    // newest first within the axis
    expect(text.indexOf('Synthèse des ateliers')).toBeLessThan(text.indexOf('Trois ateliers'));
    expect(text).toContain('2 nouvelles idées');
    expect(text).toContain('Gérer mes notifications');
    expect(toTeams(BEN, 'Your weekly digest').length + toTeams(BEN, 'Votre résumé de la semaine').length).toBe(1);
    // U3 follows nothing but supports idea 2, whose status changed
    expect(allText(toSlack('U3', 'Votre résumé de la semaine')[0]?.body)).toContain('vous la soutenez');
    // U2 follows an axis with nothing new, and their own idea 2 changed: the digest tells them of their idea only
    const u2 = toSlack('U2', 'Votre résumé de la semaine');
    expect(u2).toHaveLength(1);
    expect(allText(u2[0].body)).toContain('vous l’avez proposée');
    expect(allText(u2[0].body)).not.toContain('Trois ateliers');
    // U4 follows an axis with nothing new and has no idea: no digest at all (never an empty one)
    expect(toSlack('U4', 'Votre résumé')).toHaveLength(0);
    // the pilots follow no axis with news and have no idea: nothing
    expect(toSlack('UPIL', 'Votre résumé')).toHaveLength(0);

    // ticking again sends nothing more; the next week's digest is planned
    clock.set(at('2026-12-07T10:00:00Z'));
    await deliverDue(bot);
    expect(toSlack('U1', 'Votre résumé de la semaine')).toHaveLength(1);
    const planned = (await bot.services.store.jobs.forRef('digest')).filter((j) => j.kind === 'digest.weekly' && j.state === 'pending');
    expect(planned.map((j) => j.dueAt.toISOString())).toEqual(['2026-12-14T08:00:00.000Z']);
  });

  test('prompts to pilots: an axis without updates gets one, not the pilot away; one reminder two days later', async () => {
    // UAWAY says he is away until 20 December (bad dates first: nothing saved)
    const past = await slashReply('UAWAY', 'absent jusqu’au 01/12/2026');
    expect(allText(past)).toContain('déjà passée');
    expect(await bot.services.store.preferences.get('slack:T1/UAWAY')).toBeNull();
    expect(allText(await slashReply('UAWAY', 'absent bientôt'))).toContain('Donnez une date');
    expect(allText(await slashReply('UAWAY', 'absent jusqu’au 20/12/2026'))).toContain('20 décembre 2026');
    expect((await bot.services.store.preferences.get('slack:T1/UAWAY'))?.pauseUntil?.toISOString()).toBe('2026-12-20T23:00:00.000Z');

    // every second Monday at 10:00: 14 December is one
    clock.set(at('2026-12-14T08:59:00Z'));
    await deliverDue(bot);
    slack.clear();
    teams.clear();
    clock.set(at('2026-12-14T09:00:05Z'));
    await deliverDue(bot);
    const prompt = toSlack('UPIL', 'Aucun point d’étape');
    expect(prompt).toHaveLength(1);
    expect(JSON.stringify(prompt[0].body.blocks)).toContain('axis.updateOpen');
    expect(allText(prompt[0].body)).toContain('Je suis absent(e)');
    expect(toSlack('UAWAY', 'point d’étape')).toHaveLength(0);
    // « usager » had updates in the last two weeks: its pilot is not prompted
    expect(toTeams(ANA, 'Aucun point d’étape')).toHaveLength(0);

    clock.set(at('2026-12-16T09:00:05Z'));
    await deliverDue(bot);
    expect(toSlack('UPIL', 'Petit rappel')).toHaveLength(1);
    clock.set(at('2026-12-17T09:00:05Z'));
    await deliverDue(bot);
    expect(toSlack('UPIL', 'Petit rappel')).toHaveLength(1);
    expect(toSlack('UAWAY', 'point d’étape')).toHaveLength(0);
  });
});
