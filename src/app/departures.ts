import type { OutboxMessage } from '../domain/delivery';
import type { Platform } from '../domain/people';
import type { Clock, Store } from '../domain/ports';
import type { Logger } from '../logger';

/**
 * People who leave the platform: the app uninstalled or its tokens revoked (a whole workspace or tenant, or
 * the people listed), an account deactivated, the app removed from a personal chat, or a send that says the
 * person is gone. They are marked unreachable (nothing more is queued for them: src/app/notices.ts and the
 * audiences skip them) and what was pending for them is cancelled with the reason, which the reports show.
 * A person who writes to the bot again is reachable again (people.record clears the mark).
 */
export class Departures {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Pick<Logger, 'info' | 'error'>,
  ) {}

  /** One person left; returns how many of their pending messages were cancelled. */
  async person(personId: string, reason: string): Promise<number> {
    const marked = await this.store.people.markUnreachable(personId, reason, this.clock.now());
    const cancelled = await this.store.outbox.cancelForPerson(personId, reason);
    this.log.info({ person: personId, known: marked, cancelled, reason }, 'a person left the platform: marked unreachable');
    return cancelled;
  }

  /** Everyone of a Slack workspace or a Teams tenant left (the app uninstalled); returns how many messages were cancelled. */
  async tenant(platform: Platform, tenant: string, reason: string): Promise<number> {
    const people = await this.store.people.markTenantUnreachable(platform, tenant, reason, this.clock.now());
    const cancelled = await this.store.outbox.cancelForTenant(platform, tenant, reason);
    this.log.info({ platform, tenant, people: people.length, cancelled, reason }, 'a workspace left the platform: its people marked unreachable');
    return cancelled;
  }

  /**
   * Told of each message that failed for good: a person gone (`gone`: the platform's senders say so,
   * src/delivery/senders.ts) is marked, and the rest of their queue cancelled. A channel that fails is not a person leaving.
   */
  async afterFailure(msg: OutboxMessage, reason: string, gone: boolean): Promise<void> {
    if (msg.target.kind !== 'person' || !gone) return;
    try {
      await this.person(msg.target.personId, reason);
    } catch (err) {
      this.log.error({ err, person: msg.target.personId }, 'could not mark a person who left as unreachable');
    }
  }
}
