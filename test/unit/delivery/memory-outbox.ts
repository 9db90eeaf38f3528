import type { Lane, NewOutboxMessage, OutboxDepth, OutboxMessage, OutboxReport } from '../../../src/domain/delivery';
import type { OutboxRepository } from '../../../src/domain/ports';

/**
 * An in-memory OutboxRepository with the contract of the real ones (src/store/sqlite/outbox.ts):
 * keys are unique, claims take pending messages due now that nobody holds (or whose lease ran out),
 * oldest due first; outcomes are recorded only by the holder of the lease; attempts count recorded
 * outcomes. Returned messages are copies. `log` keeps every operation, for assertions.
 */
export class MemoryOutbox implements OutboxRepository {
  private readonly rows = new Map<string, OutboxMessage>();
  private readonly byKey = new Set<string>();
  private seq = 0;
  readonly log: Array<{ op: 'claim' | 'sent' | 'failed' | 'release'; id: string; owner: string; at?: number }> = [];
  /** Calls to markSent/markFailed/release refused because the caller does not hold the lease. */
  refused = 0;

  async enqueue(messages: NewOutboxMessage[], at: Date): Promise<number> {
    let added = 0;
    for (const m of messages) {
      if (this.byKey.has(m.key)) continue;
      this.byKey.add(m.key);
      const id = String(++this.seq);
      this.rows.set(id, {
        id,
        key: m.key,
        source: m.source,
        platform: m.platform,
        target: structuredClone(m.target),
        payload: m.payload,
        lane: m.lane ?? 'bulk',
        state: 'pending',
        attempts: 0,
        dueAt: new Date(m.dueAt),
        createdAt: new Date(at),
      });
      added++;
    }
    return added;
  }

