import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { allText, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { slackHeaders, viewState, viewSubmissionBody } from '../support/slack-request';
import { TENANT, messageActivity } from '../support/teams-activity';

/** A clock that runs like real time but that the test can jump forward: scheduled work becomes due when the test says so. */
function manualClock(start: Date) {
  const realStart = Date.now();
  let offset = 0;
  return { now: () => new Date(start.getTime() + offset + (Date.now() - realStart)), advance: (ms: number) => (offset += ms) };
}

const START = new Date('2026-11-23T08:00:00Z'); // 09:00 in Paris
const TEAMS_USERS = [1, 2, 3].map((i) => ({ id: `29:t${i}`, aadObjectId: `4444444${i}-4444-4444-8444-44444444444${i}`, name: `Teams ${i}` }));
const SLACK_USERS = ['UORG', 'U1', 'U2', 'U3'];

describe('broadcasts: compose in chat, preview, schedule, deliver once to Slack and Teams', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slash, slashReply, click } = talk(() => ({ bot, slack, teams }));
  const clock = manualClock(START);

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    bot = await startTestBot({
      slackApiUrl: slack.apiUrl,
      programmeFile: programmeWith({ organisers: ['slack:T1/UORG'] }),
      clock,
      env: { LOG_LEVEL: 'silent' },
      background: false,
    });
    for (const u of SLACK_USERS) await slash(u, 'aide');
    for (const u of TEAMS_USERS) {
      await bot.post('/api/messages', messageActivity(teams.url, u, 'aide'));
      await teams.waitForSent(`a:${u.id}`);
    }
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  async function submit(values: Record<string, Record<string, unknown>>) {
    const body = viewSubmissionBody({ callbackId: 'broadcast.submit', user: 'UORG', values });
    return bot.post('/slack/events', body, slackHeaders(body));
  }

  /** Runs the scheduler and the dispatcher until nothing is pending (bounded). */
  async function deliverAll(id: number) {
    for (let i = 0; i < 40; i++) {
      await bot.delivery.tick();
      const r = await bot.services.store.outbox.report(`broadcast:${id}`);
      if (r.targeted > 0 && r.pending === 0) return r;
      clock.advance(1000);
      await new Promise((res) => setTimeout(res, 100));
    }
    return bot.services.store.outbox.report(`broadcast:${id}`);
  }

  const received = (text: string) => ({
    slack: slack.calls('chat.postMessage').filter((c) => String(c.body.text).includes(text) || JSON.stringify(c.body.blocks ?? '').includes(text)),
    teams: teams.sent().filter((r) => JSON.stringify(r.body).includes(text)),
  });

  test('an organiser schedules a broadcast one minute ahead to everyone: a preview first, then each member gets it once', async () => {
    slack.clear();
    await slash('UORG', 'diffusion');
    const [open] = await slack.waitForCall('views.open');
    const view = typeof open.body.view === 'string' ? JSON.parse(open.body.view) : open.body.view;
    expect(view.callback_id).toBe('broadcast.submit');

    const message = 'La journée **Créer** commence demain à 9 h : à demain !';
    const res = await submit({
      ...viewState.text('message', message),
      ...viewState.text('linkLabel', 'Le programme'),
      ...viewState.text('linkUrl', 'https://intranet.exemple.fr/creer'),
      ...viewState.select('audience', 'everyone'),
      ...viewState.radio('when', 'at'),
      ...{ date: { date: { type: 'datepicker', selected_date: '2026-11-23' } } },
      ...{ time: { time: { type: 'timepicker', selected_time: '09:01' } } },
    });
    expect(res.status).toBe(200);
    const [preview] = await slack.waitFor((r) => r.path === '/api/chat.postMessage' && r.body.channel === 'UORG' && String(r.body.text).includes('Aperçu'));
    const previewText = allText(preview.body.blocks);
    expect(previewText).toContain('La journée *Créer* commence demain');
    expect(previewText).toContain('Toutes les personnes connues du bot');
    expect(previewText).toContain('7 aujourd’hui');
    const broadcast = (await bot.services.store.broadcasts.list(1))[0];
    expect(broadcast).toMatchObject({ state: 'draft' });

    // nothing goes out before the organiser confirms
    await bot.delivery.tick();
    clock.advance(2 * 60_000);
    await bot.delivery.tick();
    expect(received('commence demain').slack.filter((c) => c.body.channel !== 'UORG')).toHaveLength(0);
    clock.advance(-2 * 60_000);

    const blocks = typeof preview.body.blocks === 'string' ? JSON.parse(preview.body.blocks) : preview.body.blocks;
    const confirm = JSON.parse(blocks.filter((b: any) => b.type === 'actions').at(-1).elements[0].value);
    const done = await click('UORG', 'broadcast.confirm', confirm);
    expect(done.text).toContain(`C’est programmé : diffusion n°${broadcast.id}`);

    // not yet due
    await bot.delivery.tick();
    expect((await bot.services.store.outbox.report(`broadcast:${broadcast.id}`)).targeted).toBe(0);

    clock.advance(61_000);
    const report = await deliverAll(broadcast.id);
    expect(report).toMatchObject({ targeted: 7, sent: 7, failed: 0, pending: 0 });
    const got = received('commence demain');
    const slackTargets = got.slack.map((c) => c.body.channel).filter((c) => c !== 'UORG' || true);
    for (const u of SLACK_USERS) expect(slackTargets.filter((c) => c === u)).toHaveLength(u === 'UORG' ? 2 : 1); // UORG: preview + broadcast
    for (const u of TEAMS_USERS) expect(got.teams.filter((r) => decodeURIComponent(r.path).includes(`a:${u.id}/`))).toHaveLength(1);
    expect(JSON.stringify(got.teams[0].body)).toContain('https://intranet.exemple.fr/creer');

    const summary = await slashReply('UORG', `diffusion rapport ${broadcast.id}`);
    const text = allText(summary.blocks);
    expect(text).toMatch(/Ciblés\*\n7/);
    expect(text).toMatch(/Envoyés\*\n7/);
    // more ticks send nothing more
    clock.advance(10 * 60_000);
    await bot.delivery.tick();
    expect(received('commence demain').teams).toHaveLength(3);
  });

  test('bad input is refused in the form and nothing is scheduled', async () => {
    const before = (await bot.services.store.broadcasts.list(100)).length;
    const cases: Array<[Record<string, Record<string, unknown>>, string, string]> = [
      [
        {
          ...viewState.text('message', 'x'),
          ...viewState.radio('when', 'at'),
          date: { date: { type: 'datepicker', selected_date: '2026-11-22' } },
          time: { time: { type: 'timepicker', selected_time: '10:00' } },
        },
        'date',
        'déjà passée',
      ],
      [{ ...viewState.text('message', 'x'), ...viewState.radio('when', 'cron'), ...viewState.text('cron', 'tous les lundis') }, 'cron', 'n’est pas valide'],
      [{ ...viewState.text('message', 'x'), ...viewState.radio('when', 'cron'), ...viewState.text('cron', '*/5 * * * *') }, 'cron', 'plus d’une fois par heure'],
      [{ ...viewState.text('message', 'x'), ...viewState.radio('when', 'now'), ...viewState.text('channel', 'général') }, 'channel', 'Destinataires inconnus'],
      [{ ...viewState.text('message', 'x'.repeat(3001)), ...viewState.radio('when', 'now') }, 'message', 'trop long'],
      [{ ...viewState.text('message', 'x'), ...viewState.radio('when', 'now'), ...viewState.text('linkUrl', 'javascript:alert(1)') }, 'linkUrl', 'https://'],
    ];
    for (const [values, field, text] of cases) {
      const res = await submit(values);
      expect(res.body.response_action).toBe('errors');
      expect(res.body.errors[field]).toContain(text);
    }
    expect((await bot.services.store.broadcasts.list(100)).length).toBe(before);
    // a non-organiser cannot even open the form
    const { id } = await slash('U1', 'diffusion');
    const [reply] = await slack.waitForResponse(id);
    expect(reply.body.text).toContain('Seuls les organisateurs peuvent diffuser');
  });

  test('cancelling: pending messages are not sent; failures are reported with reasons and can be retried', async () => {
    // a Teams person without a conversation reference cannot be reached: a permanent failure, reported
    await bot.services.store.people.record({ platform: 'teams', tenant: TENANT, user: '55555555-5555-4555-8555-555555555555', displayName: 'Sans conversation' }, clock.now());
    const quick = await slashReply('UORG', 'diffusion maintenant Rappel : le OFF de ce soir est ouvert à toutes et tous !');
    const id = Number(/n°(\d+)/.exec(allText(quick.blocks))![1]);
    const confirm = await click('UORG', 'broadcast.confirm', { id: String(id) });
    expect(confirm.text).toContain('dès la confirmation');
    const report = await deliverAll(id);
    expect(report.targeted).toBe(8);
    expect(report.sent).toBe(7);
    expect(report.failed).toBe(1);
    expect(report.reasons[0].reason).toContain('no-conversation-reference');
    const list = allText((await slashReply('UORG', 'diffusions')).blocks);
    expect(list).toContain(`n°${id}`);
    expect(list).toContain('1 échec(s)');

    // a scheduled one cancelled before it runs sends nothing
    const later = await slashReply('UORG', 'diffusion maintenant Ne partira pas');
    const laterId = Number(/n°(\d+)/.exec(allText(later.blocks))![1]);
    await click('UORG', 'broadcast.confirm', { id: String(laterId) });
    const cancelled = await slashReply('UORG', `diffusion annuler ${laterId}`);
    expect(cancelled.text).toContain(`Diffusion n°${laterId} annulée`);
    await deliverAll(laterId);
    expect(received('Ne partira pas').teams).toHaveLength(0);
    expect(received('Ne partira pas').slack.filter((c) => c.body.channel !== 'UORG' || !String(c.body.text).includes('Aperçu'))).toHaveLength(0);
    // queued at confirmation ("now"), so the run is done, but its 8 messages were cancelled before they went out
    expect(await bot.services.store.outbox.report(`broadcast:${laterId}`)).toMatchObject({ targeted: 8, cancelled: 8, sent: 0, pending: 0 });

    // one scheduled for later is cancelled before its run: no run at all
    const future = await bot.services.broadcasts.draft(await bot.services.people.contact({ platform: 'slack', tenant: 'T1', user: 'UORG' }), {
      message: 'Jamais',
      audience: 'everyone',
      when: 'cron',
      cron: '0 9 * * 1',
    });
    await click('UORG', 'broadcast.confirm', { id: String(future.id) });
    await click('UORG', 'broadcast.cancel', { id: String(future.id) });
    clock.advance(8 * 24 * 3600_000);
    await bot.delivery.tick();
    expect(await bot.services.store.broadcasts.get(future.id)).toMatchObject({ state: 'cancelled', runs: 0 });
    expect((await bot.services.store.outbox.report(`broadcast:${future.id}`)).targeted).toBe(0);

    // failures can be retried: the person now has a conversation
    await bot.post('/api/messages', messageActivity(teams.url, { id: '29:late', aadObjectId: '55555555-5555-4555-8555-555555555555', name: 'Sans conversation' }, 'aide'));
    await teams.waitForSent('a:29:late');
    const retried = await click('UORG', 'broadcast.retry', { id: String(id) });
    expect(retried.text).toContain(`1 message(s) en échec relancé(s) pour la diffusion n°${id}`);
    const after = await deliverAll(id);
    expect(after).toMatchObject({ targeted: 8, sent: 8, failed: 0 });
  });
});

