import { Client } from '@microsoft/teams.api';
import type { App } from '@microsoft/teams.apps';
import type { TeamsConversationRef } from '../../domain/people';

/**
 * Sends an activity to a stored conversation reference, on the bot's own initiative (broadcasts,
 * reminders, notifications). Uses the app's HTTP client, so the bot's token is attached when Teams
 * runs with credentials.
 */
export class TeamsProactiveSender {
  private readonly clients = new Map<string, Client>();

  constructor(private readonly app: App) {}

  async send(ref: TeamsConversationRef, activity: Record<string, unknown>): Promise<{ id?: string }> {
    const res = await this.clientFor(ref.serviceUrl)
      .conversations.activities(ref.conversationId)
      .create({ ...activity, conversation: { id: ref.conversationId }, ...(ref.botId ? { from: { id: ref.botId } } : {}) } as never);
    return { id: (res as { id?: string } | undefined)?.id };
  }

  /** Replaces an activity the bot sent before (Bot Connector: PUT …/activities/<id>). */
  async update(ref: TeamsConversationRef, activityId: string, activity: Record<string, unknown>): Promise<void> {
    await this.clientFor(ref.serviceUrl)
      .conversations.activities(ref.conversationId)
      .update(activityId, { ...activity, id: activityId, conversation: { id: ref.conversationId }, ...(ref.botId ? { from: { id: ref.botId } } : {}) } as never);
  }

  /**
   * What the Bot Connector knows of a member of a conversation: notably their e-mail (or user principal
   * name), which activities never carry. null when the connector does not say.
   */
  async member(serviceUrl: string, conversationId: string, userId: string): Promise<{ email?: string; name?: string } | null> {
    const m = (await this.clientFor(serviceUrl).conversations.members(conversationId).getById(userId)) as { email?: string; userPrincipalName?: string; name?: string } | undefined;
    if (!m) return null;
    const email = [m.email, m.userPrincipalName].find((e) => typeof e === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e));
    return { email: email?.toLowerCase(), name: m.name };
  }

  private clientFor(serviceUrl: string): Client {
    const base = serviceUrl.replace(/\/+$/, '');
    let c = this.clients.get(base);
    if (!c) {
      const app = this.app as unknown as { client: import('@microsoft/teams.common').Client; getBotToken: () => Promise<unknown> };
      c = new Client(base, app.client.clone({ token: () => app.getBotToken() as never }));
      this.clients.set(base, c);
    }
    return c;
  }
}
