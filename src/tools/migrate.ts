import type { DatabaseSync } from 'node:sqlite';
import { type Collection, type Db, type Document, type Filter, ObjectId, type OptionalUnlessRequiredId } from 'mongodb';
import type { Locale } from '../domain/locale';
import type { Platform } from '../domain/people';
import { MongoStore } from '../store/mongo';
import type { BroadcastDoc } from '../store/mongo/broadcasts';
import type { ConversationDoc } from '../store/mongo/conversations';
import type { DraftDoc } from '../store/mongo/drafts';
import type { EventDoc, FeedbackDoc, RegistrationDoc } from '../store/mongo/events';
import type { CounterDoc, IdeaDoc, SupportDoc } from '../store/mongo/ideas';
import type { JobDoc } from '../store/mongo/jobs';
import type { OutboxDoc, PayloadDoc } from '../store/mongo/outbox';
import type { PersonDoc } from '../store/mongo/people';
import type { RequestDoc } from '../store/mongo/requests';
import type { RoleDoc } from '../store/mongo/roles';
import { type BroadcastRow, toBroadcast } from '../store/sqlite/broadcasts';
import { type EventRow, type RegistrationRow, SELECT_EVENT, toEvent, toRegistration } from '../store/sqlite/events';
import { type IdeaRow, toIdea } from '../store/sqlite/ideas';
import { type JobRow, toJob } from '../store/sqlite/jobs';
import { type OutboxRow, toMessage } from '../store/sqlite/outbox';
import { type PersonRow, rowToPerson } from '../store/sqlite/people';
import { type RoleRow, toAssignment } from '../store/sqlite/roles';
import { openSqliteFile } from './sqlite-file';

/**
 * Copies the embedded store (one SQLite file) into an empty MongoDB database, table by table.
 *
 * Rows are read through the SQLite store's own row mappings (the objects it serves) and written in the
 * MongoDB store's document shapes: what the bot served before, it serves after. The MongoDB store is opened
 * normally first, so that its indexes exist before the first document is written. Ids are kept (ideas,
 * events and broadcasts keep their numbers, the counters continue from SQLite's sequences); the rows whose
 * MongoDB id is an ObjectId (role decisions, registrations, outbox, jobs) get ObjectIds in the order of
 * their SQLite ids, since the MongoDB store breaks ties by `_id` where SQLite breaks them by id.
 * The live-instance heartbeats (`instances`) are not copied: they are rewritten by each running bot.
 *
 * Everything is read in one read transaction: the copy is of one moment of the store. Verification counts
 * again on both sides at the end.
 */

export interface MigrateOptions {
  /** The SQLite file (ensemble.db), or the folder (DATA_DIR) holding it. */
  from: string;
  /** The MongoDB URI; the database is the one it names, else "ensemble" (as the bot does). */
  to: string;
  /** Allows a non-empty target: its documents in the copied collections are removed first. */
  force?: boolean;
  /** One line of progress. */
  say?: (line: string) => void;
  /** The time stamped in the ObjectIds made for the copy. */
  now: Date;
}

/** One table and what it became. */
export interface TableCount {
  table: string;
  collection: string;
  source: number;
  target: number;
}

export interface MigrateResult {
  /** The database written. */
  database: string;
  /** The server, e.g. "FerretDB 1.24.2". */
  server: string;
  file: string;
  tables: TableCount[];
  /** Sequences of numbered things: the next idea after the copy is `source + 1`. */
  counters: Array<{ name: string; source: number; target: number | null }>;
  /** Every count and counter matches. */
  ok: boolean;
}

/** The target already holds documents; nothing was written. */
export class TargetNotEmptyError extends Error {
  constructor(
    readonly database: string,
    readonly collections: Array<{ name: string; count: number }>,
  ) {
    super(
      `the MongoDB database "${database}" is not empty (${collections.map((c) => `${c.name}: ${c.count}`).join(', ')}); ` +
        'migrate into an empty database, or pass --force to replace its contents',
    );
    this.name = 'TargetNotEmptyError';
  }
}

/** The sequences of numbered entities (SQLite AUTOINCREMENT) that MongoDB keeps in `counters`. */
const COUNTERS = ['ideas', 'events', 'broadcasts'] as const;

