import type { Card } from '../../cards/model';
import { organiserLinks, toPlainText } from '../../cards/text';
import { broadcastSource, type BroadcastService } from '../../domain/broadcast-service';
import type { Broadcast } from '../../domain/broadcasts';
import type { NewOutboxMessage } from '../../domain/delivery';
import type { Clock, Store } from '../../domain/ports';
import type { Logger } from '../../logger';
import type { JobLateness } from '../job-lateness';

/** The card a broadcast's recipients receive: the organiser's words, and the optional link button. */
export function broadcastCard(b: Pick<Broadcast, 'message' | 'link'>): Card {
  // the organiser's own formatting: bold, italic, and links whose addresses are checked
  const message = organiserLinks(b.message);
  const firstLine = toPlainText(message.split('\n')[0]);
  return {
    fallbackText: firstLine.length > 150 ? `${firstLine.slice(0, 149)}…` : firstLine,
    elements: [{ type: 'text', text: message }, ...(b.link ? [{ type: 'actions' as const, actions: [{ kind: 'url' as const, label: b.link.label, url: b.link.url }] }] : [])],
  };
}

const CHUNK = 1000;

/**
 * Turns due broadcast runs into outbox messages, one per recipient. A run is claimed with a lease, so one
 * instance does it; message keys include the run number, so a run redone after a crash queues nobody twice.
 */
export class BroadcastRunner {
  constructor(
    private readonly store: Store,
    private readonly broadcasts: BroadcastService,
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
    const payload = JSON.stringify(broadcastCard(b));
    const source = broadcastSource(b.id);
    const messages: NewOutboxMessage[] = recipients.map((r) =>
      r.kind === 'person'
        ? { key: `${source}:r${run}:${r.person.id}`, source, platform: r.person.platform, target: { kind: 'person', personId: r.person.id }, payload, dueAt: now }
        : {
            key: `${source}:r${run}:${r.platform}:${r.channel}`,
            source,
            platform: r.platform,
            target: { kind: 'channel', platform: r.platform, channel: r.channel },
            payload,
            dueAt: now,
          },
    );
    let added = 0;
    for (let i = 0; i < messages.length; i += CHUNK) added += await this.store.outbox.enqueue(messages.slice(i, i + CHUNK), now);
    const after = await this.store.broadcasts.completeRun(b.id, this.owner, now, this.broadcasts.nextRun(b, now));
    // cancelled while this run was being queued: what it queued after the cancellation does not go out
    if (after.state === 'cancelled') added -= await this.store.outbox.cancelPending(source);
    this.log.info({ broadcast: b.id, run, recipients: messages.length, queued: added }, 'broadcast run queued');
    return added;
  }
}
