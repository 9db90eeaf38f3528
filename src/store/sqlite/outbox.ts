import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Lane, NewOutboxMessage, OutboxDepth, OutboxMessage, OutboxReport, OutboxState, OutboxTarget } from '../../domain/delivery';
import { type Platform, tenantPrefix } from '../../domain/people';
import type { OutboxRepository } from '../../domain/ports';
import { transaction } from './transaction';

export interface OutboxRow {
  id: number;
  key: string;
  source: string;
  platform: Platform;
  target: string;
  payload: string;
  lane: Lane;
  state: OutboxState;
  attempts: number;
  due_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  permanent: number;
  sent_at: number | null;
  created_at: number;
}

export function toMessage(r: OutboxRow): OutboxMessage {
  const m: OutboxMessage = {
    id: String(r.id),
    key: r.key,
    source: r.source,
    platform: r.platform,
    target: JSON.parse(r.target) as OutboxTarget,
    payload: r.payload,
    lane: r.lane,
    state: r.state,
    attempts: Number(r.attempts),
    dueAt: new Date(Number(r.due_at)),
    createdAt: new Date(Number(r.created_at)),
  };
  if (r.lease_owner !== null) m.leaseOwner = r.lease_owner;
  if (r.lease_until !== null) m.leaseUntil = new Date(Number(r.lease_until));
  if (r.last_error !== null) m.lastError = r.last_error;
  if (r.permanent) m.permanent = true;
  if (r.sent_at !== null) m.sentAt = new Date(Number(r.sent_at));
  return m;
}

export class SqliteOutbox implements OutboxRepository {
  private readonly s: Record<string, StatementSync>;

  constructor(private readonly db: DatabaseSync) {
    this.s = {
      payload: db.prepare('INSERT OR IGNORE INTO outbox_payloads (hash, payload) VALUES (?, ?)'),
      insert: db.prepare(
        `INSERT OR IGNORE INTO outbox (key, source, platform, target, payload_hash, state, due_at, created_at, lane)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
      ),
      claimable: db.prepare(
        `SELECT id, lease_until IS NOT NULL AS expired FROM outbox
         WHERE state = 'pending' AND lane = :lane AND due_at <= :now AND (lease_until IS NULL OR lease_until <= :now)
         ORDER BY due_at, id LIMIT :limit`,
      ),
      lease: db.prepare('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?'),
      sent: db.prepare(
        `UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, last_error = NULL
         WHERE id = ? AND (state = 'pending' OR (state = 'cancelled' AND lease_owner = ?))`,
      ),
      failPermanent: db.prepare(
        `UPDATE outbox SET state = 'failed', permanent = 1, attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND state = 'pending' AND (lease_owner = ? OR lease_owner IS NULL)`,
      ),
      failRetry: db.prepare(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, due_at = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND state = 'pending' AND (lease_owner = ? OR lease_owner IS NULL)`,
      ),
      release: db.prepare(`UPDATE outbox SET due_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'pending' AND lease_owner = ?`),
      counts: db.prepare('SELECT state, COUNT(*) AS n FROM outbox WHERE source = ? GROUP BY state'),
      reasons: db.prepare(
        `SELECT last_error AS reason, COUNT(*) AS n FROM outbox WHERE source = ? AND last_error IS NOT NULL AND state IN ('failed', 'pending', 'cancelled')
         GROUP BY last_error ORDER BY n DESC, last_error LIMIT 20`,
      ),
      cancel: db.prepare(`UPDATE outbox SET state = 'cancelled' WHERE source = ? AND state = 'pending'`),
      // pending work only (index outbox_pending_lane_due), then the target's person
      cancelPerson: db.prepare(
        `UPDATE outbox SET state = 'cancelled', last_error = :reason
         WHERE state = 'pending' AND json_extract(target, '$.kind') = 'person' AND json_extract(target, '$.personId') = :person`,
      ),
      cancelTenant: db.prepare(
        `UPDATE outbox SET state = 'cancelled', last_error = :reason
         WHERE state = 'pending' AND json_extract(target, '$.kind') = 'person'
           AND substr(json_extract(target, '$.personId'), 1, length(:prefix)) = :prefix`,
      ),
      retry: db.prepare(`UPDATE outbox SET state = 'pending', permanent = 0, attempts = 0, due_at = ?, last_error = NULL WHERE source = ? AND state = 'failed'`),
      nextDue: db.prepare(`SELECT MIN(due_at) AS at FROM outbox WHERE state = 'pending' AND lane = ?`),
      // through the index of pending work (outbox_pending_lane_due): the messages done are never read
      depth: db.prepare(`SELECT lane, COUNT(*) AS n, COALESCE(SUM(lease_until > ?), 0) AS leased FROM outbox WHERE state = 'pending' GROUP BY lane`),
    };
  }