/** Collections written by the copy (cleared first under --force). */
const WRITTEN = [
  'people',
  'role_assignments',
  'ideas',
  'supports',
  'drafts',
  'outbox_payloads',
  'outbox',
  'broadcasts',
  'events',
  'registrations',
  'event_feedback',
  'jobs',
  'requests',
  'conversations',
  'preferences',
  'store_meta',
  'counters',
] as const;

const BATCH = 500;

/** A document per row, written in batches; returns how many were written. */
async function insertAll<T extends Document>(col: Collection<T>, docs: Iterable<T>): Promise<number> {
  let batch: T[] = [];
  let n = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await col.insertMany(batch as OptionalUnlessRequiredId<T>[], { ordered: true });
    n += batch.length;
    batch = [];
  };
  for (const d of docs) {
    batch.push(d);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return n;
}

/** Drops the keys whose value is undefined (the SQLite mappings leave some; MongoDB documents omit them). */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/** ObjectIds that sort as the SQLite ids they stand for: the copy's time stamp, then the id. */
function orderedIds(now: Date): (n: number) => ObjectId {
  const seconds = Math.floor(now.getTime() / 1000);
  return (n) => {
    const bytes = Buffer.alloc(12);
    bytes.writeUInt32BE(seconds, 0);
    bytes.writeBigUInt64BE(BigInt(n), 4);
    return new ObjectId(bytes);
  };
}

function* rows<R>(db: DatabaseSync, sql: string): Generator<R> {
  for (const r of db.prepare(sql).iterate()) yield r as unknown as R;
}

function* mapped<R, D>(source: Iterable<R>, f: (r: R) => D): Generator<D> {
  for (const r of source) yield f(r);
}

