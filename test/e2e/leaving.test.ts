import { textCard } from '../../src/app/common';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { deliverDue, repliesSettled, startTestBot, type TestBot } from '../support/harness';
import { programmeWith } from '../support/programme';
import { eventBody, slackHeaders } from '../support/slack-request';
import { ANA, BEN, TENANT, messageActivity } from '../support/teams-activity';

/**
 * Leaving the platform: the app uninstalled or its tokens revoked, an account deactivated, the app removed
 * in Teams, a send the platform refuses because the person is gone. The person (or the workspace) is marked
 * unreachable, nothing more is queued for them, and what was pending is cancelled with the reason.
 */
describe('leaving the platform: people who cannot be reached get nothing more', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;
  const { slashText, teamsSay } = talk(() => ({ bot, slack, teams }));
  const ANA_ID = `teams:${TENANT}/${ANA.aadObjectId}`;
  const BEN_ID = `teams:${TENANT}/${BEN.aadObjectId}`;
  let n = 0;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, programmeFile: programmeWith({ organisers: [] }) });
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  /** A reminder queued for each of these people, through the one gate (notices); returns its source. */
  async function remind(ids: string[]): Promise<{ source: string; added: number }> {
    const source = `test-reminder:${++n}`;
    const people = await Promise.all(ids.map(async (id) => (await bot.services.store.people.get(id))!));
    const added = await bot.services.notices.queue(
      people.map((person) => ({ person, key: `${source}:${person.id}`, card: textCard(`Rappel ${n}`) })),
      { source, kind: 'service' },
    );
    return { source, added };
  }

  async function slackEvent(event: Record<string, unknown>, team = 'T1') {
    const body = eventBody(event, team);
    const res = await bot.post('/slack/events', body, slackHeaders(body, { contentType: 'application/json' }));
    expect(res.status).toBe(200);
  }

  const unreachable = async (id: string) => (await bot.services.store.people.get(id))?.unreachable;

  test('Slack app_uninstalled: everyone of the workspace is unreachable, their pending messages cancelled with the reason; writing again makes one reachable', async () => {
    for (const u of ['U1', 'U2']) await slashText(u, 'aide');
    await slashText('U9', 'aide'); // another workspace below
    await bot.services.people.contact({ platform: 'slack', tenant: 'T2', user: 'U9' });
    const { source, added } = await remind(['slack:T1/U1', 'slack:T1/U2']);
    expect(added).toBe(2);

    await slackEvent({ type: 'app_uninstalled' });
    expect(await unreachable('slack:T1/U1')).toMatchObject({ reason: 'slack app_uninstalled' });
    expect(await unreachable('slack:T1/U2')).toMatchObject({ reason: 'slack app_uninstalled' });
    expect(await unreachable('slack:T2/U9')).toBeUndefined();
    expect(await bot.services.store.outbox.report(source)).toMatchObject({ targeted: 2, cancelled: 2, pending: 0, reasons: [{ reason: 'slack app_uninstalled', count: 2 }] });

    // nothing more is queued for them, and nothing goes out
    slack.clear();
    expect((await remind(['slack:T1/U1', 'slack:T1/U2'])).added).toBe(0);
    await deliverDue(bot);
    expect(slack.calls('chat.postMessage')).toHaveLength(0);

    // U1 writes again: reachable, and reminders reach them
    await slashText('U1', 'aide');
    expect(await unreachable('slack:T1/U1')).toBeUndefined();
    expect((await remind(['slack:T1/U1', 'slack:T1/U2'])).added).toBe(1);
    await deliverDue(bot);
    expect(slack.calls('chat.postMessage').map((c) => c.body.channel)).toEqual(['U1']);
  });

  test('Slack tokens_revoked: the users listed (oauth) only, or the whole workspace when the bot token is revoked', async () => {
    for (const u of ['U1', 'U2', 'U3']) await slashText(u, 'aide');
    const { source } = await remind(['slack:T1/U1', 'slack:T1/U2', 'slack:T1/U3']);
    await slackEvent({ type: 'tokens_revoked', tokens: { oauth: ['U2'] } });
    expect(await unreachable('slack:T1/U2')).toMatchObject({ reason: 'slack tokens_revoked' });
    expect(await unreachable('slack:T1/U1')).toBeUndefined();
    expect(await bot.services.store.outbox.report(source)).toMatchObject({ cancelled: 1, pending: 2 });

    await slackEvent({ type: 'tokens_revoked', tokens: { bot: ['UBOT'] } });
    for (const u of ['U1', 'U3']) expect(await unreachable(`slack:T1/${u}`)).toMatchObject({ reason: 'slack tokens_revoked' });
    expect(await bot.services.store.outbox.report(source)).toMatchObject({ cancelled: 3, pending: 0, reasons: [{ reason: 'slack tokens_revoked', count: 3 }] });
  });

  test('Slack user_change with user.deleted: that person only; a profile change of someone else changes nothing', async () => {
    for (const u of ['U4', 'U5']) await slashText(u, 'aide');
    const { source } = await remind(['slack:T1/U4', 'slack:T1/U5']);
    await slackEvent({ type: 'user_change', user: { id: 'U5', team_id: 'T1', deleted: false, real_name: 'Encore là' } });
    expect(await unreachable('slack:T1/U5')).toBeUndefined();
    await slackEvent({ type: 'user_change', user: { id: 'U4', team_id: 'T1', deleted: true } });
    expect(await unreachable('slack:T1/U4')).toMatchObject({ reason: 'slack user deactivated' });
    expect(await unreachable('slack:T1/U5')).toBeUndefined();
    expect(await bot.services.store.outbox.report(source)).toMatchObject({ cancelled: 1, pending: 1, reasons: [{ reason: 'slack user deactivated', count: 1 }] });
    slack.clear();
    await deliverDue(bot);
    expect(slack.calls('chat.postMessage').map((c) => c.body.channel)).toEqual(['U5']);
  });

  test('a Slack send refused with user_not_found marks the person: nothing more is queued for them', async () => {
    await slashText('U6', 'aide');
    await repliesSettled(bot);
    const first = await remind(['slack:T1/U6']);
    slack.refusedChannels.set('U6', 'user_not_found');
    await deliverDue(bot);
    expect(await unreachable('slack:T1/U6')).toMatchObject({ reason: 'slack user_not_found' });
    expect(await bot.services.store.outbox.report(first.source)).toMatchObject({ failed: 1 });
    expect((await remind(['slack:T1/U6'])).added).toBe(0);
    slack.refusedChannels.delete('U6');
  });

  test('Teams installationUpdate remove in a personal chat: that person is unreachable, their pending messages cancelled', async () => {
    await teamsSay(ANA, 'aide');
    await teamsSay(BEN, 'aide');
    const { source } = await remind([ANA_ID, BEN_ID]);
    const remove = { ...messageActivity(teams.url, ANA, ''), type: 'installationUpdate', action: 'remove', text: undefined };
    expect((await bot.post('/api/messages', remove)).status).toBe(200);
    expect(await unreachable(ANA_ID)).toMatchObject({ reason: 'teams app removed' });
    expect(await unreachable(BEN_ID)).toBeUndefined();
    expect(await bot.services.store.outbox.report(source)).toMatchObject({ cancelled: 1, pending: 1, reasons: [{ reason: 'teams app removed', count: 1 }] });
    // Ana writes again: reachable
    await teamsSay(ANA, 'aide');
    expect(await unreachable(ANA_ID)).toBeUndefined();
  });

  test('a Teams send refused with 403 marks the person: the other messages queued for them are cancelled with that reason', async () => {
    await teamsSay(BEN, 'aide');
    await repliesSettled(bot);
    await deliverDue(bot);
    teams.refused.set(`a:${BEN.id}`, { status: 403, code: 'ConversationBlockedByUser' });
    const a = await remind([BEN_ID]);
    const b = await remind([BEN_ID]);
    // the first is tried and refused; the second is then cancelled, whichever order the dispatcher took them in
    await deliverDue(bot);
    expect(await unreachable(BEN_ID)).toMatchObject({ reason: 'teams 403 ConversationBlockedByUser' });
    const reports = [await bot.services.store.outbox.report(a.source), await bot.services.store.outbox.report(b.source)];
    expect(reports.map((r) => r.pending)).toEqual([0, 0]);
    expect(reports.reduce((s, r) => s + r.failed + r.cancelled, 0)).toBe(2);
    expect(reports.every((r) => r.reasons[0]?.reason === 'teams 403 ConversationBlockedByUser')).toBe(true);
    expect((await remind([BEN_ID])).added).toBe(0);
  });

  test('broadcast audiences leave unreachable people out', async () => {
    const everyone = await bot.services.broadcasts.recipients({ kind: 'everyone' });
    const ids = everyone.flatMap((r) => (r.kind === 'person' ? [r.person.id] : []));
    expect(ids).not.toContain(BEN_ID);
    expect(ids).not.toContain('slack:T1/U4');
    expect(ids).toContain('slack:T1/U5');
    expect(ids).toContain(ANA_ID);
  });
});
