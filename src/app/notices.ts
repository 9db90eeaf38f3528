import type { Card } from '../cards/model';
import type { NewOutboxMessage } from '../domain/delivery';
import type { NotificationKind } from '../domain/notifications';
import type { Person } from '../domain/people';
import type { Clock, Store } from '../domain/ports';

/** One message for one person, on the bot's own initiative. */
export interface Notice {
  person: Person;
  /** Unique per message: a notice queued twice under one key is sent once. */
  key: string;
  /** A card in the person's language (the gate adds the « Gérer mes notifications » action). */
  card?: Card;
  /** Or an already encoded outgoing payload (a file). */
  payload?: string;
}

export interface NoticeOptions {
  /** Outbox source, for reports and cancellation (e.g. `b12`, `axis-update:3`). */
  source: string;
  kind: NotificationKind;
  /** An organiser's « important » broadcast: ignores quiet hours and « off », never a pause. */
  important?: boolean;
}

const CHUNK = 1000;

/**
 * The one way a message the bot sends on its own reaches the outbox: every notice goes through the
 * person's preferences (kind on/digest/off, quiet hours, pause) before it is queued.
 */
export class Notices {
  /** @param wake wakes the delivery engine when something is queued. */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wake: () => void,
  ) {}

  /** Queues the notices the preferences let through; returns how many were added. */
  async queue(notices: Notice[], options: NoticeOptions): Promise<number> {
    const now = this.clock.now();
    const messages: NewOutboxMessage[] = notices.map((n) => ({
      key: n.key,
      source: options.source,
      platform: n.person.platform,
      target: { kind: 'person', personId: n.person.id },
      payload: n.payload ?? JSON.stringify(n.card),
      dueAt: now,
    }));
    let added = 0;
    for (let i = 0; i < messages.length; i += CHUNK) added += await this.store.outbox.enqueue(messages.slice(i, i + CHUNK), now);
    if (added) this.wake();
    return added;
  }
}
