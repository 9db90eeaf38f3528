/**
 * Platform senders for the outbox: each renders the stored card for its platform, sends it once (no
 * retry of its own: the dispatcher decides), classifies the answer as sent / temporary / permanent,
 * and names the rate-limit buckets a message draws from.
 */
import { renderBlockKitMessage } from '../cards/block-kit';
import type { Card } from '../cards/model';
import { type OutgoingFile, parseOutgoing } from '../cards/outgoing';
import type { OutboxMessage, SendOutcome } from '../domain/delivery';
import type { Platform, TeamsConversationRef } from '../domain/people';
import type { ConversationRepository, DraftRepository, PeopleRepository } from '../domain/ports';
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
    return { ok: false, permanent: false, reason, retryAfterMs: parseRetryAfter(headerOf(e.response?.headers, 'retry-after'), nowMs), rateLimited: true };
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
  /** Where a file waits for the person's consent (Teams uploads it to their OneDrive once they accept). */
  drafts?: DraftRepository;
  /** The channels' Bot Connector addresses, learnt from their activities. */
  conversations?: ConversationRepository;
  /** TeamsProactiveSender (src/platforms/teams/proactive.ts) or anything with the same `send`. */
  proactive: {
    send(ref: TeamsConversationRef, activity: Record<string, unknown>): Promise<unknown>;
    /** Replaces an activity the bot sent (a corrected channel post). */
    update?(ref: TeamsConversationRef, activityId: string, activity: Record<string, unknown>): Promise<unknown>;
  };
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
    if (t.kind === 'response') return [];
    const tenant = t.kind === 'person' ? (parsePersonId(t.personId)?.tenant ?? 'default') : (this.opts.tenantId ?? 'default');
    const conv = t.kind === 'person' ? `teams:person:${t.personId}` : `teams:conv:${t.channel}`;
    return [underCeiling(`teams:app:${tenant}`, this.appRate, this.headroom), underCeiling(conv, this.convRate, this.headroom)];
  }

  async send(msg: OutboxMessage): Promise<SendOutcome> {
    const out = parseOutgoing(msg.payload);
    if (!out) return { ok: false, permanent: true, reason: 'invalid-payload' };
    let ref: TeamsConversationRef;
    const t = msg.target;
    if (t.kind === 'person') {
      const person = await this.opts.people.get(t.personId);
      if (!person) return { ok: false, permanent: true, reason: 'unknown-person' };
      if (!person.teams) return { ok: false, permanent: true, reason: 'no-conversation-reference' };
      ref = person.teams;
    } else if (t.kind === 'channel') {
      const known = t.serviceUrl ? null : await this.opts.conversations?.get('teams', t.channel);
      const serviceUrl = t.serviceUrl ?? known?.serviceUrl ?? this.opts.serviceUrl;
      // a channel the bot has never heard from: it is not in that team (or not yet)
      if (!serviceUrl) return { ok: false, permanent: true, reason: 'no-service-url' };
      ref = { serviceUrl, conversationId: t.channel, userId: '', tenantId: known?.tenantId ?? this.opts.tenantId ?? '' };
    } else {
      return { ok: false, permanent: true, reason: 'unsupported-target' };
    }
    let activity: Record<string, unknown>;
    try {
      if (out.kind === 'card' || out.kind === 'edit') activity = adaptiveCardActivity(out.card);
      else if (t.kind === 'person') activity = await this.fileConsent(t.personId, out.file);
      else return { ok: false, permanent: true, reason: 'file-to-a-channel' };
    } catch (e) {
      return { ok: false, permanent: true, reason: `render-failed: ${short((e as Error).message)}` };
    }
    try {
      if (out.kind === 'edit') {
        if (!this.opts.proactive.update) return { ok: false, permanent: true, reason: 'edit-unsupported' };
        await this.opts.proactive.update(ref, out.messageId, activity);
        return { ok: true, messageId: out.messageId };
      }
      const sent = (await this.opts.proactive.send(ref, activity)) as { id?: unknown } | undefined;
      return typeof sent?.id === 'string' ? { ok: true, messageId: sent.id } : { ok: true };
    } catch (e) {
      return classifyTeamsError(e, (this.opts.now ?? Date.now)());
    }
  }

  /**
   * A file in Teams is offered with a consent card in the personal chat: the file waits as a draft, and
   * is uploaded to the person's OneDrive when they accept (the platform's file.consent invoke).
   */
  private async fileConsent(personId: string, file: OutgoingFile): Promise<Record<string, unknown>> {
    if (!this.opts.drafts) throw new Error('no drafts repository for files');
    const draft = await this.opts.drafts.save(
      personId,
      JSON.stringify({ name: file.name, mime: file.mime, content: file.base64, comment: file.comment }),
      new Date((this.opts.now ?? Date.now)()),
    );
    const size = Buffer.from(file.base64, 'base64').length;
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.consent',
          name: file.name,
          content: { description: file.comment, sizeInBytes: size, acceptContext: { draft }, declineContext: { draft } },
        },
      ],
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Slack

