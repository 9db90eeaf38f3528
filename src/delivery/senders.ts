/**
 * Platform senders for the outbox: each renders the stored card for its platform, sends it once (no
 * retry of its own: the dispatcher decides), classifies the answer as sent / temporary / permanent,
 * and names the rate-limit buckets a message draws from.
 */
import { renderBlockKitMessage } from '../cards/block-kit';
import type { Card } from '../cards/model';
import type { OutboxMessage, SendOutcome } from '../domain/delivery';
import type { Platform, TeamsConversationRef } from '../domain/people';
import type { PeopleRepository } from '../domain/ports';
import { adaptiveCardActivity } from '../cards/adaptive-card';
import { underCeiling, type RateLimit } from './rate-limiter';

export interface PlatformDelivery {
  readonly platform: Platform;
  /** The buckets one send of this message takes a token from (all or none). Synchronous and cheap. */
  limits(msg: OutboxMessage): RateLimit[];
  /** One attempt. Never retries; should not throw (a throw is treated as a temporary failure). */
  send(msg: OutboxMessage): Promise<SendOutcome>;
}

/** `slack:T1/U3` → { platform, tenant: 'T1', user: 'U3' } (see personId in domain/people). */
export function parsePersonId(id: string): { platform: string; tenant: string; user: string } | null {
  const m = /^([a-z]+):([^/]*)\/(.+)$/.exec(id);
  return m ? { platform: m[1], tenant: m[2], user: m[3] } : null;
}

/** Retry-After: delay-seconds (possibly fractional) or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.ceil(value * 1000) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.ceil(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

function headerOf(headers: unknown, name: string): unknown {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as Record<string, unknown> & { get?: (n: string) => unknown };
  if (typeof h.get === 'function') {
    const v = h.get(name);
    if (v !== undefined && v !== null) return v;
  }
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : h[key];
}

function parseCard(payload: string): Card | null {
  try {
    const card = JSON.parse(payload) as Card;
    return card && typeof card === 'object' && Array.isArray(card.elements) && typeof card.fallbackText === 'string' ? card : null;
  } catch {
    return null;
  }
}

function short(text: unknown, max = 200): string {
  const s = typeof text === 'string' ? text : String(text);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// ---------------------------------------------------------------------------------------------
// Teams

/**
 * Classifies an error thrown by the Teams SDK's HTTP client (axios): `error.response.status`,
 * `error.response.headers['retry-after']` (seconds or HTTP date), body `{ error: { code, message } }`.
 */
export function classifyTeamsError(error: unknown, nowMs: number): SendOutcome {
  const e = (error ?? {}) as {
    response?: { status?: number; headers?: unknown; data?: unknown };
    code?: string;
    message?: string;
    cause?: { code?: string };
  };
  const status = e.response?.status;
  if (typeof status !== 'number') {
    const code = e.code ?? e.cause?.code;
    if (code === 'ERR_INVALID_URL') return { ok: false, permanent: true, reason: `teams invalid service URL` };
    const what = code && NETWORK_CODES.has(code) ? code : (code ?? short(e.message ?? error, 120));
    return { ok: false, permanent: false, reason: `teams network ${what}` };
  }
  const body = e.response?.data as { error?: { code?: string; message?: string } | string; code?: string; message?: string } | undefined;
  const code = typeof body?.error === 'object' ? body.error?.code : typeof body?.error === 'string' ? body.error : body?.code;
  const reason = `teams ${status}${code ? ` ${short(code, 80)}` : ''}`;
  if (status === 429) {
    return { ok: false, permanent: false, reason, retryAfterMs: parseRetryAfter(headerOf(e.response?.headers, 'retry-after'), nowMs) };
  }
  if (status === 408 || status === 412 || status === 425 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headerOf(e.response?.headers, 'retry-after'), nowMs);
    return retryAfterMs === undefined ? { ok: false, permanent: false, reason } : { ok: false, permanent: false, reason, retryAfterMs };
  }
  // 400 bad activity, 401 credentials, 403 BotDisabledByAdmin / bot blocked or removed, 404 ConversationNotFound / user left.
  return { ok: false, permanent: true, reason };
}

