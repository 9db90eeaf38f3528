import { App } from '@microsoft/teams.apps';
import type { Conversation } from '../../app/conversation';
import type { Replies } from '../../app/replies';
import type { FileOut, Reply } from '../../app/reply';
import type { Services } from '../../app/services';
import { adaptiveCardActivity as cardActivity, renderAdaptiveCard } from '../../cards/adaptive-card';
import type { Card } from '../../cards/model';
import type { TeamsConfig } from '../../config/types';
import type { Logger } from '../../logger';
import { normaliseLocale } from '../../domain/locale';
import type { Actor } from '../../domain/people-service';
import { type Contact, personId } from '../../domain/people';
import { VERB } from '../../app/verbs';
import { activitySchema, actionDataSchema, type CheckedActivity } from './activity-schema';
import { SharedServerAdapter } from './adapter';
import { teamsLogger } from './logger-bridge';
import { TeamsProactiveSender } from './proactive';
import { InFlight } from '../in-flight';
import { DomainError } from '../../domain/errors';
import { attachedFile, downloadTeamsFile } from './files';

export interface TeamsPlatform {
  /** Authenticated with Bot Framework tokens, or local (unauthenticated, loopback only). */
  mode: 'authenticated' | 'local';
  app: App;
  proactive: TeamsProactiveSender;
  handle(body: unknown, headers: Record<string, string | string[]>): Promise<{ status: number; body?: unknown }>;
  /** Waits for messages still being sent after an answer (a file offered after a card), within a bound. */
  stop(): Promise<void>;
}

const WELCOME_WINDOW_MS = 5 * 60_000;
/** A person's e-mail is asked of the Bot Connector again after a week (a day when it said none)… */
const EMAIL_REFRESH_MS = 7 * 24 * 3_600_000;
const EMAIL_RETRY_MS = 24 * 3_600_000;
/** …and a slow answer does not hold the person up. */
const EMAIL_LOOKUP_MS = 1500;
/** How long stopping waits for messages still being sent. */
const STOP_WAIT_MS = 10_000;

/** The Teams SDK app, before it answers anything: proactive sends need it before the conversation exists. */
export interface TeamsApp {
  config: TeamsConfig | undefined;
  app: App;
  adapter: SharedServerAdapter;
  proactive: TeamsProactiveSender;
}

export function createTeamsApp(config: TeamsConfig | undefined, log: Logger): TeamsApp {
  const adapter = new SharedServerAdapter();
  const app = new App({
    clientId: config?.clientId,
    clientSecret: config?.clientSecret,
    tenantId: config?.tenantId,
    httpServerAdapter: adapter,
    dangerouslyAllowUnauthenticatedRequests: !config,
    logger: teamsLogger(log),
    messagingEndpoint: '/api/messages',
    // Mentions are handled below: the bot's own is removed, other people's become person tokens.
    activity: { mentions: { stripText: false } },
  });
  return { config, app, adapter, proactive: new TeamsProactiveSender(app) };
}

/** Routes Teams activities to the conversation, and starts the app. */
export interface TeamsPlatformDeps {
  services: Services;
  conversation: Conversation;
  /** Where what follows an answer (a file, a card for the personal chat) is queued. */
  replies: Replies;
}