/** Platform errors after which retrying cannot help (the person, channel or installation is gone). */
/**
 * Permanent failures, as the classifiers below word them, that mean the person has left the platform
 * (Slack: the account is gone or deactivated; Teams: 403, the bot removed or blocked, or "user not found").
 */
export function meansPersonLeft(reason: string): boolean {
  if (/^slack (user_not_found|account_inactive|user_disabled)$/.test(reason)) return true;
  if (/^teams 403\b/.test(reason)) return true;
  return /user ?not ?found/i.test(reason) && reason.startsWith('teams ');
}

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
      return retryAfterMs === undefined
        ? { ok: false, permanent: false, reason: 'slack ratelimited', rateLimited: true }
        : { ok: false, permanent: false, reason: 'slack ratelimited', retryAfterMs, rateLimited: true };
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
      const limited = status === 429 ? { rateLimited: true } : {};
      return retryAfterMs === undefined ? { ok: false, permanent: false, reason, ...limited } : { ok: false, permanent: false, reason, retryAfterMs, ...limited };
    }
    case 'slack_webapi_request_error':
      return { ok: false, permanent: false, reason: `slack request ${short(e.original?.code ?? e.original?.message ?? 'error', 80)}` };
    default:
      return { ok: false, permanent: false, reason: `slack error ${short(e.code ?? e.message ?? error, 80)}` };
  }
}

