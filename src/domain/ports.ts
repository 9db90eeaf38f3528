import type { Broadcast, NewBroadcast } from './broadcasts';
import type { NewOutboxMessage, OutboxMessage, OutboxReport } from './delivery';
import type { Idea, IdeaQuery, IdeaStatus, NewIdea } from './ideas';
import type { Contact, Person } from './people';
import type { RoleAssignment } from './roles';

/** People, once per platform identity. */
export interface PeopleRepository {
  /** Creates or refreshes a person; fields absent from the contact keep their stored value. */
  record(contact: Contact, at: Date): Promise<Person>;
  get(id: string): Promise<Person | null>;
  findByEmail(email: string): Promise<Person[]>;
  /** Teams only: the person behind a Teams user id ("29:…"), e.g. from a mention. */
  findByTeamsUserId(teamsUserId: string): Promise<Person | null>;
  count(): Promise<number>;
  /** Everyone known to the bot (broadcasts to everyone). */
  all(): Promise<Person[]>;
}

/** Role decisions taken in chat (grants and revocations). */
export interface RoleRepository {
  /** Records a decision; the latest per (subject, role, axis) is the one in force. */
  save(assignment: RoleAssignment): Promise<void>;
  forSubjects(subjects: string[]): Promise<RoleAssignment[]>;
  all(): Promise<RoleAssignment[]>;
}

export interface StoreHealth {
  ok: boolean;
  kind: 'sqlite' | 'mongodb';
  detail?: string;
}

/** Everything the domain keeps. One port, two implementations (embedded SQLite, MongoDB). */
export interface Store {
  readonly kind: 'sqlite' | 'mongodb';
  people: PeopleRepository;
  roles: RoleRepository;
  ideas: IdeaRepository;
  drafts: DraftRepository;
  outbox: OutboxRepository;
  broadcasts: BroadcastRepository;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** The time, injected: tests drive it. */
export interface Clock {
  now(): Date;
}


/** Ideas. Supports are kept with them so that counts and merges stay exact. */
export interface IdeaRepository {
  create(idea: NewIdea): Promise<Idea>;
  get(id: number): Promise<Idea | null>;
  /** Visible ideas only (not hidden, not merged). */
  list(query: IdeaQuery): Promise<{ items: Idea[]; total: number }>;
  /** Every idea, hidden and merged included, oldest first (exports). */
  all(): Promise<Idea[]>;
  setStatus(id: number, status: IdeaStatus, answer: string | undefined, by: string, at: Date): Promise<Idea>;
  hide(id: number, reason: string, by: string, at: Date): Promise<Idea>;
  /** Moves the supports of `fromId` to `intoId` (a person who supported both counts once) and marks `fromId` merged. */
  merge(fromId: number, intoId: number, at: Date): Promise<{ from: Idea; into: Idea }>;

  /** Adds a support; false when this person already supports the idea. Exact under concurrency. */
  addSupport(ideaId: number, personId: string, at: Date): Promise<boolean>;
  /** Withdraws a support; false when there was none. */
  removeSupport(ideaId: number, personId: string): Promise<boolean>;
  supporters(ideaId: number): Promise<string[]>;
  /** Which of these ideas the person supports. */
  supportedBy(personId: string, ideaIds: number[]): Promise<Set<number>>;
}

/** Short-lived texts waiting for a choice (e.g. a quick idea waiting for its axis): nothing typed is lost. */
export interface DraftRepository {
  save(personId: string, payload: string, at: Date): Promise<string>;
  /** Returns and deletes the draft, only for its owner. */
  take(id: string, personId: string): Promise<string | null>;
}

/** The durable outbox: every message is stored before it is sent. Claims are atomic across processes. */
export interface OutboxRepository {
  /** Queues messages; a message whose key is already queued is ignored. Returns how many were added. */
  enqueue(messages: NewOutboxMessage[], at: Date): Promise<number>;
  /**
   * Claims up to `limit` pending messages due at `now` that nobody holds (or whose lease expired),
   * for `owner` until `now + leaseMs`. Two callers never get the same message while a lease runs.
   */
  claim(owner: string, now: Date, limit: number, leaseMs: number): Promise<OutboxMessage[]>;
  /**
   * Records a successful send, whoever holds the lease now (a send that happened is never redone), and
   * even if the message was cancelled while its owner was sending it.
   */
  markSent(id: string, owner: string, at: Date): Promise<void>;
  /** Records a failure: permanent ones are final; others come back at `retryAt`. */
  markFailed(id: string, owner: string, failure: { reason: string; permanent: boolean; retryAt?: Date }): Promise<void>;
  /** Gives a claimed message back, due at `dueAt` (e.g. rate limited before sending). */
  release(id: string, owner: string, dueAt: Date): Promise<void>;
  report(source: string): Promise<OutboxReport>;
  /** Cancels what is still pending for a source; returns how many. */
  cancelPending(source: string): Promise<number>;
  /** Puts the failed (non-permanent and permanent) messages of a source back to pending; returns how many. */
  retryFailed(source: string, at: Date): Promise<number>;
  /** The earliest due time of pending work, to sleep until then. */
  nextDue(): Promise<Date | null>;
}

export interface BroadcastRepository {
  create(b: NewBroadcast, state: 'draft' | 'scheduled', nextRunAt: Date | undefined): Promise<Broadcast>;
  get(id: number): Promise<Broadcast | null>;
  /** Most recent first. */
  list(limit: number): Promise<Broadcast[]>;
  /** Draft → scheduled (confirmation by the organiser). */
  schedule(id: number, nextRunAt: Date): Promise<Broadcast | null>;
  cancel(id: number): Promise<Broadcast | null>;
  /** Claims one broadcast whose run is due, atomically (one instance runs it). */
  claimDue(owner: string, now: Date, leaseMs: number): Promise<Broadcast | null>;
  /** Records a queued run: next run time (recurring) or done. Releases the lease. */
  completeRun(id: number, owner: string, at: Date, nextRunAt: Date | undefined): Promise<Broadcast>;
}
