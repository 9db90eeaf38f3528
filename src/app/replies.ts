import { randomUUID } from 'node:crypto';
import type { Card } from '../cards/model';
import { outgoingPayload, type Outgoing } from '../cards/outgoing';
import type { NewOutboxMessage } from '../domain/delivery';
import type { Person, Platform } from '../domain/people';
import type { Clock, Store } from '../domain/ports';
import type { FileOut } from './reply';

/** Outbox source of every answer to a request. */
export const REPLIES_SOURCE = 'replies';

/**
 * The answers to people's requests that cannot go back in the HTTP response itself (a Slack reply
 * through response_url, a message in the app's DM, a file): stored in the outbox's reply lane before the
 * request is acknowledged, so a crash right after the acknowledgement loses none, a platform error is
 * retried, and a broadcast under way never holds them up (the reply lane has a dispatcher of its own).
 */
export class Replies {
  /** @param wake wakes the reply lane's dispatcher. */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wake: () => void,
  ) {}

  /** A card through the URL the platform gave with the request (Slack's response_url). */
  async respond(platform: Platform, url: string, card: Card, options: { replace?: boolean; ephemeral?: boolean } = {}): Promise<void> {
    await this.queue(platform, { kind: 'response', url }, { kind: 'card', card, replace: options.replace ?? false, ephemeral: options.ephemeral ?? true });
  }

  /** A card in a conversation (the app's DM the request came from). */
  async toChannel(platform: Platform, channel: string, card: Card): Promise<void> {
    await this.queue(platform, { kind: 'channel', platform, channel }, { kind: 'card', card });
  }

  /** A card in the person's own chat with the app. */
  async toPerson(person: Person, card: Card): Promise<void> {
    await this.queue(person.platform, { kind: 'person', personId: person.id }, { kind: 'card', card });
  }

  /** A file for the person, in their own chat with the app (Slack: uploaded; Teams: offered for consent). */
  async file(person: Person, file: FileOut): Promise<void> {
    await this.queue(
      person.platform,
      { kind: 'person', personId: person.id },
      { kind: 'file', file: { name: file.name, mime: file.mime, base64: file.content.toString('base64'), comment: file.comment } },
    );
  }

  private async queue(platform: Platform, target: NewOutboxMessage['target'], outgoing: Outgoing): Promise<void> {
    const now = this.clock.now();
    await this.store.outbox.enqueue(
      [{ key: `reply:${randomUUID()}`, source: REPLIES_SOURCE, platform, target, payload: outgoingPayload(outgoing), dueAt: now, lane: 'reply' }],
      now,
    );
    this.wake();
  }
}
