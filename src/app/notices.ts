import type { Card, CardElement } from '../cards/model';
import type { NewOutboxMessage } from '../domain/delivery';
import type { Locale } from '../domain/locale';
import { decideDelivery } from '../domain/notification-rules';
import type { NotificationKind } from '../domain/notifications';
import type { Person } from '../domain/people';
import type { Clock, Store } from '../domain/ports';
import type { Preferences } from '../domain/preferences';

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

/** What the gate needs besides the store: the time zone of quiet hours, and the footer's words. */
export interface NoticesSettings {
  /** BOT_TIMEZONE. */
  timeZone: string;
  defaultLocale: Locale;
  /** The « Gérer mes notifications » action's label in a language. */
  manageLabel: (locale: Locale) => string;
}

const CHUNK = 1000;

/**
 * The one way a message the bot sends on its own reaches the outbox: nothing for a person who left the
 * platform (`unreachable`), and every other notice goes through the person's preferences (kind on/digest/off, quiet hours, pause; `decideDelivery`) before it is queued, due
 * when the person's quiet hours end, with a discreet « Gérer mes notifications » action on its card.
 * Preferences are read once per chunk of a thousand recipients.
 */
export class Notices {
  /** @param wake wakes the delivery engine when something is queued. */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wake: () => void,
    private readonly settings: NoticesSettings,
  ) {}

  /** Queues the notices the preferences let through; returns how many were added. */
  async queue(notices: Notice[], options: NoticeOptions): Promise<number> {
    const now = this.clock.now();
    // a card shared by many notices is encoded once per language
    const encoded = new Map<Card, Map<Locale, string>>();
    const encode = (card: Card, locale: Locale): string => {
      let byLocale = encoded.get(card);
      if (!byLocale) {
        byLocale = new Map();
        encoded.set(card, byLocale);
      }
      let json = byLocale.get(locale);
      if (json === undefined) {
        json = JSON.stringify(this.withFooter(card, locale));
        byLocale.set(locale, json);
      }
      return json;
    };
    let added = 0;
    for (let i = 0; i < notices.length; i += CHUNK) {
      const chunk = notices.slice(i, i + CHUNK);
      // service messages still wait out quiet hours: every kind reads the preferences
      const prefs: Map<string, Preferences> = await this.store.preferences.many([...new Set(chunk.map((n) => n.person.id))]);
      const messages: NewOutboxMessage[] = [];
      for (const n of chunk) {
        // a person who left the platform (app uninstalled, account deactivated) gets nothing until they write again
        if (n.person.unreachable) continue;
        const d = decideDelivery({ prefs: prefs.get(n.person.id), kind: options.kind, now, timeZone: this.settings.timeZone, important: options.important });
        if (!d.send) continue;
        messages.push({
          key: n.key,
          source: options.source,
          platform: n.person.platform,
          target: { kind: 'person', personId: n.person.id },
          payload: n.payload ?? encode(n.card ?? { fallbackText: '', elements: [] }, n.person.locale ?? this.settings.defaultLocale),
          dueAt: d.dueAt,
        });
      }
      if (messages.length) added += await this.store.outbox.enqueue(messages, now);
    }
    if (added) this.wake();
    return added;
  }

  /** A card with the « Gérer mes notifications » action, as every notice ends (also a notice redrawn after a click). */
  withFooter(card: Card, locale: Locale): Card {
    const footer: CardElement = { type: 'actions', actions: [{ kind: 'submit', verb: 'preferences.open', label: this.settings.manageLabel(locale) }] };
    return { ...card, elements: [...card.elements, footer] };
  }
}