describe('broadcasts composed on Teams', () => {
  test('an organiser on Teams fills the card, gets the preview in place, confirms, and members receive it', async () => {
    const teams = await new FakeTeams().start();
    const clock = manualClock(START);
    const bot = await startTestBot({ clock, background: false });
    try {
      const orga = TEAMS_USERS[0];
      for (const u of TEAMS_USERS) {
        await bot.post('/api/messages', messageActivity(teams.url, u, 'aide'));
        await teams.waitForSent(`a:${u.id}`);
      }
      await bot.services.store.roles.save({ subject: `teams:${TENANT}/${orga.aadObjectId}`, role: 'organisateur', active: true, by: 'test', at: clock.now() });
      const before = teams.sent(`a:${orga.id}`).length;
      await bot.post('/api/messages', messageActivity(teams.url, orga, 'diffusion'));
      const [form] = (await teams.waitForSent(`a:${orga.id}`, before + 1)).slice(-1);
      expect(JSON.stringify(form.body)).toContain('"verb":"broadcast.submit"');

      const { teamsAction } = talk({ bot, teams });
      const invoke = (verb: string, data: Record<string, string>) => teamsAction(orga, verb, data);
      const bad = await invoke('broadcast.submit', { message: '', when: 'now', audience: 'everyone' });
      expect(allText(bad.body.value)).toContain('Écrivez le message à diffuser.');
      const preview = await invoke('broadcast.submit', {
        message: 'Journée **Tester** le 12 : inscrivez-vous !',
        when: 'now',
        audience: 'everyone',
        linkLabel: '',
        linkUrl: '',
        channel: '',
      });
      expect(preview.body.type).toBe('application/vnd.microsoft.card.adaptive');
      const text = allText(preview.body.value);
      expect(text).toContain('Aperçu de la diffusion n°1');
      expect(text).toContain('3 aujourd’hui');
      expect(teams.sent().filter((r) => JSON.stringify(r.body).includes('inscrivez-vous')).length).toBe(0);
      const confirmed = await invoke('broadcast.confirm', { id: '1' });
      expect(allText(confirmed.body.value)).toContain('C’est programmé : diffusion n°1, dès la confirmation.');
      for (let i = 0; i < 20; i++) {
        await bot.delivery.tick();
        if ((await bot.services.store.outbox.report('broadcast:1')).sent === 3) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const got = teams.sent().filter((r) => JSON.stringify(r.body).includes('inscrivez-vous'));
      expect(got.map((r) => decodeURIComponent(r.path).split('/')[3]).sort()).toEqual(TEAMS_USERS.map((u) => `a:${u.id}`).sort());
    } finally {
      await bot.close();
      await teams.stop();
    }
  });
});

describe('two bot processes sharing one store', () => {
  test('a due broadcast is sent once', async () => {
    const slack = await new FakeSlack().start();
    const teams = await new FakeTeams().start();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-two-'));
    const programmeFile = programmeWith({ organisers: ['slack:T1/UORG'] });
    const clock = manualClock(START);
    const a = await startTestBot({ slackApiUrl: slack.apiUrl, dataDir, programmeFile, clock, background: false });
    const b = await startTestBot({ slackApiUrl: slack.apiUrl, dataDir, programmeFile, clock, background: false });
    try {
      for (const u of TEAMS_USERS) {
        await a.post('/api/messages', messageActivity(teams.url, u, 'aide'));
        await teams.waitForSent(`a:${u.id}`);
      }
      await a.services.people.contact({ platform: 'slack', tenant: 'T1', user: 'UORG', displayName: 'Orga' });
      const actor = await a.services.people.contact({ platform: 'slack', tenant: 'T1', user: 'UORG' });
      const draft = await a.services.broadcasts.draft(actor, { message: 'Une seule fois, promis', audience: 'everyone', when: 'now' });
      await a.services.broadcasts.confirm(actor, draft.id);
      for (let i = 0; i < 20; i++) {
        await Promise.all([a.delivery.tick(), b.delivery.tick()]);
        const r = await a.services.store.outbox.report(`broadcast:${draft.id}`);
        if (r.targeted > 0 && r.pending === 0) break;
        clock.advance(1000);
        await new Promise((res) => setTimeout(res, 100));
      }
      const got = teams.sent().filter((r) => JSON.stringify(r.body).includes('Une seule fois'));
      expect(got).toHaveLength(3);
      expect(new Set(got.map((r) => r.path)).size).toBe(3);
      expect(slack.calls('chat.postMessage').filter((c) => String(c.body.text).includes('Une seule fois'))).toHaveLength(1); // UORG
      expect((await a.services.store.broadcasts.get(draft.id))!).toMatchObject({ state: 'done', runs: 1 });
    } finally {
      await a.close({ keepData: true });
      await b.close({ keepData: true });
      rmSync(dataDir, { recursive: true, force: true });
      await slack.stop();
      await teams.stop();
    }
  });
});
