import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { RepairReport, Store, StoreHealth } from '../../domain/ports';
import { CrashPoints } from '../crash-points';
import { openDatabase, schemaVersion } from './database';
import { SqliteAudit } from './audit';
import { SqliteAxisUpdates, SqliteFollows } from './axes';
import { SqliteBroadcasts } from './broadcasts';
import { SqliteCommunities } from './communities';
import { SqliteConsultations } from './consultations';
import { SqliteEngagements } from './engagements';
import { SqlitePrivacy } from './privacy';
import { SqliteDrafts } from './drafts';
import { SqliteEvents } from './events';
import { SqliteJobs } from './jobs';
import { SqliteOutbox } from './outbox';
import { SqliteIdeas } from './ideas';
import { SqlitePeople } from './people';
import { SqlitePreferences } from './preferences';
import { SqliteConversations } from './conversations';
import { SqliteInstances } from './instances';
import { SqliteRequests } from './requests';
import { SqliteRoles } from './roles';

/** The embedded store: one SQLite file under DATA_DIR, through Node's built-in node:sqlite. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly people: SqlitePeople;
  readonly roles: SqliteRoles;
  readonly ideas: SqliteIdeas;
  readonly drafts: SqliteDrafts;
  readonly outbox: SqliteOutbox;
  readonly broadcasts: SqliteBroadcasts;
  readonly events: SqliteEvents;
  readonly jobs: SqliteJobs;
  readonly requests: SqliteRequests;
  readonly conversations: SqliteConversations;
  readonly instances: SqliteInstances;
  readonly preferences: SqlitePreferences;
  readonly follows: SqliteFollows;
  readonly axisUpdates: SqliteAxisUpdates;
  readonly consultations: SqliteConsultations;
  readonly engagements: SqliteEngagements;
  readonly privacy: SqlitePrivacy;
  readonly communities: SqliteCommunities;
  readonly audit: SqliteAudit;
  /** Tests only: where a writer can be stopped (see crash-points.ts). */
  readonly crashPoints = new CrashPoints();
  private closed = false;

  private constructor(private readonly db: DatabaseSync) {
    this.people = new SqlitePeople(db);
    this.roles = new SqliteRoles(db);
    this.ideas = new SqliteIdeas(db, this.crashPoints);
    this.drafts = new SqliteDrafts(db);
    this.outbox = new SqliteOutbox(db);
    this.broadcasts = new SqliteBroadcasts(db);
    this.events = new SqliteEvents(db, this.crashPoints);
    this.jobs = new SqliteJobs(db);
    this.requests = new SqliteRequests(db);
    this.conversations = new SqliteConversations(db);
    this.instances = new SqliteInstances(db);
    this.preferences = new SqlitePreferences(db);
    this.follows = new SqliteFollows(db);
    this.axisUpdates = new SqliteAxisUpdates(db);
    this.consultations = new SqliteConsultations(db);
    this.engagements = new SqliteEngagements(db);
    this.privacy = new SqlitePrivacy(db);
    this.communities = new SqliteCommunities(db);
    this.audit = new SqliteAudit(db);
  }

  static open(dataDir: string): SqliteStore {
    return new SqliteStore(openDatabase(dataDir));
  }

  async installationId(): Promise<string> {
    this.db.prepare("INSERT OR IGNORE INTO store_meta (key, value) VALUES ('installation', ?)").run(randomUUID());
    return (this.db.prepare("SELECT value FROM store_meta WHERE key = 'installation'").get() as { value: string }).value;
  }

  /**
   * Each change and its counters, rows and job plan share one transaction here, and the event counters are
   * counted from the registrations when read: a stopped writer leaves nothing half-made. The support counts
   * are recounted all the same (one statement), so that the same pass runs on both stores.
   */
  async reconcile(): Promise<RepairReport> {
    return { events: 0, registrations: 0, promoted: 0, ideas: this.ideas.recountAll(), plans: 0 };
  }

  async health(): Promise<StoreHealth> {
    if (this.closed) return { ok: false, kind: 'sqlite', detail: 'closed' };
    try {
      // a tiny write: a full disk or a read-only file fails here, not only at the next person's click
      this.db.prepare("INSERT INTO store_meta (key, value) VALUES ('health', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(new Date().toISOString());
      return { ok: true, kind: 'sqlite', detail: `schema v${schemaVersion(this.db)}` };
    } catch (e) {
      return { ok: false, kind: 'sqlite', detail: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
