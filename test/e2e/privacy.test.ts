import { createHash } from 'node:crypto';
import { settableClock } from '../support/clock';
import { talk } from '../support/conversation';
import { dumpStore } from '../support/dump';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { ANA, BEN, messageActivity, TENANT } from '../support/teams-activity';
import { allText, deliverDue, startTestBot, type TestBot } from '../support/harness';
import { freshDatabase, mongoUri, sayIfMongoSkipped, uriWithDatabase } from '../support/mongo';
import { programmeWith } from '../support/programme';

/** Tuesday 1 December 2026, 10:00 in Paris. */
const START = new Date('2026-12-01T09:00:00Z');
const NAME = 'Honorine Vasseur';
const EMAIL = 'honorine.vasseur@exemple.fr';

sayIfMongoSkipped('privacy e2e');

/**
 * Runs the bot's due work until `done` holds (an erasure is a job, which the click also wakes on its own:
 * the test waits for its outcome, not for a number of passes).
 */
async function until(bot: TestBot, done: () => Promise<boolean> | boolean, rounds = 50): Promise<void> {
  for (let i = 0; i < rounds && !(await done()); i++) await deliverDue(bot);
}

const stores: Array<[string, Record<string, string> | null]> = [
  ['embedded SQLite', {}],
  ['MongoDB', mongoUri ? { MONGODB_URI: uriWithDatabase(mongoUri, freshDatabase('ensemble_privacy')) } : null],
];

/**
 * Issue 15 end to end, on each store: a person with an idea, a support, a place at a full event and a
 * reminder queued for them asks for their data (the file lists each), then erases it: the idea shows
 * « Agent anonyme », the counts are unchanged, the first person waiting gets the place and is told, the
 * reminder is not sent, and the store holds nothing of their name, e-mail or platform ids.
 */
