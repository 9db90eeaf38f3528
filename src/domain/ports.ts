import type { Answer, Consultation, ConsultationState, NewConsultation, RegisterRow, ResponseGroups, SaveOutcome, StoredAnswer, StoredResponse } from './consultations';
import type { AuditEntry, NewAuditEntry } from './audit';
import type { AxisQuestion, AxisUpdate, AxisUpdatePatch, AxisUpdatePost, NewAxisUpdate, PersonFollows } from './axes';
import type { Acknowledged, Broadcast, NewBroadcast, ReadingFigures } from './broadcasts';
import type { Lane, NewOutboxMessage, OutboxDepth, OutboxMessage, OutboxReport } from './delivery';
import type { EventFeedback, EventPatch, JobPlan, NewEvent, NewJob, ProgrammeEvent, Registration, RegistrationState, ScheduledJob } from './events';
import type { Community, Membership, NewCommunity, ProgressStage, StageStep, TrainingOffer } from './communities';
import type { Engagement, EngagementState, EngagementStep, EngagementTransition, NewEngagement } from './engagement';
import type { Idea, IdeaQuery, IdeaStatus, NewIdea } from './ideas';
import type { Contact, Person, Platform } from './people';
import type { Preferences } from './preferences';
import type { ErasureReport, ErasureRequest, PersonData, RetentionReport, RetentionSettings } from './privacy';
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
  /** `limit` people after the id `after` (null: from the first), by id ascending: everyone, a page at a time. */
  page(after: string | null, limit: number): Promise<Person[]>;
  /**
   * The person left the platform (uninstalled the app, deactivated, revoked): nothing more is queued for them
   * until they write to the bot again (`record` clears the mark). false: no such person.
   */
  markUnreachable(id: string, reason: string, at: Date): Promise<boolean>;
  /** Every person of a Slack workspace or a Teams tenant marked unreachable at once; returns their ids. */
  markTenantUnreachable(platform: Platform, tenant: string, reason: string, at: Date): Promise<string[]>;
}

/**
 * The audit trail (src/domain/audit.ts): append-only. Nothing changes an entry but `replaceActor` (erasure)
 * and nothing removes one but `purge` (the programme's audit duration).
 */
