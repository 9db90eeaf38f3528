import type { Card } from '../../cards/model';
import { broadcastSource, type BroadcastService } from '../../domain/broadcast-service';
import type { Broadcast } from '../../domain/broadcasts';
import type { NewOutboxMessage } from '../../domain/delivery';
import type { Locale } from '../../domain/locale';
import type { Clock, Store } from '../../domain/ports';
import type { Logger } from '../../logger';
import type { JobLateness } from '../job-lateness';
import type { Notice, Notices } from '../notices';
import type { BroadcastCards } from './cards';

export { broadcastCard } from './cards';

/** How a run reaches people: through the Notices gate (their preferences), with their own cards. */
export interface RunnerDelivery {
  notices: Notices;
  cards: BroadcastCards;
  defaultLocale: Locale;
}

const CHUNK = 1000;

/**
 * Turns due broadcast runs into messages, one per recipient: people through the Notices gate (kind
 * `broadcasts`, « important » passed on), channels straight to the outbox. A run is claimed with a lease, so
 * one instance does it; message keys include the run number, so a run redone after a crash queues nobody twice.
 */
export class BroadcastRunner {
  constructor(
    private readonly store: Store,
    private readonly broadcasts: BroadcastService,
    private readonly delivery: RunnerDelivery,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly owner: string,
    private readonly leaseMs = 5 * 60_000,
    /** Told how late each due run starts (the /metrics job lag). */
    private readonly lateness?: JobLateness,
  ) {}

  /** Queues every due run; returns how many messages were queued. */
  async runDue(): Promise<number> {
    let queued = 0;
    for (;;) {
      const b = await this.store.broadcasts.claimDue(this.owner, this.clock.now(), this.leaseMs);
      if (!b) return queued;
      if (b.nextRunAt) this.lateness?.('broadcast', this.clock.now().getTime() - b.nextRunAt.getTime());
      try {
        queued += await this.queueRun(b);
      } catch (e) {
        this.log.error({ err: e, broadcast: b.id }, 'broadcast run failed; another tick will retry it after the lease');
        return queued;
      }
    }
  }

  private async queueRun(b: Broadcast): Promise<number> {
    const run = b.runs + 1;
    const now = this.clock.now();
    const recipients = await this.broadcasts.recipients(b.audience);
    const source = broadcastSource(b.id);
    const { cards, notices, defaultLocale } = this.delivery;
    const secret = await cards.linkSecret();
    // one card per language and platform, unless its link carries the recipient's token (Teams)
    const shared = new Map<string, Card>();
    const people: Notice[] = [];
    const channels: NewOutboxMessage[] = [];
    let channelPayload: string | undefined;
    for (const r of recipients) {
      if (r.kind === 'person') {
        const locale = r.person.locale ?? defaultLocale;
        let card: Card | undefined;
        if (cards.perRecipient(b, r.person)) card = cards.forPerson(b, r.person, locale, secret);
        else {
          const k = `${r.person.platform}:${locale}`;
          card = shared.get(k);
          if (!card) {
            card = cards.forPerson(b, r.person, locale, secret);
            shared.set(k, card);
          }
        }
        people.push({ person: r.person, key: `${source}:r${run}:${r.person.id}`, card });
      } else {
        channelPayload ??= JSON.stringify(cards.forChannel(b, defaultLocale));
        channels.push({
          key: `${source}:r${run}:${r.platform}:${r.channel}`,
          source,
          platform: r.platform,
          target: { kind: 'channel', platform: r.platform, channel: r.channel },
          payload: channelPayload,
          dueAt: now,
        });
      }
    }
    let added = 0;
    for (let i = 0; i < channels.length; i += CHUNK) added += await this.store.outbox.enqueue(channels.slice(i, i + CHUNK), now);
    added += await notices.queue(people, { source, kind: 'broadcasts', important: b.important === true });
    const after = await this.store.broadcasts.completeRun(b.id, this.owner, now, this.broadcasts.nextRun(b, now));
    // cancelled while this run was being queued: what it queued after the cancellation does not go out
    if (after.state === 'cancelled') added -= await this.store.outbox.cancelPending(source);
    this.log.info({ broadcast: b.id, run, recipients: recipients.length, queued: added }, 'broadcast run queued');
    return added;
  }
}