function countRows(db: DatabaseSync, table: string, where = ''): number {
  return Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table} ${where}`).get() as { n: number }).n);
}

/** One table's copy: its documents, and how to count it on both sides. */
interface Step {
  table: string;
  collection: string;
  copy: (db: Db) => Promise<void>;
  source: () => number;
  target: (db: Db) => Promise<number>;
}

function steps(sqlite: DatabaseSync, id: (n: number) => ObjectId): Step[] {
  /** A table copied row by row into a collection; `only` counts part of both (the same part, said twice). */
  const plain = <T extends Document>(table: string, collection: string, docs: () => Iterable<T>, only?: { where: string; filter: Filter<{ _id: string }> }): Step => ({
    table,
    collection,
    copy: async (db) => void (await insertAll(db.collection<T>(collection), docs())),
    source: () => countRows(sqlite, table, only?.where),
    target: (db) => db.collection<{ _id: string }>(collection).countDocuments(only?.filter ?? {}),
  });
  return [
    plain<PersonDoc>('people', 'people', () =>
      mapped(rows<PersonRow>(sqlite, 'SELECT * FROM people ORDER BY id'), (r) => {
        // the platform's locale and the chosen one, kept apart as on MongoDB (people.ts)
        const { id: _id, locale: _, platformLocale, ...rest } = rowToPerson(r);
        return defined({ _id, ...rest, locale: platformLocale, chosenLocale: (r.chosen_locale as Locale | null) ?? undefined });
      }),
    ),
    plain<RoleDoc>('role_assignments', 'role_assignments', () =>
      mapped(rows<RoleRow & { seq: number }>(sqlite, 'SELECT * FROM role_assignments ORDER BY seq'), (r) => ({ _id: id(Number(r.seq)), ...toAssignment(r) })),
    ),
    plain<IdeaDoc>('ideas', 'ideas', () =>
      mapped(rows<IdeaRow>(sqlite, 'SELECT * FROM ideas ORDER BY id'), (r) => {
        const { id: _id, ...rest } = toIdea(r);
        return { _id, ...rest };
      }),
    ),
    {
      // no collection of their own: an idea's hashtags are in its document (the ideas_hashtags index)
      table: 'idea_hashtags',
      collection: 'ideas.hashtags',
      copy: async () => {},
      source: () => countRows(sqlite, 'idea_hashtags'),
      target: async (db) => {
        const pairs = new Set<string>();
        for await (const d of db.collection<IdeaDoc>('ideas').find({}, { projection: { hashtags: 1 } })) for (const h of d.hashtags ?? []) pairs.add(JSON.stringify([d._id, h]));
        return pairs.size;
      },
    },
    plain<SupportDoc>('supports', 'supports', () =>
      mapped(rows<{ idea_id: number; person_id: string; created_at: number }>(sqlite, 'SELECT * FROM supports ORDER BY created_at, idea_id, person_id'), (r) => ({
        ideaId: Number(r.idea_id),
        personId: r.person_id,
        createdAt: new Date(Number(r.created_at)),
      })),
    ),
    plain<DraftDoc>('drafts', 'drafts', () =>
      mapped(rows<{ id: string; person_id: string; payload: string; created_at: number }>(sqlite, 'SELECT * FROM drafts ORDER BY created_at, id'), (r) => ({
        _id: r.id,
        personId: r.person_id,
        payload: r.payload,
        createdAt: new Date(Number(r.created_at)),
      })),
    ),
    plain<PayloadDoc>('outbox_payloads', 'outbox_payloads', () =>
      mapped(rows<{ hash: string; payload: string }>(sqlite, 'SELECT * FROM outbox_payloads ORDER BY hash'), (r) => ({ _id: r.hash, payload: r.payload })),
    ),
    plain<OutboxDoc>('outbox', 'outbox', () =>
      mapped(rows<OutboxRow & { payload_hash: string }>(sqlite, "SELECT o.*, '' AS payload FROM outbox o ORDER BY o.id"), (r) => {
        const { id: _, payload: __, ...m } = toMessage(r);
        return defined({ ...m, _id: id(Number(r.id)), payloadHash: r.payload_hash });
      }),
    ),
    plain<BroadcastDoc>('broadcasts', 'broadcasts', () =>
      mapped(rows<BroadcastRow>(sqlite, 'SELECT * FROM broadcasts ORDER BY id'), (r) => {
        const { id: _id, ...rest } = toBroadcast(r);
        return { _id, ...rest };
      }),
    ),
    plain<EventDoc>('events', 'events', () =>
      mapped(rows<EventRow>(sqlite, `${SELECT_EVENT} ORDER BY e.id`), (r) => {
        const { id: _id, ...rest } = toEvent(r);
        return { _id, ...rest };
      }),
    ),
    plain<RegistrationDoc>('registrations', 'registrations', () =>
      mapped(rows<RegistrationRow & { seq: number }>(sqlite, 'SELECT * FROM registrations ORDER BY seq'), (r) => ({ _id: id(Number(r.seq)), ...toRegistration(r) })),
    ),
    plain<FeedbackDoc>('event_feedback', 'event_feedback', () =>
      mapped(
        rows<{ event_id: number; person_id: string; rating: number; comment: string | null; at: number }>(sqlite, 'SELECT * FROM event_feedback ORDER BY at, event_id, person_id'),
        (r) => {
          const f: FeedbackDoc = { eventId: Number(r.event_id), personId: r.person_id, rating: Number(r.rating), at: new Date(Number(r.at)) };
          if (r.comment !== null) f.comment = r.comment;
          return f;
        },
      ),
    ),
    plain<JobDoc>('jobs', 'jobs', () =>
      mapped(rows<JobRow>(sqlite, 'SELECT * FROM jobs ORDER BY id'), (r) => {
        const { id: _, ...rest } = toJob(r);
        return { _id: id(Number(r.id)), ...rest };
      }),
    ),
    plain<RequestDoc>('requests', 'requests', () =>
      mapped(rows<{ key: string; at: number; done: number }>(sqlite, 'SELECT * FROM requests ORDER BY at, key'), (r) => ({
        _id: r.key,
        at: new Date(Number(r.at)),
        done: Number(r.done) === 1,
      })),
    ),
    plain<ConversationDoc>('conversations', 'conversations', () =>
      mapped(
        rows<{ platform: Platform; id: string; service_url: string; tenant_id: string; team_id: string | null; name: string | null; updated_at: number }>(
          sqlite,
          'SELECT * FROM conversations ORDER BY platform, id',
        ),
        (r) => {
          const d: ConversationDoc = {
            _id: `${r.platform}:${r.id}`,
            platform: r.platform,
            id: r.id,
            serviceUrl: r.service_url,
            tenantId: r.tenant_id,
            updatedAt: new Date(Number(r.updated_at)),
          };
          if (r.team_id !== null) d.teamId = r.team_id;
          if (r.name !== null) d.name = r.name;
          return d;
        },
      ),
    ),
    plain<{ _id: string; data: string; updatedAt: Date }>('preferences', 'preferences', () =>
      mapped(rows<{ person_id: string; data: string; updated_at: number }>(sqlite, 'SELECT * FROM preferences ORDER BY person_id'), (r) => ({
        _id: r.person_id,
        data: r.data,
        updatedAt: new Date(Number(r.updated_at)),
      })),
    ),
    // the installation id (calendar entries' UIDs) and any other fact; not the health probe, rewritten at each check
    plain<{ _id: string; value: string }>(
      'store_meta',
      'store_meta',
      () => mapped(rows<{ key: string; value: string }>(sqlite, "SELECT * FROM store_meta WHERE key <> 'health' ORDER BY key"), (r) => ({ _id: r.key, value: r.value })),
      { where: "WHERE key <> 'health'", filter: { _id: { $ne: 'health' } } },
    ),
  ];
}

/** SQLite's sequences (the last id given, deleted rows included), at least the largest id present. */
function sequences(sqlite: DatabaseSync): Array<{ name: string; seq: number }> {
  return COUNTERS.map((name) => {
    const s = sqlite.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(name) as { seq: number } | undefined;
    const max = (sqlite.prepare(`SELECT MAX(id) AS m FROM ${name}`).get() as { m: number | null }).m;
    return { name, seq: Math.max(Number(s?.seq ?? 0), Number(max ?? 0)) };
  }).filter((s) => s.seq > 0);
}

/** The collections holding documents (system ones aside). */
async function nonEmpty(db: Db): Promise<Array<{ name: string; count: number }>> {
  const out: Array<{ name: string; count: number }> = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (c.name.startsWith('system.')) continue;
    const count = await db.collection(c.name).countDocuments();
    if (count > 0) out.push({ name: c.name, count });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const pad = (s: string) => s.padEnd(18);

export async function migrateToMongo(o: MigrateOptions): Promise<MigrateResult> {
  const say = o.say ?? (() => {});
  const { db: sqlite, file } = openSqliteFile(o.from);
  try {
    const store = await MongoStore.connect(o.to);
    try {
      const db = store.database;
      const server = `${store.server.product} ${store.server.version}`;
      say(`From ${file}`);
      say(`To   ${server}, database "${db.databaseName}" (its indexes are created)`);
      const existing = await nonEmpty(db);
      if (existing.length > 0) {
        if (!o.force) throw new TargetNotEmptyError(db.databaseName, existing);
        say(`--force: the target is not empty (${existing.map((c) => `${c.name}: ${c.count}`).join(', ')}); the copied collections are emptied first`);
        for (const name of WRITTEN) await db.collection(name).deleteMany({});
      }
      // one moment of the store: every table is read in the same read transaction
      sqlite.exec('BEGIN');
      try {
        const plan = steps(sqlite, orderedIds(o.now));
        for (const step of plan) {
          await step.copy(db);
          say(`  ${pad(step.table)} ${step.source()} rows -> ${pad(step.collection)} ${await step.target(db)}`);
        }
        const seqs = sequences(sqlite);
        const counters = db.collection<CounterDoc>('counters');
        if (seqs.length > 0) await counters.insertMany(seqs.map((s) => ({ _id: s.name, seq: s.seq })));
        say(`  ${pad('counters')} ${seqs.map((s) => `${s.name} ${s.seq}`).join(', ') || '(none yet)'}`);

        say('Verifying...');
        const tables: TableCount[] = [];
        for (const step of plan) tables.push({ table: step.table, collection: step.collection, source: step.source(), target: await step.target(db) });
        const counted: MigrateResult['counters'] = [];
        for (const s of seqs) counted.push({ name: s.name, source: s.seq, target: (await counters.findOne({ _id: s.name }))?.seq ?? null });
        for (const t of tables) say(`  ${pad(t.table)} ${t.source} = ${t.target} ${t.source === t.target ? 'ok' : 'MISMATCH'}`);
        for (const c of counted) say(`  ${pad(`counter ${c.name}`)} ${c.source} = ${c.target} ${c.source === c.target ? 'ok' : 'MISMATCH'}`);
        const ok = tables.every((t) => t.source === t.target) && counted.every((c) => c.source === c.target);
        return { database: db.databaseName, server, file, tables, counters: counted, ok };
      } finally {
        sqlite.exec('COMMIT');
      }
    } finally {
      await store.close();
    }
  } finally {
    sqlite.close();
  }
}