/** The part of @slack/web-api's WebClient the delivery uses. */
export interface SlackPostClient {
  chat: {
    postMessage(args: { channel: string; text: string; blocks?: unknown[] }): Promise<unknown>;
    /** Replaces a message the bot posted (a corrected channel post). */
    update?(args: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<unknown>;
  };
  conversations?: { open(args: { users: string }): Promise<unknown> };
  files?: { uploadV2(args: { channel_id: string; file: Buffer; filename: string; title: string; initial_comment: string }): Promise<unknown> };
}

/** Posts JSON to a URL (Slack's response_url): fetch by default. */
export type JsonPoster = (url: string, body: unknown) => Promise<{ status: number; retryAfter?: string | null }>;

const postJson: JsonPoster = async (url, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer().catch(() => undefined);
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
};

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
  /** How answers reach a response_url; default fetch. */
  respond?: JsonPoster;
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
    // an answer through response_url is no chat.postMessage: none of its ceilings applies
    if (t.kind === 'response') return [];
    const parsed = t.kind === 'person' ? parsePersonId(t.personId) : null;
    const team = parsed?.tenant ?? this.opts.teamId ?? 'default';
    const channel = t.kind === 'person' ? (parsed?.user ?? t.personId) : t.channel;
    return [underCeiling(`slack:ws:${team}`, this.wsRate, this.headroom), underCeiling(`slack:channel:${channel}`, this.channelRate, this.headroom)];
  }

  async send(msg: OutboxMessage): Promise<SendOutcome> {
    const out = parseOutgoing(msg.payload);
    if (!out) return { ok: false, permanent: true, reason: 'invalid-payload' };
    const t = msg.target;
    const now = () => (this.opts.now ?? Date.now)();
    if (t.kind === 'response') {
      if (out.kind !== 'card') return { ok: false, permanent: true, reason: `${out.kind}-to-a-response-url` };
      return this.respond(t.url, out.card, out.replace === true, out.ephemeral !== false, now);
    }
    let channel: string;
    if (t.kind === 'person') {
      const person = await this.opts.people.get(t.personId);
      if (!person) return { ok: false, permanent: true, reason: 'unknown-person' };
      if (person.platform !== 'slack') return { ok: false, permanent: true, reason: 'not-a-slack-person' };
      // Posting to a user id lands in the app's DM with that person.
      channel = person.user;
    } else {
      channel = t.channel;
    }
    try {
      if (out.kind === 'file') {
        await this.upload(channel, t.kind === 'person', out.file);
        return { ok: true };
      }
      let rendered: { text: string; blocks: unknown[] };
      try {
        rendered = renderBlockKitMessage(out.card);
      } catch (e) {
        return { ok: false, permanent: true, reason: `render-failed: ${short((e as Error).message)}` };
      }
      if (out.kind === 'edit') {
        if (!this.opts.client.chat.update) return { ok: false, permanent: true, reason: 'edit-unsupported' };
        const res = (await this.opts.client.chat.update({ channel, ts: out.messageId, text: rendered.text, blocks: rendered.blocks })) as
          | { ok?: boolean; error?: string }
          | undefined;
        if (res && res.ok === false) return classifySlackError({ code: 'slack_webapi_platform_error', data: { error: res.error } }, now());
        return { ok: true, messageId: out.messageId };
      }
      const res = (await this.opts.client.chat.postMessage({ channel, text: rendered.text, blocks: rendered.blocks })) as { ok?: boolean; error?: string; ts?: string } | undefined;
      // A WebClient throws on ok: false; a looser client may resolve with it.
      if (res && res.ok === false) return classifySlackError({ code: 'slack_webapi_platform_error', data: { error: res.error } }, now());
      return typeof res?.ts === 'string' ? { ok: true, messageId: res.ts } : { ok: true };
    } catch (e) {
      return classifySlackError(e, now());
    }
  }

  /** A file in the person's DM with the app (or in a channel). */
  private async upload(channel: string, toPerson: boolean, file: OutgoingFile): Promise<void> {
    const { conversations, files } = this.opts.client;
    if (!files) throw new Error('this Slack client cannot upload files');
    let channelId = channel;
    if (toPerson && conversations) {
      const opened = (await conversations.open({ users: channel })) as { channel?: { id?: string } };
      channelId = opened.channel?.id ?? channel;
    }
    await files.uploadV2({ channel_id: channelId, file: Buffer.from(file.base64, 'base64'), filename: file.name, title: file.name, initial_comment: file.comment });
  }

  /** An answer through the response_url of a command or a click (valid 30 minutes, five answers). */
  private async respond(url: string, card: Card, replace: boolean, ephemeral: boolean, now: () => number): Promise<SendOutcome> {
    let body: Record<string, unknown>;
    try {
      body = { ...renderBlockKitMessage(card), replace_original: replace, ...(replace ? {} : { response_type: ephemeral ? 'ephemeral' : 'in_channel' }) };
    } catch (e) {
      return { ok: false, permanent: true, reason: `render-failed: ${short((e as Error).message)}` };
    }
    let res: { status: number; retryAfter?: string | null };
    try {
      res = await (this.opts.respond ?? postJson)(url, body);
    } catch (e) {
      const code = (e as { cause?: { code?: string }; name?: string }).cause?.code ?? (e as { name?: string }).name ?? 'error';
      return { ok: false, permanent: false, reason: `slack response network ${short(code, 60)}` };
    }
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const reason = `slack response ${res.status}`;
    // the URL has expired (30 minutes, or used five times) or was never Slack's
    if (res.status === 404 || res.status === 410 || res.status === 400 || res.status === 403) return { ok: false, permanent: true, reason };
    const retryAfterMs = parseRetryAfter(res.retryAfter ?? undefined, now());
    const limited = res.status === 429 ? { rateLimited: true } : {};
    return retryAfterMs === undefined ? { ok: false, permanent: false, reason, ...limited } : { ok: false, permanent: false, reason, retryAfterMs, ...limited };
  }
}
