import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@microsoft/teams.apps';
import pino from 'pino';
import type { Card } from '../../../src/cards/model';
import { classifySlackError, classifyTeamsError, parsePersonId, parseRetryAfter, SlackDelivery, TeamsDelivery } from '../../../src/delivery/senders';
import type { OutboxMessage, OutboxTarget, SendOutcome } from '../../../src/domain/delivery';
import type { Person, Platform, TeamsConversationRef } from '../../../src/domain/people';
import type { PeopleRepository } from '../../../src/domain/ports';
import { teamsLogger } from '../../../src/platforms/teams/logger-bridge';
import { TeamsProactiveSender } from '../../../src/platforms/teams/proactive';

const card: Card = {
  fallbackText: 'Consultation: the park',
  elements: [
    { type: 'header', text: 'The park' },
    { type: 'text', text: 'Say **yes**' },
  ],
};

function msg(platform: Platform, target: OutboxTarget, payload = JSON.stringify(card)): OutboxMessage {
  return {
    id: '1',
    key: 'b1:r1:x',
    source: 'b1',
    platform,
    target,
    payload,
    lane: 'bulk',
    state: 'pending',
    attempts: 0,
    dueAt: new Date(0),
    createdAt: new Date(0),
  };
}

const TENANT = 'tenant-1';

function people(list: Person[]): PeopleRepository {
  const byId = new Map(list.map((p) => [p.id, p]));
  return {
    get: async (id: string) => byId.get(id) ?? null,
    record: async () => {
      throw new Error('unused');
    },
    findByEmail: async () => [],
    findByTeamsUserId: async () => null,
    count: async () => byId.size,
    all: async () => [...byId.values()],
    page: async () => [],
    markUnreachable: async () => false,
    markTenantUnreachable: async () => [],
  };
}

function teamsPerson(user: string, ref?: Partial<TeamsConversationRef>): Person {
  return {
    id: `teams:${TENANT}/${user}`,
    platform: 'teams',
    tenant: TENANT,
    user,
    displayName: user,
    firstSeenAt: new Date(0),
    lastSeenAt: new Date(0),
    ...(ref ? { teams: { serviceUrl: 'http://127.0.0.1:1/', conversationId: `a:${user}`, userId: `29:${user}`, tenantId: TENANT, ...ref } } : {}),
  };
}

function slackPerson(team: string, user: string): Person {
  return { id: `slack:${team}/${user}`, platform: 'slack', tenant: team, user, displayName: user, firstSeenAt: new Date(0), lastSeenAt: new Date(0) };
}

