import { App, ExpressReceiver, LogLevel, webApi, type Logger as BoltLogger } from '@slack/bolt';
type WebClient = webApi.WebClient;

/** How long stopping waits for replies still being sent. */
const STOP_WAIT_MS = 10_000;
import type express from 'express';
import { readBlockKitViewValues, renderBlockKitMessage, renderBlockKitModal, verbFromActionId, URL_ACTION_VERB } from '../../cards/block-kit';
import type { Form, Reply } from '../../app/reply';
import type { Replies } from '../../app/replies';
import { textCard } from '../../app/common';
import { VERB } from '../../app/verbs';
import type { Conversation } from '../../app/conversation';
import type { Services } from '../../app/services';
import type { SlackConfig } from '../../config/types';
import { InFlight } from '../in-flight';
import { normaliseLocale } from '../../domain/locale';
import type { Actor } from '../../domain/people-service';
import type { Logger } from '../../logger';
import { actionValueSchema, blockActionsBodySchema, slashCommandSchema } from './payload-schema';
import { normaliseSlackText } from './text';
import { SlackAuth, type SlackAuthStatus } from './auth';
import { slackGate } from './gate';
import type { Clock } from '../../domain/ports';
import { DomainError } from '../../domain/errors';
import { downloadSlackFile, sharedFile } from './files';

/** The machine's clock: Slack's signatures are about real time, whatever clock the programme runs on. */
const systemWallClock: Clock = { now: () => new Date() };

