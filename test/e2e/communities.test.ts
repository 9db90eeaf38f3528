import { settableClock } from '../support/clock';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliverDue, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { slackHeaders, viewState, viewSubmissionBody } from '../support/slack-request';
import { ANA, BEN, TENANT } from '../support/teams-activity';

/** Tuesday 1 December 2026, 10:00 in Paris. */
const START = new Date('2026-12-01T09:00:00Z');

/**
 * Issue 12's communities end to end, through the real endpoints: a Teams agent joins a progress group; a
 * broadcast to that community reaches its members only; an engagement's activation puts the agent into the
 * ambassadors' community; an organiser creates a community in chat, moves a progress group's stage and
 * publishes its proposal as an idea credited to the group; « Je peux former sur… » reaches the organisers; an
 * academy session with its trainer is on the academy's agenda; bad input changes nothing.
 */
describe('communities: join in one click, a broadcast audience, the ambassadors’ community, progress groups, the academy', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const clock = settableClock(START);
  const { slash, slashReply, click, teamsSay, teamsActCard } = talk(() => ({ bot, slack, teams }));
  const ANA_ID = `teams:${TENANT}/${ANA.aadObjectId}`;
  const BEN_ID = `teams:${TENANT}/${BEN.aadObjectId}`;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('U1', { real_name: 'Camille Agent', locale: 'fr-FR' });
    slack.profiles.set('U2', { real_name: 'Dominique Formatrice', locale: 'fr-FR' });
    slack.profiles.set('UORG', { real_name: 'Léa Lab', locale: 'fr-FR' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: ['slack:T1/UORG'] }), clock, background: false });
    for (const u of ['U1', 'U2', 'UORG']) await slashReply(u, 'aide');
    await teamsSay(ANA, 'aide');
    await teamsSay(BEN, 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  const communities = () => bot.services.store.communities;
  const toSlack = (user: string, text: string) =>
    slack.calls('chat.postMessage').filter((c) => [user, `D${user}`].includes(String(c.body.channel)) && allText(c.body).includes(text));
  const toTeams = (user: { id: string }, text: string) => teams.sent(`a:${user.id}`).filter((r) => r.method === 'POST' && allText(r.body).includes(text));

  async function submit(callbackId: string, user: string, values: Record<string, Record<string, unknown>>, privateMetadata?: string) {
    const body = viewSubmissionBody({ callbackId, user, values, privateMetadata });
    const res = await bot.post('/slack/events', body, slackHeaders(body));
    expect(res.status).toBe(200);
    return res.body as { response_action?: string; errors?: Record<string, string> } | undefined;
  }

  test("the programme's communities are there: the list on Teams, with « Rejoindre » per community", async () => {
    const list = await teamsSay(ANA, 'communautes');
    const text = allText(list.attachments[0].content);
    for (const name of ['Communauté des ambassadeurs', 'Groupe de progrès transversal', 'Académie interne', 'Communauté des managers']) expect(text).toContain(name);
    expect(text).toContain('Rejoindre « Groupe de progrès transversal »');
    expect((await communities().list()).map((c) => c.id)).toEqual(['ambassadeurs', 'groupe-progres', 'academie', 'managers']);
  });

  test('a Teams agent joins a progress group in one click; pressing twice is pressing once', async () => {
    const joined = await teamsActCard(ANA, 'community.join', { id: 'groupe-progres', c: 'list' });
    expect(allText(joined)).toContain('Vous avez rejoint « Groupe de progrès transversal »');
    expect(allText(joined)).toContain('Quitter « Groupe de progrès transversal »');
    const again = await teamsActCard(ANA, 'community.join', { id: 'groupe-progres', c: 'list' });
    expect(allText(again)).toContain('Vous êtes déjà membre');
    expect(await communities().members('groupe-progres')).toEqual([ANA_ID]);
    // the card: its problem and stage, the member count
    const card = await teamsSay(ANA, 'communaute groupe-progres');
    const text = allText(card.attachments[0].content);
    expect(text).toContain('techniciennes de surface');
    expect(text).toContain('Analyse de la problématique');
    expect(text).toContain('1 membre');
    // an agent sees no stage buttons
    expect(JSON.stringify(card)).not.toContain('community.stage');
  });

  test('a broadcast to that community reaches its members only', async () => {
    // BEN and U1 are known to the bot but not members; U2 joins from Slack, then leaves again
    await click('U2', 'community.join', { id: 'groupe-progres', c: 'card' });
    await click('U2', 'community.leave', { id: 'groupe-progres', c: 'card' });
    await click('U1', 'community.join', { id: 'groupe-progres', c: 'card' });
    const form = await submit('broadcast.submit', 'UORG', {
      ...viewState.text('message', 'Groupe de progrès : première séance jeudi, salle 2.'),
      ...viewState.text('linkLabel', ''),
      ...viewState.text('linkUrl', ''),
      ...viewState.select('audience', 'community:groupe-progres'),
      ...viewState.radio('when', 'now'),
    });
    expect(form?.response_action).not.toBe('errors');
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && String(r.body.text).includes('Aperçu'));
    expect(allText(preview.body.blocks)).toContain('La communauté « Groupe de progrès transversal »');
    const [b] = await bot.services.store.broadcasts.list(1);
    await click('UORG', 'broadcast.confirm', { id: String(b.id) });
    await deliverDue(bot);
    expect(toTeams(ANA, 'première séance jeudi')).toHaveLength(1);
    expect(toSlack('U1', 'première séance jeudi')).toHaveLength(1);
    expect(toTeams(BEN, 'première séance jeudi')).toHaveLength(0);
    expect(toSlack('U2', 'première séance jeudi')).toHaveLength(0);
    expect(toSlack('UORG', 'première séance jeudi').filter((c) => !String(c.body.text).includes('Aperçu'))).toHaveLength(0);
    expect(await bot.services.store.outbox.report(`broadcast:${b.id}`)).toMatchObject({ targeted: 2, sent: 2 });
  });

  test('an unknown community as an audience is refused next to its field, and nothing is drafted', async () => {
    const before = (await bot.services.store.broadcasts.list(100)).length;
    const refused = await submit('broadcast.submit', 'UORG', {
      ...viewState.text('message', 'Personne ne doit recevoir ceci'),
      ...viewState.select('audience', 'community:inconnue'),
      ...viewState.radio('when', 'now'),
    });
    expect(refused?.response_action).toBe('errors');
    expect(refused?.errors?.audience).toContain('Je ne connais pas la communauté « inconnue »');
    expect((await bot.services.store.broadcasts.list(100)).length).toBe(before);
  });

  test("an engagement's activation puts the agent into the ambassadors' community", async () => {
    const e = await bot.services.store.engagements.create(
      {
        personId: BEN_ID,
        managerId: 'slack:T1/U1',
        role: 'service',
        domains: ['process-internes'],
        timePercent: 5,
        motivation: 'Relayer la démarche',
        project: '',
        start: '2026-12-07',
        listed: true,
      },
      clock.now(),
    );
    await bot.services.store.engagements.transition(e!.id, { from: ['pending_manager'], to: 'pending_lab', by: 'slack:T1/U1', at: clock.now() });
    expect(await communities().members('ambassadeurs')).toEqual([]);
    await click('UORG', 'engagement.labAccept', { id: String(e!.id) });
    expect((await bot.services.store.engagements.get(e!.id))?.state).toBe('active');
    expect(await communities().members('ambassadeurs')).toEqual([BEN_ID]);
    expect(await communities().communitiesOf(BEN_ID)).toEqual(['ambassadeurs']);
  });

  test('bad input gets a localised reply and changes nothing: an unknown id, a non-organiser creating one, an empty name', async () => {
    const unknown = await slashReply('U1', 'communaute nulle-part');
    expect(allText(unknown)).toContain('Je ne connais pas la communauté « nulle-part »');
    expect(allText(await click('U1', 'community.join', { id: 'nulle-part', c: 'list' }))).toContain('Je ne connais pas la communauté');
    const notOrganiser = await slashReply('U1', 'communaute nouvelle');
    expect(allText(notOrganiser)).toContain('Seuls les organisateurs peuvent créer une communauté');
    const sneaked = await submit('community.create', 'U1', { ...viewState.text('name', 'Mon club'), ...viewState.select('kind', 'autre') });
    expect(sneaked?.response_action).not.toBe('errors');
    await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U1' && allText(r.body).includes('Seuls les organisateurs'));
    const empty = await submit('community.create', 'UORG', { ...viewState.text('name', '   '), ...viewState.select('kind', 'groupe_progres') });
    expect(empty?.response_action).toBe('errors');
    expect(empty?.errors?.name).toContain('Donnez un nom à la communauté');
    const stage = await click('U1', 'community.stage', { id: 'groupe-progres', from: 'analyse', to: 'pistes' });
    expect(allText(stage)).toContain('Seuls les organisateurs');
    expect((await communities().list()).map((c) => c.id)).toEqual(['ambassadeurs', 'groupe-progres', 'academie', 'managers']);
    expect((await communities().get('groupe-progres'))?.stage).toBe('analyse');
  });

  test('an organiser creates a progress group in chat, moves its stage, and publishes its proposal as an idea credited to the group', async () => {
    slack.clear();
    await slash('UORG', 'communaute nouvelle');
    const [open] = await slack.waitForCall('views.open');
    expect(JSON.stringify(open.body.view)).toContain('community.create');
    await submit('community.create', 'UORG', {
      ...viewState.text('name', 'Groupe « Accueil des usagers »'),
      ...viewState.select('kind', 'groupe_progres'),
      ...viewState.text('description', 'Des agents de l’accueil et du numérique.'),
      ...viewState.text('problem', 'L’attente au guichet le lundi matin.'),
    });
    const [created] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && allText(r.body).includes('Communauté créée'));
    expect(allText(created.body)).toContain('groupe-accueil-des-usagers');
    const c = await communities().get('groupe-accueil-des-usagers');
    expect(c).toMatchObject({ kind: 'groupe_progres', stage: 'analyse', problem: 'L’attente au guichet le lundi matin.', createdBy: 'slack:T1/UORG' });
    // a broadcast to it is previewed with its name, not its id
    await submit('broadcast.submit', 'UORG', {
      ...viewState.text('message', 'Bienvenue dans le groupe.'),
      ...viewState.text('linkLabel', ''),
      ...viewState.text('linkUrl', ''),
      ...viewState.select('audience', 'community:groupe-accueil-des-usagers'),
      ...viewState.radio('when', 'now'),
    });
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && allText(r.body).includes('Bienvenue dans le groupe'));
    expect(allText(preview.body.blocks)).toContain('La communauté « Groupe « Accueil des usagers » »');
    // publishing is for a proposal only
    expect(allText(await click('UORG', 'community.publishForm', { id: c!.id }))).toContain('pas encore à l’étape');
    const moved = await click('UORG', 'community.stage', { id: c!.id, from: 'analyse', to: 'pistes' });
    expect(allText(moved)).toContain('Le groupe passe à l’étape « Pistes de solution »');
    // a stale button (analyse → pistes again) changes nothing and says where the group is
    expect(allText(await click('UORG', 'community.stage', { id: c!.id, from: 'analyse', to: 'pistes' }))).toContain('L’étape a changé entre-temps');
    await click('UORG', 'community.stage', { id: c!.id, from: 'pistes', to: 'proposition' });
    expect((await communities().stages(c!.id)).map((s) => [s.stage, s.by])).toEqual([
      ['analyse', 'slack:T1/UORG'],
      ['pistes', 'slack:T1/UORG'],
      ['proposition', 'slack:T1/UORG'],
    ]);
    await submit(
      'community.publish',
      'UORG',
      {
        ...viewState.select('axis', bot.services.programme.axes[0].id),
        ...viewState.text('title', 'Un accueil sur rendez-vous le lundi'),
        ...viewState.text('description', 'Prendre rendez-vous en ligne pour le lundi matin.'),
      },
      JSON.stringify({ id: c!.id }),
    );
    await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && allText(r.body).includes('La proposition est publiée'));
    const [idea] = (await bot.services.store.ideas.all()).filter((i) => i.title === 'Un accueil sur rendez-vous le lundi');
    expect(idea).toMatchObject({ creditedTo: c!.id, axisId: bot.services.programme.axes[0].id });
    const card = await slashReply('U1', `voir ${idea.id}`);
    expect(allText(card)).toContain('Proposée par le groupe de progrès « Groupe « Accueil des usagers » »');
  });

  test('« Je peux former sur… » reaches the organisers; an academy session with its trainer is on the academy’s agenda', async () => {
    const empty = await submit('community.train', 'U2', viewState.text('subject', ' '));
    expect(empty?.errors?.subject).toContain('Dites sur quoi vous pourriez former');
    const thanks = await slashReply('U2', 'former Les tableaux croisés dynamiques');
    expect(allText(thanks)).toContain('Votre proposition est transmise aux organisateurs');
    await deliverDue(bot);
    const told = toSlack('UORG', 'Dominique Formatrice propose de former ses collègues');
    expect(told).toHaveLength(1);
    expect(allText(told[0].body)).toContain('Les tableaux croisés dynamiques');
    expect(toSlack('U1', 'propose de former')).toHaveLength(0);
    expect((await communities().offers(10)).map((o) => [o.personId, o.subject])).toEqual([['slack:T1/U2', 'Les tableaux croisés dynamiques']]);
    // three a day at most (each reaches every organiser): the fourth is refused next to its field, nothing kept
    await slashReply('U2', 'former Excel');
    await slashReply('U2', 'former Word');
    const fourth = await submit('community.train', 'U2', viewState.text('subject', 'PowerPoint'));
    expect(fourth?.errors?.subject).toContain('déjà fait 3 propositions aujourd’hui');
    expect(await communities().offers(10)).toHaveLength(3);

    const event = (trainer: string | null) => ({
      ...viewState.select('kind', 'academie'),
      ...viewState.text('title', 'Les tableaux croisés'),
      ...{ startDate: { startDate: { type: 'datepicker', selected_date: '2026-12-10' } } },
      ...{ startTime: { startTime: { type: 'timepicker', selected_time: '14:00' } } },
      ...{ endTime: { endTime: { type: 'timepicker', selected_time: '16:00' } } },
      ...viewState.select('community', 'academie'),
      trainer: { trainer: { type: 'users_select', selected_user: trainer } },
    });
    const noTrainer = await submit('event.submit', 'UORG', event(null));
    expect(noTrainer?.errors?.trainer).toContain('formateur');
    expect(await submit('event.submit', 'UORG', event('U2'))).toBeUndefined();
    const [e] = (await bot.services.store.events.upcoming(clock.now(), 10)).filter((x) => x.kind === 'academie');
    expect(e).toMatchObject({ communityId: 'academie', trainer: { id: 'slack:T1/U2', name: 'Dominique Formatrice' } });
    const shown = await slashReply('U1', `evenement ${e.id}`);
    expect(allText(shown)).toContain('Dominique Formatrice');
    expect(allText(shown)).toContain('Académie');
    const agenda = await slashReply('U1', 'communaute academie');
    expect(allText(agenda)).toContain('Les tableaux croisés');
    expect(allText(await slashReply('U1', 'communaute managers'))).toContain('Aucun événement à venir');
  });
});