describe('parsePersonId, parseRetryAfter', () => {
  test('person ids', () => {
    expect(parsePersonId('slack:T1/U3')).toEqual({ platform: 'slack', tenant: 'T1', user: 'U3' });
    expect(parsePersonId(`teams:${TENANT}/aad-1`)).toEqual({ platform: 'teams', tenant: TENANT, user: 'aad-1' });
    expect(parsePersonId('nonsense')).toBeNull();
  });

  test('Retry-After: seconds, fractions, HTTP dates, garbage', () => {
    const now = Date.parse('2030-01-01T08:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 2 ', now)).toBe(2000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter(3, now)).toBe(3000);
    expect(parseRetryAfter(['4'], now)).toBe(4000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 08:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});

describe('classifyTeamsError (axios errors from the Teams SDK)', () => {
  const now = Date.parse('2030-01-01T08:00:00Z');
  const http = (status: number, data?: unknown, headers: Record<string, string> = {}) => ({ message: `status ${status}`, response: { status, data, headers } });

  test.each([
    [http(429, undefined, { 'retry-after': '2' }), { ok: false, permanent: false, reason: 'teams 429', retryAfterMs: 2000, rateLimited: true }],
    [http(429, undefined, { 'Retry-After': 'Tue, 01 Jan 2030 08:00:03 GMT' }), { ok: false, permanent: false, reason: 'teams 429', retryAfterMs: 3000, rateLimited: true }],
    [http(429), { ok: false, permanent: false, reason: 'teams 429', retryAfterMs: undefined, rateLimited: true }],
    [http(412, { error: { code: 'PreconditionFailed' } }), { ok: false, permanent: false, reason: 'teams 412 PreconditionFailed' }],
    [http(500), { ok: false, permanent: false, reason: 'teams 500' }],
    [http(502, { error: { code: 'ServiceError', message: 'x' } }), { ok: false, permanent: false, reason: 'teams 502 ServiceError' }],
    [http(503, undefined, { 'retry-after': '10' }), { ok: false, permanent: false, reason: 'teams 503', retryAfterMs: 10000 }],
    [http(403, { error: { code: 'BotDisabledByAdmin', message: 'The bot is disabled' } }), { ok: false, permanent: true, reason: 'teams 403 BotDisabledByAdmin' }],
    [http(403, { error: { code: 'ConversationBlockedByUser' } }), { ok: false, permanent: true, reason: 'teams 403 ConversationBlockedByUser' }],
    [http(404, { error: { code: 'ConversationNotFound' } }), { ok: false, permanent: true, reason: 'teams 404 ConversationNotFound' }],
    [http(400, { error: { code: 'BadArgument', message: 'Unknown activity type' } }), { ok: false, permanent: true, reason: 'teams 400 BadArgument' }],
    [http(401), { ok: false, permanent: true, reason: 'teams 401' }],
    [
      { code: 'ECONNRESET', message: 'socket hang up' },
      { ok: false, permanent: false, reason: 'teams network ECONNRESET' },
    ],
    [{ code: 'ETIMEDOUT' }, { ok: false, permanent: false, reason: 'teams network ETIMEDOUT' }],
    [{ code: 'ECONNREFUSED' }, { ok: false, permanent: false, reason: 'teams network ECONNREFUSED' }],
    [{ cause: { code: 'ECONNRESET' } }, { ok: false, permanent: false, reason: 'teams network ECONNRESET' }],
    [new Error('weird'), { ok: false, permanent: false, reason: 'teams network weird' }],
    [{ code: 'ERR_INVALID_URL' }, { ok: false, permanent: true, reason: 'teams invalid service URL' }],
  ])('%j', (error, expected) => {
    const outcome = classifyTeamsError(error, now);
    expect(outcome).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});

describe('TeamsDelivery with the real proactive sender (Teams SDK, axios) against a local Bot Connector', () => {
  let server: http.Server;
  let serviceUrl: string;
  const received: Array<{ path: string; body: Record<string, unknown> }> = [];
  let proactive: TeamsProactiveSender;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const path = decodeURIComponent(req.url ?? '');
        received.push({ path, body: raw ? JSON.parse(raw) : {} });
        const conv = /^\/v3\/conversations\/([^/]+)\/activities$/.exec(path)?.[1] ?? '';
        const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        if (conv === 'a:throttled') return answer(429, { error: { code: 'Throttled' } }, { 'retry-after': '2' });
        if (conv === 'a:disabled') return answer(403, { error: { code: 'BotDisabledByAdmin', message: 'disabled' } });
        if (conv === 'a:gone') return answer(404, { error: { code: 'ConversationNotFound', message: 'not found' } });
        if (conv === 'a:busy') return answer(503, { error: { code: 'ServiceUnavailable' } });
        if (conv === 'a:precondition') return answer(412, { error: { code: 'PreconditionFailed' } });
        if (conv) return answer(201, { id: 'act-1' });
        return answer(404, {});
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const app = new App({ dangerouslyAllowUnauthenticatedRequests: true, logger: teamsLogger(pino({ level: 'silent' })) });
    proactive = new TeamsProactiveSender(app);
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  function delivery(list: Person[]) {
    return new TeamsDelivery({ people: people(list), proactive, tenantId: TENANT, serviceUrl });
  }

  test('sends the card as an Adaptive Card activity to the person’s conversation', async () => {
    const p = teamsPerson('ok-1', { serviceUrl });
    const outcome = await delivery([p]).send(msg('teams', { kind: 'person', personId: p.id }));
    expect(outcome).toEqual({ ok: true, messageId: 'act-1' });
    const last = received.at(-1)!;
    expect(last.path).toBe('/v3/conversations/a:ok-1/activities');
    expect(last.body).toMatchObject({
      type: 'message',
      summary: 'Consultation: the park',
      conversation: { id: 'a:ok-1' },
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });
  });

  test('a channel target goes to its conversation on its service URL (or the default one)', async () => {
    const d = delivery([]);
    expect(await d.send(msg('teams', { kind: 'channel', platform: 'teams', channel: '19:general@thread.tacv2', serviceUrl }))).toEqual({ ok: true, messageId: 'act-1' });
    expect(received.at(-1)!.path).toBe('/v3/conversations/19:general@thread.tacv2/activities');
    expect(await d.send(msg('teams', { kind: 'channel', platform: 'teams', channel: '19:other@thread.tacv2' }))).toEqual({ ok: true, messageId: 'act-1' });
    expect(received.at(-1)!.path).toBe('/v3/conversations/19:other@thread.tacv2/activities');
  });

  test.each([
    ['throttled', { ok: false, permanent: false, reason: 'teams 429 Throttled', retryAfterMs: 2000, rateLimited: true }],
    ['disabled', { ok: false, permanent: true, reason: 'teams 403 BotDisabledByAdmin' }],
    ['gone', { ok: false, permanent: true, reason: 'teams 404 ConversationNotFound' }],
    ['busy', { ok: false, permanent: false, reason: 'teams 503 ServiceUnavailable' }],
    ['precondition', { ok: false, permanent: false, reason: 'teams 412 PreconditionFailed' }],
  ])('real HTTP answer for "%s" is classified', async (user, expected) => {
    const p = teamsPerson(user, { serviceUrl });
    expect(await delivery([p]).send(msg('teams', { kind: 'person', personId: p.id }))).toEqual(expected);
  });

  test('a connection refused is temporary', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const p = teamsPerson('refused', { serviceUrl: `http://127.0.0.1:${port}/` });
    expect(await delivery([p]).send(msg('teams', { kind: 'person', personId: p.id }))).toEqual({
      ok: false,
      permanent: false,
      reason: 'teams network ECONNREFUSED',
    });
  });

  test('no conversation reference, unknown person, unreadable payload, no service URL: permanent', async () => {
    const noRef = teamsPerson('noref');
    const d = delivery([noRef]);
    expect(await d.send(msg('teams', { kind: 'person', personId: noRef.id }))).toEqual({ ok: false, permanent: true, reason: 'no-conversation-reference' });
    expect(await d.send(msg('teams', { kind: 'person', personId: 'teams:x/nobody' }))).toEqual({ ok: false, permanent: true, reason: 'unknown-person' });
    expect(await d.send(msg('teams', { kind: 'person', personId: noRef.id }, '{not json'))).toEqual({ ok: false, permanent: true, reason: 'invalid-payload' });
    const bare = new TeamsDelivery({ people: people([]), proactive });
    expect(await bare.send(msg('teams', { kind: 'channel', platform: 'teams', channel: '19:x' }))).toEqual({ ok: false, permanent: true, reason: 'no-service-url' });
  });

  test('limits: the app per tenant (50/s) and the conversation (7/s), each kept under its ceiling', () => {
    const d = new TeamsDelivery({ people: people([]), proactive });
    const person = d.limits(msg('teams', { kind: 'person', personId: `teams:${TENANT}/aad-1` }));
    expect(person.map((l) => l.key)).toEqual([`teams:app:${TENANT}`, `teams:person:teams:${TENANT}/aad-1`]);
    expect(person[0].ratePerSec).toBeCloseTo(48.5);
    expect(person[0].ratePerSec).toBeLessThanOrEqual(50);
    expect(person[1].ratePerSec).toBeCloseTo(7 * 0.97);
    const channel = new TeamsDelivery({ people: people([]), proactive, tenantId: 'T9', appRatePerSec: 20, conversationRatePerSec: 3, headroom: 1 }).limits(
      msg('teams', { kind: 'channel', platform: 'teams', channel: '19:x' }),
    );
    expect(channel).toEqual([
      { key: 'teams:app:T9', ratePerSec: 20, burst: 1, ceilingPerSec: 20 },
      { key: 'teams:conv:19:x', ratePerSec: 3, burst: 1, ceilingPerSec: 3 },
    ]);
  });
});

describe('classifySlackError (@slack/web-api errors)', () => {
  const now = Date.parse('2030-01-01T08:00:00Z');
  const platform = (error: string) => ({ code: 'slack_webapi_platform_error', data: { ok: false, error } });

  test.each<[unknown, SendOutcome]>([
    [
      { code: 'slack_webapi_rate_limited_error', retryAfter: 30 },
      { ok: false, permanent: false, reason: 'slack ratelimited', retryAfterMs: 30000, rateLimited: true },
    ],
    [{ code: 'slack_webapi_rate_limited_error' }, { ok: false, permanent: false, reason: 'slack ratelimited', rateLimited: true }],
    ...[
      'channel_not_found',
      'is_archived',
      'account_inactive',
      'user_not_found',
      'not_in_channel',
      'invalid_auth',
      'token_revoked',
      'team_access_not_granted',
      'no_permission',
      'user_disabled',
      'cannot_dm_bot',
    ].map((e): [unknown, SendOutcome] => [platform(e), { ok: false, permanent: true, reason: `slack ${e}` }]),
    [platform('internal_error'), { ok: false, permanent: false, reason: 'slack internal_error' }],
    [platform('fatal_error'), { ok: false, permanent: false, reason: 'slack fatal_error' }],
    [
      { code: 'slack_webapi_http_error', statusCode: 503, headers: {} },
      { ok: false, permanent: false, reason: 'slack http 503' },
    ],
    [
      { code: 'slack_webapi_http_error', statusCode: 429, headers: { 'retry-after': '5' } },
      { ok: false, permanent: false, reason: 'slack http 429', retryAfterMs: 5000, rateLimited: true },
    ],
    [
      { code: 'slack_webapi_request_error', original: { code: 'ECONNRESET' } },
      { ok: false, permanent: false, reason: 'slack request ECONNRESET' },
    ],
    [new Error('odd'), { ok: false, permanent: false, reason: 'slack error odd' }],
  ])('%j', (error, expected) => {
    expect(classifySlackError(error, now)).toEqual(expected);
  });
});

describe('SlackDelivery', () => {
  function client(answer: (args: { channel: string }) => unknown = () => ({ ok: true, ts: '1.2' })) {
    const calls: Array<{ channel: string; text: string; blocks?: unknown[] }> = [];
    return {
      calls,
      chat: {
        postMessage: async (args: { channel: string; text: string; blocks?: unknown[] }) => {
          calls.push(args);
          const a = answer(args);
          if (a instanceof Error || (a && typeof a === 'object' && 'code' in a)) throw a;
          return a;
        },
      },
    };
  }

  test('a person: posted to their user id (the app’s DM), as Block Kit with the fallback text', async () => {
    const c = client();
    const p = slackPerson('T1', 'U3');
    const d = new SlackDelivery({ client: c, people: people([p]) });
    expect(await d.send(msg('slack', { kind: 'person', personId: p.id }))).toEqual({ ok: true, messageId: '1.2' });
    expect(c.calls).toHaveLength(1);
    expect(c.calls[0].channel).toBe('U3');
    expect(c.calls[0].text).toContain('Consultation: the park');
    expect(c.calls[0].blocks?.length).toBeGreaterThan(0);
  });

  test('a channel: posted to it', async () => {
    const c = client();
    const d = new SlackDelivery({ client: c, people: people([]) });
    expect(await d.send(msg('slack', { kind: 'channel', platform: 'slack', channel: 'C42' }))).toEqual({ ok: true, messageId: '1.2' });
    expect(c.calls[0].channel).toBe('C42');
  });

  test('errors are classified; unknown people and unreadable payloads fail for good without a call', async () => {
    const c = client((args) =>
      args.channel === 'C1' ? { code: 'slack_webapi_rate_limited_error', retryAfter: 7 } : { code: 'slack_webapi_platform_error', data: { error: 'is_archived' } },
    );
    const d = new SlackDelivery({ client: c, people: people([]) });
    expect(await d.send(msg('slack', { kind: 'channel', platform: 'slack', channel: 'C1' }))).toEqual({
      ok: false,
      permanent: false,
      reason: 'slack ratelimited',
      retryAfterMs: 7000,
      rateLimited: true,
    });
    expect(await d.send(msg('slack', { kind: 'channel', platform: 'slack', channel: 'C2' }))).toEqual({ ok: false, permanent: true, reason: 'slack is_archived' });
    expect(await d.send(msg('slack', { kind: 'person', personId: 'slack:T1/U404' }))).toEqual({ ok: false, permanent: true, reason: 'unknown-person' });
    expect(await d.send(msg('slack', { kind: 'channel', platform: 'slack', channel: 'C3' }, 'null'))).toEqual({ ok: false, permanent: true, reason: 'invalid-payload' });
    expect(c.calls.map((x) => x.channel)).toEqual(['C1', 'C2']);
  });

  test('a client that resolves with ok: false is read as a platform error', async () => {
    const c = client(() => ({ ok: false, error: 'channel_not_found' }));
    const d = new SlackDelivery({ client: c, people: people([]) });
    expect(await d.send(msg('slack', { kind: 'channel', platform: 'slack', channel: 'C9' }))).toEqual({ ok: false, permanent: true, reason: 'slack channel_not_found' });
  });

  test('limits: 1/s per channel (the DM of a person), workspace-wide per minute', () => {
    const d = new SlackDelivery({ client: client(), people: people([]), workspaceRatePerMin: 120, teamId: 'T7' });
    expect(d.limits(msg('slack', { kind: 'person', personId: 'slack:T1/U3' }))).toEqual([
      { key: 'slack:ws:T1', ratePerSec: 2, burst: 1, ceilingPerSec: 2 },
      { key: 'slack:channel:U3', ratePerSec: 1, burst: 1, ceilingPerSec: 1 },
    ]);
    expect(d.limits(msg('slack', { kind: 'channel', platform: 'slack', channel: 'C1' }))).toEqual([
      { key: 'slack:ws:T7', ratePerSec: 2, burst: 1, ceilingPerSec: 2 },
      { key: 'slack:channel:C1', ratePerSec: 1, burst: 1, ceilingPerSec: 1 },
    ]);
    expect(new SlackDelivery({ client: client(), people: people([]) }).limits(msg('slack', { kind: 'channel', platform: 'slack', channel: 'C1' }))[0]).toEqual({
      key: 'slack:ws:default',
      ratePerSec: 5,
      burst: 1,
      ceilingPerSec: 5,
    });
  });
});
