import type { Card, CardAction, CardElement } from '../../cards/model';
import { organiserLinks, toPlainText } from '../../cards/text';
import { type Broadcast, messageLinks } from '../../domain/broadcasts';
import type { Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Store } from '../../domain/ports';
import type { I18n, Translate } from '../../i18n';
import { linkToken, readLinkToken } from './links';

type Shown = Pick<Broadcast, 'id' | 'message' | 'link' | 'ack' | 'important'>;

/**
 * The card a broadcast's recipients receive: « Important » when it is, the organiser's words, the named
 * acknowledgement's notice, the link button and « J'ai lu ». `link` makes the link button (counted or not);
 * `ackable` adds « J'ai lu » (a person's card), `acknowledged` says it is noted instead.
 */
export function broadcastCard(
  b: Shown,
  t: Translate,
  options: { link?: CardAction; through?: (url: string, index: number) => string; ackable?: boolean; acknowledged?: boolean } = {},
): Card {
  // the organiser's own formatting: bold, italic, and links whose addresses are checked (`through`: counted)
  const message = organiserLinks(b.message, options.through);
  const firstLine = toPlainText(organiserLinks(b.message).split('\n')[0]);
  const elements: CardElement[] = [];
  if (b.important) elements.push({ type: 'context', text: t('broadcasts.reading.important') });
  elements.push({ type: 'text', text: message });
  const withAck = b.ack !== undefined && options.ackable === true;
  if (withAck && b.ack === 'named') elements.push({ type: 'context', text: t('broadcasts.reading.namedNotice') });
  const actions: CardAction[] = [];
  if (b.link) actions.push(options.link ?? { kind: 'url', label: b.link.label, url: b.link.url });
  if (withAck && !options.acknowledged)
    actions.push({ kind: 'submit', verb: 'broadcast.ack', label: t('broadcasts.reading.ackButton'), style: 'primary', data: { id: String(b.id) } });
  if (actions.length) elements.push({ type: 'actions', actions });
  if (withAck && options.acknowledged) elements.push({ type: 'context', text: t('broadcasts.reading.acknowledged') });
  return { fallbackText: firstLine.length > 150 ? `${firstLine.slice(0, 149)}…` : firstLine, elements };
}

/**
 * Recipients' cards with counted links. On Teams the link button goes through the bot's `GET /r/<token>`
 * (one signed token per recipient and link; PUBLIC_URL must be set, else the link is the organiser's, not
 * counted). On Slack the URL button stays the organiser's address: Slack tells the bot when it is
 * followed (a block_actions payload, acknowledged, verb `broadcast.click`), so no token and no redirect.
 * Links in the message's text tell nothing on either platform: they go through `/r/<token>` on both.
 */
export class BroadcastCards {
  private secret?: Promise<string>;

  constructor(
    private readonly store: Store,
    private readonly i18n: I18n,
    private readonly publicUrl: string | undefined,
  ) {}

  /** The store's links secret (read once). */
  linkSecret(): Promise<string> {
    this.secret ??= this.store.broadcasts.linkSecret().catch((e) => {
      this.secret = undefined;
      throw e;
    });
    return this.secret;
  }

  /** Whether a person's card differs from one person to the next (a token in a link). */
  perRecipient(b: Pick<Broadcast, 'link' | 'message'>, person: Pick<Person, 'platform'>): boolean {
    if (this.publicUrl === undefined) return false;
    return (b.link !== undefined && person.platform === 'teams') || messageLinks(b.message).length > 0;
  }

  /** A person's card in their language, with « J'ai lu » and their counted link. */
  forPerson(b: Shown, person: Pick<Person, 'id' | 'platform'>, locale: Locale, secret: string, acknowledged = false): Card {
    const t = this.i18n.forLocale(locale);
    let link: CardAction | undefined;
    if (b.link) {
      if (person.platform === 'slack') link = { kind: 'url', label: b.link.label, url: b.link.url, track: { verb: 'broadcast.click', data: { id: String(b.id), link: '0' } } };
      else if (this.publicUrl) link = { kind: 'url', label: b.link.label, url: this.counted(secret, b.id, person.id, 0) };
    }
    // the message's links say nothing when followed, on either platform: through /r/<token> when it can be
    const through = this.publicUrl ? (_url: string, index: number) => this.counted(secret, b.id, person.id, index) : undefined;
    return broadcastCard(b, t, { link, through, ackable: true, acknowledged });
  }

  private counted(secret: string, broadcastId: number, personId: string, link: number): string {
    return `${this.publicUrl}/r/${linkToken(secret, { broadcastId, personId, link })}`;
  }

  /** A channel's card: its readers are not counted (no « J'ai lu », the organiser's link). */
  forChannel(b: Shown, locale: Locale): Card {
    return broadcastCard(b, this.i18n.forLocale(locale));
  }

  /** What `/r/<token>` reads: the person, broadcast and link it stands for; null when forged or malformed. */
  async readToken(token: string) {
    return readLinkToken(await this.linkSecret(), token);
  }
}
