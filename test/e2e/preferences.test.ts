import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliverDue, repliesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { blockActionBody, eventBody, slackHeaders, slashCommandBody, viewState, viewSubmissionBody } from '../support/slack-request';
import { ANA, BEN, TENANT, type TeamsUser } from '../support/teams-activity';
import { settableClock } from '../support/clock';

const START = new Date('2026-12-02T09:00:00Z'); // Wednesday 10:00 in Paris (winter time, UTC+1)
const anaId = `teams:${TENANT}/${ANA.aadObjectId}`;

/** A Slack modal's values, as the preferences form's inputs would send them. */
function slackValues(over: Partial<Record<string, string>> = {}) {
  const v = {
    language: 'platform',
    axisUpdates: 'now',
    ideaNews: 'now',
    eventReminders: 'now',
    broadcasts: 'now',
    digest: 'weekly',
    quietFrom: '',
    quietTo: '',
    pauseUntil: '',
    ...over,
  };
  return {
    ...viewState.select('language', v.language as string),
    ...viewState.select('axisUpdates', v.axisUpdates as string),
    ...viewState.select('ideaNews', v.ideaNews as string),
    ...viewState.select('eventReminders', v.eventReminders as string),
    ...viewState.select('broadcasts', v.broadcasts as string),
    ...viewState.select('digest', v.digest as string),
    quietFrom: { quietFrom: { type: 'timepicker', selected_time: v.quietFrom || null } },
    quietTo: { quietTo: { type: 'timepicker', selected_time: v.quietTo || null } },
    ...viewState.toggle('quietWeekends', over.quietWeekends === 'true'),
    pauseUntil: { pauseUntil: { type: 'datepicker', selected_date: v.pauseUntil || null } },
  };
}

/** A Teams card's values (Action.Execute data carries the inputs). */
const teamsValues = (over: Record<string, string> = {}) => ({
  language: 'platform',
  axisUpdates: 'now',
  ideaNews: 'now',
  eventReminders: 'now',
  broadcasts: 'now',
  digest: 'weekly',
  quietFrom: '',
  quietTo: '',
  quietWeekends: 'false',
  pauseUntil: '',
  ...over,
});

/**
 * Preferences end to end: set on Slack (modal) and on Teams (card); the Notices gate then holds back what a
 * person turned off and waits out their quiet hours (the test drives the clock); every notice carries
 * « Gérer mes notifications », which opens the form; bad input is refused with nothing saved; a chosen
 * language wins over the platform's.
 */