export interface AuditRepository {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first: `limit` entries older than the cursor `before` (an entry's `seq`), or the latest. */
  list(query: { before?: number; limit: number }): Promise<AuditEntry[]>;
  /** Entries at `at` or later (every entry when absent), oldest first (exports). */
  since(at?: Date): Promise<AuditEntry[]>;
  /** Removes the entries older than `before`; returns how many. */
  purge(before: Date): Promise<number>;
  /**
   * An erased person's entries name a pseudonym instead, as the actor and as the subject (`person:<id>` becomes
   * `person:<pseudonym>`); returns how many entries changed.
   */
  replaceActor(personId: string, pseudonym: string): Promise<number>;
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

/** What a repair pass put right (all zero on a consistent store). */
export interface RepairReport {
  /** Events whose counters (registered, waiting) were recounted from their registrations. */
  events: number;
  /** Registrations left half-made (neither a place nor the waiting list): now waiting, or given a place. */
  registrations: number;
  /** People given a place that was free (a stopped writer freed it, or never took it): they are told. */
  promoted: number;
  /** Ideas whose support count was recounted from their supports. */
  ideas: number;
  /** Job plans of changes written again (their writer stopped before writing them all). */
  plans: number;
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
  events: EventRepository;
  jobs: JobRepository;
  requests: RequestRepository;
  conversations: ConversationRepository;
  instances: InstanceRepository;
  preferences: PreferencesRepository;
  follows: FollowRepository;
  axisUpdates: AxisUpdateRepository;
  consultations: ConsultationRepository;
  communities: CommunityRepository;
  engagements: EngagementRepository;
  privacy: PrivacyRepository;
  audit: AuditRepository;
  /** This installation's own id, made once and kept by the store (calendar entries carry it). */
  installationId(): Promise<string>;
  /**
   * The repair pass: puts right what a writer that stopped between two steps left behind (a store
   * without transactions): counters recounted from their rows, half-made registrations settled, places
   * freed meanwhile given (their holders told through `promotions`), job plans written again. Idempotent:
   * a pass over a consistent store changes nothing. A store that writes each change in one transaction
   * has little to do here.
   */
  reconcile(at: Date, promotions: (event: ProgrammeEvent, promoted: string[]) => JobPlan): Promise<RepairReport>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** The time, injected: tests drive it. */
export interface Clock {
  now(): Date;
}

/** Which platform a channel id belongs to: each platform knows the shape of its own ids. */
export interface ChannelIds {
  platformOf(channel: string): Platform | undefined;
}

/** Ideas. Supports are kept with them so that counts and merges stay exact. */
export interface IdeaRepository {
  create(idea: NewIdea): Promise<Idea>;
  get(id: number): Promise<Idea | null>;
  /** Visible ideas only (not hidden, not merged). */
  list(query: IdeaQuery): Promise<{ items: Idea[]; total: number }>;
  /** Every idea, hidden and merged included, oldest first (exports). */
  all(): Promise<Idea[]>;
  /** Visible ideas created or answered (status set) at `since` or later, newest first (digests). */
  since(since: Date): Promise<Idea[]>;
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
   * Claims up to `limit` pending messages of `lane` (default bulk) due at `now` that nobody holds (or
   * whose lease expired), for `owner` until `now + leaseMs`, earliest due first. Two callers never get
   * the same message while a lease runs. A message taken from a lease that had run out has `takenOver`.
   */
  claim(owner: string, now: Date, limit: number, leaseMs: number, lane?: Lane): Promise<OutboxMessage[]>;
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
  /** Cancels what is still pending for a person (they left the platform), recording `reason`; returns how many. */
  cancelForPerson(personId: string, reason: string): Promise<number>;
  /** Cancels what is still pending for every person of a workspace or tenant, recording `reason`; returns how many. */
  cancelForTenant(platform: Platform, tenant: string, reason: string): Promise<number>;
  /** Puts the failed (non-permanent and permanent) messages of a source back to pending; returns how many. */
  retryFailed(source: string, at: Date): Promise<number>;
  /** The earliest due time of pending work of `lane` (default bulk), to sleep until then. */
  nextDue(lane?: Lane): Promise<Date | null>;
  /**
   * The pending messages per lane at `now`, split into free and `leased` (held by a live lease); a count of
   * 0 is left out. Cheap: it reads the pending work only, never the messages done.
   */
  depth(now: Date): Promise<OutboxDepth[]>;
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
  /** « J'ai lu » by a person: recorded once (true the first time, false after). */
  acknowledge(id: number, personId: string, at: Date): Promise<boolean>;
  /** A person followed link `link` of a broadcast: recorded once per person and link (true the first time). */
  recordClick(id: number, personId: string, link: number, at: Date): Promise<boolean>;
  reading(id: number): Promise<ReadingFigures>;
  /** Who acknowledged, in the order they did (for a named acknowledgement's export). */
  acknowledgements(id: number): Promise<Acknowledged[]>;
  /** The secret the links' tokens are signed with: made once, then the same for every instance. */
  linkSecret(): Promise<string>;
}

/**
 * Events, their registrations (with the waiting list) and their feedback. A change may bring a job plan
 * (its reminders, notices, promotions), computed from the event as changed: the store writes it with
 * the change, in one transaction where it has them.
 */
export interface EventRepository {
  create(e: NewEvent, plan?: (event: ProgrammeEvent) => JobPlan): Promise<ProgrammeEvent>;
  get(id: number): Promise<ProgrammeEvent | null>;
  /** Scheduled (not cancelled) events that end after `after`, soonest start first. */
  upcoming(after: Date, limit: number): Promise<ProgrammeEvent[]>;
  /** Events that started before `before`, most recent first (cancelled ones too): organisers' history. */
  past(before: Date, limit: number): Promise<ProgrammeEvent[]>;
  /**
   * Applies a change to a scheduled event and increments its version. Atomically: a capacity below the
   * number of people holding a place is refused ('belowRegistered', nothing changed); a larger capacity
   * promotes people from the waiting list, oldest first (returned). null: no such scheduled event.
   */
  update(
    id: number,
    patch: EventPatch,
    at: Date,
    plan?: (change: { event: ProgrammeEvent; before: ProgrammeEvent; promoted: string[] }) => JobPlan,
  ): Promise<{ event: ProgrammeEvent; promoted: string[] } | 'belowRegistered' | null>;
  /** Scheduled → cancelled; null when there is no such scheduled event. */
  cancel(id: number, reason: string | undefined, at: Date, plan?: (event: ProgrammeEvent) => JobPlan): Promise<ProgrammeEvent | null>;
  /**
   * Registers a person, atomically with the capacity: a place when one is free, else the waiting list.
   * `already`: the person was registered (or waiting) before, nothing changed. `promoted`: other people
   * who got a place on the way (a store without transactions may settle a place freed meanwhile); they
   * must be told. null: no such scheduled event.
   */
  register(
    eventId: number,
    personId: string,
    at: Date,
    plan?: (event: ProgrammeEvent, promoted: string[]) => JobPlan,
  ): Promise<{ state: RegistrationState; already: boolean; promoted?: string[] } | null>;
  /**
   * Withdraws a person. When they held a place and someone waits, the oldest waiting person gets it
   * (returned in `promoted`). `was`: null when the person was not registered.
   */
  unregister(eventId: number, personId: string, plan?: (event: ProgrammeEvent, promoted: string) => JobPlan): Promise<{ was: RegistrationState | null; promoted?: string }>;
  /** Everyone registered or waiting, in registration order. */
  registrations(eventId: number): Promise<Registration[]>;
  /** The person's state for each of these events (absent: not registered). */
  registrationsOf(personId: string, eventIds: number[]): Promise<Map<number, RegistrationState>>;
  /** Records or replaces a person's feedback; true when it is their first. */
  saveFeedback(f: EventFeedback): Promise<boolean>;
  feedback(eventId: number): Promise<EventFeedback[]>;
}

/** Scheduled work (reminders, feedback polls, announcements): due times, states and leases, in the store. */
export interface JobRepository {
  /** Adds jobs; a job whose key exists already is left as it is. Returns how many were added. */
  add(jobs: NewJob[]): Promise<number>;
  /** Claims one pending job due at `now` that nobody holds (or whose lease expired), atomically. */
  claimDue(owner: string, now: Date, leaseMs: number): Promise<ScheduledJob | null>;
  /**
   * Pending → done, only while `owner` still holds it: a job moved or cancelled meanwhile (its lease
   * released) stays as the change left it.
   */
  complete(id: string, owner: string, at: Date): Promise<boolean>;
  /** Every job about `ref`, whatever its state. */
  forRef(ref: string): Promise<ScheduledJob[]>;
  /** Moves a job that is not done to `dueAt`, pending again (also a cancelled one); false when done or absent. */
  reschedule(id: string, dueAt: Date): Promise<boolean>;
  /** Cancels a pending job; false when it was not pending. */
  cancel(id: string): Promise<boolean>;
  /** Cancels every pending job about `ref`; returns how many. */
  cancelRef(ref: string): Promise<number>;
  nextDue(): Promise<Date | null>;
}

/**
 * A running instance of the bot, as it last said (every second or so): the instances of one deployment
 * share the platforms' ceilings through these beats (see delivery/share.ts).
 */
export interface InstanceBeat {
  owner: string;
  /** When it last said so (its clock). */
  seenAt: Date;
  /** It is sending bulk work (broadcasts, reminders), or about to. */
  busy: boolean;
  /** Busy: when it starts (or started) sending; others make room for it just before. */
  startsAt: Date | null;
}

export interface InstanceRepository {
  /** Records an instance's beat (creates or replaces it). */
  beat(beat: InstanceBeat): Promise<void>;
  /** The instances heard from at `since` or later. */
  live(since: Date): Promise<InstanceBeat[]>;
  /** An instance that stops says so; beats older than `before` are forgotten too. */
  leave(owner: string, before: Date): Promise<void>;
}

/** Requests already handled, kept a short while: a replayed or retried request is not run twice. */
export interface RequestRepository {
  /**
   * Admits a request: true when it was never seen, or when an earlier attempt at it was admitted before
   * `staleBefore` and never finished (its process died before answering). Exact under concurrency: of
   * two identical requests at once, one is admitted.
   */
  admit(key: string, at: Date, staleBefore: Date): Promise<boolean>;
  /** The request was answered: a repeat is acknowledged without running. */
  done(key: string): Promise<void>;
  /** Forgets the requests admitted before `before`; returns how many. */
  purge(before: Date): Promise<number>;
}

/**
 * Where the bot can post in a team's channel or a group chat (Teams): the Bot Connector's address for it,
 * learnt when the bot is added to the team and from every activity there.
 */
export interface ConversationRef {
  platform: Platform;
  /** The channel's or chat's conversation id (`19:…@thread.tacv2`). */
  id: string;
  serviceUrl: string;
  tenantId: string;
  /** The team the channel belongs to (its general channel has the team's id). */
  teamId?: string;
  name?: string;
}

export interface ConversationRepository {
  /** Records or refreshes a conversation; fields absent keep their stored value. */
  record(ref: ConversationRef, at: Date): Promise<void>;
  get(platform: Platform, id: string): Promise<ConversationRef | null>;
}

/** Who follows which axis (one row per person and axis). */
export interface FollowRepository {
  /** true when the person did not follow the axis before. */
  follow(personId: string, axisId: string, at: Date): Promise<boolean>;
  /** true when the person followed the axis. */
  unfollow(personId: string, axisId: string): Promise<boolean>;
  axesOf(personId: string): Promise<string[]>;
  /** Person ids, in the order they followed. */
  followers(axisId: string): Promise<string[]>;
  /** Followers per axis id (axes nobody follows are absent). */
  counts(): Promise<Map<string, number>>;
  /** Everyone who follows something, by person id ascending, `limit` people after `after` (digests, in pages). */
  page(after: string | null, limit: number): Promise<PersonFollows[]>;
}

/** Pilots' updates, with their reactions. */
export interface AxisUpdateRepository {
  create(u: NewAxisUpdate): Promise<AxisUpdate>;
  get(id: number): Promise<AxisUpdate | null>;
  /** Newest first. */
  history(axisId: string, limit: number): Promise<AxisUpdate[]>;
  /** Every update (all axes) created at `since` or later, newest first (digests). */
  since(since: Date): Promise<AxisUpdate[]>;
  /** A correction: the fields given change, `editedAt` is set; null when there is no such update. */
  edit(id: number, patch: AxisUpdatePatch, at: Date): Promise<AxisUpdate | null>;
  /** When an update of this axis last reached its followers (null: never). */
  lastReached(axisId: string): Promise<Date | null>;
  /** A 👏, one per person: `added` false when the person had already reacted; `count` is the exact count after. null: no such update. */
  react(updateId: number, personId: string, at: Date): Promise<{ added: boolean; count: number } | null>;
  ask(updateId: number, askerId: string, text: string, at: Date): Promise<AxisQuestion>;
  question(id: number): Promise<AxisQuestion | null>;
  /** Records the answer; null when there is no such question. A second answer replaces the first. */
  answer(id: number, text: string, by: string, at: Date): Promise<AxisQuestion | null>;
  /** Oldest first. */
  questions(updateId: number): Promise<AxisQuestion[]>;
  /** Records where an update was posted in a channel (replaces the same update's post in the same channel). */
  recordPost(post: AxisUpdatePost): Promise<void>;
  posts(updateId: number): Promise<AxisUpdatePost[]>;
}

/** Each person's preferences; a person without a row has the defaults. */
export interface PreferencesRepository {
  get(personId: string): Promise<Preferences | null>;
  save(personId: string, prefs: Preferences, at: Date): Promise<void>;
  /** The stored preferences of these people (people without a row are absent). */
  many(personIds: string[]): Promise<Map<string, Preferences>>;
}

/**
 * Consultations, their register (who was asked, who answered) and their answers, kept apart: an answer
 * row holds an opaque response id and a day, never a person id. The register row holds the link to the
 * response id while the person answers an anonymous consultation (dropped when they submit), and always
 * for a named one. One answer per person: exact under concurrency on both stores.
 */
export interface ConsultationRepository {
  create(c: NewConsultation): Promise<Consultation>;
  get(id: number): Promise<Consultation | null>;
  /** Most recent first. */
  list(limit: number): Promise<Consultation[]>;
  /** Moves a consultation from one of `from` to `to` (with the dates, when given); null when it was in none of them. */
  setState(
    id: number,
    from: ConsultationState[],
    to: ConsultationState,
    patch?: Partial<Pick<Consultation, 'opensAt' | 'closesAt' | 'audience' | 'results'>>,
  ): Promise<Consultation | null>;
  /** Adds these people to the register (invited); those already there stay as they are. Returns how many were added. */
  invite(id: number, personIds: string[]): Promise<number>;
  registerOf(id: number, personId: string): Promise<RegisterRow | null>;
  /** People asked who have not submitted, by person id. */
  pending(id: number): Promise<string[]>;
  /** Who was asked, who started, who submitted. */
  figures(id: number): Promise<{ reached: number; started: number; done: number }>;
  /**
   * Saves a person's answers of one page (replacing their earlier answers to the same questions), and with
   * `submit` records their response as done, atomically. `already`: they had submitted (an anonymous
   * consultation's answers cannot change after that: the link is gone). `notInvited`: not in the register.
   */
  saveAnswers(
    id: number,
    personId: string,
    answers: Answer[],
    options: { anonymous: boolean; page: number; day: string; submit?: { groups: ResponseGroups } },
  ): Promise<SaveOutcome>;
  /** The person's answers while the link exists (resuming, or a named consultation). */
  answersOf(id: number, personId: string): Promise<Answer[]>;
  /** Submitted responses (day and coarse groups). */
  responses(id: number): Promise<StoredResponse[]>;
  /** How many answer rows hold each value of one question (a poll's live count: its answers are submitted as they are written). */
  tally(id: number, question: string): Promise<Array<{ value: string; count: number }>>;
  /** Every answer row (of submitted and unfinished responses). */
  answers(id: number): Promise<StoredAnswer[]>;
  /** The register rows of a person and, for named consultations only, their answers. */
  dataOf(personId: string): Promise<Record<string, unknown>>;
  /** Deletes the person's register rows, their named answers and their unfinished anonymous answers; submitted anonymous answers stay (they hold nothing of the person). */
  forget(personId: string): Promise<void>;
}

/**
 * Ambassadors' and équipiers' engagements (src/domain/engagement.ts). A person holds at most one open
 * engagement (pending or active), plus at most one renewal request of it: `create` refuses another with
 * null, race-safe. Transitions are compare-and-set on the state, and each is kept in the history.
 */
export interface EngagementRepository {
  /** The new request, in `pending_manager`; null when the person already holds one (or a renewal). */
  create(request: NewEngagement, at: Date): Promise<Engagement | null>;
  get(id: number): Promise<Engagement | null>;
  /** Applies the change only if the state is still one of `from`; null otherwise (nothing changed). */
  transition(id: number, change: EngagementTransition): Promise<Engagement | null>;
  /** The person's engagements, newest first. */
  forPerson(personId: string): Promise<Engagement[]>;
  /** Engagements whose manager is this person, newest first. */
  managedBy(personId: string): Promise<Engagement[]>;
  /** All engagements, or those in these states, newest first. */
  list(states?: readonly EngagementState[]): Promise<Engagement[]>;
  history(id: number): Promise<EngagementStep[]>;
  /** Everything held about the person, as the agent or as the manager (« mes données »). */
  dataOf(personId: string): Promise<Record<string, unknown>>;
  /** Removes the person's free text (motivation, project, evaluation) and unlinks them as a manager. */
  forget(personId: string): Promise<void>;
}

/**
 * A person's data across the whole store (« mes données », erasure) and the retention of what the store
 * keeps. It reads every table or collection, those added later included: nothing about a person is left out.
 */
export interface PrivacyRepository {
  /** Every row that mentions the person (their id, or one of `also`: e-mail, platform user id), by table; outbox rows with their payload. */
  dataOf(personId: string, also: string[]): Promise<PersonData>;
  /**
   * Erases a person, in one transaction where the store has them: their profile, preferences, drafts,
   * follows and role decisions deleted; their pending messages and jobs cancelled; their ideas deleted
   * when asked (the caller runs the engagements' and consultations' own `forget` first); then, in every row of every table, their id
   * replaced by the pseudonym and the identifying words by the replacement. Counts per table.
   */
  erase(request: ErasureRequest): Promise<ErasureReport>;
  /** People last seen before `before`, least recently seen first (then by id), `limit` after the person `after`. */
  inactive(before: Date, limit: number, after?: Pick<Person, 'id' | 'lastSeenAt'>): Promise<Person[]>;
  /** Removes what is past its retention at `at` (counts only). */
  purge(at: Date, retention: RetentionSettings): Promise<RetentionReport>;
}

/**
 * Communities (src/domain/communities.ts): the programme's, seeded by id at start, and those organisers add
 * in chat; their members (join and leave are idempotent, exact under concurrency), a progress group's stage
 * (compare-and-set, with its history) and the training offers of « Je peux former sur… ».
 */
export interface CommunityRepository {
  /**
   * The programme file's communities, merged by id: a new id is added, an existing one takes the file's
   * name, kind, description, channel (and problem when given); its members and stage stay. Returns how many were added.
   */
  seed(communities: NewCommunity[], at: Date): Promise<number>;
  /** A community created in chat; null when its id is taken (nothing changed). A progress group starts at `analyse`. */
  create(c: NewCommunity, at: Date): Promise<Community | null>;
  get(id: string): Promise<Community | null>;
  /** Every community, in the order they were added. */
  list(): Promise<Community[]>;
  /** true when the person was not a member before. null: no such community. */
  join(communityId: string, personId: string, at: Date): Promise<boolean | null>;
  /** true when the person was a member. */
  leave(communityId: string, personId: string): Promise<boolean>;
  /** Person ids, in the order they joined. */
  members(communityId: string): Promise<string[]>;
  /** Members per community id (communities without members are absent). */
  counts(): Promise<Map<string, number>>;
  /** The ids of the communities the person is a member of. */
  communitiesOf(personId: string): Promise<string[]>;
  /** A progress group's stage, only if it is still `from`; null otherwise (nothing changed). */
  setStage(id: string, from: ProgressStage, to: ProgressStage, by: string, at: Date): Promise<Community | null>;
  /** A progress group's stages, oldest first. */
  stages(id: string): Promise<StageStep[]>;
  addOffer(personId: string, subject: string, at: Date): Promise<TrainingOffer>;
  /** Newest first. */
  offers(limit: number): Promise<TrainingOffer[]>;
  /** The person's memberships and training offers (« mes données »). */
  dataOf(personId: string): Promise<{ memberships: Membership[]; offers: TrainingOffer[] }>;
  /** Deletes the person's memberships and training offers. */
  forget(personId: string): Promise<void>;
}
