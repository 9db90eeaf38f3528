import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import type { JobPlan, ProgrammeEvent } from '../../domain/events';
import type { RepairReport, Store, StoreHealth } from '../../domain/ports';
import { CrashPoints } from '../crash-points';
import { MongoAudit } from './audit';
import { MongoAxisUpdates, MongoFollows } from './axes';
import { MongoBroadcasts } from './broadcasts';
import { MongoCommunities } from './communities';
import { MongoConsultations } from './consultations';
import { MongoEngagements } from './engagements';
import { createIndexes } from './compat';
import { MongoPrivacy } from './privacy';
import { MongoDrafts } from './drafts';
import { MongoEvents } from './events';
import { MongoJobs } from './jobs';
import { MongoOutbox } from './outbox';
import { MongoIdeas } from './ideas';
import { MongoPeople, type PersonDoc } from './people';
import { MongoConversations } from './conversations';
import { MongoInstances } from './instances';
import { MongoPreferences } from './preferences';
import { writeJobPlan } from './job-plan';
import { MongoRequests } from './requests';
import { MongoRoles, type RoleDoc } from './roles';
import { Serializer } from './serial';
import { Sightings } from './sightings';

/** What the server is, from its buildInfo. */
export interface MongoServerInfo {
  /** FerretDB says so in buildInfo (`ferretdbVersion`); anything else is taken for MongoDB. */
  product: 'MongoDB' | 'FerretDB';
  /** The product's version (for FerretDB, its own, not the MongoDB version it emulates). */
  version: string;
  /**
   * false when the server's single-document updates are not atomic (FerretDB 1.x): the store then takes a
   * lock around the writes that must not overlap (see serial.ts).
   */
  atomicUpdates: boolean;
}

async function serverInfo(client: MongoClient): Promise<MongoServerInfo> {
  const info = await client.db('admin').command({ buildInfo: 1 });
  if (typeof info.ferretdbVersion === 'string') {
    const version = info.ferretdbVersion.replace(/^v/, '');
    return { product: 'FerretDB', version, atomicUpdates: Number.parseInt(version, 10) >= 2 };
  }
  return { product: 'MongoDB', version: String(info.version), atomicUpdates: true };
}