  async claim(owner: string, now: Date, limit: number, leaseMs: number, lane: Lane = 'bulk'): Promise<OutboxMessage[]> {
    const t = now.getTime();
    const due = [...this.rows.values()]
      .filter((m) => m.state === 'pending' && m.lane === lane && m.dueAt.getTime() <= t && (!m.leaseUntil || m.leaseUntil.getTime() <= t))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || Number(a.id) - Number(b.id))
      .slice(0, Math.max(0, limit));
    const expired = new Set(due.filter((m) => m.leaseUntil).map((m) => m.id));
    for (const m of due) {
      m.leaseOwner = owner;
      m.leaseUntil = new Date(t + leaseMs);
      this.log.push({ op: 'claim', id: m.id, owner, at: t });
    }
    return due.map((m) => (expired.has(m.id) ? { ...copy(m), takenOver: true } : copy(m)));
  }

  /** The caller holds the lease (its lease may have run out, as long as nobody took the message since). */
  private holds(m: OutboxMessage | undefined, owner: string): m is OutboxMessage {
    if (m?.state !== 'pending') return false;
    if (m.leaseOwner !== undefined && m.leaseOwner !== owner) {
      this.refused++;
      return false;
    }
    return true;
  }

  async markSent(id: string, owner: string, at: Date): Promise<void> {
    const m = this.rows.get(id);
    if (!this.holds(m, owner)) return;
    m.state = 'sent';
    m.sentAt = new Date(at);
    m.attempts++;
    m.lastError = undefined;
    m.leaseOwner = undefined;
    m.leaseUntil = undefined;
    this.log.push({ op: 'sent', id, owner, at: at.getTime() });
  }

  async markFailed(id: string, owner: string, failure: { reason: string; permanent: boolean; retryAt?: Date }): Promise<void> {
    const m = this.rows.get(id);
    if (!this.holds(m, owner)) return;
    m.attempts++;
    m.lastError = failure.reason.slice(0, 300);
    m.leaseOwner = undefined;
    m.leaseUntil = undefined;
    if (failure.permanent) {
      m.state = 'failed';
      m.permanent = true;
    } else {
      m.dueAt = new Date(failure.retryAt ?? new Date());
    }
    this.log.push({ op: 'failed', id, owner });
  }

  async release(id: string, owner: string, dueAt: Date): Promise<void> {
    const m = this.rows.get(id);
    if (m?.state !== 'pending' || m.leaseOwner !== owner) return;
    m.dueAt = new Date(dueAt);
    m.leaseOwner = undefined;
    m.leaseUntil = undefined;
    this.log.push({ op: 'release', id, owner, at: dueAt.getTime() });
  }

  async report(source: string): Promise<OutboxReport> {
    const r: OutboxReport = { targeted: 0, sent: 0, failed: 0, pending: 0, cancelled: 0, reasons: [] };
    const reasons = new Map<string, number>();
    for (const m of this.rows.values()) {
      if (m.source !== source) continue;
      r.targeted++;
      r[m.state]++;
      if (m.lastError && (m.state === 'failed' || m.state === 'pending')) reasons.set(m.lastError, (reasons.get(m.lastError) ?? 0) + 1);
    }
    r.reasons = [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
    return r;
  }

  async cancelForPerson(personId: string, reason: string): Promise<number> {
    let n = 0;
    for (const m of this.rows.values()) {
      if (m.state === 'pending' && m.target.kind === 'person' && m.target.personId === personId) {
        m.state = 'cancelled';
        m.lastError = reason;
        n++;
      }
    }
    return n;
  }

  async cancelForTenant(platform: string, tenant: string, reason: string): Promise<number> {
    let n = 0;
    for (const m of this.rows.values()) {
      if (m.state === 'pending' && m.target.kind === 'person' && m.target.personId.startsWith(`${platform}:${tenant}/`)) {
        m.state = 'cancelled';
        m.lastError = reason;
        n++;
      }
    }
    return n;
  }

  async cancelPending(source: string): Promise<number> {
    let n = 0;
    for (const m of this.rows.values()) {
      if (m.source === source && m.state === 'pending') {
        m.state = 'cancelled';
        m.leaseOwner = undefined;
        m.leaseUntil = undefined;
        n++;
      }
    }
    return n;
  }

  async retryFailed(source: string, at: Date): Promise<number> {
    let n = 0;
    for (const m of this.rows.values()) {
      if (m.source === source && m.state === 'failed') {
        m.state = 'pending';
        m.permanent = undefined;
        m.attempts = 0;
        m.dueAt = new Date(at);
        m.lastError = undefined;
        n++;
      }
    }
    return n;
  }

  async nextDue(lane: Lane = 'bulk'): Promise<Date | null> {
    let min: number | null = null;
    for (const m of this.rows.values()) if (m.state === 'pending' && m.lane === lane && (min === null || m.dueAt.getTime() < min)) min = m.dueAt.getTime();
    return min === null ? null : new Date(min);
  }

  async depth(now: Date): Promise<OutboxDepth[]> {
    const counts = new Map<string, OutboxDepth>();
    for (const m of this.rows.values()) {
      if (m.state !== 'pending') continue;
      const state = m.leaseUntil && m.leaseUntil.getTime() > now.getTime() ? 'leased' : 'pending';
      const k = `${m.lane}:${state}`;
      const c = counts.get(k) ?? { lane: m.lane, state, count: 0 };
      c.count++;
      counts.set(k, c);
    }
    return [...counts.values()];
  }

  // For assertions -------------------------------------------------------------------------------

  all(): OutboxMessage[] {
    return [...this.rows.values()].map(copy);
  }

  get(id: string): OutboxMessage | undefined {
    const m = this.rows.get(id);
    return m && copy(m);
  }
}

function copy(m: OutboxMessage): OutboxMessage {
  return {
    ...m,
    target: structuredClone(m.target),
    dueAt: new Date(m.dueAt),
    createdAt: new Date(m.createdAt),
    ...(m.leaseUntil ? { leaseUntil: new Date(m.leaseUntil) } : {}),
    ...(m.sentAt ? { sentAt: new Date(m.sentAt) } : {}),
  };
}