export interface TeamsDeliveryOptions {
  people: PeopleRepository;
  /** TeamsProactiveSender (src/platforms/teams/proactive.ts) or anything with the same `send`. */
  proactive: { send(ref: TeamsConversationRef, activity: Record<string, unknown>): Promise<unknown> };
  /** Teams' per-app, per-tenant ceiling (requests per second). Default 50. */
  appRatePerSec?: number;
  /** Teams' per-conversation (thread) ceiling. Default 7. */
  conversationRatePerSec?: number;
  /**
   * Fraction of the ceilings sustained (default 0.97; see underCeiling in rate-limiter.ts): never more
   * than the ceiling in any sliding second at the sender, late timers absorbed, and ~27 ms of delay
   * between the token and the request reaching Teams tolerated before Teams could count one too many.
   */
  headroom?: number;
  /** Tenant for channel targets (they carry none); default 'default'. */
  tenantId?: string;
  /** Service URL for channel targets that carry none. */
  serviceUrl?: string;
  /** For Retry-After HTTP dates; default Date.now. */
  now?: () => number;
}

export class TeamsDelivery implements PlatformDelivery {
  readonly platform = 'teams' as const;
  private readonly appRate: number;
  private readonly convRate: number;
  private readonly headroom: number;

  constructor(private readonly opts: TeamsDeliveryOptions) {
    this.headroom = opts.headroom ?? 0.97;
    this.appRate = opts.appRatePerSec ?? 50;
    this.convRate = opts.conversationRatePerSec ?? 7;
  }

  limits(msg: OutboxMessage): RateLimit[] {
    const t = msg.target;
    // A person's personal chat is one conversation per person: the person id stands for its conversation
    // id here (known only after loading the person), with the same effect on the bucket.
    const tenant = t.kind === 'person' ? (parsePersonId(t.personId)?.tenant ?? 'default') : (this.opts.tenantId ?? 'default');
    const conv = t.kind === 'person' ? `teams:person:${t.personId}` : `teams:conv:${t.channel}`;
    return [underCeiling(`teams:app:${tenant}`, this.appRate, this.headroom), underCeiling(conv, this.convRate, this.headroom)];
  }

  async send(msg: OutboxMessage): Promise<SendOutcome> {
    const card = parseCard(msg.payload);
    if (!card) return { ok: false, permanent: true, reason: 'invalid-payload' };
    let ref: TeamsConversationRef;
    const t = msg.target;
    if (t.kind === 'person') {
      const person = await this.opts.people.get(t.personId);
      if (!person) return { ok: false, permanent: true, reason: 'unknown-person' };
      if (!person.teams) return { ok: false, permanent: true, reason: 'no-conversation-reference' };
      ref = person.teams;
    } else {
      const serviceUrl = t.serviceUrl ?? this.opts.serviceUrl;
      if (!serviceUrl) return { ok: false, permanent: true, reason: 'no-service-url' };
      ref = { serviceUrl, conversationId: t.channel, userId: '', tenantId: this.opts.tenantId ?? '' };
    }
    let activity: Record<string, unknown>;
    try {
      activity = adaptiveCardActivity(card);
    } catch (e) {
      return { ok: false, permanent: true, reason: `render-failed: ${short((e as Error).message)}` };
    }
    try {
      await this.opts.proactive.send(ref, activity);
      return { ok: true };
    } catch (e) {
      return classifyTeamsError(e, (this.opts.now ?? Date.now)());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Slack

/** Platform errors after which retrying cannot help (the person, channel or installation is gone). */
export const SLACK_PERMANENT_ERRORS = new Set([
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
  // The message itself is refused: the same message will be refused again.
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'not_authed',
  'missing_scope',
  'restricted_action',
]);

/** Classifies an error thrown by @slack/web-api's WebClient (built without retries, rejecting rate-limited calls). */
export function classifySlackError(error: unknown, nowMs: number): SendOutcome {
  const e = (error ?? {}) as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
    headers?: unknown;
    original?: { code?: string; message?: string };
    message?: string;
  };
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': {
      const retryAfterMs = typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? Math.ceil(e.retryAfter * 1000) : undefined;
      return retryAfterMs === undefined ? { ok: false, permanent: false, reason: 'slack ratelimited' } : { ok: false, permanent: false, reason: 'slack ratelimited', retryAfterMs };
    }
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error';
      if (SLACK_PERMANENT_ERRORS.has(code)) return { ok: false, permanent: true, reason: `slack ${code}` };
      return { ok: false, permanent: false, reason: `slack ${short(code, 80)}` };
    }
    case 'slack_webapi_http_error': {
      const status = e.statusCode ?? 0;
      const retryAfterMs = parseRetryAfter(headerOf(e.headers, 'retry-after'), nowMs);
      const reason = `slack http ${status}`;
      return retryAfterMs === undefined ? { ok: false, permanent: false, reason } : { ok: false, permanent: false, reason, retryAfterMs };
    }
    case 'slack_webapi_request_error':
      return { ok: false, permanent: false, reason: `slack request ${short(e.original?.code ?? e.original?.message ?? 'error', 80)}` };
    default:
      return { ok: false, permanent: false, reason: `slack error ${short(e.code ?? e.message ?? error, 80)}` };
  }
}

