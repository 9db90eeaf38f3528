import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, repliesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { blockActionBody, eventBody, homeActionBody, slackHeaders, viewState, viewSubmissionBody } from '../support/slack-request';
import { ANA, BEN, TENANT, type TeamsUser } from '../support/teams-activity';
import { settableClock } from '../support/clock';

const START = new Date('2026-11-23T08:00:00Z'); // Monday 09:00 in Paris
const ORG: TeamsUser = { id: '29:org', aadObjectId: '55555555-5555-4555-8555-555555555555', name: 'Lab Organisatrice' };

/**
 * Workshop days and OFF events end to end: an organiser on Teams creates a « Créer » day with 2 places,
 * people register from Slack and Teams (waiting list, promotion), reminders go out at the programme's
 * offsets exactly once (the test drives the clock), the feedback poll follows the event and its results
 * reach the organiser; moving an event moves its reminders, cancelling it sends one notice and no reminder.
 */
describe('events: registration, waiting list, reminders, feedback', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashReply: slash, click, teamsSay, teamsActCard: teamsAct, nextId } = talk(() => ({ bot, slack, teams }));
  const clock = settableClock(START);

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    bot = await startTestBot({
      slackApiUrl: slack.apiUrl,
      programmeFile: programmeWith({ organisers: [`teams:${TENANT}/${ORG.aadObjectId}`, 'slack:T1/UORG'] }),
      clock,
      background: false,
    });
    for (const u of ['U1', 'U2', 'U3', 'UORG']) await slash(u, 'aide');
    for (const u of [ORG, ANA, BEN]) await teamsSay(u, 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  /** Queues what is due and sends it, until nothing is due now (bounded; the clock moves a second at a time). */
  async function deliverDue() {
    for (let i = 0; i < 30; i++) {
      await bot.delivery.tick();
      const next = await bot.services.store.outbox.nextDue();
      if (!next || next.getTime() > clock.now().getTime() + 1500) return;
      clock.advance(1100);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Messages the bot sent on its own to a Slack user or a Teams user whose text contains `text`. */
  function toSlack(user: string, text: string) {
    return slack.calls('chat.postMessage').filter((c) => c.body.channel === user && allText(c.body).includes(text));
  }
  function toTeams(user: TeamsUser, text: string) {
    return teams.sent(`a:${user.id}`).filter((r) => allText(r.body).includes(text));
  }

  const formValues = (over: Record<string, string> = {}) => ({
    kind: 'creer',
    title: 'Journée Créer : accueil des usagers',
    description: 'Imaginer ensemble des solutions concrètes.',
    startDate: '2026-12-10',
    startTime: '09:00',
    endDate: '',
    endTime: '17:00',
    place: 'Hôtel de Région, salle 2',
    link: '',
    capacity: '2',
    axis: 'usager',
    audience: 'everyone',
    announce: 'false',
    ...over,
  });

  let creer = 0;

  test('an organiser on Teams creates a Créer day with 2 places from the form', async () => {
    const form = await teamsSay(ORG, 'evenement');
    const card = form.attachments[0].content;
    expect(allText(card)).toContain('Nouvel événement');
    expect(JSON.stringify(card)).toContain('"verb":"event.submit"');

    const created = await teamsAct(ORG, 'event.submit', formValues());
    expect(allText(created)).toMatch(/Événement n°\d+ créé/);
    expect(allText(created)).toContain('Journée « Créer » · Journée Créer : accueil des usagers');
    expect(allText(created)).toContain('0 inscrit(s) sur 2 places');
    const [event] = await bot.services.store.events.upcoming(clock.now(), 10);
    creer = event.id;
    expect(event).toMatchObject({ kind: 'creer', capacity: 2, axisId: 'usager', place: 'Hôtel de Région, salle 2' });
    expect(event.startsAt.toISOString()).toBe('2026-12-10T08:00:00.000Z'); // 09:00 in Paris
    // reminders at 7 days, 1 day and 1 hour before, the poll at the end, the results 3 days later
    const jobs = (await bot.services.store.jobs.forRef(`event:${creer}`)).map((j) => [j.kind, j.param, j.dueAt.toISOString()]).sort();
    expect(jobs).toEqual(
      [
        ['event.feedback', 0, '2026-12-10T16:00:00.000Z'],
        ['event.reminder', 10080, '2026-12-03T08:00:00.000Z'],
        ['event.reminder', 1440, '2026-12-09T08:00:00.000Z'],
        ['event.reminder', 60, '2026-12-10T07:00:00.000Z'],
        ['event.results', 0, '2026-12-13T16:00:00.000Z'],
      ].sort(),
    );
  });

  test('the agenda lists it; three people register from Slack and Teams, the third waits and is promoted when someone withdraws', async () => {
    const agenda = await slash('U1', 'agenda');
    expect(allText(agenda.blocks)).toContain('Journée Créer : accueil des usagers');
    expect(allText(agenda.blocks)).toContain('Je participe');

    // U1 on Slack: the card updates in place, and the calendar entry arrives in the DM
    slack.clear();
    const first = await click('U1', 'event.register', { id: String(creer), c: 'own' });
    expect(first.replace_original).toBe(true);
    expect(allText(first.blocks)).toContain('vous participez à « Journée Créer : accueil des usagers »');
    expect(allText(first.blocks)).toContain('Je ne participe plus');
    await slack.waitForCall('files.completeUploadExternal');
    const ics = slack.requests.find((r) => r.path.startsWith('/upload/'))!.raw;
    expect(ics).toContain('BEGIN:VCALENDAR');
    expect(ics).toContain('DTSTART:20261210T080000Z');
    expect(ics).toContain('DTEND:20261210T160000Z');
    // unique to this installation: the same event number exists in others
    expect(ics).toContain(`UID:ensemble-event-${creer}.${bot.services.installationId}@ensemble`);
    expect(ics).toContain('LOCATION:Hôtel de Région\\, salle 2');

    // Ana on Teams: the refreshed card, and the calendar entry offered as a file
    const before = teams.sent(`a:${ANA.id}`).length;
    const anaCard = await teamsAct(ANA, 'event.register', { id: String(creer), c: 'own' });
    expect(allText(anaCard)).toContain('Vous participez.');
    expect(allText(anaCard)).toContain('2 inscrit(s) sur 2 places');
    const [consent] = (await teams.waitForSent(`a:${ANA.id}`, before + 1)).slice(before);
    expect(consent.body.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.teams.card.file.consent', name: `creer-2026-12-10-${creer}.ics` });

    // U2: full, so the waiting list (no calendar entry yet)
    const third = await click('U2', 'event.register', { id: String(creer), c: 'own' });
    expect(allText(third.blocks)).toContain('vous êtes sur la liste d’attente');
    expect(allText(third.blocks)).toContain('1 en liste d’attente');
    // registering twice changes nothing
    const again = await click('U2', 'event.register', { id: String(creer), c: 'own' });
    expect(allText(again.blocks)).toContain('Vous étiez déjà sur la liste d’attente');
    expect((await bot.services.store.events.get(creer))!).toMatchObject({ registered: 2, waiting: 1 });

    // U1 withdraws: U2 gets the place and is told
    const left = await click('U1', 'event.unregister', { id: String(creer), c: 'own' });
    expect(allText(left.blocks)).toContain('vous ne participez plus');
    await deliverDue();
    expect(toSlack('U2', 'une place s’est libérée')).toHaveLength(1);
    expect((await bot.services.store.events.registrations(creer)).map((r) => [r.personId, r.state])).toEqual([
      [`teams:${TENANT}/${ANA.aadObjectId}`, 'registered'],
      ['slack:T1/U2', 'registered'],
    ]);

    // the organiser sees the list and exports it
    const list = await teamsSay(ORG, `evenement inscrits ${creer}`);
    expect(allText(list)).toContain('Participants (2)');
    expect(allText(list)).toContain('Ana Teams');
  });

  test('each registrant receives the reminders at 7 days, 1 day and 1 hour before, exactly once', async () => {
    const reminders = () => ({ ana: toTeams(ANA, 'Rappel').length, u2: toSlack('U2', 'Rappel').length, u1: toSlack('U1', 'Rappel').length });
    clock.set(new Date('2026-12-03T07:59:00Z'));
    await deliverDue();
    expect(reminders()).toEqual({ ana: 0, u2: 0, u1: 0 });

    clock.set(new Date('2026-12-03T08:00:30Z'));
    await deliverDue();
    await deliverDue();
    expect(reminders()).toEqual({ ana: 1, u2: 1, u1: 0 });
    expect(toTeams(ANA, 'c’est dans 7 jours')).toHaveLength(1);

    clock.set(new Date('2026-12-09T08:00:30Z'));
    await deliverDue();
    expect(toSlack('U2', 'c’est demain')).toHaveLength(1);

    clock.set(new Date('2026-12-10T07:00:30Z'));
    await deliverDue();
    await deliverDue();
    expect(toTeams(ANA, 'c’est dans une heure')).toHaveLength(1);
    expect(reminders()).toEqual({ ana: 3, u2: 3, u1: 0 });

    // registration is closed once it has started
    clock.set(new Date('2026-12-10T09:00:00Z'));
    const late = await click('U3', 'event.register', { id: String(creer), c: 'own' });
    expect(allText(late.blocks)).toContain('a déjà commencé : les inscriptions sont closes');
    expect((await bot.services.store.events.get(creer))!.registered).toBe(2);
  });

  test('after the event the poll reaches the registrants; their answers reach the organiser', async () => {
    clock.set(new Date('2026-12-10T16:00:30Z'));
    await deliverDue();
    const anaPoll = toTeams(ANA, 'Votre avis nous intéresse');
    expect(anaPoll).toHaveLength(1);
    expect(JSON.stringify(anaPoll[0].body)).toContain('"verb":"event.feedback"');
    expect(toSlack('U2', 'Votre avis nous intéresse')).toHaveLength(1);
    expect(toSlack('U1', 'Votre avis nous intéresse')).toHaveLength(0);

    // Ana answers in the card; a rating out of range is refused first
    const bad = await teamsAct(ANA, 'event.feedback', { id: String(creer), rating: '9', comment: '' });
    expect(allText(bad)).toContain('Choisissez une note de 1 à 5.');
    expect(await bot.services.store.events.feedback(creer)).toHaveLength(0);
    const thanks = await teamsAct(ANA, 'event.feedback', { id: String(creer), rating: '5', comment: 'Très concret, merci !' });
    expect(allText(thanks)).toContain('Merci pour votre avis');

    // U2 on Slack: the poll's button opens the form as a modal
    slack.clear();
    const press = blockActionBody({ actionId: 'event.feedback', value: JSON.stringify({ id: String(creer) }), user: 'U2', responseUrl: slack.responseUrl(nextId('p')) });
    expect((await bot.post('/slack/events', press, slackHeaders(press))).status).toBe(200);
    const [open] = await slack.waitForCall('views.open');
    const view = typeof open.body.view === 'string' ? JSON.parse(open.body.view) : open.body.view;
    expect(view.callback_id).toBe('event.feedback');
    const body = viewSubmissionBody({
      callbackId: 'event.feedback',
      user: 'U2',
      privateMetadata: view.private_metadata,
      values: { ...viewState.radio('rating', '4'), ...viewState.text('comment', 'Un peu long') },
    });
    expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);
    // someone who did not attend cannot answer
    const stranger = await teamsAct(BEN, 'event.feedback', { id: String(creer), rating: '1', comment: '' });
    expect(allText(stranger)).toContain('réservé aux participants');
    expect((await bot.services.store.events.feedback(creer)).map((f) => f.rating).sort()).toEqual([4, 5]);

    // three days later, the results reach the organiser who created it
    clock.set(new Date('2026-12-13T16:00:30Z'));
    await deliverDue();
    const results = toTeams(ORG, 'Avis · Journée Créer');
    expect(results).toHaveLength(1);
    const text = allText(results[0].body);
    expect(text).toContain('Réponses');
    expect(text).toContain('4,5 / 5');
    expect(text).toContain('Très concret, merci !');

    // and on demand, with the comments as a file
    const again = await teamsSay(ORG, `evenement avis ${creer}`);
    expect(allText(again)).toContain('4,5 / 5');
  });

  test('moving an event moves its pending reminders and tells the registrants; cancelling sends one notice and no reminder', async () => {
    clock.set(new Date('2026-12-14T08:00:00Z'));
    await teamsAct(
      ORG,
      'event.submit',
      formValues({ kind: 'off', title: 'OFF : café des idées', startDate: '2027-01-20', startTime: '12:30', endTime: '14:00', capacity: '', audience: 'organisers' }),
    );
    await teamsAct(ORG, 'event.submit', formValues({ kind: 'tester', title: 'Journée Tester', startDate: '2027-01-25', capacity: '30' }));
    const [off, tester] = await bot.services.store.events.upcoming(clock.now(), 10);
    expect(off.title).toBe('OFF : café des idées');
    for (const u of ['U1', 'U3']) await click(u, 'event.register', { id: String(tester.id), c: 'own' });
    await click('U3', 'event.register', { id: String(off.id), c: 'own' });

    // move the Tester day by one week
    const moved = await teamsAct(ORG, 'event.submit', {
      ...formValues({ kind: 'tester', title: 'Journée Tester', startDate: '2027-02-01', capacity: '30' }),
      id: String(tester.id),
    });
    expect(allText(moved)).toContain(`Événement n°${tester.id} modifié ; 2 personnes inscrites sont prévenues.`);
    await deliverDue();
    expect(toSlack('U1', 'Changement pour « Journée Tester »')).toHaveLength(1);
    const reminderJobs = (await bot.services.store.jobs.forRef(`event:${tester.id}`)).filter((j) => j.kind === 'event.reminder' && j.state === 'pending');
    expect(reminderJobs.map((j) => j.dueAt.toISOString()).sort()).toEqual(['2027-01-25T08:00:00.000Z', '2027-01-31T08:00:00.000Z', '2027-02-01T07:00:00.000Z']);

    // the old 7-day reminder time passes: nothing; the new one: one reminder each
    clock.set(new Date('2027-01-18T08:00:30Z'));
    await deliverDue();
    expect(toSlack('U1', 'Journée Tester').filter((c) => allText(c.body).includes('Rappel'))).toHaveLength(0);
    // the OFF's audience (organisers) and its registrant get its 7-day reminder
    expect(toSlack('U3', 'OFF : café des idées').filter((c) => allText(c.body).includes('Rappel'))).toHaveLength(1);
    expect(toSlack('UORG', 'OFF : café des idées').filter((c) => allText(c.body).includes('Rappel'))).toHaveLength(1);
    expect(toTeams(ORG, 'OFF : café des idées').filter((r) => allText(r.body).includes('Rappel'))).toHaveLength(1);
    clock.set(new Date('2027-01-25T08:00:30Z'));
    await deliverDue();
    expect(toSlack('U1', 'Journée Tester').filter((c) => allText(c.body).includes('Rappel'))).toHaveLength(1);

    // cancel it: one notice to each registrant, and no further reminder
    const done = await slash('UORG', `evenement annuler ${tester.id} salle indisponible`);
    expect(allText(done.blocks)).toContain('2 personne(s) prévenue(s)');
    await deliverDue();
    expect(toSlack('U1', 'est annulé')).toHaveLength(1);
    expect(toSlack('U3', 'est annulé')).toHaveLength(1);
    for (const at of ['2027-01-31T08:00:30Z', '2027-02-01T07:00:30Z', '2027-02-01T17:00:30Z']) {
      clock.set(new Date(at));
      await deliverDue();
    }
    expect(toSlack('U1', 'Journée Tester').filter((c) => allText(c.body).includes('Rappel'))).toHaveLength(1);
    expect(toSlack('U1', 'Votre avis nous intéresse')).toHaveLength(0);
    // registering for a cancelled event is refused
    const refused = await click('U2', 'event.register', { id: String(tester.id), c: 'own' });
    expect(allText(refused.blocks)).toContain('a été annulé');
  });

  test('bad input is refused with a clear reply and nothing changes', async () => {
    clock.set(new Date('2027-03-01T08:00:00Z'));
    const count = async () => (await bot.services.store.events.upcoming(new Date(0), 100)).length + (await bot.services.store.events.past(clock.now(), 100)).length;
    const before = await count();
    const refuse = async (values: Record<string, string>, message: string) => {
      const card = await teamsAct(ORG, 'event.submit', values);
      expect(allText(card)).toContain(message);
    };
    await refuse(formValues({ startDate: '2027-04-01', startTime: '14:00', endTime: '10:00' }), 'La fin doit venir après le début.');
    await refuse(formValues({ startDate: '2027-02-01' }), 'Cette date est déjà passée');
    await refuse(formValues({ startDate: '2027-04-01', title: '{"$ne": null}' }), 'Le titre doit être une phrase, pas du code.');
    await refuse(formValues({ startDate: '2027-04-01', capacity: '-3' }), 'Le nombre de places est un nombre entier');
    await refuse(formValues({ startDate: '2027-04-01', kind: 'soirée' }), 'Choisissez le type');
    await refuse(formValues({ startDate: '2027-04-01', link: 'javascript:alert(1)' }), 'Le lien en ligne doit commencer par https://');
    expect(await count()).toBe(before);

    // a capacity below the number already registered
    await teamsAct(ORG, 'event.submit', formValues({ title: 'Journée Explorer', kind: 'explorer', startDate: '2027-04-01', capacity: '5' }));
    const [explorer] = await bot.services.store.events.upcoming(clock.now(), 10);
    for (const u of ['U1', 'U2', 'U3']) await click(u, 'event.register', { id: String(explorer.id), c: 'own' });
    await refuse(
      { ...formValues({ title: 'Journée Explorer', kind: 'explorer', startDate: '2027-04-01', capacity: '2' }), id: String(explorer.id) },
      '3 personnes sont déjà inscrites : la capacité ne peut pas descendre à 2.',
    );
    expect((await bot.services.store.events.get(explorer.id))!).toMatchObject({ capacity: 5, registered: 3, version: explorer.version });

    // only organisers create; unknown numbers get a clear answer
    expect(allText((await slash('U1', 'evenement')).blocks)).toContain('Seuls les organisateurs');
    expect(allText((await slash('U1', 'participer 999')).blocks)).toContain('Je ne trouve pas l’événement n°999');
    expect(allText((await slash('U1', 'evenement 12abc')).blocks)).toContain('Événements :');
    expect(await count()).toBe(before + 1);
  });

  test('a click in the agenda answers with the agenda brought up to date; on the Slack Home tab, the home shows the new state', async () => {
    clock.set(new Date('2027-03-01T09:00:00Z'));
    const [explorer] = await bot.services.store.events.upcoming(clock.now(), 10);
    const agenda = await slash('U4', 'agenda');
    const button = agenda.blocks
      .flatMap((b: any) => b.elements ?? [])
      .find((e: any) => e.type === 'button' && String(e.value).includes(`"id":"${explorer.id}"`) && e.text.text === 'Je participe');
    expect(JSON.parse(button.value)).toEqual({ id: String(explorer.id), c: 'agenda' });

    const joined = await click('U4', 'event.register', JSON.parse(button.value));
    expect(joined.replace_original).toBe(true);
    expect(allText(joined.blocks)).toContain('vous participez à « Journée Explorer »');
    expect(allText(joined.blocks)).toContain('Agenda : les prochaines journées et le OFF');
    expect(allText(joined.blocks)).toContain('4 inscrit(s) sur 5 places');
    const left = await click('U4', 'event.unregister', { id: String(explorer.id), c: 'agenda' });
    expect(allText(left.blocks)).toContain('vous ne participez plus');
    expect(allText(left.blocks)).toContain('Agenda : les prochaines journées et le OFF');
    expect(allText(left.blocks)).toContain('3 inscrit(s) sur 5 places');

    // the Home tab: registering there publishes the home again, and the event card comes as a DM
    const home = eventBody({ type: 'app_home_opened', user: 'U4', channel: 'D4', tab: 'home', event_ts: '1.1' });
    slack.clear();
    expect((await bot.post('/slack/events', home, slackHeaders(home, { contentType: 'application/json' }))).status).toBe(200);
    const [published] = await slack.waitForCall('views.publish');
    const view = typeof published.body.view === 'string' ? JSON.parse(published.body.view) : published.body.view;
    const homeButton = view.blocks
      .flatMap((b: any) => b.elements ?? [])
      .find((e: any) => e.type === 'button' && String(e.value).includes(`"id":"${explorer.id}"`) && e.text.text === 'Je participe');
    expect(JSON.parse(homeButton.value)).toEqual({ id: String(explorer.id), c: 'own' });
    const press = homeActionBody({ actionId: homeButton.action_id, value: homeButton.value, user: 'U4' });
    expect((await bot.post('/slack/events', press, slackHeaders(press))).status).toBe(200);
    const [, republished] = await slack.waitForCall('views.publish', 2);
    expect(allText(republished.body.view)).toContain('Je ne participe plus');
    // the answer to a click on the Home tab comes in the app's DM (through the outbox's reply lane)
    await repliesSettled(bot);
    expect(toSlack('U4', 'vous participez à « Journée Explorer »')).toHaveLength(1);
    expect((await bot.services.store.events.get(explorer.id))!.registered).toBe(4);

    // a form opened from the Home tab is a new modal, not an update of the home
    const propose = homeActionBody({ actionId: 'idea.new', value: '{}', user: 'U4' });
    expect((await bot.post('/slack/events', propose, slackHeaders(propose))).status).toBe(200);
    const [opened] = await slack.waitForCall('views.open');
    expect(opened.body.trigger_id).toMatch(/^123\.456\.home\./);
    expect(slack.calls('views.update')).toHaveLength(0);
  });

  test('postponing brings back the reminders already sent; after downtime only the closest reminder goes; exports and links are safe', async () => {
    clock.set(new Date('2027-05-01T08:00:00Z'));
    slack.profiles.set('U9', { real_name: '=HYPERLINK("http://x.example","clic")', locale: 'fr-FR' });
    await slash('U9', 'aide');
    await teamsAct(
      ORG,
      'event.submit',
      formValues({ kind: 'tester', title: 'Journée Tester bis', startDate: '2027-05-05', capacity: '', place: '', link: 'https://Visio.Exemple.FR/salle 1' }),
    );
    const bis = (await bot.services.store.events.upcoming(clock.now(), 10)).find((e) => e.title === 'Journée Tester bis')!;
    expect(bis.link).toBe('https://visio.exemple.fr/salle%201');
    await repliesSettled(bot); // what earlier tests queued has gone: the uploads below are these clicks'
    slack.clear();
    for (const u of ['U1', 'U9']) await click(u, 'event.register', { id: String(bis.id), c: 'own' });
    await slack.waitForCall('files.completeUploadExternal', 2);
    const ics = slack.requests.find((r) => r.path.startsWith('/upload/'))!.raw;
    expect(ics).toContain('URL:https://visio.exemple.fr/salle%201');

    const reminders = () =>
      toSlack('U1', 'Journée Tester bis')
        .filter((c) => allText(c.body).includes('Rappel'))
        .map((c) => allText(c.body));
    clock.set(new Date('2027-05-04T07:00:30Z'));
    await deliverDue();
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]).toContain('c’est demain');

    // postponed by two weeks: the registrants are told (a job, once each), and the reminders start again
    await teamsAct(ORG, 'event.submit', {
      ...formValues({ kind: 'tester', title: 'Journée Tester bis', startDate: '2027-05-19', capacity: '', place: '', link: 'https://visio.exemple.fr/salle%201' }),
      id: String(bis.id),
    });
    await deliverDue();
    await deliverDue();
    expect(toSlack('U1', 'Changement pour « Journée Tester bis »')).toHaveLength(1);
    clock.set(new Date('2027-05-12T07:00:30Z'));
    await deliverDue();
    expect(reminders()).toHaveLength(2);
    expect(reminders()[1]).toContain('dans 7 jours');

    // the bot was down from the 7-day reminder until 30 minutes before the start: one reminder, the closest
    clock.set(new Date('2027-05-19T06:30:30Z'));
    await deliverDue();
    await deliverDue();
    expect(reminders()).toHaveLength(3);
    expect(reminders()[2]).toContain('dans une heure');

    // the registrants' export does not let a name run as a spreadsheet formula
    slack.clear();
    await slash('UORG', `evenement export ${bis.id}`);
    await slack.waitForCall('files.completeUploadExternal');
    const csv = slack.requests.find((r) => r.path.startsWith('/upload/'))!.raw;
    expect(csv).toContain(`"'=HYPERLINK(""http://x.example"",""clic"")"`);
    expect(csv).not.toMatch(/(^|;)=HYPERLINK/m);
  });
});
