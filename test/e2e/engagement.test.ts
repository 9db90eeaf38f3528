import { inflateSync } from 'node:zlib';
import { settableClock } from '../support/clock';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliverDue, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { slackHeaders, viewState, viewSubmissionBody } from '../support/slack-request';
import { BEN, TENANT } from '../support/teams-activity';

/** Tuesday 1 December 2026, 10:00 in Paris. */
const START = new Date('2026-12-01T09:00:00Z');
const DAY = 86_400_000;

/** The text a PDF written by pdf-lib shows: its content streams inflated, their hex strings decoded (WinAnsi). */
function pdfText(pdf: Buffer): string {
  const latin = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of latin.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      content = m[1];
    }
    for (const t of content.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)) out.push(new TextDecoder('windows-1252').decode(Buffer.from(t[1], 'hex')));
  }
  return out.join(' ');
}

/**
 * Issue 12's engagement end to end, through the real endpoints with a driven clock: an agent on Slack signs
 * up naming a manager on Teams; the manager approves from the card; an organiser validates; the agent gets
 * the PDF contract; 30 and 7 days before the term bring the reminders once each; the renewal goes through
 * the approvals again; a withdrawal stops everything and tells the manager; a refusal's reason reaches the
 * agent; bad input and stale buttons change nothing.
 */
