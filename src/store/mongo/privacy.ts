import type { Db, Document } from 'mongodb';
import type { Person } from '../../domain/people';
import type { PrivacyRepository } from '../../domain/ports';
import {
  type ErasureReport,
  type ErasureRequest,
  IDENTITY_TABLES,
  type PersonData,
  type RetentionReport,
  type RetentionSettings,
  replaceId,
  scrub,
  TOMBSTONE,
  TOMBSTONE_PAYLOAD,
} from '../../domain/privacy';
import { type PersonDoc, toPerson } from './people';

const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;

/** Collections of the store's own machinery: nothing about a person. */
const SKIPPED = new Set(['store_meta', 'instances', 'counters', 'locks']);

/**
 * Every string in a document with the words replaced (dates, ids and numbers as they are); `changed`
 * tells whether any string changed. Plain objects and arrays only are walked.
 */
function walk(value: unknown, edit: (s: string) => string, changed: { yes: boolean }): unknown {
  if (typeof value === 'string') {
    const next = edit(value);
    if (next !== value) changed.yes = true;
    return next;
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, edit, changed));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, edit, changed);
    return out;
  }
  return value;
}

/**
 * The person's data and its erasure over every collection of the database (those added later too). A
 * server has no substring search across fields: each collection is read through once, in batches.
 */
export class MongoPrivacy implements PrivacyRepository {
  constructor(private readonly db: Db) {}

  private async collections(): Promise<string[]> {
    const all = await this.db.listCollections({}, { nameOnly: true }).toArray();
    return all
      .map((c) => c.name)
      .filter((n) => !SKIPPED.has(n) && !n.startsWith('system.'))
      .sort();
  }

  /** Calls `visit` with each document of `name` in which `words` appear (whole words). */
  private async scan(name: string, words: string[], visit: (doc: Document) => Promise<void>): Promise<void> {
    // the document as JSON: a word written in it JSON-escaped, once more inside a JSON payload string
    const lowered = [
      ...new Set(words.flatMap((w) => [w, JSON.stringify(w).slice(1, -1), JSON.stringify(JSON.stringify(w).slice(1, -1)).slice(1, -1)].map((x) => x.toLowerCase()))),
    ];
    const cursor = this.db.collection(name).find({}, { batchSize: 1000 });
    for await (const doc of cursor) {
      const text = JSON.stringify(doc).toLowerCase();
      if (!lowered.some((w) => text.includes(w))) continue;
      await visit(doc);
    }
  }

  async dataOf(personId: string, also: string[]): Promise<PersonData> {
    const words = [personId, ...also.filter((w) => w.length >= 3)];
    const out: PersonData = {};
    for (const name of await this.collections()) {
      const rows: Array<Record<string, unknown>> = [];
      await this.scan(name, words, async (doc) => {
        const changed = { yes: false };
        walk(doc, (s) => scrub(replaceId(s, personId, '\u0000'), also, '\u0000'), changed);
        if (!changed.yes) return;
        const row: Record<string, unknown> = { ...doc };
        if (name === 'outbox' && typeof doc.payloadHash === 'string') {
          const p = await this.db.collection<{ _id: string; payload: string }>('outbox_payloads').findOne({ _id: doc.payloadHash });
          if (p) row.payload = p.payload;
        }
        rows.push(row);
      });
      if (rows.length) out[name] = rows;
    }
    return out;
  }