/** The part of @slack/web-api's WebClient the delivery uses. */
export interface SlackPostClient {
  chat: { postMessage(args: { channel: string; text: string; blocks?: unknown[] }): Promise<unknown> };
}

export interface SlackDeliveryOptions {
  /**
   * A WebClient dedicated to delivery, that never retries nor waits by itself:
   * `new WebClient(token, { slackApiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true })`.
   */
  client: SlackPostClient;
  people: PeopleRepository;
  /** chat.postMessage: about one message per second per channel. Default 1. */
  channelRatePerSec?: number;
  /** Workspace-wide ceiling for chat.postMessage, per minute. Default 300. */
  workspaceRatePerMin?: number;
  /** Fraction of the ceilings sustained (see underCeiling); default 1: pure pacing at the ceilings (Slack tolerates short bursts). */
  headroom?: number;
  /** Workspace for channel targets (they carry none); default 'default'. */
  teamId?: string;
  now?: () => number;
}

export class SlackDelivery implements PlatformDelivery {
  readonly platform = 'slack' as const;
  private readonly channelRate: number;
  private readonly wsRate: number;
  private readonly headroom: number;

  constructor(private readonly opts: SlackDeliveryOptions) {
    this.headroom = opts.headroom ?? 1;
    this.channelRate = opts.channelRatePerSec ?? 1;
    this.wsRate = (opts.workspaceRatePerMin ?? 300) / 60;
  }

  limits(msg: OutboxMessage): RateLimit[] {
    const t = msg.target;
    const parsed = t.kind === 'person' ? parsePersonId(t.personId) : null;
    const team = parsed?.tenant ?? this.opts.teamId ?? 'default';
    const channel = t.kind === 'person' ? (parsed?.user ?? t.personId) : t.channel;
    return [underCeiling(`slack:ws:${team}`, this.wsRate, this.headroom), underCeiling(`slack:channel:${channel}`, this.channelRate, this.headroom)];
  }

  async send(msg: OutboxMessage): Promise<SendOutcome> {
    const card = parseCard(msg.payload);
    if (!card) return { ok: false, permanent: true, reason: 'invalid-payload' };
    let channel: string;
    const t = msg.target;
    if (t.kind === 'person') {
      const person = await this.opts.people.get(t.personId);
      if (!person) return { ok: false, permanent: true, reason: 'unknown-person' };
      if (person.platform !== 'slack') return { ok: false, permanent: true, reason: 'not-a-slack-person' };
      // Posting to a user id lands in the app's DM with that person.
      channel = person.user;
    } else {
      channel = t.channel;
    }
    let rendered: { text: string; blocks: unknown[] };
    try {
      rendered = renderBlockKitMessage(card);
    } catch (e) {
      return { ok: false, permanent: true, reason: `render-failed: ${short((e as Error).message)}` };
    }
    try {
      const res = (await this.opts.client.chat.postMessage({ channel, text: rendered.text, blocks: rendered.blocks })) as { ok?: boolean; error?: string } | undefined;
      // A WebClient throws on ok: false; a looser client may resolve with it.
      if (res && res.ok === false) {
        return classifySlackError({ code: 'slack_webapi_platform_error', data: { error: res.error } }, (this.opts.now ?? Date.now)());
      }
      return { ok: true };
    } catch (e) {
      return classifySlackError(e, (this.opts.now ?? Date.now)());
    }
  }
}
