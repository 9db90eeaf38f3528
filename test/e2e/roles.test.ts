import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { ANA, BEN, TENANT } from '../support/teams-activity';

describe('roles: organisers grant and revoke in chat, on both platforms', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashText: slash, teamsSayText: teamsSay } = talk(() => ({ bot, slack, teams }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('UORG', { real_name: 'Orga Lab', locale: 'fr-FR', email: 'lab@exemple.fr' });
    slack.profiles.set('U2', { real_name: 'Bob Pilote', locale: 'fr-FR', email: 'bob@exemple.fr' });
    const programmeFile = programmeWith({ organisers: ['lab@exemple.fr'], pilots: { equipe: ['slack:T1/U3'] } });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile });
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  test('the programme file makes an organiser (by e-mail) and a pilot (by Slack id)', async () => {
    expect(await slash('UORG', 'role')).toBe('Vos rôles : agent, organisateur.');
    expect(await slash('U3', 'role')).toBe('Vos rôles : agent, pilote de l’axe 5 · Faire équipe.');
  });

  test('a non-organiser cannot grant a role, and nothing changes', async () => {
    const before = (await bot.services.store.roles.all()).length;
    expect(await slash('U2', 'role ajouter <@U2|bob> organisateur')).toContain('Seuls les organisateurs');
    expect((await bot.services.store.roles.all()).length).toBe(before);
  });

  test('an organiser makes a Slack colleague pilot of an axis by mentioning them, then revokes it', async () => {
    await slash('U2', 'aide'); // Bob has written to the bot once
    expect(await slash('UORG', 'role ajouter <@U2|bob> pilote usager')).toBe('C’est fait : Bob Pilote est désormais pilote de l’axe 3 · Renforcer notre culture « usager ».');
    expect(await slash('U2', 'role')).toBe('Vos rôles : agent, pilote de l’axe 3 · Renforcer notre culture « usager ».');
    expect(await slash('UORG', 'role retirer <@U2|bob> pilote 3')).toContain('n’est plus pilote');
    expect(await slash('U2', 'role')).toBe('Vos rôles : agent (aucun rôle particulier).');
  });

  test('bad role commands get clear replies and change nothing', async () => {
    const before = (await bot.services.store.roles.all()).length;
    expect(await slash('UORG', 'role ajouter <@U2|bob> pilote mars')).toContain('Je ne connais pas l’axe « mars »');
    expect(await slash('UORG', 'role ajouter <@U2|bob> pilote')).toContain('Précisez l’axe du pilote : transitions, territoires');
    expect(await slash('UORG', 'role ajouter <@U2|bob> chef')).toContain('Rôle inconnu « chef »');
    expect(await slash('UORG', 'role ajouter')).toContain('Utilisation');
    expect(await slash('UORG', 'role ajouter <@U2|bob> chef usager')).toContain('Rôle inconnu « chef »');
    expect(await slash('UORG', 'role ajouter {"$ne":null} organisateur')).toContain('Je ne trouve pas cette personne');
    expect(await slash('UORG', 'role ajouter <@U404|ghost> organisateur')).toContain('Je ne trouve pas cette personne');
    expect(await slash('UORG', 'role retirer <@U2|bob> organisateur')).toContain('n’a pas ce rôle');
    expect((await bot.services.store.roles.all()).length).toBe(before);
  });

  test('a role granted by e-mail reaches a Teams person, mentions work in Teams, and "role liste" shows everyone', async () => {
    expect(await slash('UORG', 'role ajouter <mailto:ana@exemple.fr|ana@exemple.fr> organisateur')).toContain('ana@exemple.fr est désormais organisateur');
    // Ana's e-mail is known once recorded with it (Teams gives it through the roster; here, set by a contact)
    await bot.services.people.contact({ platform: 'teams', tenant: TENANT, user: ANA.aadObjectId, displayName: ANA.name, email: 'ana@exemple.fr' });
    expect(await teamsSay(ANA, 'role')).toContain('Vos rôles : agent, organisateur.');

    await teamsSay(BEN, 'aide'); // Ben has written to the bot
    const reply = await teamsSay(ANA, 'role ajouter <at>Ben Teams</at> pilote territoires', [
      { type: 'mention', text: '<at>Ben Teams</at>', mentioned: { id: BEN.id, name: BEN.name } },
    ]);
    expect(reply).toContain('Ben Teams est désormais pilote de l’axe 2 · Aller vers les territoires.');
    expect(await teamsSay(BEN, 'role')).toContain('pilote de l’axe 2');

    const list = await teamsSay(ANA, 'role liste');
    expect(list).toContain('Rôles du programme');
    expect(list).toContain('Ben Teams');
    expect(list).toContain('Orga Lab');
    expect(list).toContain('ana@exemple.fr');
  });

  test('an organiser cannot remove their own organiser role', async () => {
    expect(await slash('UORG', 'role retirer <@UORG|orga> organisateur')).toContain('Vous ne pouvez pas retirer votre propre rôle');
  });
});