  async erase(r: ErasureRequest): Promise<ErasureReport> {
    const report: ErasureReport = {};
    const count = (what: string, n: number) => {
      if (n > 0) report[what] = (report[what] ?? 0) + n;
    };
    const person = await this.db.collection<PersonDoc>('people').findOne({ _id: r.personId });
    count('preferences', (await this.db.collection<{ _id: string }>('preferences').deleteOne({ _id: r.personId })).deletedCount);
    count('drafts', (await this.db.collection('drafts').deleteMany({ personId: r.personId })).deletedCount);
    count('axis_follows', (await this.db.collection('axis_follows').deleteMany({ personId: r.personId })).deletedCount);
    const subjects = [r.personId, ...(person?.email ? [person.email] : [])];
    count('role_assignments', (await this.db.collection('role_assignments').deleteMany({ subject: { $in: subjects } })).deletedCount);
    const outbox = this.db.collection<{ payloadHash: string; state: string }>('outbox');
    const mine = { 'target.kind': 'person', 'target.personId': r.personId };
    count(
      'outbox.cancelled',
      (await outbox.updateMany({ state: { $in: ['pending', 'failed'] }, ...mine }, { $set: { state: 'cancelled', lastError: 'erased', leaseOwner: null } })).modifiedCount,
    );
    // what was sent to them, and every file delivered (an export, a contract: text the scrub cannot read in
    // base64 or a PDF), keep their document for the counts but lose their content
    count('outbox.emptied', await this.empty({ $or: [mine, { state: { $in: ['sent', 'failed', 'cancelled'] }, payloadHash: { $in: await this.fileHashes() } }] }));
    // the erasure's own job stays: taken again after a crash, it finishes what this left
    count(
      'jobs.cancelled',
      (await this.db.collection('jobs').updateMany({ state: 'pending', subject: r.personId, kind: { $ne: 'privacy.erase' } }, { $set: { state: 'cancelled' } })).modifiedCount,
    );
    if (r.ideas === 'delete') {
      const ids = (await this.db.collection<{ _id: number; authorId: string }>('ideas').find({ authorId: r.personId }).toArray()).map((d) => d._id);
      if (ids.length) {
        await this.db.collection('supports').deleteMany({ ideaId: { $in: ids } });
        await this.db.collection('ideas').updateMany({ mergedInto: { $in: ids } }, { $unset: { mergedInto: '' } });
        count('ideas.deleted', (await this.db.collection<{ _id: number }>('ideas').deleteMany({ _id: { $in: ids } })).deletedCount);
      }
    }
    const identifying = r.identifying.filter((w) => w.length >= 3);
    // No transaction here: the person's row goes after every other collection and before the jobs, so an
    // erasure stopped half-way is finished by its job, which still names the person (see PrivacyFlow).
    const names = (await this.collections()).filter((n) => n !== 'people' && n !== 'jobs');
    const sweep = async (name: string) => {
      const col = this.db.collection<Document>(name);
      // where other people's identities are kept, only the id is replaced (a homonym keeps their name)
      const words = IDENTITY_TABLES.has(name) ? [] : identifying;
      const edit = (s: string) => scrub(replaceId(s, r.personId, r.pseudonym), words, r.replacement);
      await this.scan(name, [r.personId, ...words], async (doc) => {
        const changed = { yes: false };
        const next = walk(doc, edit, changed) as Document;
        if (!changed.yes) return;
        const { _id, ...rest } = next;
        if (typeof doc._id === 'string' && _id !== doc._id) {
          // the id itself named the person: the document moves to its new id (written again after a crash)
          await col.replaceOne({ _id }, rest, { upsert: true });
          await col.deleteOne({ _id: doc._id as unknown as Document['_id'] });
        } else {
          // written meanwhile (a message marked sent, a support counted): read again and redo, a few times;
          // then the erasure fails, and its job runs it again
          let current: Document = doc;
          let wanted: Document = rest;
          for (let tries = 0; !(await this.setChanged(col, current, wanted)); tries++) {
            if (tries >= 5) throw new Error(`erasure: a document of ${name} kept changing`);
            const fresh = await col.findOne({ _id: doc._id });
            if (!fresh) break;
            current = fresh;
            const { _id: _, ...again } = walk(fresh, edit, { yes: false }) as Document;
            wanted = again;
          }
        }
        count(name, 1);
      });
    };
    for (const name of names) await sweep(name);
    count('people', (await this.db.collection<PersonDoc>('people').deleteOne({ _id: r.personId })).deletedCount);
    await sweep('jobs');
    return report;
  }

