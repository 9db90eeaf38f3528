import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { ANA, BEN, cardActionActivity, messageActivity, TENANT, type TeamsUser } from '../support/teams-activity';

/**
 * What a hostile request, a double click or a careless user does, through the real endpoints: each
 * test here failed before its fix.
 */
describe('hardening: input that deceives or crashes, clicks that carry their intention', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashReply, teamsSay, teamsAction } = talk(() => ({ bot, slack, teams }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('U1', { real_name: 'Camille Martin', locale: 'fr-FR' });
    slack.profiles.set('UPIL', { real_name: 'Pilote Usager', locale: 'fr-FR' });
    const programmeFile = programmeWith({ pilots: { usager: ['slack:T1/UPIL'] } });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile, background: true });
    await slashReply('UPIL', 'aide');
    await teamsSay(ANA, 'aide');
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  describe('people’s text is text', () => {
    const disguised = '[https://intranet.exemple.fr](https://evil.example/x)';

    test('a Markdown link in an idea is no link in the pilot’s DM (Slack), the list (Teams) or the card', async () => {
      slack.clear();
      await slashReply('U1', `idee Voir ${disguised} pour le détail #accueil`);
      const [toPilot] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UPIL');
      const blocks = JSON.stringify(toPilot.body.blocks);
      expect(blocks).not.toContain('<https://evil.example/x|');
      expect(blocks).toContain('[https://intranet.exemple.fr](https://evil.example/x)');
      const list = await teamsSay(ANA, 'idees recentes');
      const texts = JSON.stringify(list);
      expect(texts).not.toContain('[https://intranet.exemple.fr](https://evil.example/x)'); // not Markdown any more…
      expect(allText(list)).toContain('[https://intranet.exemple.fr]\u2060(https://evil.example/x)'); // …but the same characters
    });

    test('a display name cannot carry a link either', async () => {
      const mallory: TeamsUser = { id: '29:mallory', aadObjectId: '44444444-4444-4444-8444-444444444444', name: '[Service RH](https://evil.example/rh)' };
      await teamsSay(mallory, 'idee Une idée signée #accueil');
      const list = await teamsSay(BEN, 'idees recentes');
      expect(JSON.stringify(list)).not.toContain('[Service RH](https://evil.example/rh)');
    });

    test('control characters and bidirectional overrides are stripped before anything is stored', async () => {
      await slashReply('U1', 'idee Facture\u0000 ESC\u001b[31m rouge \u202Etxt.exe #accueil');
      const ideas = await bot.services.store.ideas.all();
      const last = ideas[ideas.length - 1];
      expect(last.title).toBe('Facture ESC[31m rouge txt.exe');
    });
  });

  describe('input that used to crash a handler', () => {
    test.each(['__proto__', 'constructor', 'toString'])('/ensemble %s gets the "unknown" answer on Slack and on Teams', async (word) => {
      expect((await slashReply('U1', word)).text).toContain(`Je ne connais pas « ${word} »`);
      expect(allText(await teamsSay(ANA, word))).toContain(`Je ne connais pas « ${word} »`);
    });

    test.each(['role ajouter @{slack:T1/U1} __proto__', 'statut 1 __proto__', 'role __proto__ x pilote', 'evenement constructor 1'])('%j gets a clear refusal', async (text) => {
      const reply = await slashReply('UPIL', text);
      expect(reply.text).not.toContain('Quelque chose s’est mal passé');
      expect(reply.text.length).toBeGreaterThan(10);
    });

    test('an unbounded page number is bounded, not sent to the store', async () => {
      const reply = await slashReply('U1', 'idees recentes 99999999999999999999');
      expect(allText(reply.blocks)).toContain('Les idées les plus récentes');
      expect(reply.text).not.toContain('Quelque chose s’est mal passé');
    });

    test('a Teams mention whose id is an object is refused at the edge (400), nothing recorded', async () => {
      const before = await bot.services.store.people.count();
      const activity = messageActivity(teams.url, { ...ANA, id: '29:ana-2', aadObjectId: '55555555-5555-4555-8555-555555555555' }, '<at>x</at> role', {
        entities: [{ type: 'mention', text: '<at>x</at>', mentioned: { id: { $ne: null }, name: 'x' } }],
      });
      const res = await bot.post('/api/messages', activity);
      expect(res.status).toBe(400);
      expect(await bot.services.store.people.count()).toBe(before);
    });
  });

  describe('clicks carry their intention', () => {
    test('100 Teams agents each pressing « Soutenir » twice at once leave 100 supports', async () => {
      const agents: TeamsUser[] = Array.from({ length: 100 }, (_, i) => ({ id: `29:agent-${i}`, aadObjectId: `aad-agent-${i}`, name: `Agent ${i}` }));
      const idea = (await bot.services.store.ideas.all())[0];
      const before = (await bot.services.store.ideas.get(idea.id))!.supportCount;
      const clicks = agents.flatMap((a) => [0, 1].map(() => bot.post('/api/messages', cardActionActivity(teams.url, a, 'idea.support', { id: String(idea.id), view: 'idea' }))));
      const answers = await Promise.all(clicks);
      expect(answers.every((r) => r.status === 200)).toBe(true);
      expect((await bot.services.store.ideas.get(idea.id))!.supportCount).toBe(before + 100);
      // and « Retirer mon soutien » twice is once too
      await Promise.all(
        agents.slice(0, 10).flatMap((a) => [0, 1].map(() => bot.post('/api/messages', cardActionActivity(teams.url, a, 'idea.withdraw', { id: String(idea.id), view: 'idea' })))),
      );
      expect((await bot.services.store.ideas.get(idea.id))!.supportCount).toBe(before + 90);
      const card = await teamsAction(agents[50], 'idea.view', { id: String(idea.id) }, 'automatic');
      expect(allText(card.body.value)).toContain('Retirer mon soutien');
    });
  });

  describe('Teams drops what reads as an HTML tag', () => {
    test('the empty list’s example and the help’s arguments keep their words (no « <votre idée> » left for Teams to drop)', async () => {
      const newcomer: TeamsUser = { id: '29:newcomer', aadObjectId: '88888888-8888-4888-8888-888888888888', name: 'Nouvelle' };
      const texts = (activity: any): string[] => JSON.stringify(activity).match(/"text":"(?:[^"\\]|\\.)*"/g) ?? [];
      for (const text of ['idees miennes', 'aide']) {
        const shown = texts(await teamsSay(newcomer, text));
        expect(shown.length).toBeGreaterThan(0);
        expect(shown.filter((t) => /<[A-Za-z/]/.test(t))).toEqual([]);
      }
      expect(JSON.stringify(await teamsSay(newcomer, 'idees miennes'))).toContain('idee &lt;votre idée>');
    });
  });

  describe('Teams forms', () => {
    test('every required input of the forms Teams receives has an errorMessage (Microsoft’s parser checks it)', async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const AC = require('adaptivecards/dist/adaptivecards.js');
      const problems: string[] = [];
      let required = 0;
      for (const text of ['idee', 'idee Des bancs au soleil']) {
        const activity = await teamsSay(ANA, text);
        for (const attachment of activity.attachments ?? []) {
          const card = new AC.AdaptiveCard();
          const ctx = new AC.SerializationContext(AC.Versions.v1_5);
          card.parse(attachment.content, ctx);
          required += JSON.stringify(attachment.content).split('"isRequired":true').length - 1;
          for (const e of card.validateProperties().validationEvents)
            if (e.event === AC.ValidationEvent.RequiredInputsShouldHaveErrorMessage) problems.push(`${text}: ${e.message}`);
        }
      }
      expect(required).toBeGreaterThanOrEqual(2);
      expect(problems).toEqual([]);
    });
  });

  describe('Teams local mode answers only this machine, directly', () => {
    test.each([
      ['Host: evil.example (DNS rebinding from a local browser)', { host: 'evil.example' }],
      ['Host: evil.example:3978', { host: 'evil.example:3978' }],
      ['Via', { via: '1.1 proxy' }],
      ['X-Client-IP', { 'x-client-ip': '203.0.113.9' }],
      ['True-Client-IP', { 'true-client-ip': '203.0.113.9' }],
      ['CF-Connecting-IP', { 'cf-connecting-ip': '203.0.113.9' }],
      ['X-Original-Forwarded-For', { 'x-original-forwarded-for': '203.0.113.9' }],
      ['X-Forwarded-For', { 'x-forwarded-for': '203.0.113.9' }],
      ['Forwarded', { forwarded: 'for=203.0.113.9' }],
    ])('%s: 403, nothing answered or recorded', async (_name, headers) => {
      const stranger: TeamsUser = { id: `29:stranger-${Object.keys(headers)[0]}`, aadObjectId: 'aad-stranger', name: 'Stranger' };
      const before = await bot.services.store.people.count();
      const res = await rawPost(bot.port, '/api/messages', messageActivity(teams.url, stranger, 'aide'), headers);
      expect(res.status).toBe(403);
      expect(await bot.services.store.people.count()).toBe(before);
    });

    test('localhost and 127.0.0.1 with the port are this machine', async () => {
      for (const host of ['localhost', `127.0.0.1:${bot.port}`, `localhost:${bot.port}`]) {
        const res = await rawPost(bot.port, '/api/messages', messageActivity(teams.url, ANA, 'aide'), { host });
        expect(res.status).toBe(200);
      }
    });
  });
});

