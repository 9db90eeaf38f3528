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
