import { randomUUID } from 'node:crypto';
import type { Card } from '../cards/model';
import type { Person, Platform } from '../domain/people';
import type { Clock, Store } from '../domain/ports';

/**
 * Reaches people on their own platform, on the bot's own initiative (notifications). Every message is
 * stored in the outbox first and sent by the delivery engine, within the platforms' rate limits; a crash
 * loses nothing.
 */
export class Messenger {
  /** @param wake wakes the delivery engine when something is queued. */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wake: () => void,
  ) {}

  /**
   * Queues a card for a person, bypassing their preferences; `source` groups messages for reports. Notices
   * to people go through `Services.notices` (src/app/notices.ts) instead; this stays for channels' sake.
   */
  async toPerson(person: Person, card: Card, source = 'notifications'): Promise<boolean> {
    if (person.unreachable) return false; // they left the platform
    const now = this.clock.now();
    const added = await this.store.outbox.enqueue(
      [{ key: `${source}:${randomUUID()}`, source, platform: person.platform, target: { kind: 'person', personId: person.id }, payload: JSON.stringify(card), dueAt: now }],
      now,
    );
    this.wake();
    return added > 0;
  }

  async toChannel(platform: Platform, channel: string, card: Card, source = 'notifications'): Promise<boolean> {
    const now = this.clock.now();
    const added = await this.store.outbox.enqueue(
      [{ key: `${source}:${randomUUID()}`, source, platform, target: { kind: 'channel', platform, channel }, payload: JSON.stringify(card), dueAt: now }],
      now,
    );
    this.wake();
    return added > 0;
  }
}
