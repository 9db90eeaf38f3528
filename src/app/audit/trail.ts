import { type AuditAction, cleanDetail } from '../../domain/audit';
import type { Clock, Store } from '../../domain/ports';
import type { Logger } from '../../logger';

/**
 * Where privileged actions are written down (the audit trail), right after the action they record. An entry
 * that could not be written is never silently lost: it is logged as an error, with what it would have said
 * (ids and short facts, no text).
 */
export class AuditTrail {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Pick<Logger, 'error'>,
  ) {}

  /** Appends one entry; true when it was written. */
  async record(actor: string, action: AuditAction, subject: string, detail?: Record<string, unknown>): Promise<boolean> {
    const entry = { at: this.clock.now(), actor, action, subject, detail: cleanDetail(detail) };
    try {
      await this.store.audit.append(entry);
      return true;
    } catch (err) {
      this.log.error({ err, audit: { action, subject, actor, detail: entry.detail } }, 'audit entry not recorded');
      return false;
    }
  }
}
