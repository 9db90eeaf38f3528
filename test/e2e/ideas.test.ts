import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, deliveriesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { blockActionBody, modalActionBody, slackHeaders, slashCommandBody, viewState, viewSubmissionBody } from '../support/slack-request';
import { ANA, BEN, messageActivity } from '../support/teams-activity';

/**
 * Ideas and supports end to end: Slack users propose by command and by modal, Teams users support from
 * the card, pilots answer, everyone hears the news on their own platform, bad input changes nothing.
 */
describe('ideas and supports on Slack and Teams', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashWithStatus: slash, clickReplies: click, teamsAction, teamsSayLast: teamsSay, nextId } = talk(() => ({ bot, slack, teams }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    slack.profiles.set('U1', { real_name: 'Camille Martin', locale: 'fr-FR', email: 'camille@exemple.fr' });
    slack.profiles.set('U2', { real_name: 'Dominique Petit', locale: 'fr-FR' });
    slack.profiles.set('UPIL', { real_name: 'Pilote Usager', locale: 'fr-FR' });
    slack.profiles.set('UORG', { real_name: 'Lab Orga', locale: 'fr-FR' });
    const programmeFile = programmeWith({ organisers: ['slack:T1/UORG'], pilots: { usager: ['slack:T1/UPIL'] } });
    // axis 3 posts its new ideas in a Slack channel
    const fs = await import('node:fs');
    const { parse, stringify } = await import('yaml');
    const doc = parse(fs.readFileSync(programmeFile, 'utf8'));
    doc.axes.find((a: { id: string }) => a.id === 'usager').channel = { slack: 'CUSAGER' };
    fs.writeFileSync(programmeFile, stringify(doc));
    // notifications go through the outbox: the delivery engine runs as in production
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile, random: () => 0, background: true });
    // the people write to the bot once (Teams people get a conversation reference)
    for (const u of ['U1', 'U2', 'UPIL', 'UORG']) await slash(u, 'aide');
    for (const u of [ANA, BEN]) {
      await bot.post('/api/messages', messageActivity(teams.url, u, 'aide'));
      await teams.waitForSent(`a:${u.id}`);
    }
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  const ideasCount = async () => (await bot.services.store.ideas.all()).length;

  test('a Slack user proposes by command: the axis comes from the hashtag, pilots and the axis channel are told', async () => {
    slack.clear();
    const { status, reply } = await slash('U1', 'idee Un guichet unique pour toutes les démarches des usagers #accueil');
    expect(status).toBe(200);
    expect(reply.text).toContain('Merci ! Votre idée n°1 est proposée sur l’axe 3 · Renforcer notre culture « usager »');
    expect(allText(reply.blocks)).toContain('Un guichet unique pour toutes les démarches des usagers');
    const idea = await bot.services.store.ideas.get(1);
    expect(idea).toMatchObject({ axisId: 'usager', hashtags: ['accueil'], authorId: 'slack:T1/U1', status: 'proposee', anonymous: false });

    const posts = await slack.waitFor((r) => r.path === '/api/chat.postMessage', 2);
    const toPilot = posts.find((p) => p.body.channel === 'UPIL');
    expect(toPilot).toBeDefined();
    expect(toPilot!.body.text).toContain('vous êtes pilote');
    const pilotButtons = JSON.stringify(toPilot!.body.blocks);
    expect(pilotButtons).toContain('idea.answer');
    expect(pilotButtons).toContain('idea.hide');
    const inChannel = posts.find((p) => p.body.channel === 'CUSAGER');
    expect(inChannel!.body.text).toContain('Nouvelle idée sur l’axe 3');
    expect(allText(JSON.parse(typeof inChannel!.body.blocks === 'string' ? inChannel!.body.blocks : JSON.stringify(inChannel!.body.blocks)))).toContain('Camille Martin');
  });

  test('a quick idea without an axis hashtag asks for the axis with one button per axis, and nothing is lost', async () => {
    const before = await ideasCount();
    const { reply } = await slash('U2', 'idee Des salles de réunion réservables depuis son téléphone');
    expect(reply.text).toBe('Choisissez l’axe de votre idée.');
    expect(await ideasCount()).toBe(before);
    const buttons = reply.blocks.find((b: any) => b.type === 'actions').elements;
    expect(buttons).toHaveLength(5);
    const equipe = buttons.find((b: any) => b.text.text.startsWith('5 ·'));
    const [done] = await click('U2', equipe.action_id, JSON.parse(equipe.value));
    expect(done.replace_original).toBe(true);
    expect(done.text).toContain('est proposée sur l’axe 5 · Faire équipe');
    expect(await ideasCount()).toBe(before + 1);
    // the same draft cannot be used twice
    const [again] = await click('U2', equipe.action_id, JSON.parse(equipe.value));
    expect(again.text).toContain('Ce brouillon n’existe plus');
    expect(await ideasCount()).toBe(before + 1);
  });

  test('a Slack user proposes with the modal: it opens, "Inspire-moi" shows a constraint, bad input is shown in the form, a good one is stored', async () => {
    slack.clear();
    const cmd = slashCommandBody({ text: 'idee', user: 'U1', responseUrl: slack.responseUrl('modal') });
    expect((await bot.post('/slack/events', cmd, slackHeaders(cmd))).status).toBe(200);
    const [open] = await slack.waitForCall('views.open');
    expect(open.body.trigger_id).toMatch(/^123\.456\.abc\./);
    const view = typeof open.body.view === 'string' ? JSON.parse(open.body.view) : open.body.view;
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe('idea.submit');
    expect(view.blocks.filter((b: any) => b.type === 'input').map((b: any) => b.block_id)).toEqual(['title', 'description', 'axis', 'hashtags', 'other', 'anonymous']);

    const inspire = modalActionBody({ actionId: 'idea.inspire', value: '{}', user: 'U1', callbackId: 'idea.submit', values: { ...viewState.text('title', 'Brouillon') } });
    expect((await bot.post('/slack/events', inspire, slackHeaders(inspire))).status).toBe(200);
    const [update] = await slack.waitForCall('views.update');
    const updated = typeof update.body.view === 'string' ? JSON.parse(update.body.view) : update.body.view;
    expect(allText(updated.blocks)).toContain("Et si c'était un enfant de 8 ans qui proposait une idée ?");
    expect(JSON.stringify(updated.blocks)).toContain('Brouillon'); // what was typed is kept

    const before = await ideasCount();
    const bad = viewSubmissionBody({ callbackId: 'idea.submit', user: 'U1', values: { ...viewState.text('title', 'x'.repeat(121)), ...viewState.select('axis', 'usager') } });
    const refused = await bot.post('/slack/events', bad, slackHeaders(bad));
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({ response_action: 'errors', errors: { title: 'Le titre est trop long (120 caractères au plus).' } });
    const noAxis = viewSubmissionBody({ callbackId: 'idea.submit', user: 'U1', values: { ...viewState.text('title', 'Une idée'), ...viewState.select('axis', null) } });
    const refused2 = await bot.post('/slack/events', noAxis, slackHeaders(noAxis));
    expect(refused2.body.errors.axis).toBe('Choisissez l’axe de votre idée.');
    expect(await ideasCount()).toBe(before);

    slack.clear();
    const good = viewSubmissionBody({
      callbackId: 'idea.submit',
      user: 'U1',
      values: {
        ...viewState.text('title', 'Une charte de l’accueil écrite avec les usagers'),
        ...viewState.text('description', 'Co-écrire la charte en atelier « Créer ».'),
        ...viewState.select('axis', 'usager'),
        ...viewState.multi('hashtags', ['accueil', 'modeprojetcentréusager']),
        ...viewState.text('other', '#charte simplification'),
        ...viewState.toggle('anonymous', true),
      },
    });
    const ok = await bot.post('/slack/events', good, slackHeaders(good));
    expect(ok.status).toBe(200);
    expect(ok.body === undefined || ok.body === '' || ok.body?.response_action === undefined).toBe(true);
    const [confirmation] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U1');
    expect(confirmation.body.text).toContain('Votre idée n°');
    expect(allText(confirmation.body.blocks)).toContain('Elle est anonyme');
    const stored = (await bot.services.store.ideas.all()).at(-1)!;
    expect(stored).toMatchObject({
      title: 'Une charte de l’accueil écrite avec les usagers',
      axisId: 'usager',
      anonymous: true,
      hashtags: ['accueil', 'modeprojetcentréusager', 'charte', 'simplification'],
    });
    // the pilot's notification never names the anonymous author
    const [toPilot] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UPIL');
    expect(JSON.stringify(toPilot.body)).not.toContain('Camille');
    expect(allText(toPilot.body.blocks)).toContain('une personne anonyme');
  });

  test('a Teams user supports idea n°1 from its card, a Slack user too: both platforms see the same count; withdrawing works', async () => {
    const res = await teamsAction(ANA, 'idea.support', { id: '1', view: 'idea' });
    expect(res.status).toBe(200);
    expect(res.body.statusCode).toBe(200);
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const card = res.body.value;
    expect(allText(card)).toContain('✅ Vous soutenez');
    expect(allText(card)).toContain('1 soutien');
    expect(card.refresh.action).toMatchObject({ type: 'Action.Execute', verb: 'idea.view' });

    const [slackClick] = await click('U2', 'idea.support', { id: '1', view: 'idea' });
    expect(slackClick.replace_original).toBe(true);
    expect(allText(slackClick.blocks)).toContain('2 soutiens');
    expect(allText(slackClick.blocks)).toContain('✅ Vous soutenez');

    const { reply } = await slash('UORG', 'voir 1');
    expect(allText(reply.blocks)).toContain('2 soutiens');
    const teamsView = await teamsSay(BEN, 'voir 1');
    expect(allText(teamsView)).toContain('2 soutiens');
    expect(allText(teamsView)).toContain('👍 Soutenir');

    // each viewer's own state on refresh
    const refreshed = await teamsAction(ANA, 'idea.view', { id: '1' }, 'automatic');
    expect(allText(refreshed.body.value)).toContain('✅ Vous soutenez');

    // pressing « Soutenir » again (a double click, an invoke sent twice) changes nothing
    const again = await teamsAction(ANA, 'idea.support', { id: '1', view: 'idea' });
    expect(allText(again.body.value)).toContain('2 soutiens');
    expect((await bot.services.store.ideas.get(1))!.supportCount).toBe(2);
    // the button of someone who supports it says what it does
    expect(JSON.stringify(again.body.value)).toContain('"verb":"idea.withdraw"');
    expect(allText(again.body.value)).toContain('Retirer mon soutien');

    const withdrawn = await teamsAction(ANA, 'idea.withdraw', { id: '1', view: 'idea' });
    expect(allText(withdrawn.body.value)).toContain('👍 Soutenir');
    expect(allText(withdrawn.body.value)).toContain('1 soutien');
    expect((await bot.services.store.ideas.get(1))!.supportCount).toBe(1);
    expect(await bot.services.store.ideas.supporters(1)).toEqual(['slack:T1/U2']);
    await teamsAction(ANA, 'idea.support', { id: '1', view: 'idea' }); // supports again for what follows
  });

  test('a click on the axis channel post updates the count for everyone and tells the clicker privately', async () => {
    const id = nextId('ch');
    const payload = JSON.parse(
      new URLSearchParams(blockActionBody({ actionId: 'idea.support', value: JSON.stringify({ id: '1', view: 'shared' }), user: 'UORG', responseUrl: slack.responseUrl(id) })).get(
        'payload',
      )!,
    );
    payload.container = { type: 'message', message_ts: '9.9', channel_id: 'CUSAGER', is_ephemeral: false };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    await bot.post('/slack/events', body, slackHeaders(body));
    const [update, note] = await slack.waitForResponse(id, 2);
    expect(update.body.replace_original).toBe(true);
    expect(allText(update.body.blocks)).toContain('👍 Soutenir · 3');
    expect(note.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'Vous soutenez l’idée n°1.' });
    // the shared post offers « Soutenir » to everyone; the withdraw button is the clicker's alone
    expect(JSON.stringify(update.body.blocks)).not.toContain('idea.withdraw');
    const withdraw = note.body.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.action_id.startsWith('idea.withdraw'));
    expect(withdraw.text.text).toBe('Retirer mon soutien');
    // a second click on the shared post is the same as one
    const again = nextId('ch');
    const payload2 = { ...payload, response_url: slack.responseUrl(again) };
    const body2 = new URLSearchParams({ payload: JSON.stringify(payload2) }).toString();
    await bot.post('/slack/events', body2, slackHeaders(body2));
    const [update2] = await slack.waitForResponse(again, 2);
    expect(allText(update2.body.blocks)).toContain('👍 Soutenir · 3');
    expect((await bot.services.store.ideas.get(1))!.supportCount).toBe(3);
  });

  test('browsing: 10 ideas a page with previous/next, filters by axis, hashtag and "miennes"', async () => {
    for (let i = 0; i < 10; i++) await slash('U2', `idee Idée de test numéro ${i + 1} pour la pagination #sobriété`);
    const { reply } = await slash('U2', 'idees recentes');
    const text = allText(reply.blocks);
    expect(text).toContain('Les idées les plus récentes');
    expect(text).toMatch(/page 1\/2 · 1[34] idée\(s\)/);
    expect(reply.blocks.filter((b: any) => b.type === 'actions' && b.elements.some((e: any) => e.action_id.startsWith('idea.support')))).toHaveLength(10);
    const next = reply.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.text.text === 'Suivantes →');
    const [page2] = await click('U2', next.action_id, JSON.parse(next.value));
    expect(page2.replace_original).toBe(true);
    expect(allText(page2.blocks)).toContain('page 2/2');

    const byAxis = allText((await slash('U2', 'idees usager')).reply.blocks);
    expect(byAxis).toContain('Les idées de l’axe 3 · Renforcer notre culture « usager »');
    expect(byAxis).toContain('n°1 · Un guichet unique');
    expect(byAxis).not.toContain('pagination');
    const byTag = allText((await slash('U2', 'idees #sobriété')).reply.blocks);
    expect(byTag).toContain('pagination');
    expect(byTag).not.toContain('guichet');
    const mine = allText((await slash('U1', 'idees miennes')).reply.blocks);
    expect(mine).toContain('guichet');
    expect(mine).not.toContain('pagination');
    // the anonymous idea is listed without its author
    const top = allText((await slash('U2', 'idees usager')).reply.blocks);
    expect(top).toContain('Une charte de l’accueil');
    expect(top).toContain('une personne anonyme');
    const teamsList = await teamsSay(BEN, 'idees top');
    expect(allText(teamsList)).toContain('Les idées les plus soutenues');
  });

  test('"chiffres" shows the top ideas of each axis', async () => {
    const { reply } = await slash('U2', 'chiffres');
    const text = allText(reply.blocks);
    expect(text).toContain('Le palmarès des idées, axe par axe');
    expect(text).toMatch(/Axe 3 · Renforcer notre culture « usager »\*\nn°1 · Un guichet unique pour toutes les démarches des usagers — 3 soutiens\nn°3 · Une charte/);
    expect(text).toContain('Pas encore d’idée sur cet axe.');
  });

  test('a pilot moves an idea to "retenue": the author (Slack) and supporters (Slack and Teams) are told on their own platform', async () => {
    slack.clear();
    teams.clear();
    const { reply } = await slash('UPIL', 'statut 1 retenue Bravo : on la teste à la prochaine journée Tester.');
    expect(reply.text).toContain('C’est fait : l’idée n°1 est maintenant retenue. 4 personne(s) prévenue(s).');
    expect(await bot.services.store.ideas.get(1)).toMatchObject({ status: 'retenue', answer: 'Bravo : on la teste à la prochaine journée Tester.', answeredBy: 'slack:T1/UPIL' });
    const [toAuthor] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U1');
    expect(toAuthor.body.text).toContain('Du nouveau pour l’idée n°1');
    expect(allText(toAuthor.body.blocks)).toContain('Bravo : on la teste');
    await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U2');
    const [toAna] = await teams.waitForSent(`a:${ANA.id}`);
    expect(allText(toAna.body)).toContain('elle est maintenant retenue');
    // the notices were queued before the reply: once the outbox has delivered all it had, nobody else is told
    await deliveriesSettled(bot);
    expect(slack.calls('chat.postMessage').some((c) => c.body.channel === 'UPIL')).toBe(false); // not the pilot who answered
    expect(teams.sent(`a:${BEN.id}`)).toHaveLength(0); // not someone unrelated
  });

  test('answering with the form (Teams card for an organiser) and its refusals', async () => {
    await bot.services.people.contact({ platform: 'teams', tenant: '11111111-1111-4111-8111-111111111111', user: BEN.aadObjectId });
    // Ben is not a pilot: refused, nothing changes
    const refused = await teamsSay(BEN, 'statut 1 realisee');
    expect(allText(refused)).toContain('Seuls les pilotes de l’axe de cette idée et les organisateurs');
    expect((await bot.services.store.ideas.get(1))!.status).toBe('retenue');
    const btn = blockActionBody({ actionId: 'idea.answer', value: '{"id":"1"}', user: 'UPIL', responseUrl: slack.responseUrl('ans') });
    expect((await bot.post('/slack/events', btn, slackHeaders(btn))).status).toBe(200);
    const [opened] = await slack.waitFor((r) => r.path === '/api/views.open' && JSON.stringify(r.body).includes('idea.answerSubmit'));
    expect(opened).toBeDefined();
    const noAnswer = viewSubmissionBody({
      callbackId: 'idea.answerSubmit',
      user: 'UPIL',
      privateMetadata: '{"id":"1"}',
      values: { ...viewState.radio('status', 'non_retenue'), ...viewState.text('answer', '') },
    });
    const res = await bot.post('/slack/events', noAnswer, slackHeaders(noAnswer));
    expect(res.body.response_action).toBe('errors');
    expect(res.body.errors.answer).toContain('Une idée non retenue demande une réponse');
    expect((await bot.services.store.ideas.get(1))!.status).toBe('retenue');
    const good = viewSubmissionBody({
      callbackId: 'idea.answerSubmit',
      user: 'UPIL',
      privateMetadata: '{"id":"1"}',
      values: { ...viewState.radio('status', 'en_test'), ...viewState.text('answer', 'En test au service accueil de Montpellier.') },
    });
    expect((await bot.post('/slack/events', good, slackHeaders(good))).status).toBe(200);
    await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UPIL' && String(r.body.text).includes('en test'));
    expect((await bot.services.store.ideas.get(1))!.status).toBe('en_test');
  });

  test('moderation: hide (the author is told why) and merge a duplicate (supports merged, counted once)', async () => {
    const a = (await slash('U1', 'idee Un badge unique pour tous les sites #territorialisation')).reply;
    const b = (await slash('U2', 'idee Badge unique multi-sites pour les agents #territorialisation')).reply;
    const idA = Number(/n°(\d+)/.exec(a.text)![1]);
    const idB = Number(/n°(\d+)/.exec(b.text)![1]);
    await teamsAction(ANA, 'idea.support', { id: String(idA), view: 'idea' });
    await teamsAction(ANA, 'idea.support', { id: String(idB), view: 'idea' });
    await click('UORG', 'idea.support', { id: String(idB), view: 'idea' });

    expect((await slash('U2', `fusionner ${idB} dans ${idA}`)).reply.text).toContain('Seuls les pilotes');
    slack.clear();
    const merged = (await slash('UORG', `fusionner ${idB} dans ${idA}`)).reply;
    expect(merged.text).toBe(`L’idée n°${idB} est fusionnée dans la n°${idA}, qui compte maintenant 2 soutien(s).`);
    expect(await bot.services.store.ideas.supporters(idA)).toEqual(expect.arrayContaining([expect.stringContaining('teams:'), 'slack:T1/UORG']));
    const [toB] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U2' && String(r.body.text).includes('fusionnée'));
    expect(toB.body.text).toContain(`a été fusionnée avec l’idée n°${idA}`);
    expect(allText((await click('U2', 'idea.support', { id: String(idB), view: 'idea' }))[0].blocks)).toContain(`fusionnée avec l’idée n°${idA}`);

    slack.clear();
    const hidden = (await slash('UORG', `masquer ${idA} Doublon d’un projet déjà en cours à la DSI`)).reply;
    expect(hidden.text).toBe(`L’idée n°${idA} est masquée ; son auteur est prévenu.`);
    const [toAuthor] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'U1' && String(r.body.text).includes('masquée'));
    expect(toAuthor.body.text).toContain('Motif : Doublon d’un projet déjà en cours à la DSI');
    const sentBefore = teams.sent(`a:${ANA.id}`).length;
    const support = await teamsAction(ANA, 'idea.support', { id: String(idA), view: 'idea' });
    expect(support.body.type).toBe('application/vnd.microsoft.activity.message'); // the card stays; the refusal comes as a message
    const refusal = await teams.waitForSent(`a:${ANA.id}`, sentBefore + 1);
    expect(allText(refusal.at(-1)!.body)).toContain('a été masquée');
    expect(allText((await slash('U2', 'idees territoires')).reply.blocks)).not.toContain('badge');
  });

  test('organisers export the ideas as a CSV file in the chat (no author for anonymous ideas); others cannot', async () => {
    expect((await slash('U2', 'export')).reply.text).toContain('Seuls les organisateurs peuvent exporter');
    slack.clear();
    const { reply } = await slash('UORG', 'export');
    expect(reply.text).toMatch(/Voici l’export des idées \(\d+\) au format CSV\./);
    const [complete] = await slack.waitForCall('files.completeUploadExternal');
    expect(JSON.stringify(complete.body)).toContain('DUORG');
    const [upload] = slack.requests.filter((r) => r.path.startsWith('/upload/'));
    const csv = upload.raw;
    expect(csv).toContain('numero;titre;description;axe;statut;soutiens');
    expect(csv).toContain('Un guichet unique pour toutes les démarches des usagers');
    expect(csv.charCodeAt(csv.indexOf('numero') - 1)).toBe(0xfeff); // UTF-8 BOM for spreadsheets
    const charte = csv.split('\n').find((l) => l.includes('Une charte de l’accueil'))!;
    expect(charte).not.toContain('Camille');
    expect(charte).toContain(';oui;');

    // Teams: a file consent card, then the upload to the URL Teams gives, then the file card
    const consent = await teamsSay(BEN, 'export');
    expect(allText(consent)).toContain('Seuls les organisateurs');
    await bot.services.store.roles.save({
      subject: `teams:11111111-1111-4111-8111-111111111111/${ANA.aadObjectId}`,
      role: 'organisateur',
      active: true,
      by: 'test',
      at: new Date(),
    });
    const offer = await teamsSay(ANA, 'export');
    const att = offer.attachments[0];
    expect(att.contentType).toBe('application/vnd.microsoft.teams.card.file.consent');
    const invoke: any = { ...messageActivity(teams.url, ANA, ''), type: 'invoke', name: 'fileConsent/invoke', text: undefined };
    invoke.value = {
      type: 'fileUpload',
      action: 'accept',
      context: att.content.acceptContext,
      uploadInfo: { uploadUrl: `${teams.url}/upload/ideas.csv`, contentUrl: 'https://onedrive.example/ideas.csv', name: att.name, uniqueId: 'u1', fileType: 'csv' },
    };
    const before = teams.sent(`a:${ANA.id}`).length;
    expect((await bot.post('/api/messages', invoke)).status).toBe(200);
    const [put] = await teams.waitFor((r) => r.method === 'PUT' && r.path === '/upload/ideas.csv');
    expect(put.raw).toContain('numero;titre');
    const [fileCard] = await teams.waitFor((r) => r.body?.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.info');
    expect(fileCard.body.attachments[0]).toMatchObject({ contentUrl: 'https://onedrive.example/ideas.csv', name: att.name });
    expect(teams.sent(`a:${ANA.id}`).length).toBeGreaterThan(before);
  });

  test('bad input is refused with a clear reply and nothing changes', async () => {
    const ideas = await ideasCount();
    const supports = (await bot.services.store.ideas.get(1))!.supportCount;
    const say = async (text: string) => (await slash('U2', text)).reply.text as string;
    expect(await say('idee {"$ne": null}')).toContain('Le titre doit être une phrase, pas du code.');
    expect(await say('idee {"$gt": ""}')).toContain('Le titre doit être une phrase, pas du code.');
    expect(await say('idees mars')).toContain('Je ne connais pas l’axe « mars »');
    expect(await say('voir 9999')).toContain('Je ne trouve pas l’idée n°9999');
    expect(await say('voir {"$ne":null}')).toContain('Donnez le numéro de l’idée');
    expect(await say('statut 1 genial')).toContain('Statut inconnu « genial »');
    expect(await say('statut 1 retenue')).toContain('Seuls les pilotes');
    // operator objects in button data are refused at the edge
    const [viaButton] = await click('U2', 'idea.support', { id: '{"$ne":null}', view: 'idea' } as never);
    expect(viaButton.text).toContain('Donnez le numéro de l’idée');
    const sentBefore = teams.sent(`a:${BEN.id}`).length;
    await teamsAction(BEN, 'idea.support', { id: { $ne: null }, view: 'idea' });
    const teamsObj = await teams.waitForSent(`a:${BEN.id}`, sentBefore + 1);
    expect(allText(teamsObj.at(-1)!.body)).toContain('Donnez le numéro de l’idée');
    const teamsForm = await teamsAction(BEN, 'idea.submit', { title: { $gt: '' }, axis: 'usager' });
    expect(allText(teamsForm.body)).toContain('Donnez un titre à votre idée.');
    const tooLong = await teamsAction(BEN, 'idea.submit', { title: 'Une idée', description: 'x'.repeat(2001), axis: 'usager' });
    expect(allText(tooLong.body)).toContain('La description est trop longue (2000 caractères au plus).');
    const unknownAxis = await teamsAction(BEN, 'idea.submit', { title: 'Une idée', axis: 'lune' });
    expect(allText(unknownAxis.body)).toContain('Je ne connais pas l’axe « lune »');
    expect(await ideasCount()).toBe(ideas);
    const all = await bot.services.store.ideas.all();
    expect(all.some((i) => i.title.includes('$'))).toBe(false);
    expect((await bot.services.store.ideas.get(1))!.supportCount).toBe(supports);
  });

  test('Teams: proposing with the card form replaces the form with the confirmation', async () => {
    const form = await teamsSay(BEN, 'idee');
    const card = form.attachments[0].content;
    expect(JSON.stringify(card)).toContain('"verb":"idea.submit"');
    const res = await teamsAction(BEN, 'idea.submit', { title: 'Des fontaines à eau dans chaque antenne', axis: '1', hashtags: 'sobriété', other: '', anonymous: 'false' });
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(allText(res.body.value)).toContain('est proposée sur l’axe 1 · Accompagner les transitions');
    expect((await bot.services.store.ideas.all()).at(-1)).toMatchObject({
      title: 'Des fontaines à eau dans chaque antenne',
      axisId: 'transitions',
      authorId: expect.stringContaining('teams:'),
    });
  });
});