  /**
   * Sets only the fields the sweep changed, and only while they still hold what was read: a write made
   * meanwhile by someone else (the dispatcher, a support) is never undone. false when one of them changed.
   */
  private async setChanged(col: ReturnType<Db['collection']>, before: Document, after: Document): Promise<boolean> {
    const set: Document = {};
    const filter: Document = { _id: before._id };
    for (const [k, v] of Object.entries(after)) {
      if (k === '_id' || JSON.stringify(v) === JSON.stringify(before[k])) continue;
      set[k] = v;
      filter[k] = before[k];
    }
    if (!Object.keys(set).length) return true;
    return (await col.updateOne(filter, { $set: set })).matchedCount === 1;
  }

  /** The hashes of the payloads that are files. */
  private async fileHashes(): Promise<string[]> {
    const docs = await this.db
      .collection<{ _id: string; payload: string }>('outbox_payloads')
      .find({ payload: { $regex: '^\\{"kind":"file"' } }, { projection: { _id: 1 } })
      .toArray();
    return docs.map((d) => d._id);
  }

  /** The outbox documents matched lose their content (the tombstone payload); payloads nobody uses any more go. */
  private async empty(filter: Document): Promise<number> {
    const outbox = this.db.collection<{ payloadHash: string }>('outbox');
    const payloads = this.db.collection<{ _id: string; payload: string }>('outbox_payloads');
    const match = { $and: [filter, { payloadHash: { $ne: TOMBSTONE } }] };
    const hashes = (await outbox.distinct('payloadHash', match)) as string[];
    if (!hashes.length) return 0;
    await payloads.updateOne({ _id: TOMBSTONE }, { $setOnInsert: { payload: TOMBSTONE_PAYLOAD } }, { upsert: true });
    const n = (await outbox.updateMany(match, { $set: { payloadHash: TOMBSTONE } })).modifiedCount;
    for (const h of hashes) if (!(await outbox.findOne({ payloadHash: h }, { projection: { _id: 1 } }))) await payloads.deleteOne({ _id: h });
    return n;
  }

  async inactive(before: Date, limit: number, after?: Pick<Person, 'id' | 'lastSeenAt'>): Promise<Person[]> {
    const from = after ? { $or: [{ lastSeenAt: { $gt: after.lastSeenAt } }, { lastSeenAt: after.lastSeenAt, _id: { $gt: after.id } }] } : {};
    const docs = await this.db
      .collection<PersonDoc>('people')
      .find({ lastSeenAt: { $lt: before }, ...from })
      .sort({ lastSeenAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toPerson);
  }

  async purge(at: Date, retention: RetentionSettings): Promise<RetentionReport> {
    const now = at.getTime();
    const outbox = this.db.collection<{ payloadHash: string; state: string; createdAt: Date }>('outbox');
    const done = { state: { $in: ['sent', 'failed', 'cancelled'] }, createdAt: { $lt: new Date(now - retention.deliveredMessagesDays * DAY_MS) } };
    const hashes = (await outbox.distinct('payloadHash', done)) as string[];
    const deliveredMessages = (await outbox.deleteMany(done)).deletedCount;
    for (const h of hashes)
      if (!(await outbox.findOne({ payloadHash: h }, { projection: { _id: 1 } }))) await this.db.collection<{ _id: string }>('outbox_payloads').deleteOne({ _id: h });
    const deliveredFiles = await this.empty({ state: { $in: ['sent', 'failed', 'cancelled'] }, payloadHash: { $in: await this.fileHashes() } });
    const requestRecords = (await this.db.collection('requests').deleteMany({ at: { $lt: new Date(now - retention.requestRecordsDays * DAY_MS) } })).deletedCount;
    const ended = (
      await this.db
        .collection<{ _id: number }>('events')
        .find({ endsAt: { $lt: new Date(now - retention.feedbackCommentsMonths * MONTH_MS) } }, { projection: { _id: 1 } })
        .toArray()
    ).map((e) => e._id);
    const feedbackComments = ended.length
      ? (await this.db.collection('event_feedback').updateMany({ eventId: { $in: ended }, comment: { $exists: true } }, { $unset: { comment: '' } })).modifiedCount
      : 0;
    const drafts = (await this.db.collection('drafts').deleteMany({ createdAt: { $lt: new Date(now - retention.draftsDays * DAY_MS) } })).deletedCount;
    return { deliveredMessages, deliveredFiles, requestRecords, feedbackComments, drafts, audit: 0 };
  }
}