/** A POST with headers fetch() would not let us set (Host), through node:http. */
async function rawPost(port: number, path: string, body: object, headers: Record<string, string>): Promise<{ status: number }> {
  const http = await import('node:http');
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('hardening: Teams people named by e-mail or by GUID in the programme', () => {
  let teams: FakeTeams;
  let bot: TestBot;
  const { teamsSay } = talk(() => ({ bot, teams }));
  const CLARA: TeamsUser = { id: '29:clara', aadObjectId: '66666666-7777-4888-9999-aaaaaaaaaaaa', name: 'Clara Lab' };
  const DAN: TeamsUser = { id: '29:dan', aadObjectId: '77777777-8888-4999-aaaa-bbbbbbbbbbbb', name: 'Dan Pilote' };

  beforeAll(async () => {
    teams = await new FakeTeams().start();
    // the Bot Connector knows their e-mail; activities never carry it
    teams.members.set(CLARA.id, { email: 'Clara.Lab@Exemple.fr', name: CLARA.name, aadObjectId: CLARA.aadObjectId });
    const programmeFile = programmeWith({
      organisers: ['clara.lab@exemple.fr'],
      // upper case and braces: the same GUIDs as Teams sends them in lower case
      pilots: { usager: [`teams:{${TENANT.toUpperCase()}}/${DAN.aadObjectId.toUpperCase()}`] },
    });
    bot = await startTestBot({ programmeFile });
  });
  afterAll(async () => {
    await bot?.close();
    await teams.stop();
  });

  test('an organiser listed by e-mail is recognised on Teams (the e-mail comes from the member API)', async () => {
    expect(allText(await teamsSay(CLARA, 'role'))).toContain('organisateur');
    expect(allText(await teamsSay(CLARA, 'diffusion'))).toContain('Nouvelle diffusion');
    expect((await bot.services.store.people.get(`teams:${TENANT}/${CLARA.aadObjectId}`))?.email).toBe('clara.lab@exemple.fr');
  });

  test('a pilot listed as teams:{TENANT}/AAD in upper case is recognised', async () => {
    expect(allText(await teamsSay(DAN, 'role'))).toContain('pilote de l’axe 3');
  });

  test('someone the connector says nothing about stays an agent, and is answered', async () => {
    expect(allText(await teamsSay(BEN, 'role'))).toContain('agent (aucun rôle particulier)');
  });
});
