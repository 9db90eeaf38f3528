import { createLogger } from '../../src/logger';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliverDue, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { slackHeaders, viewState, viewSubmissionBody } from '../support/slack-request';
import { ANA, messageActivity } from '../support/teams-activity';

/**
 * Minimisation: the logs carry no message text and no e-mail. A real bot runs a few flows (ideas with a
 * distinctive text, people with e-mails, a broadcast, failures on the way) with its logger writing into
 * memory at the most talkative level; the captured logs are then searched for those texts.
 */
describe('logs carry no message text and no e-mail', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const chunks: string[] = [];
  const { slash, slashText, slashReply, click, teamsSay } = talk(() => ({ bot, slack, teams }));

  const IDEA = 'Zorglub-idée des ateliers tournesol';
  const TEAMS_IDEA = 'Quokka-idée pour le guichet';
  const BROADCAST = 'Xylophone-annonce de la journée Créer';
  const HIDE_REASON = 'Motif-masquage-ornithorynque';
  const EMAILS = ['camille.secret@exemple.fr', 'orga.secret@exemple.fr', 'ana.secret@exemple.fr'];

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('U1', { real_name: 'Camille', locale: 'fr-FR', email: EMAILS[0] });
    slack.profiles.set('UORG', { real_name: 'Orga Lab', locale: 'fr-FR', email: EMAILS[1] });
    teams.members.set(ANA.id, { email: EMAILS[2], name: ANA.name });
    const log = createLogger({ level: 'trace', pretty: false, destination: { write: (s: string) => void chunks.push(s) } });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: [EMAILS[1]] }), log, env: { LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await slack.stop();
    await teams.stop();
  });

  test('a run through ideas, a broadcast and failed sends logs none of their texts, nor anyone’s e-mail', async () => {
    await slashText('U1', 'aide');
    await slashText('UORG', 'aide');
    expect(await slashText('U1', `idee ${IDEA} #accueil`)).toContain('n°');
    await teamsSay(ANA, `idee ${TEAMS_IDEA} #accueil`);
    expect(await slashText('UORG', `masquer 1 ${HIDE_REASON}`)).toContain('1');
    await slashReply('UORG', 'export');
    await slashText('UORG', 'role ajouter <mailto:someone.secret@exemple.fr|someone.secret@exemple.fr> organisateur');

    // a broadcast to everyone, sent now; one recipient's send is refused (a failure is logged)
    slack.refusedChannels.set('U1', 'account_inactive');
    await slash('UORG', 'diffusion');
    await slack.waitForCall('views.open');
    const body = viewSubmissionBody({
      callbackId: 'broadcast.submit',
      user: 'UORG',
      values: { ...viewState.text('message', BROADCAST), ...viewState.select('audience', 'everyone'), ...viewState.radio('when', 'now') },
    });
    expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && String(r.body.text).includes('Aperçu'));
    const blocks = typeof preview.body.blocks === 'string' ? JSON.parse(preview.body.blocks) : preview.body.blocks;
    const confirm = JSON.parse(blocks.filter((b: any) => b.type === 'actions').at(-1).elements[0].value);
    expect((await click('UORG', 'broadcast.confirm', confirm)).text).toContain('diffusion');
    await deliverDue(bot);
    expect(teams.sent().some((r) => JSON.stringify(r.body).includes('Xylophone'))).toBe(true);
    // a request that fails inside (an unknown verb's data, a malformed Teams activity) is logged too
    await bot.post('/api/messages', { ...messageActivity(teams.url, ANA, `${IDEA} encore`), from: { id: 42 } });
    await bot.close();

    const logs = chunks.join('');
    expect(logs.length).toBeGreaterThan(1000); // the bot did log (at trace level)
    expect(logs).toContain('delivery failed for good');
    for (const secret of [IDEA, 'Zorglub', TEAMS_IDEA, 'Quokka', BROADCAST, 'Xylophone', HIDE_REASON, 'ornithorynque', ...EMAILS, 'someone.secret']) {
      const at = logs.indexOf(secret);
      expect(at === -1 ? 'not found' : logs.slice(Math.max(0, at - 300), at + 100)).toBe('not found');
    }
    expect(allText(JSON.parse(`[${logs.trim().split('\n').join(',')}]`))).not.toMatch(/@exemple\.fr/);
  });
});