  async enqueue(messages: NewOutboxMessage[], at: Date): Promise<number> {
    if (messages.length === 0) return 0;
    return transaction(this.db, () => {
      const hashes = new Map<string, string>();
      let added = 0;
      for (const m of messages) {
        let hash = hashes.get(m.payload);
        if (!hash) {
          hash = createHash('sha256').update(m.payload).digest('base64url');
          this.s.payload.run(hash, m.payload);
          hashes.set(m.payload, hash);
        }
        const r = this.s.insert.run(m.key, m.source, m.platform, JSON.stringify(m.target), hash, m.dueAt.getTime(), at.getTime(), m.lane ?? 'bulk');
        added += Number(r.changes);
      }
      return added;
    });
  }

  async claim(owner: string, now: Date, limit: number, leaseMs: number, lane: Lane = 'bulk'): Promise<OutboxMessage[]> {
    // a lease still set on a claimable message has run out: its holder died or stalled (a takeover)
    const expired = new Set<number>();
    const ids = transaction(this.db, () => {
      const rows = this.s.claimable.all({ now: now.getTime(), limit, lane }) as Array<{ id: number; expired: number }>;
      for (const r of rows) {
        this.s.lease.run(owner, now.getTime() + leaseMs, r.id);
        if (r.expired) expired.add(Number(r.id));
      }
      return rows.map((r) => r.id);
    });
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(',');
    const rows = this.db
      .prepare(`SELECT o.*, p.payload FROM outbox o JOIN outbox_payloads p ON p.hash = o.payload_hash WHERE o.id IN (${marks}) ORDER BY o.due_at, o.id`)
      .all(...ids) as unknown as OutboxRow[];
    return rows.map((r) => (expired.has(Number(r.id)) ? { ...toMessage(r), takenOver: true } : toMessage(r)));
  }

  async markSent(id: string, owner: string, at: Date): Promise<void> {
    this.s.sent.run(at.getTime(), Number(id), owner);
  }

  async markFailed(id: string, owner: string, failure: { reason: string; permanent: boolean; retryAt?: Date }): Promise<void> {
    const reason = failure.reason.slice(0, 300);
    if (failure.permanent) this.s.failPermanent.run(reason, Number(id), owner);
    else this.s.failRetry.run(reason, (failure.retryAt ?? new Date()).getTime(), Number(id), owner);
  }

  async release(id: string, owner: string, dueAt: Date): Promise<void> {
    this.s.release.run(dueAt.getTime(), Number(id), owner);
  }

  async report(source: string): Promise<OutboxReport> {
    const r: OutboxReport = { targeted: 0, sent: 0, failed: 0, pending: 0, cancelled: 0, reasons: [] };
    for (const row of this.s.counts.all(source) as Array<{ state: OutboxState; n: number }>) {
      r[row.state] = Number(row.n);
      r.targeted += Number(row.n);
    }
    r.reasons = (this.s.reasons.all(source) as Array<{ reason: string; n: number }>).map((x) => ({ reason: x.reason, count: Number(x.n) }));
    return r;
  }

  async cancelPending(source: string): Promise<number> {
    return Number(this.s.cancel.run(source).changes);
  }

  async cancelForPerson(personId: string, reason: string): Promise<number> {
    return Number(this.s.cancelPerson.run({ person: personId, reason: reason.slice(0, 300) }).changes);
  }

  async cancelForTenant(platform: Platform, tenant: string, reason: string): Promise<number> {
    return Number(this.s.cancelTenant.run({ prefix: tenantPrefix(platform, tenant), reason: reason.slice(0, 300) }).changes);
  }

  async retryFailed(source: string, at: Date): Promise<number> {
    return Number(this.s.retry.run(at.getTime(), source).changes);
  }

  async nextDue(lane: Lane = 'bulk'): Promise<Date | null> {
    const row = this.s.nextDue.get(lane) as { at: number | null };
    return row.at === null ? null : new Date(Number(row.at));
  }

  async depth(now: Date): Promise<OutboxDepth[]> {
    const out: OutboxDepth[] = [];
    for (const r of this.s.depth.all(now.getTime()) as Array<{ lane: Lane; n: number; leased: number }>) {
      const leased = Number(r.leased);
      if (Number(r.n) > leased) out.push({ lane: r.lane, state: 'pending', count: Number(r.n) - leased });
      if (leased > 0) out.push({ lane: r.lane, state: 'leased', count: leased });
    }
    return out;
  }
}
