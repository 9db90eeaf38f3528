import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { ANA, TENANT } from '../support/teams-activity';

/** The audit trail of privileged actions: written where each happens, read and exported by organisers in chat. */
describe('audit trail: who did what, when — listed and exported by organisers', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashText, slashReply, click, teamsSayText } = talk(() => ({ bot, slack, teams }));
  const ANA_ID = `teams:${TENANT}/${ANA.aadObjectId}`;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('UORG', { real_name: 'Orga Lab', locale: 'fr-FR', email: 'lab@exemple.fr' });
    slack.profiles.set('U2', { real_name: 'Bob Agent', locale: 'fr-FR' });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: ['lab@exemple.fr', ANA_ID] }) });
    await slashText('U2', 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  const journal = async (user = 'UORG') => allText((await slashReply(user, 'journal')).blocks);

  test('the privileged actions of a run are listed newest first with their actors, in words and in the programme’s time zone', async () => {
    // roles
    expect(await slashText('UORG', 'role ajouter <@U2|bob> pilote usager')).toContain('est désormais pilote');
    expect(await slashText('UORG', 'role retirer <@U2|bob> pilote 3')).toContain('n’est plus pilote');
    // ideas: status, hide, merge, export
    await slashText('U2', 'idee Un guichet unique pour les usagers #accueil');
    await slashText('U2', 'idee Un autre guichet unique #accueil');
    await slashText('U2', 'idee Une idée à masquer #accueil');
    expect(await slashText('UORG', 'statut 1 etude')).toContain('idée n°1');
    expect(await slashText('UORG', 'masquer 3 hors sujet')).toContain('3');
    expect(await slashText('UORG', 'fusionner 2 dans 1')).toContain('2');
    await slashReply('UORG', 'export');
    // an event cancelled
    const org = await bot.services.people.contact({ platform: 'slack', tenant: 'T1', user: 'UORG' });
    const event = await bot.services.events.create(
      org,
      { kind: 'off', title: 'Café des idées', startDate: '2031-03-02', startTime: '12:00', endTime: '13:00', audience: 'organisers' } as never,
      false,
    );
    expect(allText((await slashReply('UORG', `evenement annuler ${event.id} salle prise`)).blocks)).toContain('annulé');
    // a broadcast confirmed, another cancelled
    const b1 = await bot.services.broadcasts.draft(org, { message: 'Bonjour à tous', audience: 'organisers', when: 'at', date: '2031-03-01', time: '09:00' });
    const b2 = await bot.services.broadcasts.draft(org, { message: 'Un autre message', audience: 'organisers', when: 'at', date: '2031-03-01', time: '09:00' });
    expect((await click('UORG', 'broadcast.confirm', { verb: 'broadcast.confirm', id: String(b1.id) })).text).toContain('programmé');
    await click('UORG', 'broadcast.cancel', { verb: 'broadcast.cancel', id: String(b2.id) });

    const entries = await bot.services.store.audit.since();
    expect(entries.map((e) => [e.action, e.subject])).toEqual([
      ['role.grant', 'person:slack:T1/U2'],
      ['role.revoke', 'person:slack:T1/U2'],
      ['idea.status', 'idea:1'],
      ['idea.hide', 'idea:3'],
      ['idea.merge', 'idea:2'],
      ['export.ideas', 'ideas'],
      ['event.cancel', `event:${event.id}`],
      ['broadcast.confirm', `broadcast:${b1.id}`],
      ['broadcast.cancel', `broadcast:${b2.id}`],
    ]);
    expect(new Set(entries.map((e) => e.actor))).toEqual(new Set(['slack:T1/UORG']));
    expect(entries[0].detail).toEqual({ role: 'pilote', axis: 'usager' });
    expect(entries[4].detail).toEqual({ into: 1 });
    // no text typed by anyone: not the reason of the hiding nor of the cancellation, nor the ideas
    const stored = JSON.stringify(entries);
    for (const text of ['hors sujet', 'salle prise', 'guichet', 'Bonjour']) expect(stored).not.toContain(text);

    const text = await journal();
    expect(text).toContain('Journal des actions');
    expect(text).toContain('Orga Lab — a donné un rôle · Bob Agent (role: pilote, axis: usager)');
    expect(text).toContain('Orga Lab — a masqué une idée · idée n° 3');
    expect(text).toContain('Orga Lab — a fusionné une idée · idée n° 2 (into: 1)');
    expect(text).toContain(`Orga Lab — a annulé une diffusion · diffusion n° ${b2.id}`);
    expect(text).toContain('Europe/Paris');
    // newest first
    expect(text.indexOf('a annulé une diffusion')).toBeLessThan(text.indexOf('a donné un rôle'));
    // the time, as a person in Paris reads it
    const at = entries[0].at;
    const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(at);
    expect(text).toContain(paris);
  });

  test('others get the organisers-only answer, and see nothing', async () => {
    const text = await slashText('U2', 'journal');
    expect(text).toContain('Seuls les organisateurs peuvent consulter le journal des actions.');
    expect(text).not.toContain('Orga Lab');
  });

  test('« Plus anciens » pages through the trail 20 at a time', async () => {
    const org = 'slack:T1/UORG';
    for (let i = 0; i < 25; i++) await bot.services.audit.record(org, 'idea.status', `idea:${100 + i}`, { to: 'etude' });
    const first = await slashReply('UORG', 'journal');
    const firstText = allText(first.blocks);
    expect(firstText).toContain('idée n° 124');
    expect(firstText).toContain('idée n° 105');
    expect(firstText).not.toContain('idée n° 104');
    const older = first.blocks
      .filter((b: any) => b.type === 'actions')
      .flatMap((b: any) => b.elements)
      .find((e: any) => e.text.text === 'Plus anciens');
    expect(older).toBeDefined();
    const next = allText((await click('UORG', older.action_id, JSON.parse(older.value))).blocks);
    expect(next).toContain('idée n° 104');
    expect(next).toContain('idée n° 100');
    expect(next).toContain('a donné un rôle');
    expect(next).not.toContain('idée n° 105');
  });

  test('« Exporter (CSV) » gives the whole trail as a file, and the export is itself in the trail; on Teams too', async () => {
    slack.clear();
    const reply = await slashReply('UORG', 'journal export');
    expect(reply.text).toMatch(/Le journal des actions : \d+ entrées\./);
    const [upload] = await slack.waitFor((r) => r.path.startsWith('/upload/'));
    const csv = upload.raw;
    expect(csv).toContain('date;auteur (id);auteur;action;libellé;objet;détails');
    expect(csv).toContain('slack:T1/UORG;Orga Lab;role.grant;a donné un rôle;Bob Agent;role: pilote, axis: usager');
    expect(csv).toContain('export.audit;a exporté le journal des actions;le journal');
    const latest = (await bot.services.store.audit.list({ limit: 1 }))[0];
    expect(latest).toMatchObject({ action: 'export.audit', actor: 'slack:T1/UORG' });

    // Ana is an organiser on Teams: the journal in her chat, in words
    const text = await teamsSayText(ANA, 'journal');
    expect(text).toContain('Journal des actions');
    expect(text).toContain('Orga Lab — a exporté le journal des actions · le journal');
  });
});