export interface SlackPlatform {
  mode: 'http' | 'socket';
  /** Ready once Slack has answered auth.test. */
  status(): SlackAuthStatus;
  app: App;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What Bolt and its Web API client say at debug level includes whole requests and answers (a message's
 * text, a profile's e-mail): those lines keep their first words only. Logs carry no message text.
 */
export function withoutPayload(line: string): string {
  const m = /^(http request (?:body|result|headers))\b/.exec(line);
  return m ? `${m[1]} (not logged)` : line;
}

function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ platform: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(withoutPayload(m.map(String).join(' '))),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export const SLASH_COMMAND = '/ensemble';

/** A person's profile (users.info, on first contact) is waited for this long at most. */
const PROFILE_TIMEOUT_MS = 1500;

/** An attempt at a request that has not answered after this long is taken to have died with its process. */
const STALE_ATTEMPT_MS = 10_000;

export interface SlackPlatformDeps {
  services: Services;
  conversation: Conversation;
  /** Where answers are queued before a request is acknowledged. */
  replies: Replies;
  /** The one HTTP server: `/slack/events` is added to it. */
  express: express.Application;
  /** The machine's clock by default: signatures are about real time. */
  wallClock?: Clock;
  /** How fast auth.test is asked again while Slack does not answer. */
  authBackoff?: { firstMs: number; maxMs: number };
}

export function createSlackPlatform(config: SlackConfig, deps: SlackPlatformDeps): SlackPlatform {
  const { services, conversation, replies, express: expressApp, authBackoff } = deps;
  const wallClock = deps.wallClock ?? systemWallClock;
  const logger = boltLogger(services.log);
  const socket = Boolean(config.appToken);
  const apiUrl = config.apiUrl ? (config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`) : undefined;
  const signingSecret = config.signingSecret ?? '';
  if (!socket && !signingSecret) throw new Error('Slack over HTTP needs SLACK_SIGNING_SECRET');
  if (!socket) {
    // the door of /slack/events, before Bolt: signature window, payload shape, repeats
    expressApp.post(
      '/slack/events',
      ...slackGate({
        signingSecret,
        clock: wallClock,
        admit: (key) => {
          const now = wallClock.now();
          return services.store.requests.admit(key, now, new Date(now.getTime() - STALE_ATTEMPT_MS));
        },
        answered: (key, status) => {
          if (status < 300) void services.store.requests.done(key).catch((e) => services.log.warn({ err: e }, 'could not record an answered Slack request'));
        },
        malformed: (reason, responseUrl) => {
          services.log.warn({ reason }, 'malformed Slack request acknowledged');
          if (responseUrl) void track(notUnderstood(responseUrl));
        },
      }),
    );
  }
  const receiver = socket
    ? undefined
    : new ExpressReceiver({
        signingSecret,
        endpoints: '/slack/events',
        app: expressApp,
        logger,
        // the store write a request causes, and its answer queued in the outbox, come before the acknowledgement
        processBeforeResponse: true,
      });
  // the bot's identity, asked again with backoff until Slack answers (Bolt would cache a failure)
  const auth = new SlackAuth(
    new webApi.WebClient(undefined, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 0 }, timeout: 5000, logger }),
    config.botToken,
    services.log.child({ platform: 'slack' }),
    authBackoff,
  );
  // people's profiles, asked on first contact: briefly, without retries (the request is still open)
  const profiles = new webApi.WebClient(config.botToken, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 0 }, timeout: PROFILE_TIMEOUT_MS, logger });
  const app = new App({
    authorize: auth.authorize,
    ...(socket ? { socketMode: true, appToken: config.appToken } : { receiver }),
    logger,
    // Answers to a person who is waiting: a few quick retries, not the client's default half hour.
    clientOptions: { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 3, factor: 2, minTimeout: 300, maxTimeout: 3000, randomize: true } },
    ignoreSelf: true,
  });

  /**
   * Records the person; on first contact, asks Slack for their e-mail, real name and locale. The handle
   * in a slash command (`user_name`) is only a fallback name: it must not overwrite the real name.
   */
  async function actorOf(teamId: string, userId: string, userName?: string): Promise<Actor> {
    let actor = await services.people.contact({ platform: 'slack', tenant: teamId, user: userId });
    if (actor.person.locale) return actor;
    try {
      const info = (await profiles.users.info({ user: userId, include_locale: true })) as {
        user?: { real_name?: string; locale?: string; profile?: { email?: string; display_name?: string; real_name?: string } };
      };
      const u = info.user;
      actor = await services.people.contact({
        platform: 'slack',
        tenant: teamId,
        user: userId,
        displayName: u?.profile?.display_name || u?.profile?.real_name || u?.real_name || userName,
        email: u?.profile?.email,
        locale: normaliseLocale(u?.locale, services.defaultLocale),
      });
    } catch (e) {
      services.log.warn({ error: (e as Error).message }, 'Slack users.info failed; continuing without profile');
      if (userName) actor = await services.people.contact({ platform: 'slack', tenant: teamId, user: userId, displayName: userName });
    }
    return actor;
  }

  /** Where a reply goes: the response_url of the command or click, a modal, or the app's DM. */
  interface Target {
    client: WebClient;
    actor: Actor;
    responseUrl?: string;
    triggerId?: string;
    /** The modal the action came from (buttons inside a form). */
    view?: { id: string; hash?: string };
    /** The message the click came from is seen by others (a channel post), not only by the clicker. */
    shared?: boolean;
    /** Answer in this conversation (a DM with the app) rather than the user's app DM. */
    channel?: string;
  }

  function modalOf(form: Form) {
    return renderBlockKitModal(form.card, {
      callbackId: form.verb,
      title: form.title,
      submitLabel: form.submitLabel,
      closeLabel: form.closeLabel,
      privateMetadata: JSON.stringify(form.data),
    });
  }

  /** Calls still under way after the acknowledgement (a modal opening, the Home tab): stopping waits for them. */
  const inFlight = new InFlight();
  const track = (p: Promise<void>) => inFlight.track(p);

  /** A signed request whose payload makes no sense: the person is told it was not understood. */
  async function notUnderstood(responseUrl: string): Promise<void> {
    const text = services.i18n.forLocale(services.defaultLocale)('errors.notUnderstood');
    await replies.respond('slack', responseUrl, textCard(text)).catch((e) => services.log.warn({ err: e }, 'could not answer a malformed Slack request'));
  }

  /**
   * Answers a request. What goes through the response_url, the DM or as a file is queued in the outbox
   * (durable, retried) before the request is acknowledged; a modal opens at once with the request's
   * trigger_id (valid three seconds: after a crash it would be of no use anyway).
   */
  async function deliver(reply: Reply, to: Target): Promise<void> {
    switch (reply.kind) {
      case 'card': {
        await deliverCard(reply, to);
        if (reply.file) await replies.file(to.actor.person, reply.file);
        return;
      }
      case 'form':
      case 'formErrors': {
        const view = modalOf(reply.form) as never;
        if (to.view)
          void track(
            to.client.views.update({ view_id: to.view.id, hash: to.view.hash, view }).then(
              () => undefined,
              (e) => services.log.warn({ err: e }, 'modal not updated'),
            ),
          );
        else if (to.triggerId)
          void track(
            to.client.views.open({ trigger_id: to.triggerId, view }).then(
              () => undefined,
              (e) => services.log.warn({ err: e }, 'modal not opened'),
            ),
          );
        else await deliver({ kind: 'card', card: reply.form.card }, to);
        return;
      }
      case 'file': {
        await replies.file(to.actor.person, reply.file);
        if (to.responseUrl) await replies.respond('slack', to.responseUrl, textCard(reply.file.comment));
        return;
      }
    }
  }

  /** The App Home tab, for one person. */
  async function publishHome(client: WebClient, actor: Actor, userId: string): Promise<void> {
    const { blocks } = renderBlockKitMessage(await conversation.home(actor, 'slack'));
    await client.views.publish({ user_id: userId, view: { type: 'home', blocks: blocks as never } });
  }

  async function deliverCard(reply: Extract<Reply, { kind: 'card' }>, to: Target): Promise<void> {
    if (to.responseUrl) {
      await replies.respond('slack', to.responseUrl, reply.card, { replace: reply.replace === true });
      // on a post many people see, what the click did is said to the clicker alone
      if (reply.replace && reply.note && to.shared) await replies.respond('slack', to.responseUrl, reply.note);
    } else if (to.channel) {
      await replies.toChannel('slack', to.channel, reply.card);
    } else {
      await replies.toPerson(to.actor.person, reply.card);
    }
  }

  // Each listener does the work and queues the answer; Bolt acknowledges when it returns (processBeforeResponse).
  app.command(SLASH_COMMAND, async ({ command, ack, client }) => {
    await ack();
    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) {
      const url = typeof command.response_url === 'string' ? command.response_url : undefined;
      if (url) await notUnderstood(url);
      return;
    }
    const c = parsed.data;
    const actor = await actorOf(c.team_id, c.user_id, c.user_name);
    const reply = await conversation.onText(actor, normaliseSlackText(c.text, c.team_id), 'slack');
    await deliver(reply, { client, actor, responseUrl: c.response_url, triggerId: c.trigger_id });
  });

  app.action(/.*/, async ({ ack, body, action, client }) => {
    await ack();
    const a = action as { action_id?: string; value?: string; type?: string };
    if (!a.action_id) return;
    const followed = verbFromActionId(a.action_id) === URL_ACTION_VERB;
    if (followed && !a.value) return;
    const b = blockActionsBodySchema.safeParse(body);
    if (!b.success) return;
    const teamId = b.data.team?.id ?? b.data.user.team_id ?? 'unknown';
    const actor = await actorOf(teamId, b.data.user.id, b.data.user.name);
    if (followed) {
      // a URL button the bot tracks (a broadcast's link): the browser opens the URL itself, the bot counts it and answers nothing
      const tracked = actionValueSchema.safeParse(a.value);
      const verb = tracked.success ? VERB.safeParse(tracked.data.verb) : undefined;
      if (tracked.success && verb?.success) {
        const { verb: _verb, ...data } = tracked.data;
        await conversation.onAction(actor, verb.data, data, 'slack');
      }
      return;
    }
    const raw = body as {
      view?: { id: string; type?: string; hash?: string; state?: { values: Record<string, Record<string, unknown>> } };
      container?: { is_ephemeral?: boolean; type?: string };
    };
    const fromHome = raw.view?.type === 'home';
    const value = actionValueSchema.safeParse(a.value ?? '{}');
    const values = raw.view?.state ? readBlockKitViewValues(raw.view.state as never) : {};
    const reply = value.success ? await conversation.onAction(actor, verbFromActionId(a.action_id), value.data, 'slack', values) : conversation.errorReply(actor, value.error);
    await deliver(reply, {
      client,
      actor,
      responseUrl: b.data.response_url,
      triggerId: b.data.trigger_id,
      // a button inside a modal updates that modal; one on the Home tab opens a new one
      view: raw.view && !fromHome ? { id: raw.view.id, hash: raw.view.hash } : undefined,
      shared: raw.container?.type === 'message' && raw.container.is_ephemeral === false,
    });
    // what was clicked on the Home tab changed it (a registration, a support): it shows the new state
    if (fromHome) void track(publishHome(client, actor, b.data.user.id).catch((e) => services.log.warn({ err: e }, 'Home tab not published')));
  });

  // A submitted modal: its callback_id is the verb, private_metadata the context, the inputs its values.
  app.view(/.*/, async ({ ack, body, view, client }) => {
    const b = blockActionsBodySchema.safeParse(body);
    const verb = VERB.safeParse(view.callback_id);
    const data = actionValueSchema.safeParse(view.private_metadata || '{}');
    if (!b.success || !verb.success || !data.success) {
      await ack();
      return;
    }
    const teamId = b.data.team?.id ?? b.data.user.team_id ?? 'unknown';
    const actor = await actorOf(teamId, b.data.user.id, b.data.user.name);
    const values = readBlockKitViewValues(view.state as never);
    const reply = await conversation.onAction(actor, verb.data, data.data, 'slack', values);
    if (reply.kind === 'formErrors') {
      const blockIds = new Set(Object.keys((view.state as { values: Record<string, unknown> }).values));
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(reply.errors)) errors[blockIds.has(field) ? field : [...blockIds][0]] = message.slice(0, 150);
      await ack({ response_action: 'errors', errors });
      return;
    }
    if (reply.kind === 'form') {
      await ack({ response_action: 'update', view: modalOf(reply.form) as never });
      return;
    }
    await ack();
    await deliver(reply, { client, actor });
    // the Home shows what was just saved (preferences): published again, as after a click there
    if (conversation.changesHome(verb.data)) {
      const after = await actorOf(teamId, b.data.user.id, b.data.user.name);
      void track(publishHome(client, after, b.data.user.id).catch((e) => services.log.warn({ err: e }, 'Home tab not published')));
    }
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if ((event as { tab?: string }).tab && (event as { tab?: string }).tab !== 'home') return;
    const teamId = (body as { team_id?: string }).team_id ?? 'unknown';
    const actor = await actorOf(teamId, event.user);
    await publishHome(client, actor, event.user);
  });

  // Leaving the platform: the app uninstalled from the workspace, its tokens revoked, an account deactivated.
  const teamOf = (body: unknown) => (body as { team_id?: string }).team_id ?? 'unknown';
  app.event('app_uninstalled', async ({ body }) => {
    await services.departures.tenant('slack', teamOf(body), 'slack app_uninstalled');
  });
  app.event('tokens_revoked', async ({ event, body }) => {
    const tokens = (event as { tokens?: { oauth?: unknown; bot?: unknown } }).tokens ?? {};
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    // the bot's token revoked: the bot cannot reach anyone there; users' tokens: those people
    if (list(tokens.bot).length > 0) await services.departures.tenant('slack', teamOf(body), 'slack tokens_revoked');
    else for (const user of list(tokens.oauth)) await services.departures.person(`slack:${teamOf(body)}/${user}`, 'slack tokens_revoked');
  });
  app.event('user_change', async ({ event, body }) => {
    const user = (event as { user?: { id?: unknown; deleted?: unknown; team_id?: unknown } }).user;
    if (user?.deleted !== true || typeof user.id !== 'string') return;
    const team = typeof user.team_id === 'string' ? user.team_id : teamOf(body);
    await services.departures.person(`slack:${team}/${user.id}`, 'slack user deactivated');
  });

  // Direct messages to the app (its Messages tab): the same words as the slash command.
  app.message(async ({ message, body, client }) => {
    const m = message as { channel_type?: string; subtype?: string; bot_id?: string; user?: string; text?: string; files?: unknown };
    if (m.channel_type === 'im' && m.subtype === 'file_share' && !m.bot_id && m.user) {
      // a file attached in the DM (an organiser's questionnaire): read with the bot token, then handed over
      const teamId = (body as { team_id?: string }).team_id ?? 'unknown';
      const actor = await actorOf(teamId, m.user);
      const file = sharedFile(Array.isArray(m.files) ? m.files[0] : undefined);
      const reply = file.success
        ? await downloadSlackFile(file.data, config.botToken, apiUrl).then(
            (content) => conversation.onFile(actor, { name: file.data.name, content }),
            (e) => {
              services.log.warn({ error: (e as Error).message }, 'Slack file not downloaded');
              return conversation.errorReply(actor, new DomainError('consultation.file.download'));
            },
          )
        : conversation.errorReply(actor, new DomainError('consultation.file.notYaml'));
      await deliver(reply, { client, actor, channel: (message as { channel?: string }).channel });
      return;
    }
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user) return;
    const teamId = (body as { team_id?: string }).team_id ?? 'unknown';
    const actor = await actorOf(teamId, m.user);
    const reply = await conversation.onText(actor, normaliseSlackText(m.text ?? '', teamId), 'slack');
    await deliver(reply, { client, actor, channel: (message as { channel?: string }).channel });
  });

  app.error(async (err) => {
    services.log.error({ err }, 'Slack handler failed');
  });

  return {
    mode: socket ? 'socket' : 'http',
    status: () => auth.status(),
    app,
    start: async () => {
      auth.start();
      if (socket) await app.start();
    },
    stop: async () => {
      auth.stop();
      if (socket) await app.stop();
      // replies already acknowledged are finished, within a bound
      await inFlight.settle(STOP_WAIT_MS);
    },
  };
}