/** The MongoDB store (official driver), used when MONGODB_URI is set. Indexes are created at start. */
export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  readonly people: MongoPeople;
  readonly roles: MongoRoles;
  readonly ideas: MongoIdeas;
  readonly drafts: MongoDrafts;
  readonly outbox: MongoOutbox;
  readonly broadcasts: MongoBroadcasts;
  readonly events: MongoEvents;
  readonly jobs: MongoJobs;
  readonly requests: MongoRequests;
  readonly conversations: MongoConversations;
  readonly instances: MongoInstances;
  readonly preferences: MongoPreferences;
  readonly follows: MongoFollows;
  readonly axisUpdates: MongoAxisUpdates;
  readonly consultations: MongoConsultations;
  readonly engagements: MongoEngagements;
  readonly privacy: MongoPrivacy;
  readonly communities: MongoCommunities;
  readonly audit: MongoAudit;
  /** Tests only: where a writer can be stopped (see crash-points.ts). */
  readonly crashPoints = new CrashPoints();
  private readonly sightings: Sightings;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    readonly server: MongoServerInfo,
    serial: Serializer,
  ) {
    this.people = new MongoPeople(db.collection<PersonDoc>('people'), serial);
    this.roles = new MongoRoles(db.collection<RoleDoc>('role_assignments'));
    this.ideas = new MongoIdeas(db, serial, this.crashPoints);
    this.drafts = new MongoDrafts(db);
    this.outbox = new MongoOutbox(db, serial);
    this.broadcasts = new MongoBroadcasts(db, serial);
    this.events = new MongoEvents(db, serial, (plan) => writeJobPlan(this.jobs, this.outbox, plan), this.crashPoints);
    this.jobs = new MongoJobs(db, serial);
    this.requests = new MongoRequests(db, serial);
    this.conversations = new MongoConversations(db);
    this.instances = new MongoInstances(db);
    this.preferences = new MongoPreferences(db);
    this.follows = new MongoFollows(db);
    this.axisUpdates = new MongoAxisUpdates(db, serial);
    this.consultations = new MongoConsultations(db, serial);
    this.engagements = new MongoEngagements(db, serial);
    this.privacy = new MongoPrivacy(db);
    this.communities = new MongoCommunities(db, serial);
    this.audit = new MongoAudit(db, serial);
    this.sightings = new Sightings(serial.exclusive);
  }

  /**
   * Connects, and creates the indexes. `dbName` defaults to the one in the URI, else "ensemble".
   * `testing.withoutLocks`: tests only, the store runs as on a server with atomic updates (no locks), to
   * try what only MongoDB would run, on a server used one writer at a time.
   */
  static async connect(uri: string, dbName?: string, testing?: { withoutLocks?: boolean }): Promise<MongoStore> {
    const client = new MongoClient(uri, { appName: 'ensemble', serverSelectionTimeoutMS: 10_000, ignoreUndefined: true });
    await client.connect();
    try {
      const db = client.db(dbName ?? (client.options.dbName && client.options.dbName !== 'test' ? client.options.dbName : 'ensemble'));
      const server = await serverInfo(client);
      await MongoPeople.indexes(db.collection<PersonDoc>('people'));
      await MongoRoles.indexes(db.collection<RoleDoc>('role_assignments'));
      await MongoIdeas.indexes(db);
      await MongoDrafts.indexes(db);
      await MongoOutbox.indexes(db);
      await MongoBroadcasts.indexes(db);
      await MongoEvents.indexes(db);
      await MongoJobs.indexes(db);
      await MongoRequests.indexes(db);
      await MongoInstances.indexes(db);
      await MongoFollows.indexes(db);
      await MongoAxisUpdates.indexes(db);
      await MongoConsultations.indexes(db);
      await MongoEngagements.indexes(db);
      await createIndexes(db.collection('people'), [{ key: { lastSeenAt: 1 }, name: 'people_last_seen' }]);
      await createIndexes(db.collection('outbox'), [{ key: { payloadHash: 1 }, name: 'outbox_payload' }]);
      await MongoCommunities.indexes(db);
      await MongoAudit.indexes(db);
      const serial = server.atomicUpdates || testing?.withoutLocks ? Serializer.none() : await Serializer.locking(db);
      return new MongoStore(client, db, server, serial);
    } catch (e) {
      await client.close(); // a store that failed to start leaves no connection open
      throw e;
    }
  }

  async installationId(): Promise<string> {
    const meta = this.db.collection<{ _id: string; value: string }>('store_meta');
    await meta.updateOne({ _id: 'installation' }, { $setOnInsert: { value: randomUUID() } }, { upsert: true }).catch((e: { code?: number }) => {
      if (e.code !== 11000) throw e; // another instance made it at the same moment
    });
    const doc = await meta.findOne({ _id: 'installation' });
    if (!doc) throw new Error('MongoDB store: no installation id');
    return doc.value;
  }

  /**
   * No transactions here (FerretDB, or MongoDB without a replica set): a writer that stops between two steps
   * leaves them half-made; this pass puts them right (events.ts, ideas.ts). Where the store runs its writes
   * under its locks, at once; on MongoDB, what two passes in a row saw the same.
   */
  async reconcile(at: Date, promotions: (event: ProgrammeEvent, promoted: string[]) => JobPlan): Promise<RepairReport> {
    this.sightings.begin();
    const events = await this.events.repair(at, this.sightings, promotions);
    const ideas = await this.ideas.repair(this.sightings);
    return { ...events, ideas };
  }

  async health(): Promise<StoreHealth> {
    try {
      // a tiny write: a server that reads but cannot write (full disk, lost primary) is not ready
      await this.db.collection<{ _id: string; at: Date }>('store_meta').updateOne({ _id: 'health' }, { $set: { at: new Date() } }, { upsert: true });
      return { ok: true, kind: 'mongodb', detail: this.db.databaseName };
    } catch (e) {
      return { ok: false, kind: 'mongodb', detail: (e as Error).message };
    }
  }

  /** The database itself, for operator tools that write documents in the store's shapes (npm run migrate). */
  get database(): Db {
    return this.db;
  }

  /** Tests only: removes the database. */
  async drop(): Promise<void> {
    await this.db.dropDatabase();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