describe('ambassadors: sign-up, the manager and the Lab’ approve, the contract, the term, renewal, withdrawal', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const clock = settableClock(START);
  const { slashReply, click, teamsSay, teamsActCard } = talk(() => ({ bot, slack, teams }));
  const BEN_ID = `teams:${TENANT}/${BEN.aadObjectId}`;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('U1', { real_name: 'Camille Agent', locale: 'fr-FR', email: 'camille@exemple.fr' });
    slack.profiles.set('U2', { real_name: 'Dominique Agent', locale: 'fr-FR' });
    slack.profiles.set('UORG', { real_name: 'Léa Lab', locale: 'fr-FR' });
    teams.members.set(BEN.id, { email: 'ben.manager@exemple.fr', name: BEN.name });
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: ['slack:T1/UORG'] }), clock, background: false });
    for (const u of ['U1', 'U2', 'UORG']) await slashReply(u, 'aide');
    await teamsSay(BEN, 'aide');
    // the manager's e-mail is learnt from the Teams roster, after the first reply
    for (let i = 0; i < 100 && !(await bot.services.store.people.get(BEN_ID))?.email; i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  const toSlack = (user: string, text: string) => slack.calls('chat.postMessage').filter((c) => c.body.channel === user && allText(c.body).includes(text));
  const toBen = (text: string) => teams.sent(`a:${BEN.id}`).filter((r) => r.method === 'POST' && allText(r.body).includes(text));
  const engagements = (person: string) => bot.services.store.engagements.forPerson(`slack:T1/${person}`);

  function signUp(user: string, over: Record<string, Record<string, unknown>> = {}) {
    return viewSubmissionBody({
      callbackId: 'engagement.preview',
      user,
      values: {
        ...viewState.radio('role', 'service'),
        ...viewState.multi('domains', ['intelligence-collective', 'process-internes']),
        ...viewState.number('timePercent', '8'),
        ...viewState.text('motivation', 'Faire vivre la démarche à l’accueil'),
        ...viewState.text('project', 'Accueil des usagers'),
        ...{ start: { start: { type: 'datepicker', selected_date: '2026-12-07' } } },
        ...viewState.text('managerEmail', 'ben.manager@exemple.fr'),
        ...viewState.toggle('listed', true),
        // Slack sends every input of the modal, an empty people picker too
        manager: { manager: { type: 'users_select', selected_user: null } },
        ...over,
      },
    });
  }

  async function submit(body: string) {
    const res = await bot.post('/slack/events', body, slackHeaders(body));
    expect(res.status).toBe(200);
    return res.body as { response_action?: string; errors?: Record<string, string> } | undefined;
  }

  const draftOf = (blocks: unknown) => /draft\\*"\s*:\s*\\*"([^"\\]+)/.exec(JSON.stringify(blocks))?.[1] as string;

  test('the ambassador card says what the roles mean; « Je veux en savoir plus » tells the organisers', async () => {
    const card = await slashReply('U1', 'ambassadeur');
    expect(allText(card.blocks)).toContain("Ambassadeur au sein d'un service");
    expect(allText(card.blocks)).toContain('5 à 10 % de votre temps');
    await click('U1', 'engagement.interest', {});
    await deliverDue(bot);
    expect(toSlack('DUORG', 'souhaite en savoir plus').length + toSlack('UORG', 'souhaite en savoir plus').length).toBe(1);
  });

  test('bad input is refused next to its field, and nothing is created', async () => {
    const outOfRange = await submit(signUp('U1', viewState.number('timePercent', '20')));
    expect(outOfRange?.response_action).toBe('errors');
    expect(outOfRange?.errors?.timePercent).toContain('entre 5 et 10 %');
    const noManager = await submit(signUp('U1', viewState.text('managerEmail', '')));
    expect(noManager?.errors?.manager).toContain('responsable');
    const self = await submit(signUp('U1', viewState.text('managerEmail', 'camille@exemple.fr')));
    expect(Object.values(self?.errors ?? {}).join(' ')).toContain('propre responsable');
    const unknown = await submit(signUp('U1', viewState.text('managerEmail', 'personne@exemple.fr')));
    expect(unknown?.errors?.managerEmail).toContain('personne@exemple.fr');
    expect(await engagements('U1')).toEqual([]);
  });

  let first: number;

  test('a Slack agent names a Teams manager: preview in the contract’s words, sent, and the manager gets the card', async () => {
    await submit(signUp('U1'));
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U1' && allText(r.body.blocks).includes('Votre demande d’engagement'));
    expect(allText(preview.body.blocks)).toContain('6 mois puis bilan');
    const sent = await click('U1', 'engagement.send', { draft: draftOf(preview.body.blocks) });
    expect(allText(sent.blocks)).toContain('Ben Teams la reçoit pour accord');
    const [e] = await engagements('U1');
    first = e.id;
    expect(e).toMatchObject({ state: 'pending_manager', managerId: BEN_ID, timePercent: 8 });
    await deliverDue(bot);
    expect(toBen('demande votre accord')).toHaveLength(1);
    // the manager finds it again under « ambassadeur », with its buttons
    const again = allText(await teamsSay(BEN, 'ambassadeur'));
    expect(again).toContain('demande votre accord');
    expect(again).toContain('engagement.managerAccept');
    // a second request while one is pending
    await submit(signUp('U1'));
    await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U1' && allText(r.body).includes('déjà une demande'));
    expect(await engagements('U1')).toHaveLength(1);
  });

  test('only the manager can answer; the manager agrees from Teams, then an organiser validates: the PDF contract reaches both', async () => {
    const stranger = await click('U2', 'engagement.managerAccept', { id: String(first) });
    expect(allText(stranger)).toContain('Seul le responsable');
    expect((await bot.services.store.engagements.get(first))!.state).toBe('pending_manager');

    const accepted = await teamsActCard(BEN, 'engagement.managerAccept', { id: String(first) });
    expect(allText(accepted)).toContain('accord est enregistré');
    // twice is once, and says the request moved on
    expect(allText(await teamsActCard(BEN, 'engagement.managerAccept', { id: String(first) }))).toContain('en attente du Lab');
    await deliverDue(bot);
    expect(toSlack('U1', 'a donné son accord')).toHaveLength(1);
    expect(slack.calls('chat.postMessage').filter((c) => allText(c.body).includes('à valider'))).toHaveLength(1);

    const uploadsBefore = slack.requests.filter((r) => r.path.startsWith('/upload/')).length;
    const validated = await click('UORG', 'engagement.labAccept', { id: String(first) });
    expect(allText(validated.blocks)).toContain('validé');
    await deliverDue(bot);
    const e = (await bot.services.store.engagements.get(first))!;
    expect(e).toMatchObject({ state: 'active', labApprovedBy: 'slack:T1/UORG' });
    expect(e.termEnd!.toISOString().slice(0, 10)).toBe('2027-06-06');
    const uploads = slack.requests.filter((r) => r.path.startsWith('/upload/'));
    expect(uploads.length).toBe(uploadsBefore + 1);
    // the upload is multipart: the file is between its PDF header and its end-of-file marker
    const body = uploads[uploads.length - 1].bytes;
    const pdf = body.subarray(body.indexOf('%PDF-'), body.lastIndexOf('%%EOF') + 5);
    expect(pdf.length).toBeGreaterThan(1000);
    const text = pdfText(pdf);
    expect(text).toContain('Contrat d’engagement de Camille Agent');
    expect(text).toContain("Facilitation de l'intelligence collective");
    expect(text).toContain('du 7 décembre 2026 au 7 juin 2027');
    expect(text).toContain('Ben Teams');
    expect(text).toContain('Léa Lab');
    expect(text).toContain('à des dates planifiées à l’avance');
    // the manager, on Teams, is offered the same file
    expect(teams.sent(`a:${BEN.id}`).some((r) => JSON.stringify(r.body).includes('contrat-engagement-'))).toBe(true);
    expect(allText((await slashReply('U1', 'ambassadeur')).blocks)).toContain('actif');
  });

  test('30 and 7 days before the term: the agent and the manager are reminded once each', async () => {
    const end = (await bot.services.store.engagements.get(first))!.termEnd!;
    clock.set(new Date(end.getTime() - 30 * DAY + 60_000));
    await deliverDue(bot);
    await deliverDue(bot);
    expect(toSlack('U1', 'se termine dans 30 jours')).toHaveLength(1);
    expect(toBen('se termine dans 30 jours')).toHaveLength(1);
    clock.set(new Date(end.getTime() - 7 * DAY + 60_000));
    await deliverDue(bot);
    await deliverDue(bot);
    expect(toSlack('U1', 'se termine dans 7 jours')).toHaveLength(1);
    expect(toBen('se termine dans 7 jours')).toHaveLength(1);
    expect(toSlack('U1', 'se termine dans 30 jours')).toHaveLength(1);
  });

  let renewal: number;

  test('« Renouveler » goes through both approvals again; the new term follows the old one', async () => {
    const old = (await bot.services.store.engagements.get(first))!;
    await click('U1', 'engagement.renew', { id: String(first) });
    const [r] = await engagements('U1');
    renewal = r.id;
    expect(r).toMatchObject({ state: 'pending_manager', renewalOf: first });
    await deliverDue(bot);
    // the first request's card, its copy under « ambassadeur », the renewal's card
    expect(toBen('demande votre accord')).toHaveLength(3);
    await teamsActCard(BEN, 'engagement.managerAccept', { id: String(renewal) });
    await click('UORG', 'engagement.labAccept', { id: String(renewal) });
    await deliverDue(bot);
    const renewed = (await bot.services.store.engagements.get(renewal))!;
    expect(renewed.state).toBe('active');
    expect(renewed.activeFrom).toEqual(old.termEnd);
    expect((await bot.services.store.engagements.get(first))!.state).toBe('ended');
  });

  test('a withdrawal stops everything and tells the manager', async () => {
    await submit(
      viewSubmissionBody({
        callbackId: 'engagement.withdraw',
        user: 'U1',
        values: viewState.text('reason', 'Nouveau poste'),
        privateMetadata: JSON.stringify({ id: String(renewal) }),
      }),
    );
    expect((await bot.services.store.engagements.get(renewal))!.state).toBe('withdrawn');
    await deliverDue(bot);
    expect(toBen('a mis fin à son engagement')).toHaveLength(1);
    expect(toBen('Nouveau poste')).toHaveLength(1);
    const end = (await bot.services.store.engagements.get(renewal))!.termEnd!;
    clock.set(new Date(end.getTime() - 7 * DAY + 60_000));
    await deliverDue(bot);
    await deliverDue(bot);
    expect(toSlack('U1', 'se termine dans')).toHaveLength(2); // the first term's two, none for the withdrawn one
    expect((await bot.services.store.jobs.forRef(`engagement:${renewal}`)).filter((j) => j.state === 'pending')).toEqual([]);
  });

  test('a refusal needs a reason, and the reason reaches the agent; a stale button changes nothing', async () => {
    await submit(signUp('U2'));
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U2' && allText(r.body.blocks).includes('Votre demande d’engagement'));
    await click('U2', 'engagement.send', { draft: draftOf(preview.body.blocks) });
    const [e] = await engagements('U2');
    const empty = await teamsActCard(BEN, 'engagement.managerRefuse', { id: String(e.id), reason: '' });
    expect(allText(empty)).toContain('motif est nécessaire');
    expect((await bot.services.store.engagements.get(e.id))!.state).toBe('pending_manager');
    await teamsActCard(BEN, 'engagement.managerRefuse', { id: String(e.id), reason: 'Pas ce semestre, trop de dossiers' });
    await deliverDue(bot);
    expect(toSlack('U2', 'Pas ce semestre, trop de dossiers')).toHaveLength(1);
    const stale = await teamsActCard(BEN, 'engagement.managerAccept', { id: String(e.id) });
    expect(allText(stale)).toContain('refusé');
    expect((await bot.services.store.engagements.get(e.id))!.state).toBe('refused');
  });

  test('a request the manager never answers is reminded after 3 and 7 days, then expires after 30 (agent told)', async () => {
    await submit(signUp('U2'));
    const previews = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U2' && allText(r.body.blocks).includes('Votre demande d’engagement'), 2);
    await click('U2', 'engagement.send', { draft: draftOf(previews[1].body.blocks) });
    const [e] = await engagements('U2');
    const t0 = clock.now().getTime();
    for (const d of [3, 7, 30]) {
      clock.set(new Date(t0 + d * DAY + 3_600_000));
      await deliverDue(bot);
      await deliverDue(bot);
    }
    expect(toBen('Rappel : Dominique Agent attend votre accord')).toHaveLength(2);
    expect((await bot.services.store.engagements.get(e.id))!.state).toBe('expired');
    expect(toSlack('U2', 'a expiré')).toHaveLength(1);
  });

  test('the directory lists active, listed ambassadors; organisers get the figures and the CSV', async () => {
    const list = await slashReply('U2', 'ambassadeurs');
    expect(allText(list.blocks)).toContain('Ambassadeurs et équipiers actifs');
    expect(allText(list.blocks)).not.toContain('Demandes par état');
    const org = allText((await slashReply('UORG', 'ambassadeurs')).blocks);
    expect(org).toContain('Demandes par état');
    expect(org).toContain('expiré');
    const before = slack.requests.filter((r) => r.path.startsWith('/upload/')).length;
    await click('UORG', 'engagement.csv', {});
    const [csv] = (await slack.waitFor((r) => r.path.startsWith('/upload/'), before + 1)).slice(-1);
    expect(csv.raw).toContain('Camille Agent');
    expect(csv.raw).toContain('retiré');
    expect(allText(await click('U2', 'engagement.csv', {}))).toContain('organisateurs');
  });
});