describe.each(stores)('privacy: my data, then erasure (%s)', (_name, env) => {
  const run = env ? test : test.skip;
  let slack: FakeSlack;
  let bot: TestBot;
  const clock = settableClock(START);
  const { slashReply, click } = talk(() => ({ bot, slack }));
  const toSlack = (user: string, text: string) => slack.calls('chat.postMessage').filter((c) => c.body.channel === user && allText(c.body).includes(text));
  const uploads = () => slack.requests.filter((r) => r.path.startsWith('/upload/')).map((r) => r.raw);

  beforeAll(async () => {
    if (!env) return;
    slack = await new FakeSlack().start();
    slack.profiles.set('UHV7K2Q9', { real_name: NAME, locale: 'fr-FR', email: EMAIL });
    slack.profiles.set('UYB3M8X1', { real_name: 'Yves Bernard', locale: 'fr-FR', email: 'yves@exemple.fr' });
    slack.profiles.set('UORG', { real_name: 'Léa Lab', locale: 'fr-FR' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: ['slack:T1/UORG'] }), clock, background: false, env });
    for (const u of ['UHV7K2Q9', 'UYB3M8X1', 'UORG']) await slashReply(u, 'aide');
  });
  afterAll(async () => {
    if (!env) return;
    await bot.close();
    await slack.stop();
  });

  let ideaId: number;
  let yvesIdea: number;
  let eventId: number;

  run('the person proposes, supports, takes the last place of an event; a reminder is queued for them', async () => {
    await slashReply('UHV7K2Q9', 'idee Un guichet unique pour les agents #accueil');
    await slashReply('UYB3M8X1', 'idee Des salles de réunion partagées #accueil');
    const ideas = await bot.services.store.ideas.all();
    ideaId = ideas.find((i) => i.title.startsWith('Un guichet'))!.id;
    yvesIdea = ideas.find((i) => i.title.startsWith('Des salles'))!.id;
    await click('UHV7K2Q9', 'idea.support', { id: String(yvesIdea), view: 'idea' });
    await click('UYB3M8X1', 'idea.support', { id: String(ideaId), view: 'idea' });
    expect((await bot.services.store.ideas.get(yvesIdea))!.supportCount).toBe(1);

    const org = await bot.services.people.contact({ platform: 'slack', tenant: 'T1', user: 'UORG' });
    const event = await bot.services.events.create(
      org,
      {
        kind: 'creer',
        title: 'Journée Créer',
        description: '',
        startDate: '2026-12-11',
        startTime: '09:00',
        endDate: '',
        endTime: '17:00',
        place: 'Salle 2',
        link: '',
        capacity: '1',
        axis: '',
        audience: 'everyone',
      } as never,
      false,
    );
    eventId = event.id;
    await click('UHV7K2Q9', 'event.register', { id: String(eventId), c: 'own' });
    await click('UYB3M8X1', 'event.register', { id: String(eventId), c: 'own' });
    expect((await bot.services.store.events.registrations(eventId)).map((r) => [r.personId, r.state])).toEqual([
      ['slack:T1/UHV7K2Q9', 'registered'],
      ['slack:T1/UYB3M8X1', 'waiting'],
    ]);
    await deliverDue(bot);
    // the 7-day reminder's time: the reminder is queued for them, not sent yet
    clock.set(new Date('2026-12-04T08:00:30Z'));
    await bot.delivery.jobs.runDue();
    expect((await bot.services.store.outbox.report(`event:${eventId}:reminders`)).pending + (await pendingTo('slack:T1/UHV7K2Q9'))).toBeGreaterThan(0);
  });

  async function pendingTo(personId: string): Promise<number> {
    const data = await bot.services.store.privacy.dataOf(personId, []);
    return (data.outbox ?? []).filter((r) => r.state === 'pending').length;
  }

  run('« mes-donnees » sends a file listing the idea, the supports, the registration and the queued reminder, and a summary', async () => {
    const before = uploads().length;
    const reply = await slashReply('UHV7K2Q9', 'mes-donnees');
    expect(allText(reply.blocks)).toContain('Je rassemble vos données');
    // made by a job, then sent to their own chat with the bot: a summary and the file
    for (let i = 0; i < 20 && !toSlack('UHV7K2Q9', 'Vos données').length; i++) await deliverDue(bot);
    const [summary] = toSlack('UHV7K2Q9', 'Vos données');
    const card = allText(typeof summary.body.blocks === 'string' ? JSON.parse(summary.body.blocks) : summary.body.blocks);
    expect(card).toContain(NAME);
    expect(card).toMatch(/Idées\W+1/);
    expect(card).toMatch(/Inscriptions\W+1/);
    expect(card).toMatch(/Messages\W+1 en attente/);
    // Slack's file uploads have a ceiling of their own (the calendar entry took the last slot): a minute later
    const exported = () =>
      uploads()
        .slice(before)
        .find((u) => u.includes('"generatedAt"'));
    for (let i = 0; i < 10 && !exported(); i++) {
      clock.set(new Date(clock.now().getTime() + 61_000));
      await deliverDue(bot);
    }
    const file = uploads()
      .slice(before)
      .find((u) => u.includes('"generatedAt"'))!;
    expect(file).toBeDefined();
    const json = JSON.parse(file.slice(file.indexOf('{'), file.lastIndexOf('}') + 1)) as { person: { email: string }; store: Record<string, unknown[]> };
    expect(json.person.email).toBe(EMAIL);
    const text = JSON.stringify(json.store);
    expect(text).toContain('Un guichet unique');
    expect(json.store.supports.length).toBe(1);
    expect(json.store.registrations.length).toBe(1);
    expect(text).toContain('Rappel');
    // Yves's own idea is not part of it
    expect(text).not.toContain('Des salles de réunion');
    // once a day
    const again = await slashReply('UHV7K2Q9', 'mes-donnees');
    expect(allText(again.blocks)).toContain('déjà demandé vos données aujourd’hui');
    await deliverDue(bot);
    expect(toSlack('UHV7K2Q9', 'Vos données')).toHaveLength(1);
  });

  run('erasure: confirmed, then the idea shows « Agent anonyme », counts stay, the waiting person gets the place, the reminder is not sent', async () => {
    const confirm = await slashReply('UHV7K2Q9', 'effacer-mes-donnees');
    expect(allText(confirm.blocks)).toContain('Voulez-vous effacer vos données');
    expect(allText(confirm.blocks)).toContain('attribuées à « Agent anonyme »');
    // a cancel changes nothing
    await click('UHV7K2Q9', 'privacy.eraseCancel', {});
    expect(await bot.services.store.people.get('slack:T1/UHV7K2Q9')).not.toBeNull();

    // the button names whom it erases: someone else pressing it (a card seen in a Teams channel) is refused
    const other = await click('UYB3M8X1', 'privacy.erase', { person: 'slack:T1/UHV7K2Q9' });
    expect(allText(other.blocks)).toContain('Seuls les organisateurs');
    const done = await click('UHV7K2Q9', 'privacy.erase', { person: 'slack:T1/UHV7K2Q9' });
    expect(allText(done.blocks)).toContain('vos données sont en cours d’effacement');
    // a job in the store, run at once
    await until(bot, async () => !(await bot.services.store.people.get('slack:T1/UHV7K2Q9')));
    expect(await bot.services.store.people.get('slack:T1/UHV7K2Q9')).toBeNull();

    const idea = (await bot.services.store.ideas.get(ideaId))!;
    expect(idea.supportCount).toBe(1);
    expect((await bot.services.store.ideas.get(yvesIdea))!.supportCount).toBe(1);
    const card = await click('UYB3M8X1', 'idea.view', { id: String(ideaId) });
    expect(allText(card.blocks)).toContain('Agent anonyme');
    expect(allText(card.blocks)).toContain('Un guichet unique');

    expect((await bot.services.store.events.registrations(eventId)).map((r) => r.state)).toEqual(['registered']);
    const sentBefore = toSlack('DUHV7K2Q9', 'Rappel').length + toSlack('UHV7K2Q9', 'Rappel').length;
    await deliverDue(bot);
    // the first person waiting got the place, and is told once
    expect(toSlack('UYB3M8X1', 'une place s’est libérée pour « Journée Créer »')).toHaveLength(1);
    expect(toSlack('DUHV7K2Q9', 'Rappel').length + toSlack('UHV7K2Q9', 'Rappel').length).toBe(sentBefore);

    const raw = await dumpStore(bot.services.store);
    for (const word of ['slack:T1/UHV7K2Q9', 'UHV7K2Q9', NAME, EMAIL]) expect(raw).not.toContain(word);
    // nor the digest of their id the export's job was keyed with (anyone could hash ids to find it)
    expect(raw).not.toContain(createHash('sha256').update('slack:T1/UHV7K2Q9').digest('hex').slice(0, 24));
    // nor in the files the store kept (the export itself was one): their content is gone
    const decoded = [...raw.matchAll(/\\?"base64\\?":\\?"([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
    for (const word of ['UHV7K2Q9', NAME, EMAIL]) expect(decoded.join('\n')).not.toContain(word);
  });
});