export async function startTeamsPlatform(teams: TeamsApp, { services, conversation, replies }: TeamsPlatformDeps): Promise<TeamsPlatform> {
  const { app, adapter, config, proactive } = teams;
  const log = services.log.child({ platform: 'teams' });

  /** Records the person behind an activity; the conversation reference is kept for 1:1 chats. */
  async function actorOf(raw: unknown): Promise<{ actor: Actor; activity: CheckedActivity }> {
    const activity = activitySchema.parse(raw);
    const tenant = activity.conversation.tenantId ?? activity.channelData?.tenant?.id ?? 'unknown-tenant';
    const personal = (activity.conversation.conversationType ?? 'personal') === 'personal';
    const contact: Contact = {
      platform: 'teams',
      tenant,
      user: activity.from.aadObjectId ?? activity.from.id,
      displayName: activity.from.name || undefined,
      locale: activity.locale ? normaliseLocale(activity.locale, services.defaultLocale) : undefined,
      teams: personal
        ? {
            serviceUrl: activity.serviceUrl,
            conversationId: activity.conversation.id,
            userId: activity.from.id,
            botId: activity.recipient.id,
            tenantId: tenant,
          }
        : undefined,
    };
    const actor = await services.people.contact(contact);
    if (!personal) await recordConversations(activity, tenant);
    return { actor: await withEmail(actor, activity), activity };
  }

  /**
   * A channel or group chat the bot hears from is one it can post to: its Bot Connector address is
   * kept (an axis channel, a broadcast to a channel or a team need it). When the bot is added to a
   * team, its general channel (the team's id) too, and a channel the event names.
   */
  async function recordConversations(activity: CheckedActivity, tenantId: string): Promise<void> {
    const at = services.clock.now();
    const team = activity.channelData?.team;
    const channel = activity.channelData?.channel;
    const refs = new Map<string, { name?: string }>();
    refs.set(activity.conversation.id.split(';')[0], { name: channel && channel.id === activity.conversation.id.split(';')[0] ? channel.name : undefined });
    if (team) refs.set(team.id, { name: team.name });
    if (channel) refs.set(channel.id, { name: channel.name });
    for (const [id, { name }] of refs) {
      await services.store.conversations
        .record({ platform: 'teams', id, serviceUrl: activity.serviceUrl, tenantId, teamId: team?.id, name }, at)
        .catch((e) => log.warn({ err: e }, 'could not record a Teams conversation'));
    }
  }

  /** When each person's e-mail was last asked for (this process): asked when first seen, then once a day. */
  const emailAsked = new Map<string, number>();

  /**
   * Teams activities carry no e-mail, yet organisers and pilots are listed by e-mail in the programme:
   * the Bot Connector's member API says it. Asked (briefly) when a person is first seen without one, and
   * refreshed from time to time; a failure leaves the person as they were.
   */
  async function withEmail(actor: Actor, activity: CheckedActivity): Promise<Actor> {
    const now = services.clock.now().getTime();
    const last = emailAsked.get(actor.person.id);
    if (last !== undefined && now - last < (actor.person.email ? EMAIL_REFRESH_MS : EMAIL_RETRY_MS)) return actor;
    if (emailAsked.size > 50_000) emailAsked.clear();
    emailAsked.set(actor.person.id, now);
    // a channel's conversation id may carry the message (";messageid=…"): the members are the conversation's
    const ask = proactive.member(activity.serviceUrl, activity.conversation.id.split(';')[0], activity.from.id);
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), EMAIL_LOOKUP_MS).unref());
    try {
      const member = await Promise.race([ask, timeout]);
      if (!member?.email || member.email === actor.person.email) return actor;
      return await services.people.contact({ platform: 'teams', tenant: actor.person.tenant, user: actor.person.user, email: member.email });
    } catch (e) {
      log.debug({ ...describeError(e) }, 'Teams member lookup failed');
      return actor;
    }
  }

  /** Mentions of people become `@{person id}` tokens (or `@{?}` when the person never wrote to the bot). */
  async function normaliseMentions(activity: CheckedActivity, text: string): Promise<string> {
    let out = text;
    for (const e of activity.entities ?? []) {
      if (e.type !== 'mention' || !e.text || !e.mentioned?.id) continue;
      if (e.mentioned.id === activity.recipient.id) {
        out = out.split(e.text).join(' ');
        continue;
      }
      const person = await services.store.people.findByTeamsUserId(e.mentioned.id);
      out = out.split(e.text).join(` @{${person?.id ?? '?'}} `);
    }
    return out.replace(/<\/?at>/g, '').trim();
  }

  // method syntax: the SDK's own context is assignable (its send takes its activity types)
  type Sender = { send(activity: unknown): Promise<unknown> };

  const inFlight = new InFlight();

  /**
   * A file is offered in the person's personal chat (file consent works only there), through the
   * outbox: queued before the activity is answered, sent even after a crash.
   */
  async function offerFile(actor: Actor, file: FileOut): Promise<void> {
    await replies.file(actor.person, file);
  }

  /** Sends a reply as a new message in the conversation. */
  async function send(ctx: Sender, actor: Actor, reply: Reply, personal = true): Promise<void> {
    switch (reply.kind) {
      case 'card':
        await ctx.send(cardActivity(reply.card));
        if (reply.file) await offerFile(actor, reply.file);
        return;
      case 'form':
      case 'formErrors':
        await ctx.send(cardActivity(reply.form.card));
        return;
      case 'file':
        await offerFile(actor, reply.file);
        if (!personal) await ctx.send({ type: 'message', text: reply.file.comment });
        return;
    }
  }

  app.on('message', async (ctx) => {
    const raw = ctx.activity as unknown as { value?: unknown; text?: string };
    const { actor, activity } = await actorOf(ctx.activity);
    // Older clients send Action.Submit as a message whose value carries the verb and the inputs.
    const submitted = raw.value && typeof raw.value === 'object' ? actionDataSchema.safeParse(raw.value) : undefined;
    if (submitted?.success && VERB.safeParse(submitted.data.verb).success) {
      const { verb, ...data } = submitted.data;
      await send(ctx, actor, await conversation.onAction(actor, verb, data, 'teams', data), (activity.conversation.conversationType ?? 'personal') === 'personal');
      return;
    }
    const file = attachedFile((raw as { attachments?: unknown }).attachments);
    if (file) {
      // a file attached in the chat (an organiser's questionnaire)
      const reply = await downloadTeamsFile(file, !config).then(
        (content) => conversation.onFile(actor, { name: file.name, content }),
        (e) => {
          log.warn({ error: (e as Error).message }, 'Teams file not downloaded');
          return conversation.errorReply(actor, new DomainError('consultation.file.download'));
        },
      );
      await send(ctx, actor, reply, (activity.conversation.conversationType ?? 'personal') === 'personal');
      return;
    }
    const text = await normaliseMentions(activity, activity.text ?? '');
    await send(ctx, actor, await conversation.onText(actor, text, 'teams'), (activity.conversation.conversationType ?? 'personal') === 'personal');
  });

  // Action.Execute (Universal Actions): the answer replaces the card, or comes as a new message.
  app.on('card.action', async (ctx) => {
    const { actor, activity } = await actorOf(ctx.activity);
    const value = (ctx.activity as unknown as { value?: { action?: { verb?: unknown; data?: unknown }; trigger?: string } }).value;
    const verb = VERB.safeParse(value?.action?.verb);
    const data = actionDataSchema.safeParse(value?.action?.data ?? {});
    const reply =
      verb.success && data.success
        ? await conversation.onAction(actor, verb.data, data.data, 'teams', data.data)
        : conversation.errorReply(actor, verb.success ? data.error : verb.error);
    const automatic = value?.trigger === 'automatic';
    const fromForm = verb.success && conversation.replaces(verb.data);
    let replacement: Card | undefined;
    if (reply.kind === 'formErrors') replacement = reply.form.card;
    else if (reply.kind === 'form' && (fromForm || automatic)) replacement = reply.form.card;
    else if (reply.kind === 'card' && (reply.replace || fromForm || automatic)) replacement = reply.card;
    const personal = (activity.conversation.conversationType ?? 'personal') === 'personal';
    // A file offered with the card (a calendar entry) goes to the personal chat: file consent works only there.
    if (reply.kind === 'card' && reply.file) await offerFile(actor, reply.file);
    if (replacement) return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: renderAdaptiveCard(replacement) as never };
    if (!personal && reply.kind === 'card') {
      // Clicked on a card many people see (an announcement in a channel): the answer is the clicker's
      // alone. Its card goes to their personal chat; the invoke shows them a short message.
      if (actor.person.teams) await replies.toPerson(actor.person, reply.card);
      const said = (reply.note ?? reply.card).fallbackText;
      const t = conversation.t(actor);
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: actor.person.teams ? said : `${said} ${t('teams.openPersonalChat')}` };
    }
    await send(ctx, actor, reply, personal);
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '' };
  });

  // The person accepted (or declined) a file we offered: upload it to their OneDrive, then show it.
  app.on('file.consent', async (ctx) => {
    const { actor } = await actorOf(ctx.activity);
    const v = (
      ctx.activity as unknown as {
        value?: { action?: string; context?: { draft?: unknown }; uploadInfo?: { uploadUrl?: string; contentUrl?: string; name?: string; uniqueId?: string; fileType?: string } };
      }
    ).value;
    const draftId = typeof v?.context?.draft === 'string' ? v.context.draft : '';
    const raw = draftId ? await services.store.drafts.take(draftId, actor.person.id) : null;
    const t = conversation.t(actor);
    if (!raw || v?.action !== 'accept' || !v.uploadInfo?.uploadUrl) {
      await ctx.send({ type: 'message', text: raw || v?.action === 'decline' ? t('ideas.exportDeclined') : t('errors.idea.draft.expired') });
      return { status: 200 };
    }
    const file = JSON.parse(raw) as { name: string; content: string; comment: string };
    const body = Buffer.from(file.content, 'base64');
    const res = await fetch(v.uploadInfo.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Length': String(body.length), 'Content-Range': `bytes 0-${body.length - 1}/${body.length}` },
      body,
    });
    if (!res.ok) {
      log.warn({ status: res.status }, 'file upload to OneDrive failed');
      await ctx.send(cardActivity(conversation.errorCard(actor)));
      return { status: 200 };
    }
    await ctx.send({
      type: 'message',
      text: file.comment,
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.info',
          contentUrl: v.uploadInfo.contentUrl,
          name: v.uploadInfo.name ?? file.name,
          content: { uniqueId: v.uploadInfo.uniqueId, fileType: v.uploadInfo.fileType ?? (file.name.split('.').pop() || 'csv') },
        },
      ],
    });
    return { status: 200 };
  });

  // A welcome, once per conversation, whichever of installationUpdate / conversationUpdate comes first.
  const welcomed = new Map<string, number>();
  async function welcome(ctx: { activity: unknown; send: (a: ReturnType<typeof cardActivity>) => Promise<unknown> }) {
    const { actor, activity } = await actorOf(ctx.activity);
    const now = services.clock.now().getTime();
    for (const [k, at] of welcomed) if (now - at > WELCOME_WINDOW_MS) welcomed.delete(k);
    if (welcomed.has(activity.conversation.id)) return;
    welcomed.set(activity.conversation.id, now);
    const welcomeReply = conversation.welcome(conversation.locale(actor));
    if (welcomeReply.kind === 'card') await ctx.send(cardActivity(welcomeReply.card));
  }

  app.on('install.add', async (ctx) => welcome(ctx));
  // The app removed: from a personal chat, that person has left; from a team or a chat, nobody in particular.
  app.on('install.remove', async (ctx) => {
    const activity = activitySchema.parse(ctx.activity);
    if ((activity.conversation.conversationType ?? 'personal') !== 'personal') return;
    const tenant = activity.conversation.tenantId ?? activity.channelData?.tenant?.id ?? 'unknown-tenant';
    await services.departures.person(personId({ platform: 'teams', tenant, user: activity.from.aadObjectId ?? activity.from.id }), 'teams app removed');
  });
  app.on('conversationUpdate', async (ctx) => {
    const added = (ctx.activity as unknown as { membersAdded?: Array<{ id: string }> }).membersAdded ?? [];
    if (added.some((m) => m.id === ctx.activity.recipient.id)) await welcome(ctx);
  });

  app.event('error', ({ error }) => log.error(describeError(error), 'Teams activity failed'));
  await app.initialize();

  return {
    mode: config ? 'authenticated' : 'local',
    app,
    proactive,
    handle: (body, headers) => adapter.handle(body, headers),
    stop: () => inFlight.settle(STOP_WAIT_MS),
  };
}

/** A short description of an error: HTTP client errors carry the whole request, which must not be logged. */
export function describeError(error: unknown): Record<string, unknown> {
  const e = error as { message?: string; code?: string; response?: { status?: number }; config?: { url?: string; method?: string } };
  if (e?.config) return { error: e.message, code: e.code, status: e.response?.status, url: e.config.url, method: e.config.method };
  return { err: error };
}