describe('preferences and the Notices gate', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashReply: slash, teamsSay, teamsSayText, teamsActCard, nextId } = talk(() => ({ bot, slack, teams }));
  const clock = settableClock(START);

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    for (const u of ['U1', 'U2', 'UPIL']) slack.profiles.set(u, { real_name: `Agent ${u}`, locale: 'fr-FR' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ pilots: { usager: ['slack:T1/UPIL'] } }), clock, background: false });
    for (const u of ['U1', 'U2', 'UPIL']) await slash(u, 'aide');
    for (const u of [ANA, BEN]) await teamsSay(u, 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  /** Waits until the notices of a source are queued (the ideas flow queues them after its answer). */
  async function queuedFor(source: string, n: number) {
    for (let i = 0; i < 200; i++) {
      if ((await bot.services.store.outbox.report(source)).targeted >= n) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${source}: fewer than ${n} notices queued`);
  }
  const toSlack = (user: string, text: string) => slack.calls('chat.postMessage').filter((c) => c.body.channel === user && allText(c.body).includes(text));
  const toTeams = (user: TeamsUser, text: string) => teams.sent(`a:${user.id}`).filter((r) => allText(r.body).includes(text));
  const submitSlack = (user: string, values: Record<string, Record<string, unknown>>, privateMetadata?: string) => {
    const body = viewSubmissionBody({ callbackId: 'preferences.submit', user, values, privateMetadata });
    return bot.post('/slack/events', body, slackHeaders(body));
  };

  test('Slack: « /ensemble preferences » opens the modal; submitted, it is saved and restated in words', async () => {
    slack.clear();
    const cmd = slashCommandBody({ text: 'preferences', user: 'U2', responseUrl: slack.responseUrl(nextId('p')) });
    expect((await bot.post('/slack/events', cmd, slackHeaders(cmd))).status).toBe(200);
    const [open] = await slack.waitForCall('views.open');
    const view = typeof open.body.view === 'string' ? JSON.parse(open.body.view) : open.body.view;
    expect(view.callback_id).toBe('preferences.submit');
    expect(view.blocks.filter((b: any) => b.type === 'input').map((b: any) => b.block_id)).toEqual([
      'language',
      'axisUpdates',
      'ideaNews',
      'eventReminders',
      'broadcasts',
      'consultations',
      'axes',
      'digest',
      'quietFrom',
      'quietTo',
      'quietWeekends',
      'pauseUntil',
    ]);
    expect(allText(view.blocks)).toContain('Dans le résumé seulement');

    // the followed axes are checkboxes, one per axis
    const axes = view.blocks.find((b: any) => b.block_id === 'axes');
    expect(axes.element.type).toBe('checkboxes');
    expect(axes.element.options).toHaveLength(bot.services.programme.axes.length);

    const res = await submitSlack(
      'U2',
      {
        ...slackValues({ ideaNews: 'off', digest: 'daily' }),
        axes: {
          axes: {
            type: 'checkboxes',
            selected_options: [
              { value: 'usager', text: { type: 'plain_text', text: 'x' } },
              { value: 'equipe', text: { type: 'plain_text', text: 'x' } },
              { value: 'inconnu', text: { type: 'plain_text', text: 'x' } },
            ],
          },
        },
      },
      view.private_metadata,
    );
    expect(res.status).toBe(200);
    expect(res.body?.response_action).not.toBe('errors');
    expect(await bot.services.store.preferences.get('slack:T1/U2')).toMatchObject({ kinds: { ideaNews: 'off', axisUpdates: 'now' }, digest: 'daily' });
    await repliesSettled(bot);
    const [saved] = toSlack('U2', 'Vos préférences sont enregistrées');
    expect(saved).toBeDefined();
    const words = allText(saved.body);
    expect(words).toContain('Nouvelles des idées');
    expect(words).toContain('Jamais');
    expect(words).toContain('Chaque jour');
    // the ticked axes are followed (an unknown value is ignored), and restated
    expect((await bot.services.store.follows.axesOf('slack:T1/U2')).sort()).toEqual(['equipe', 'usager']);
    expect(words).toContain('Axes suivis');
    expect(words).toContain('culture « usager »');

    // opened again, the form shows them ticked; unticking one stops following it
    const again = slashCommandBody({ text: 'preferences', user: 'U2', responseUrl: slack.responseUrl(nextId('p')) });
    slack.clear();
    await bot.post('/slack/events', again, slackHeaders(again));
    const [reopened] = await slack.waitForCall('views.open');
    const view2 = typeof reopened.body.view === 'string' ? JSON.parse(reopened.body.view) : reopened.body.view;
    const ticked = view2.blocks.find((b: any) => b.block_id === 'axes').element.initial_options.map((o: any) => o.value);
    expect(ticked.sort()).toEqual(['equipe', 'usager']);
    await submitSlack(
      'U2',
      {
        ...slackValues({ ideaNews: 'off', digest: 'daily' }),
        axes: { axes: { type: 'checkboxes', selected_options: [{ value: 'usager', text: { type: 'plain_text', text: 'x' } }] } },
      },
      view2.private_metadata,
    );
    expect(await bot.services.store.follows.axesOf('slack:T1/U2')).toEqual(['usager']);
  });

  test('Teams: « preferences » answers with the card; submitted, it is saved and restated', async () => {
    const text = await teamsSayText(ANA, 'preferences');
    expect(text).toContain('Heures calmes');
    const card = await teamsActCard(ANA, 'preferences.submit', teamsValues({ quietFrom: '19:00', quietTo: '08:00' }));
    const shown = card ? allText(card) : allText(teams.sent(`a:${ANA.id}`).at(-1)?.body);
    expect(shown).toContain('Vos préférences sont enregistrées');
    expect(shown).toContain('de 19:00 à 08:00');
    expect(await bot.services.store.preferences.get(anaId)).toMatchObject({ quiet: { from: 19 * 60, to: 8 * 60, weekends: false } });
  });

  test('bad input is refused next to its field, localised, and nothing is saved', async () => {
    const before = await bot.services.store.preferences.get('slack:T1/U2');
    const past = await submitSlack('U2', slackValues({ pauseUntil: '2026-12-01' }));
    expect(past.body).toEqual({ response_action: 'errors', errors: { pauseUntil: expect.stringContaining('Cette date est passée') } });
    const wholeDay = await submitSlack('U2', slackValues({ quietFrom: '08:00', quietTo: '08:00' }));
    expect(wholeDay.body.errors.quietTo).toContain('ne peuvent pas couvrir toute la journée');
    expect(await bot.services.store.preferences.get('slack:T1/U2')).toEqual(before);

    const anaBefore = await bot.services.store.preferences.get(anaId);
    const card = await teamsActCard(ANA, 'preferences.submit', teamsValues({ quietFrom: '7h', quietTo: '08:00', ideaNews: 'off' }));
    expect(allText(card)).toContain('Indiquez une heure au format HH:MM');
    expect(await bot.services.store.preferences.get(anaId)).toEqual(anaBefore);
  });

  test('with « Nouvelles des idées : jamais » a status change does not reach them, while reaching the other supporters', async () => {
    slack.clear();
    teams.clear();
    await slash('U1', 'idee Un guichet unique pour les usagers #accueil');
    await queuedFor('idea:1:proposed', 1);
    for (const u of ['U2']) await slash(u, 'soutenir 1');
    await teamsSay(BEN, 'soutenir 1');
    await teamsSay(ANA, 'soutenir 1');
    await deliverDue(bot);
    slack.clear();
    teams.clear();

    // 22:00 in Paris: Ana's quiet hours (19:00–08:00) have begun
    clock.set(new Date('2026-12-02T21:00:00Z'));
    await slash('UPIL', 'statut 1 retenue Bravo : on la teste.');
    await queuedFor('idea:1:status:retenue', 3);
    await deliverDue(bot);
    expect(toSlack('U1', 'Du nouveau pour l’idée n°1')).toHaveLength(1); // the author
    expect(toTeams(BEN, 'retenue')).toHaveLength(1); // another supporter
    expect(toSlack('U2', 'Du nouveau pour l’idée n°1')).toHaveLength(0); // ideaNews off
    expect(toTeams(ANA, 'retenue')).toHaveLength(0); // quiet hours
  });

  test('a Teams agent with quiet hours 19:00–08:00 gets the 22:00 notice at 08:00, once', async () => {
    clock.set(new Date('2026-12-03T06:59:00Z')); // 07:59
    await deliverDue(bot);
    expect(toTeams(ANA, 'retenue')).toHaveLength(0);
    clock.set(new Date('2026-12-03T07:00:30Z')); // 08:00:30
    await deliverDue(bot);
    expect(toTeams(ANA, 'retenue')).toHaveLength(1);
    clock.set(new Date('2026-12-03T09:00:00Z'));
    await deliverDue(bot);
    expect(toTeams(ANA, 'retenue')).toHaveLength(1);
    expect(toSlack('U2', 'Du nouveau pour l’idée n°1')).toHaveLength(0);
  });

  test('every notice carries « Gérer mes notifications », which opens the preferences (Slack and Teams)', async () => {
    const [notice] = toSlack('U1', 'Du nouveau pour l’idée n°1');
    const blocks = typeof notice.body.blocks === 'string' ? JSON.parse(notice.body.blocks) : notice.body.blocks;
    const button = blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.text?.text === 'Gérer mes notifications');
    expect(button).toBeDefined();
    slack.clear();
    const press = blockActionBody({ actionId: button.action_id, value: button.value, user: 'U1', responseUrl: slack.responseUrl(nextId('f')) });
    expect((await bot.post('/slack/events', press, slackHeaders(press))).status).toBe(200);
    const [open] = await slack.waitForCall('views.open');
    const view = typeof open.body.view === 'string' ? JSON.parse(open.body.view) : open.body.view;
    expect(view.callback_id).toBe('preferences.submit');

    const [toBen] = toTeams(BEN, 'retenue');
    expect(JSON.stringify(toBen.body)).toContain('"verb":"preferences.open"');
    expect(allText(toBen.body)).toContain('Gérer mes notifications');
    const before = teams.sent(`a:${BEN.id}`).length;
    const card = await teamsActCard(BEN, 'preferences.open', {});
    const shown = card ? allText(card) : allText(teams.sent(`a:${BEN.id}`).slice(before).at(-1)?.body);
    expect(shown).toContain('Heures calmes');
    expect(shown).toContain('Nouvelles des idées');
  });

  test('the Slack App Home shows the current preferences with a button to change them', async () => {
    slack.clear();
    const home = eventBody({ type: 'app_home_opened', user: 'U2', channel: 'D2', tab: 'home', event_ts: '1.1' });
    expect((await bot.post('/slack/events', home, slackHeaders(home, { contentType: 'application/json' }))).status).toBe(200);
    const [published] = await slack.waitForCall('views.publish');
    const view = typeof published.body.view === 'string' ? JSON.parse(published.body.view) : published.body.view;
    const text = allText(view.blocks);
    expect(text).toContain('Mes notifications');
    expect(text).toContain('Chaque jour');
    expect(JSON.stringify(view.blocks)).toContain('preferences.open');

    // saved from the modal the Home opened, the Home is published again with the new choices
    slack.clear();
    await submitSlack('U2', slackValues({ ideaNews: 'off', digest: 'weekly' }));
    const [again] = await slack.waitForCall('views.publish');
    const after = allText((typeof again.body.view === 'string' ? JSON.parse(again.body.view) : again.body.view).blocks);
    expect(after).toContain('Chaque semaine');
    expect(after).not.toContain('Chaque jour');
  });

  test('a chosen language wins over the platform’s: the next answers come in it', async () => {
    const frenchMenu = allText(await slash('U1', 'aide'));
    expect(frenchMenu).toContain('ce que vous recevez, et quand');
    const res = await submitSlack('U1', slackValues({ language: 'en' }));
    expect(res.status).toBe(200);
    await repliesSettled(bot);
    expect(toSlack('U1', 'Your preferences are saved')).toHaveLength(1);
    const englishMenu = allText(await slash('U1', 'help'));
    expect(englishMenu).not.toEqual(frenchMenu);
    expect(englishMenu).toContain('what you receive, and when');
    // back to the platform's language
    await submitSlack('U1', slackValues({ language: 'platform' }));
    expect(allText(await slash('U1', 'aide'))).toContain('ce que vous recevez, et quand');
  });
});