/**
 * Retention of inactive people, an organiser erasing for someone, and what is refused: on the embedded store,
 * with the clock driven 24 months ahead.
 */
describe('privacy: inactive people warned then erased; erasure by an organiser; the notice', () => {
  let slack: FakeSlack;
  let bot: TestBot;
  const clock = settableClock(START);
  const { slashReply, click } = talk(() => ({ bot, slack }));
  const toSlack = (user: string, text: string) => slack.calls('chat.postMessage').filter((c) => c.body.channel === user && allText(c.body).includes(text));
  const MONTH = 30 * 86_400_000;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    slack.profiles.set('UOLD4R7T', { real_name: 'Gaston Ancien', locale: 'fr-FR', email: 'gaston@exemple.fr' });
    slack.profiles.set('UBACK6P2', { real_name: 'Rose Revenue', locale: 'fr-FR' });
    slack.profiles.set('UASK3N5', { real_name: 'Paul Demande', locale: 'fr-FR', email: 'paul.demande@exemple.fr' });
    slack.profiles.set('UORG', { real_name: 'Léa Lab', locale: 'fr-FR' });
    slack.profiles.set('UMGR8W4', { real_name: 'Marc Manager', locale: 'fr-FR', email: 'marc.manager@exemple.fr' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: ['slack:T1/UORG'] }), clock, background: false });
    for (const u of ['UOLD4R7T', 'UBACK6P2', 'UASK3N5', 'UORG', 'UMGR8W4']) await slashReply(u, 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
  });

  test('the privacy notice is built from the programme: controller, DPO, lawful basis, durations, rights', async () => {
    const card = allText((await slashReply('UASK3N5', 'confidentialite')).blocks);
    expect(card).toContain('Région — Direction de la transformation publique');
    expect(card).toContain('dpo@exemple.fr');
    expect(card).toContain('mission de service public');
    expect(card).toContain('24 mois');
    expect(card).toContain('90 jours');
    expect(card).toContain('effacer-mes-donnees');
    // linked from the help
    expect(allText((await slashReply('UASK3N5', 'aide')).blocks)).toContain('confidentialite');
  });

  test('only an organiser erases for someone else; an unknown person is refused; nothing changes', async () => {
    const refused = await slashReply('UASK3N5', 'effacer-mes-donnees @{slack:T1/UBACK6P2}');
    expect(allText(refused.blocks)).toContain('Seuls les organisateurs');
    const forged = await click('UASK3N5', 'privacy.erase', { person: 'slack:T1/UBACK6P2' });
    expect(allText(forged.blocks)).toContain('Seuls les organisateurs');
    expect(await bot.services.store.people.get('slack:T1/UBACK6P2')).not.toBeNull();
    const unknown = await slashReply('UORG', 'effacer-mes-donnees personne@exemple.fr');
    expect(allText(unknown.blocks)).toContain('Je ne connais personne');
  });

  test('an organiser erases the data of a person who asked by e-mail', async () => {
    const confirm = await slashReply('UORG', 'effacer-mes-donnees paul.demande@exemple.fr');
    expect(allText(confirm.blocks)).toContain('Effacer les données de Paul Demande');
    const started = await click('UORG', 'privacy.erase', { person: 'slack:T1/UASK3N5' });
    expect(allText(started.blocks)).toContain('vous serez prévenu(e) quand il sera terminé');
    // pressed twice: erased once
    await click('UORG', 'privacy.erase', { person: 'slack:T1/UASK3N5' });
    await until(bot, () => toSlack('UORG', 'Les données de cette personne ont été effacées').length > 0);
    await deliverDue(bot);
    expect(toSlack('UORG', 'Les données de cette personne ont été effacées')).toHaveLength(1);
    expect(await bot.services.store.people.get('slack:T1/UASK3N5')).toBeNull();
    expect(await dumpStore(bot.services.store)).not.toContain('paul.demande');
    // the audit trail says who ran it, without naming whom
    const journal = allText((await slashReply('UORG', 'journal')).blocks);
    expect(journal).toContain('Léa Lab');
    expect(journal).toContain('a effacé les données d’une personne');
    expect(journal).not.toContain('Paul Demande');
  });

  test("an organiser's data names nobody else: the author of an anonymous idea they answered is « une autre personne »", async () => {
    const idea = await bot.services.store.ideas.create({
      title: 'Idée discrète',
      description: 'Texte',
      axisId: 'usager',
      hashtags: [],
      anonymous: true,
      authorId: 'slack:T1/UBACK6P2',
      createdAt: clock.now(),
    });
    await bot.services.store.ideas.setStatus(idea.id, 'retenue', 'Merci', 'slack:T1/UORG', clock.now());
    // a role the organiser granted by e-mail, before that person ever wrote: their e-mail is theirs, not the organiser's
    await bot.services.store.roles.save({ subject: 'marc.futur@exemple.fr', role: 'pilote', axisId: 'usager', active: true, by: 'slack:T1/UORG', at: clock.now() });
    const uploadsBefore = slack.requests.filter((r) => r.path.startsWith('/upload/')).length;
    await slashReply('UORG', 'mes-donnees');
    const exported = () =>
      slack.requests
        .filter((r) => r.path.startsWith('/upload/'))
        .slice(uploadsBefore)
        .map((r) => r.raw)
        .find((u) => u.includes('"generatedAt"'));
    // Slack's file uploads have a ceiling of their own: a minute at a time until it is through
    for (let i = 0; i < 5 && !exported(); i++) {
      await deliverDue(bot);
      clock.set(new Date(clock.now().getTime() + 61_000));
    }
    const file = exported()!;
    expect(file).toContain('Idée discrète');
    expect(file).toContain('une autre personne');
    expect(file).not.toContain('UBACK6P2');
    expect(file).not.toContain('marc.futur');
    expect(file).toContain('dpo@exemple.fr');
    expect(file).toContain('slack:T1/UORG');
  });

  test('a request waiting for the approval of a manager who is erased is withdrawn, and its agent told to name another', async () => {
    const request = await bot.services.store.engagements.create(
      {
        personId: 'slack:T1/UBACK6P2',
        managerId: 'slack:T1/UMGR8W4',
        role: 'service',
        domains: ['process-internes'],
        timePercent: 5,
        motivation: 'Simplifier',
        project: 'Accueil',
        start: '2027-01-04',
        listed: false,
      },
      clock.now(),
    );
    await slashReply('UORG', 'effacer-mes-donnees marc.manager@exemple.fr');
    await click('UORG', 'privacy.erase', { person: 'slack:T1/UMGR8W4' });
    await until(bot, async () => !(await bot.services.store.people.get('slack:T1/UMGR8W4')));
    await deliverDue(bot);
    expect((await bot.services.store.engagements.get(request!.id))!.state).toBe('withdrawn');
    await deliverDue(bot);
    expect(toSlack('UBACK6P2', 'a effacé ses données')).toHaveLength(1);
    expect(await dumpStore(bot.services.store)).not.toContain('UMGR8W4');
  });

  test('24 months without activity: warned once; 30 days later erased, unless they came back', async () => {
    // Léa uses the bot a year later; Gaston and Rose do not
    clock.set(new Date(START.getTime() + 12 * MONTH));
    await slashReply('UORG', 'aide');
    clock.set(new Date(START.getTime() + 24 * MONTH + 86_400_000));
    await bot.delivery.jobs.runDue();
    await deliverDue(bot);
    expect(toSlack('UOLD4R7T', 'Êtes-vous toujours là')).toHaveLength(1);
    expect(toSlack('UBACK6P2', 'Êtes-vous toujours là')).toHaveLength(1);
    expect(toSlack('UORG', 'Êtes-vous toujours là')).toHaveLength(0);
    // the next daily pass does not warn them again
    clock.set(new Date(clock.now().getTime() + 86_400_000));
    await bot.delivery.jobs.runDue();
    await deliverDue(bot);
    expect(toSlack('UOLD4R7T', 'Êtes-vous toujours là')).toHaveLength(1);
    // Rose answers « Je suis toujours là »
    const kept = await click('UBACK6P2', 'privacy.stillHere', {});
    expect(allText(kept.blocks)).toContain('Votre compte est conservé');
    // 30 days after the warning
    clock.set(new Date(START.getTime() + 24 * MONTH + 32 * 86_400_000));
    await until(bot, async () => !(await bot.services.store.people.get('slack:T1/UOLD4R7T')));
    expect(await bot.services.store.people.get('slack:T1/UOLD4R7T')).toBeNull();
    expect(await bot.services.store.people.get('slack:T1/UBACK6P2')).not.toBeNull();
    const raw = await dumpStore(bot.services.store);
    expect(raw).not.toContain('Gaston Ancien');
    expect(raw).not.toContain('UOLD4R7T');
    // an erasure for inactivity queued for someone who came back meanwhile (Rose) does nothing
    await bot.services.store.jobs.add([
      { key: 'privacy:erase:erased:late', kind: 'privacy.erase', ref: 'privacy:erase:erased:late', param: 2, dueAt: clock.now(), subject: 'slack:T1/UBACK6P2' },
    ]);
    await deliverDue(bot);
    await deliverDue(bot);
    expect(await bot.services.store.people.get('slack:T1/UBACK6P2')).not.toBeNull();
    expect((await bot.services.store.jobs.forRef('privacy:erase:erased:late'))[0].state).toBe('done');
  });
});

