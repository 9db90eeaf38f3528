import { App, ExpressReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type express from 'express';
import { renderBlockKitMessage, verbFromActionId, URL_ACTION_VERB } from '../../cards/block-kit';
import type { Conversation } from '../../app/conversation';
import type { Services } from '../../app/services';
import type { SlackConfig } from '../../config/types';
import { normaliseLocale } from '../../domain/locale';
import type { Actor } from '../../domain/people-service';
import type { Logger } from '../../logger';
import { actionValueSchema, blockActionsBodySchema, slashCommandSchema } from './payload-schema';
import { normaliseSlackText } from './text';

export interface SlackPlatform {
  mode: 'http' | 'socket';
  app: App;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ platform: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
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

export function createSlackPlatform(
  config: SlackConfig,
  services: Services,
  conversation: Conversation,
  expressApp: express.Application,
): SlackPlatform {
  const logger = boltLogger(services.log);
  const socket = Boolean(config.appToken);
  const apiUrl = config.apiUrl ? (config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`) : undefined;
  const receiver = socket
    ? undefined
    : new ExpressReceiver({
        signingSecret: config.signingSecret!,
        endpoints: '/slack/events',
        app: expressApp,
        logger,
        processBeforeResponse: false,
      });
  const app = new App({
    token: config.botToken,
    ...(socket ? { socketMode: true, appToken: config.appToken } : { receiver }),
    logger,
    clientOptions: apiUrl ? { slackApiUrl: apiUrl } : undefined,
    ignoreSelf: true,
  });

  /**
   * Records the person; on first contact, asks Slack for their e-mail, real name and locale. The handle
   * in a slash command (`user_name`) is only a fallback name: it must not overwrite the real name.
   */
  async function actorOf(client: WebClient, teamId: string, userId: string, userName?: string): Promise<Actor> {
    let actor = await services.people.contact({ platform: 'slack', tenant: teamId, user: userId });
    if (actor.person.locale) return actor;
    try {
      const info = (await client.users.info({ user: userId, include_locale: true })) as {
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

  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    await ack();
    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) {
      const reply = conversation.errorReply(undefined, parsed.error);
      await respond({ response_type: 'ephemeral', ...renderBlockKitMessage(reply.card) });
      return;
    }
    const c = parsed.data;
    const actor = await actorOf(client, c.team_id, c.user_id, c.user_name);
    const reply = await conversation.onText(actor, normaliseSlackText(c.text, c.team_id), 'slack');
    await respond({ response_type: 'ephemeral', ...renderBlockKitMessage(reply.card) });
  });

  app.action(/.*/, async ({ ack, body, action, respond, client }) => {
    await ack();
    const a = action as { action_id?: string; value?: string; type?: string };
    if (!a.action_id || verbFromActionId(a.action_id) === URL_ACTION_VERB) return;
    const b = blockActionsBodySchema.safeParse(body);
    if (!b.success) return;
    const teamId = b.data.team?.id ?? b.data.user.team_id ?? 'unknown';
    const actor = await actorOf(client, teamId, b.data.user.id, b.data.user.name);
    const value = actionValueSchema.safeParse(a.value ?? '{}');
    const reply = value.success
      ? await conversation.onAction(actor, verbFromActionId(a.action_id), value.data, 'slack')
      : conversation.errorReply(actor, value.error);
    const message = renderBlockKitMessage(reply.card);
    if (b.data.response_url) await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    else await client.chat.postMessage({ channel: b.data.user.id, ...message });
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if ((event as { tab?: string }).tab && (event as { tab?: string }).tab !== 'home') return;
    const teamId = (body as { team_id?: string }).team_id ?? 'unknown';
    const actor = await actorOf(client, teamId, event.user);
    const { blocks } = renderBlockKitMessage(conversation.menu(actor, 'slack').card);
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: blocks as never } });
  });

  // Direct messages to the app (its Messages tab): the same words as the slash command.
  app.message(async ({ message, body, client, say }) => {
    const m = message as { channel_type?: string; subtype?: string; bot_id?: string; user?: string; text?: string };
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user) return;
    const teamId = (body as { team_id?: string }).team_id ?? 'unknown';
    const actor = await actorOf(client, teamId, m.user);
    const reply = await conversation.onText(actor, normaliseSlackText(m.text ?? '', teamId), 'slack');
    await say(renderBlockKitMessage(reply.card) as never);
  });

  app.error(async (err) => {
    services.log.error({ err }, 'Slack handler failed');
  });

  return {
    mode: socket ? 'socket' : 'http',
    app,
    start: async () => {
      if (socket) await app.start();
    },
    stop: async () => {
      if (socket) await app.stop();
    },
  };
}
