import type { NewOutboxMessage } from '../../src/domain/delivery';
import { FakeSlack } from '../support/fake-slack';
import { FakeTeams } from '../support/fake-teams';
import { repliesSettled, startTestBot, type TestBot } from '../support/harness';
import { blockActionBody, slackHeaders, slashCommandBody } from '../support/slack-request';
import { ANA, cardActionActivity, messageActivity } from '../support/teams-activity';

const TOKEN = 'metrics-token-0123456789abcdef';

/** One sample of the text exposition: a name, its labels, its value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of the samples of `name` whose labels include `labels` (0 when none). */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(bot: TestBot, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${bot.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /metrics, without METRICS_TOKEN', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    teams = await new FakeTeams().start();
    bot = await startTestBot({ slackApiUrl: slack.apiUrl, random: () => 0 });
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
    await teams.stop();
  });

  /** A bulk message to a Teams channel of the fake connector. */
  function channelMessage(key: string, channel: string, dueAt: Date): NewOutboxMessage {
    const text = 'Bonjour';
    return {
      key,
      source: 'metrics',
      platform: 'teams',
      target: { kind: 'channel', platform: 'teams', channel, serviceUrl: teams.url },
      payload: JSON.stringify({ fallbackText: text, elements: [{ type: 'text', text }] }),
      dueAt,
    };
  }

  test('answers a direct request from this machine in the Prometheus text format, with process metrics', async () => {
    const res = await scrape(bot);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE ensemble_requests_total counter');
    expect(res.text).toContain('# TYPE ensemble_request_ack_seconds histogram');
    expect(res.text).toContain('ensemble_process_cpu_seconds_total');
    expect(res.text).toContain('ensemble_nodejs_heap_size_used_bytes');
    // the outbox is read at the scrape: every lane and state, none queued yet
    expect(total(res.text, 'ensemble_outbox_messages', { lane: 'bulk', state: 'pending' })).toBe(0);
    expect(samples(res.text).filter((s) => s.name === 'ensemble_outbox_messages')).toHaveLength(4);
  });

  test('refuses a request that came through a proxy (403), even with a token it does not expect', async () => {
    expect((await scrape(bot, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await scrape(bot, { forwarded: 'for=203.0.113.9', authorization: `Bearer ${TOKEN}` })).status).toBe(403);
  });

  test('counts and times requests per platform and kind; counts the answers sent, per platform and lane', async () => {
    const before = (await scrape(bot)).text;
    const command = slashCommandBody({ text: 'aide', responseUrl: slack.responseUrl('m1') });
    expect((await bot.post('/slack/events', command, slackHeaders(command))).status).toBe(200);
    const click = blockActionBody({ actionId: 'inspire.show', value: '{}', responseUrl: slack.responseUrl('m2') });
    expect((await bot.post('/slack/events', click, slackHeaders(click))).status).toBe(200);
    expect((await bot.post('/slack/events', command, { ...slackHeaders(command), 'x-slack-signature': 'v0=bad' })).status).toBe(401);
    expect((await bot.post('/api/messages', messageActivity(teams.url, ANA, 'aide'))).status).toBe(200);
    expect((await bot.post('/api/messages', cardActionActivity(teams.url, ANA, 'inspire.show'))).status).toBe(200);
    await slack.waitForResponse('m1');
    await teams.waitForSent(`a:${ANA.id}`);
    await repliesSettled(bot);

    const after = (await scrape(bot)).text;
    const grew = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(grew('ensemble_requests_total', { platform: 'slack', kind: 'command', status: '200' })).toBe(1);
    expect(grew('ensemble_requests_total', { platform: 'slack', kind: 'action', status: '200' })).toBe(1);
    expect(grew('ensemble_requests_total', { platform: 'slack', kind: 'unsigned', status: '401' })).toBe(1);
    expect(grew('ensemble_requests_total', { platform: 'teams', kind: 'message', status: '200' })).toBe(1);
    expect(grew('ensemble_requests_total', { platform: 'teams', kind: 'action', status: '200' })).toBe(1);
    expect(grew('ensemble_request_ack_seconds_count', { platform: 'slack', kind: 'command' })).toBe(1);
    expect(grew('ensemble_request_ack_seconds_count', { platform: 'teams', kind: 'message' })).toBe(1);
    // every acknowledgement falls in the last bucket
    expect(grew('ensemble_request_ack_seconds_bucket', { platform: 'teams', kind: 'message', le: '+Inf' })).toBe(1);
    // Slack's answers went through the outbox's reply lane (Teams answers within the turn)
    expect(grew('ensemble_sends_total', { platform: 'slack', lane: 'reply' })).toBeGreaterThanOrEqual(2);
  });

  test('a 429 from the platform counts as rate limited and as a temporary failure; the message then goes', async () => {
    const before = (await scrape(bot)).text;
    const channel = '19:throttled@thread.tacv2';
    teams.throttled.set(channel, 1);
    await bot.services.store.outbox.enqueue([channelMessage('metrics:throttled', channel, bot.services.clock.now())], bot.services.clock.now());
    expect((await bot.delivery.tick()).sent).toBe(0);
    // Retry-After: 0, so it is due again at once
    expect((await bot.delivery.tick()).sent).toBe(1);
    expect(teams.sent(channel)).toHaveLength(2);
    const after = (await scrape(bot)).text;
    const grew = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(grew('ensemble_rate_limited_total', { platform: 'teams', lane: 'bulk' })).toBe(1);
    expect(grew('ensemble_send_failures_total', { platform: 'teams', lane: 'bulk', permanent: 'false' })).toBe(1);
    expect(grew('ensemble_sends_total', { platform: 'teams', lane: 'bulk' })).toBe(1);
    expect(grew('ensemble_rate_limited_total', { platform: 'slack' })).toBe(0);
  });

  test('a bulk message sent after another holder’s lease ran out counts as a takeover; a due job’s lateness is measured', async () => {
    const now = bot.services.clock.now();
    const before = (await scrape(bot)).text;
    await bot.services.store.outbox.enqueue([channelMessage('metrics:takeover', '19:metrics@thread.tacv2', new Date(now.getTime() - 60_000))], now);
    // a dispatcher that died holding it: its lease ran out a second ago
    expect(await bot.services.store.outbox.claim('dead-instance', new Date(now.getTime() - 60_000), 1, 59_000)).toHaveLength(1);
    // waiting, and free again: the gauge reads the outbox at the scrape
    expect(total((await scrape(bot)).text, 'ensemble_outbox_messages', { lane: 'bulk', state: 'pending' })).toBe(1);
    // a job due an hour ago (about an event that no longer exists: it queues nothing)
    await bot.services.store.jobs.add([{ key: 'metrics:job', kind: 'event.reminder', ref: 'event:999999', param: 60, dueAt: new Date(now.getTime() - 3_600_000) }]);
    const r = await bot.delivery.tick();
    expect(r.sent).toBe(1);
    const after = (await scrape(bot)).text;
    const grew = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(grew('ensemble_lease_takeovers_total', { platform: 'teams', lane: 'bulk' })).toBe(1);
    expect(grew('ensemble_sends_total', { platform: 'teams', lane: 'bulk' })).toBe(1);
    expect(grew('ensemble_job_lag_seconds_count', { kind: 'event.reminder' })).toBe(1);
    expect(grew('ensemble_job_lag_seconds_sum', { kind: 'event.reminder' })).toBeGreaterThanOrEqual(3600);
    expect(grew('ensemble_job_lag_seconds_bucket', { kind: 'event.reminder', le: '900' })).toBe(0);
    expect(grew('ensemble_job_lag_seconds_bucket', { kind: 'event.reminder', le: '3600' })).toBe(0);
    expect(total(after, 'ensemble_outbox_messages')).toBe(0);
  });
});

describe('GET /metrics, with METRICS_TOKEN', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await bot.close();
  });

  test('401 without the token or with a wrong one, even from this machine; 200 with it, even through a proxy', async () => {
    const refused = await scrape(bot);
    expect(refused.status).toBe(401);
    expect(refused.text).not.toContain('ensemble_');
    expect((await scrape(bot, { authorization: 'Bearer wrong-token-0123456789abcdef' })).status).toBe(401);
    expect((await scrape(bot, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape(bot, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    const ok = await scrape(bot, { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('ensemble_requests_total');
  });

  test('each bot has its own registry: this one counted none of the other bots’ requests', async () => {
    const text = (await scrape(bot, { authorization: `Bearer ${TOKEN}` })).text;
    expect(total(text, 'ensemble_requests_total')).toBe(0);
    expect(total(text, 'ensemble_sends_total')).toBe(0);
  });
});