/** The same on Teams: « mes données » is offered as a file (consent card) in the personal chat, and an erasure leaves nothing of the Teams identity. */
describe('privacy on Teams: my data as a file, then erasure', () => {
  let teams: FakeTeams;
  let bot: TestBot;
  const clock = settableClock(START);
  const { teamsSay, teamsActCard } = talk(() => ({ bot, teams }));
  const ANA_ID = `teams:${TENANT}/${ANA.aadObjectId}`;

  beforeAll(async () => {
    teams = await new FakeTeams().start();
    teams.members.set(ANA.id, { email: 'ana.teams@exemple.fr', name: ANA.name });
    bot = await startTestBot({ programmeFile: programmeWith({ organisers: [] }), clock, background: false });
    await teamsSay(ANA, 'aide');
    await teamsSay(ANA, 'idee Un guichet unique pour les agents #accueil');
  });
  afterAll(async () => {
    await bot.close();
    await teams.stop();
  });

  test('« mes-donnees »: a summary and a file consent card in the personal chat; accepted, the file is uploaded', async () => {
    const before = teams.sent(`a:${ANA.id}`).length;
    expect(allText(await teamsSay(ANA, 'mes-donnees'))).toContain('Je rassemble vos données');
    const consent = () =>
      teams
        .sent(`a:${ANA.id}`)
        .slice(before)
        .find((r) => r.body?.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.consent');
    await until(bot, () => !!consent());
    const att = consent()!.body.attachments[0];
    expect(att.name).toMatch(/^mes-donnees-\d{4}-\d{2}-\d{2}\.json$/);
    expect(
      teams
        .sent(`a:${ANA.id}`)
        .slice(before)
        .some((r) => allText(r.body).includes('Vos données')),
    ).toBe(true);
    const invoke: any = { ...messageActivity(teams.url, ANA, ''), type: 'invoke', name: 'fileConsent/invoke', text: undefined };
    invoke.value = {
      type: 'fileUpload',
      action: 'accept',
      context: att.content.acceptContext,
      uploadInfo: { uploadUrl: `${teams.url}/upload/data.json`, contentUrl: 'https://onedrive.example/data.json', name: att.name, uniqueId: 'u1', fileType: 'json' },
    };
    expect((await bot.post('/api/messages', invoke)).status).toBe(200);
    const [put] = await teams.waitFor((r) => r.method === 'PUT' && r.path === '/upload/data.json');
    expect(put.raw).toContain('"generatedAt"');
    expect(put.raw).toContain('Un guichet unique');
    expect(put.raw).toContain(ANA.aadObjectId);
  });

  test('asked in a team channel by someone who has no personal chat with the bot: told how to open one, nothing prepared', async () => {
    const CHANNEL = '19:general-projet@thread.tacv2';
    const activity = {
      ...messageActivity(teams.url, BEN, 'mes-donnees'),
      conversation: { id: CHANNEL, conversationType: 'channel', tenantId: TENANT },
      channelData: { tenant: { id: TENANT }, team: { id: CHANNEL, name: 'Équipe projet' }, channel: { id: CHANNEL } },
    };
    const before = teams.sent(CHANNEL).length;
    expect((await bot.post('/api/messages', activity)).status).toBe(200);
    const [reply] = (await teams.waitForSent(CHANNEL, before + 1)).slice(before);
    expect(allText(reply.body)).toContain('ouvrez une conversation avec Ensemble');
    expect(allText(reply.body)).not.toContain('Je rassemble');
    expect((await bot.services.store.privacy.dataOf(`teams:${TENANT}/${BEN.aadObjectId}`, [])).jobs).toBeUndefined();
  });

  test('erasure from Teams leaves nothing of the Teams identity in the store', async () => {
    const card = await teamsSay(ANA, 'effacer-mes-donnees');
    expect(allText(card)).toContain('Voulez-vous effacer vos données');
    const started = await teamsActCard(ANA, 'privacy.erase', { person: ANA_ID });
    expect(allText(started)).toContain('en cours d’effacement');
    await until(bot, async () => !(await bot.services.store.people.get(ANA_ID)));
    expect(await bot.services.store.people.get(ANA_ID)).toBeNull();
    const raw = await dumpStore(bot.services.store);
    for (const word of [ANA.aadObjectId, ANA.name, 'ana.teams@exemple.fr', ANA.id]) expect(raw).not.toContain(word);
    expect((await bot.services.store.ideas.all())[0].authorId).toMatch(/^erased:/);
  });
});
