import type { Card } from '../cards/model';
import type { Person, Platform } from '../domain/people';

/** Sends a card on one platform, on the bot's own initiative. */
export interface PlatformSender {
  /** False when the person cannot be reached on this platform (e.g. no conversation reference yet). */
  toPerson(person: Person, card: Card): Promise<boolean>;
  toChannel(channel: string, card: Card): Promise<boolean>;
}

/** Reaches people on their own platform; platforms register their sender when they start. */
export class Messenger {
  private readonly senders = new Map<Platform, PlatformSender>();

  register(platform: Platform, sender: PlatformSender): void {
    this.senders.set(platform, sender);
  }

  async toPerson(person: Person, card: Card): Promise<boolean> {
    const sender = this.senders.get(person.platform);
    return sender ? sender.toPerson(person, card) : false;
  }

  async toChannel(platform: Platform, channel: string, card: Card): Promise<boolean> {
    const sender = this.senders.get(platform);
    return sender ? sender.toChannel(channel, card) : false;
  }
}
