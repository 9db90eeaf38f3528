import { createHash } from 'node:crypto';
import { MongoBulkWriteError, ObjectId, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import type { Lane, NewOutboxMessage, OutboxDepth, OutboxMessage, OutboxReport, OutboxState, OutboxTarget } from '../../domain/delivery';
import { type Platform, tenantPrefix } from '../../domain/people';
import type { OutboxRepository } from '../../domain/ports';
import { createIndexes, isDuplicateKey } from './compat';
import type { Serializer } from './serial';
import { present } from '../present';

export interface OutboxDoc {
  _id: ObjectId;
  key: string;
  source: string;
  platform: Platform;
  target: OutboxTarget;
  payloadHash: string;
  /** Absent on messages queued before lanes: bulk. */
  lane?: Lane;
  state: OutboxState;
  attempts: number;
  dueAt: Date;
  leaseOwner?: string | null;
  leaseUntil?: Date | null;
  /** The claim that took it last: tells a claimer which of the messages it asked for it got. */
  claim?: ObjectId;
  /** Only in memory, on what a claim returns: it was taken from a lease that had run out. */
  takenOver?: boolean;
  lastError?: string | null;
  permanent?: boolean;
  sentAt?: Date;
  createdAt: Date;
}

/** Messages queued before lanes existed have none: they are bulk. */
function laneFilter(lane: Lane): Filter<OutboxDoc> {
  return lane === 'reply' ? { lane: 'reply' } : { lane: { $ne: 'reply' } };
}

export interface PayloadDoc {
  _id: string;
  payload: string;
}

export class MongoOutbox implements OutboxRepository {
  private readonly col: Collection<OutboxDoc>;
  private readonly payloads: Collection<PayloadDoc>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<OutboxDoc>('outbox');
    this.payloads = db.collection<PayloadDoc>('outbox_payloads');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection('outbox'), [
      { key: { key: 1 }, name: 'outbox_key', unique: true },
      { key: { state: 1, dueAt: 1, _id: 1 }, name: 'outbox_due' },
      { key: { lane: 1, state: 1, dueAt: 1 }, name: 'outbox_lane_due' },
      { key: { source: 1, state: 1 }, name: 'outbox_source' },
    ]);
  }

  async enqueue(messages: NewOutboxMessage[], at: Date): Promise<number> {
    if (messages.length === 0) return 0;
    const hashes = new Map<string, string>();
    for (const m of messages) {
      if (hashes.has(m.payload)) continue;
      const hash = createHash('sha256').update(m.payload).digest('base64url');
      hashes.set(m.payload, hash);
      try {
        await this.payloads.updateOne({ _id: hash }, { $setOnInsert: { payload: m.payload } }, { upsert: true });
      } catch (e) {
        // the same payload queued by another caller at the same moment: it is there
        if (!isDuplicateKey(e)) throw e;
      }
    }
    const docs: OutboxDoc[] = messages.map((m) => ({
      _id: new ObjectId(),
      key: m.key,
      source: m.source,
      platform: m.platform,
      target: m.target,
      payloadHash: present(hashes.get(m.payload), 'payload hash'),
      lane: m.lane ?? 'bulk',
      state: 'pending',
      attempts: 0,
      dueAt: m.dueAt,
      createdAt: at,
    }));
    try {
      const r = await this.col.insertMany(docs, { ordered: false });
      return r.insertedCount;
    } catch (e) {
      // duplicates (same key) are ignored: the message is already queued
      if (e instanceof MongoBulkWriteError) {
        const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
        if (errors.every((w) => w.code === 11000)) return e.insertedCount;
      }
      throw e;
    }
  }

  async claim(owner: string, now: Date, limit: number, leaseMs: number, lane: Lane = 'bulk'): Promise<OutboxMessage[]> {
    const until = new Date(now.getTime() + leaseMs);
    const claimed = limit > 0 ? await this.serial.run('outbox', () => this.take(owner, now, until, limit, lane)) : [];
    const payloads = new Map<string, string>();
    for (const h of new Set(claimed.map((c) => c.payloadHash))) {
      const p = await this.payloads.findOne({ _id: h });
      if (p) payloads.set(h, p.payload);
    }
    return claimed.map((d) => this.toMessage(d, payloads.get(d.payloadHash) ?? '{}'));
  }

  /**
   * The first due messages nobody holds, taken with one conditional updateMany: each message is taken only if
   * it is still free when the server updates it (atomic per document), so two instances never take the same
   * one. The claim's own id, set on what it took, tells which ones it got; if others took some meanwhile,
   * the next due ones are looked for.
   */
  private async take(owner: string, now: Date, until: Date, limit: number, lane: Lane): Promise<OutboxDoc[]> {
    const claimable: Filter<OutboxDoc> = {
      state: 'pending',
      ...laneFilter(lane),
      dueAt: { $lte: now },
      $or: [{ leaseUntil: null }, { leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }],
    };
    const claimed: OutboxDoc[] = [];
    /** Messages found with a lease that had run out (its holder died or stalled): a takeover. */
    const expired = new Set<string>();
    while (claimed.length < limit) {
      const found = await this.col
        .find(claimable, { projection: { _id: 1, leaseUntil: 1 } })
        .sort({ dueAt: 1, _id: 1 })
        .limit(limit - claimed.length)
        .toArray();
      const ids = found.map((d) => d._id);
      if (ids.length === 0) break;
      for (const d of found) if (d.leaseUntil) expired.add(d._id.toHexString());
      const claim = new ObjectId();
      const r = await this.col.updateMany({ _id: { $in: ids }, ...claimable }, { $set: { leaseOwner: owner, leaseUntil: until, claim } });
      if (r.modifiedCount === 0) break; // all taken by others meanwhile
      claimed.push(...(await this.col.find({ _id: { $in: ids }, claim }).toArray()));
    }
    for (const d of claimed) if (expired.has(d._id.toHexString())) d.takenOver = true;
    return claimed.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
  }

  async markSent(id: string, owner: string, at: Date): Promise<void> {
    await this.updateOne(
      id,
      { $or: [{ state: 'pending' }, { state: 'cancelled', leaseOwner: owner }] },
      { $set: { state: 'sent', sentAt: at, leaseOwner: null, leaseUntil: null, lastError: null }, $inc: { attempts: 1 } },
    );
  }

  async markFailed(id: string, owner: string, failure: { reason: string; permanent: boolean; retryAt?: Date }): Promise<void> {
    const filter: Filter<OutboxDoc> = { state: 'pending', leaseOwner: { $in: [owner, null] } };
    const reason = failure.reason.slice(0, 300);
    if (failure.permanent) {
      await this.updateOne(id, filter, { $set: { state: 'failed', permanent: true, lastError: reason, leaseOwner: null, leaseUntil: null }, $inc: { attempts: 1 } });
    } else {
      await this.updateOne(id, filter, { $set: { lastError: reason, dueAt: failure.retryAt ?? new Date(), leaseOwner: null, leaseUntil: null }, $inc: { attempts: 1 } });
    }
  }

  async release(id: string, owner: string, dueAt: Date): Promise<void> {
    await this.updateOne(id, { state: 'pending', leaseOwner: owner }, { $set: { dueAt, leaseOwner: null, leaseUntil: null } });
  }

  /** A conditional change of one message (where updates are not atomic, under the outbox's lock). */
  private async updateOne(id: string, filter: Filter<OutboxDoc>, update: UpdateFilter<OutboxDoc>): Promise<void> {
    if (!ObjectId.isValid(id)) return;
    const _id = new ObjectId(id);
    await this.serial.run('outbox', () => this.col.updateOne({ _id, ...filter }, update));
  }

  private async updateMany(filter: Filter<OutboxDoc>, update: UpdateFilter<OutboxDoc>): Promise<number> {
    return (await this.serial.run('outbox', () => this.col.updateMany(filter, update))).modifiedCount;
  }

  async report(source: string): Promise<OutboxReport> {
    const r: OutboxReport = { targeted: 0, sent: 0, failed: 0, pending: 0, cancelled: 0, reasons: [] };
    for await (const row of this.col.aggregate<{ _id: OutboxState; n: number }>([{ $match: { source } }, { $group: { _id: '$state', n: { $sum: 1 } } }])) {
      r[row._id] = row.n;
      r.targeted += row.n;
    }
    r.reasons = (
      await this.col
        .aggregate<{ _id: string; n: number }>([
          { $match: { source, state: { $in: ['failed', 'pending', 'cancelled'] }, lastError: { $nin: [null] } } },
          { $group: { _id: '$lastError', n: { $sum: 1 } } },
          { $sort: { n: -1, _id: 1 } },
          { $limit: 20 },
        ])
        .toArray()
    ).map((x) => ({ reason: x._id, count: x.n }));
    return r;
  }

  async cancelPending(source: string): Promise<number> {
    return this.updateMany({ source, state: 'pending' }, { $set: { state: 'cancelled' } });
  }

  async cancelForPerson(personId: string, reason: string): Promise<number> {
    return this.updateMany({ state: 'pending', 'target.kind': 'person', 'target.personId': personId }, { $set: { state: 'cancelled', lastError: reason.slice(0, 300) } });
  }

  async cancelForTenant(platform: Platform, tenant: string, reason: string): Promise<number> {
    const prefix = tenantPrefix(platform, tenant);
    const pending = await this.col.find({ state: 'pending', 'target.kind': 'person' }, { projection: { _id: 1, target: 1 } }).toArray();
    const ids = pending.filter((d) => d.target.kind === 'person' && d.target.personId.startsWith(prefix)).map((d) => d._id);
    if (ids.length === 0) return 0;
    return this.updateMany({ _id: { $in: ids }, state: 'pending' }, { $set: { state: 'cancelled', lastError: reason.slice(0, 300) } });
  }

  async retryFailed(source: string, at: Date): Promise<number> {
    return this.updateMany({ source, state: 'failed' }, { $set: { state: 'pending', permanent: false, attempts: 0, dueAt: at, lastError: null } });
  }

  async nextDue(lane: Lane = 'bulk'): Promise<Date | null> {
    const d = await this.col
      .find({ state: 'pending', ...laneFilter(lane) })
      .sort({ dueAt: 1 })
      .limit(1)
      .next();
    return d ? d.dueAt : null;
  }

  async depth(now: Date): Promise<OutboxDepth[]> {
    const out: OutboxDepth[] = [];
    // pending work only (index outbox_lane_due): the messages done are never read
    for (const lane of ['bulk', 'reply'] as const) {
      const pending = await this.col.countDocuments({ ...laneFilter(lane), state: 'pending' });
      const leased = pending > 0 ? await this.col.countDocuments({ ...laneFilter(lane), state: 'pending', leaseUntil: { $gt: now } }) : 0;
      if (pending > leased) out.push({ lane, state: 'pending', count: pending - leased });
      if (leased > 0) out.push({ lane, state: 'leased', count: leased });
    }
    return out;
  }

  private toMessage(d: OutboxDoc, payload: string): OutboxMessage {
    const m: OutboxMessage = {
      id: d._id.toHexString(),
      key: d.key,
      source: d.source,
      platform: d.platform,
      target: d.target,
      payload,
      lane: d.lane ?? 'bulk',
      state: d.state,
      attempts: d.attempts,
      dueAt: d.dueAt,
      createdAt: d.createdAt,
    };
    if (d.takenOver) m.takenOver = true;
    if (d.leaseOwner) m.leaseOwner = d.leaseOwner;
    if (d.leaseUntil) m.leaseUntil = d.leaseUntil;
    if (d.lastError) m.lastError = d.lastError;
    if (d.permanent) m.permanent = true;
    if (d.sentAt) m.sentAt = d.sentAt;
    return m;
  }
}
