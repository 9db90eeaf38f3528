import type { BroadcastService, Recipient } from './broadcast-service';
import { DomainError, FieldError, zodFieldError } from './errors';
import {
  EVENT_CAPACITY_MAX,
  EVENT_DESCRIPTION_MAX,
  EVENT_PLACE_MAX,
  EVENT_TITLE_MAX,
  RESULTS_DELAY_MS,
  FEEDBACK_COMMENT_MAX,
  eventInputSchema,
  eventRef,
  eventSources,
  isWorkshop,
  type EventInput,
  type EventPatch,
  type JobKind,
  type JobPlan,
  type FeedbackSummary,
  type NewEvent,
  type NewJob,
  type ProgrammeEvent,
  type Registration,
  type RegistrationState,
} from './events';
import { looksLikeJson } from './ideas';
import type { Person } from './people';
import type { Actor } from './people-service';
import type { Clock, RepairReport, Store } from './ports';
import { findAxis, type Programme } from './programme';
import { isOrganiser } from './roles';
import { beforeZoned, zonedDateTime } from './time';

/** Jobs planned for an event's times: moved with it. */
const TIMED_JOBS: JobKind[] = ['event.reminder', 'event.feedback', 'event.results'];
/** How many upcoming events the sweep looks at. */
const REPLAN_LIMIT = 10_000;

function timesMoved(a: Pick<ProgrammeEvent, 'startsAt' | 'endsAt'>, b: Pick<ProgrammeEvent, 'startsAt' | 'endsAt'>): boolean {
  return a.startsAt.getTime() !== b.startsAt.getTime() || a.endsAt.getTime() !== b.endsAt.getTime();
}

/** What registrants are told of: the date, time, place or link changed. */
function placeMoved(a: ProgrammeEvent, b: ProgrammeEvent): boolean {
  return timesMoved(a, b) || (a.place ?? '') !== (b.place ?? '') || (a.link ?? '') !== (b.link ?? '');
}

/** What a reconciliation put right: the store's repairs, and the jobs planned again by the sweep. */
export interface Reconciliation extends RepairReport {
  /** Reminders, polls and results a scheduled event was missing. */
  jobs: number;
}

/** The checked fields of an event form. */
type EventFields = Omit<NewEvent, 'createdBy' | 'createdAt'>;

export interface EventChange {
  before: ProgrammeEvent;
  event: ProgrammeEvent;
  /** The date, time or place moved: registrants are told. */
  moved: boolean;
  /** People who got a place because the capacity grew. */
  promoted: Person[];
}

/**
 * Workshop days and OFF events: organisers create, change and cancel them; everyone registers in one
 * click (a waiting list when full, with automatic promotion); reminders and the feedback poll are
 * scheduled as jobs in the store.
 */
export class EventsService {
  constructor(
    private readonly store: Store,
    private readonly programme: Programme,
    private readonly broadcasts: BroadcastService,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  /** Organisers create, change and cancel events, and see their registrants and feedback. */
  canManage(actor: Actor): boolean {
    return isOrganiser(actor.roles);
  }

  checkOrganiser(actor: Actor): void {
    if (!this.canManage(actor)) throw new DomainError('event.organiserOnly');
  }

  /** An event an organiser may still change: neither cancelled nor over. */
  async forEdit(actor: Actor, id: number): Promise<ProgrammeEvent> {
    this.checkOrganiser(actor);
    const event = await this.get(id);
    if (event.state === 'cancelled') throw new DomainError('event.cancelled', { title: event.title });
    if (event.endsAt.getTime() <= this.clock.now().getTime()) throw new DomainError('event.ended', { title: event.title });
    return event;
  }

  /** Checks a form; throws a DomainError naming the first bad field. */
  parse(input: EventInput): EventFields {
    const parsed = eventInputSchema.safeParse(input);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message;
      if (message === 'axis.unknown') throw this.unknownAxis(String(input.axis));
      if (message === 'audience.unknown') throw new FieldError('broadcast.audience.unknown', 'audience', { audience: String(input.audience).slice(0, 80) });
      if (message === 'community.unknown') throw new FieldError('event.community.unknown', 'community', { id: String(input.community).slice(0, 60) });
      throw zodFieldError('event', parsed.error, {
        params: (code) => ({
          max: code.startsWith('title') ? EVENT_TITLE_MAX : code.startsWith('place') ? EVENT_PLACE_MAX : code.startsWith('capacity') ? EVENT_CAPACITY_MAX : EVENT_DESCRIPTION_MAX,
        }),
      });
    }
    const v = parsed.data;
    const startsAt = zonedDateTime(v.startDate, v.startTime, this.timeZone);
    if (!startsAt) throw new FieldError('event.start.invalid', 'startDate');
    const endsAt = zonedDateTime(v.endDate || v.startDate, v.endTime, this.timeZone);
    if (!endsAt) throw new FieldError('event.end.invalid', 'endTime');
    if (endsAt.getTime() <= startsAt.getTime()) throw new FieldError('event.endBeforeStart', 'endTime');
    let link: string | undefined;
    if (v.link) {
      let url: URL | undefined;
      try {
        url = new URL(v.link);
      } catch {
        url = undefined;
      }
      if (!url || !['https:', 'http:'].includes(url.protocol)) throw new FieldError('event.link.invalid', 'link');
      // kept as the parser writes it (escaped, lower-case host): cards and calendar files take it as is
      link = url.href;
    }
    let capacity: number | undefined;
    if (v.capacity) {
      capacity = Number(v.capacity);
      if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > EVENT_CAPACITY_MAX) throw new FieldError('event.capacity.invalid', 'capacity', { max: EVENT_CAPACITY_MAX });
    }
    let axisId: string | undefined;
    if (v.axis) {
      const axis = findAxis(this.programme, v.axis);
      if (!axis) throw this.unknownAxis(v.axis);
      axisId = axis.id;
    }
    const audience = this.broadcasts.parseAudience(v.audience || 'everyone');
    const communityId = v.community && v.community !== 'none' ? v.community : undefined;
    // an academy session is given by an agent: its trainer
    if (v.kind === 'academie' && !v.trainer) throw new FieldError('event.trainer.missing', 'trainer');
    const trainer = v.kind === 'academie' ? v.trainer : undefined;
    return { kind: v.kind, title: v.title, description: v.description, startsAt, endsAt, place: v.place || undefined, link, capacity, axisId, communityId, trainer, audience };
  }

  /** The community an event is put on the agenda of, and a community audience, exist. */
  private async checkCommunities(fields: EventFields): Promise<void> {
    if (fields.communityId && !(await this.store.communities.get(fields.communityId)))
      throw new FieldError('event.community.unknown', 'community', { id: fields.communityId.slice(0, 60) });
    await this.broadcasts.checkAudience(fields.audience);
  }

  private unknownAxis(axis: string): FieldError {
    return new FieldError('axis.unknown', 'axis', { axis: axis.slice(0, 60), axes: this.programme.axes.map((a) => a.id).join(', ') });
  }

  /** Creates an event, schedules its reminders and feedback poll, and its announcement when asked. */
  async create(actor: Actor, input: EventInput, announce: boolean): Promise<ProgrammeEvent> {
    this.checkOrganiser(actor);
    const fields = this.parse(input);
    await this.checkCommunities(fields);
    const now = this.clock.now();
    if (fields.startsAt.getTime() <= now.getTime()) throw new FieldError('event.past', 'startDate');
    // the event and its reminders, poll, results and announcement are written together
    return this.store.events.create({ ...fields, createdBy: actor.person.id, createdAt: now }, (event) => {
      const add = this.plan(event).filter((j) => j.dueAt.getTime() > now.getTime());
      if (announce) add.push({ key: `${eventRef(event.id)}:announce`, kind: 'event.announce', ref: eventRef(event.id), param: 0, dueAt: now });
      return { add };
    });
  }

  /**
   * The reminders (at the programme's offsets before the start), the feedback poll (at the end) and the
   * results. Keys carry the time they are about: after a move, the new ones are new jobs (and new outbox
   * keys), so a reminder already sent for the old date does not stop the one for the new date.
   */
  plan(event: Pick<ProgrammeEvent, 'id' | 'startsAt' | 'endsAt'>): NewJob[] {
    const ref = eventRef(event.id);
    const start = event.startsAt.toISOString();
    const end = event.endsAt.toISOString();
    return [
      ...this.offsets().map((offset) => ({
        key: `${ref}:reminder:${offset}@${start}`,
        kind: 'event.reminder' as const,
        ref,
        param: offset,
        dueAt: beforeZoned(event.startsAt, offset, this.timeZone),
      })),
      { key: `${ref}:feedback@${end}`, kind: 'event.feedback' as const, ref, param: 0, dueAt: event.endsAt },
      { key: `${ref}:results@${end}`, kind: 'event.results' as const, ref, param: 0, dueAt: new Date(event.endsAt.getTime() + RESULTS_DELAY_MS) },
    ];
  }

  private offsets(): number[] {
    return [...new Set(this.programme.reminderOffsetsMinutes)];
  }

  /**
   * A reminder that comes late (the bot was down) while a closer one is also due says nothing the closer
   * one does not: only the closest goes ("dans 7 jours" two hours before the start would be wrong).
   */
  reminderSuperseded(event: Pick<ProgrammeEvent, 'startsAt'>, offset: number, now: Date): boolean {
    return this.offsets().some((o) => o < offset && beforeZoned(event.startsAt, o, this.timeZone).getTime() <= now.getTime());
  }

  async get(id: number): Promise<ProgrammeEvent> {
    const event = Number.isSafeInteger(id) && id > 0 ? await this.store.events.get(id) : null;
    if (!event) throw new DomainError('event.notFound', { id: String(id).slice(0, 12) });
    return event;
  }

  /** Changes an event. Moving it moves its pending reminders; a capacity below the registered count is refused. */
  async update(actor: Actor, id: number, input: EventInput): Promise<EventChange> {
    this.checkOrganiser(actor);
    const before = await this.get(id);
    if (before.state === 'cancelled') throw new DomainError('event.cancelled', { title: before.title });
    const now = this.clock.now();
    if (before.endsAt.getTime() <= now.getTime()) throw new DomainError('event.ended', { title: before.title });
    const fields = this.parse(input);
    await this.checkCommunities(fields);
    const startMoved = fields.startsAt.getTime() !== before.startsAt.getTime();
    if (startMoved && fields.startsAt.getTime() <= now.getTime()) throw new FieldError('event.past', 'startDate');
    if (fields.capacity !== undefined && fields.capacity < before.registered) {
      throw new FieldError('event.capacityBelowRegistered', 'capacity', { capacity: fields.capacity, count: before.registered });
    }
    const patch: EventPatch = {
      ...fields,
      place: fields.place ?? null,
      link: fields.link ?? null,
      capacity: fields.capacity ?? null,
      axisId: fields.axisId ?? null,
      communityId: fields.communityId ?? null,
      trainer: fields.trainer ?? null,
    };
    // the change, its notice, its moved reminders and the places it gives are written together
    const result = await this.store.events.update(id, patch, now, ({ event, before: was, promoted }) => {
      const plan: JobPlan = { add: this.promotionJobs(event, promoted, now) };
      if (timesMoved(was, event)) {
        const planned = this.plan(event);
        plan.cancelOthers = { ref: eventRef(id), kinds: TIMED_JOBS, keep: planned.map((j) => j.key) };
        // one whose time is already past is left out: the change notice replaces it
        plan.add?.push(...planned.filter((j) => j.dueAt.getTime() > now.getTime()));
        // reminders already queued for the old time are superseded by the change notice
        plan.cancelOutbox = [eventSources.reminders(id)];
      }
      // the registrants' notice is a job: queued in the background, resumed after a crash, once per person
      if (placeMoved(was, event)) plan.add?.push({ key: `${eventRef(id)}:changed:v${event.version}`, kind: 'event.changed', ref: eventRef(id), param: event.version, dueAt: now });
      return plan;
    });
    if (result === 'belowRegistered') {
      const current = await this.get(id);
      throw new FieldError('event.capacityBelowRegistered', 'capacity', { capacity: fields.capacity ?? 0, count: current.registered });
    }
    if (!result) throw new DomainError('event.cancelled', { title: before.title });
    const { event } = result;
    const promoted = await this.peopleOf(result.promoted);
    return { before, event, moved: placeMoved(before, event), promoted };
  }

  /** The notices to people given a place (someone withdrew, the capacity grew): jobs, once each. */
  private promotionJobs(event: ProgrammeEvent, promoted: string[], now: Date): NewJob[] {
    return promoted.map((person) => ({
      key: `${eventRef(event.id)}:promoted:${person}@${now.toISOString()}`,
      kind: 'event.promoted' as const,
      ref: eventRef(event.id),
      param: event.version,
      subject: person,
      dueAt: now,
    }));
  }

  /**
   * The sweep: every scheduled event that has not ended gets the reminders, poll and results its
   * current times call for, where they are missing (a store without transactions that lost them, a
   * programme whose reminder offsets changed). Jobs already there, done or cancelled, stay as they are.
   */
  async replan(): Promise<number> {
    const now = this.clock.now();
    let added = 0;
    for (const event of await this.store.events.upcoming(now, REPLAN_LIMIT)) {
      added += await this.store.jobs.add(this.plan(event).filter((j) => j.dueAt.getTime() > now.getTime()));
    }
    return added;
  }

  /**
   * The reconciliation, at start and with the maintenance: the store puts right what a writer that stopped
   * half-way left (counters, half-made registrations, unwritten plans; those given a place are told), then
   * the sweep plans the jobs scheduled events are missing. Twice in a row, the second finds nothing to do.
   */
  async reconcile(): Promise<Reconciliation> {
    const now = this.clock.now();
    const repaired = await this.store.reconcile(now, (event, promoted) => ({ add: this.promotionJobs(event, promoted, now) }));
    return { ...repaired, jobs: await this.replan() };
  }

  /** Cancels an event: no reminder, no poll; one notice to each registrant (a job). Returns how many are told. */
  async cancel(actor: Actor, id: number, reason: string | undefined): Promise<{ event: ProgrammeEvent; told: number }> {
    this.checkOrganiser(actor);
    const before = await this.get(id);
    if (before.state === 'cancelled') throw new DomainError('event.cancelled', { title: before.title });
    if (before.endsAt.getTime() <= this.clock.now().getTime()) throw new DomainError('event.ended', { title: before.title });
    const why = reason?.trim();
    if (why && (why.length > 500 || looksLikeJson(why))) throw new DomainError('event.reason.invalid', { max: 500 });
    const now = this.clock.now();
    // the cancellation, no more reminders, poll or announcement, and one notice to each registrant: together
    const event = await this.store.events.cancel(id, why || undefined, now, (cancelled) => ({
      cancelRef: eventRef(id),
      cancelOutbox: [eventSources.reminders(id), eventSources.feedback(id), eventSources.announce(id)],
      add: [{ key: `${eventRef(id)}:cancelled`, kind: 'event.cancelled', ref: eventRef(id), param: cancelled.version, dueAt: now }],
    }));
    if (!event) throw new DomainError('event.cancelled', { title: before.title });
    // read after: nobody can register any more, so everyone registered is told
    const registrations = await this.store.events.registrations(id);
    return { event, told: registrations.length };
  }

  /** Upcoming events, soonest first, with the viewer's own registrations. */
  async agenda(actor: Actor, limit = 10): Promise<{ events: ProgrammeEvent[]; mine: Map<number, RegistrationState> }> {
    const events = await this.store.events.upcoming(this.clock.now(), limit);
    const mine = await this.store.events.registrationsOf(
      actor.person.id,
      events.map((e) => e.id),
    );
    return { events, mine };
  }

  async stateOf(actor: Actor, eventId: number): Promise<RegistrationState | undefined> {
    return (await this.store.events.registrationsOf(actor.person.id, [eventId])).get(eventId);
  }

  private open(event: ProgrammeEvent): void {
    if (event.state === 'cancelled') throw new DomainError('event.cancelled', { title: event.title });
    if (event.startsAt.getTime() <= this.clock.now().getTime()) throw new DomainError('event.closed', { title: event.title });
  }

  /** One click: a place when one is free, otherwise the waiting list. */
  async register(actor: Actor, id: number): Promise<{ event: ProgrammeEvent; state: RegistrationState; already: boolean; promoted: Person[] }> {
    const event = await this.get(id);
    this.open(event);
    const now = this.clock.now();
    const result = await this.store.events.register(id, actor.person.id, now, (e, promoted) => ({ add: this.promotionJobs(e, promoted, now) }));
    if (!result) throw new DomainError('event.cancelled', { title: event.title });
    return { event: await this.get(id), state: result.state, already: result.already, promoted: await this.peopleOf(result.promoted ?? []) };
  }

  /** Withdraws; the oldest waiting person gets the place freed. */
  async unregister(actor: Actor, id: number): Promise<{ event: ProgrammeEvent; was: RegistrationState | null; promoted?: Person }> {
    const event = await this.get(id);
    this.open(event);
    const now = this.clock.now();
    // the place freed goes to the oldest waiting person, who is told (a job, written with the withdrawal)
    const { was, promoted } = await this.store.events.unregister(id, actor.person.id, (e, person) => ({ add: this.promotionJobs(e, [person], now) }));
    const person = promoted ? await this.store.people.get(promoted) : null;
    return { event: await this.get(id), was, promoted: person ?? undefined };
  }

  /** Organisers: who registered, in order, with the person when known. */
  async registrants(actor: Actor, id: number): Promise<{ event: ProgrammeEvent; registrations: Array<Registration & { person: Person | null }> }> {
    this.checkOrganiser(actor);
    const event = await this.get(id);
    const registrations = await this.store.events.registrations(id);
    const people = new Map((await this.peopleOf(registrations.map((r) => r.personId))).map((p) => [p.id, p]));
    return { event, registrations: registrations.map((r) => ({ ...r, person: people.get(r.personId) ?? null })) };
  }

  /** Events an organiser can look back on (feedback, exports). */
  async history(actor: Actor, limit = 10): Promise<ProgrammeEvent[]> {
    this.checkOrganiser(actor);
    return this.store.events.past(this.clock.now(), limit);
  }

  /** A registrant's answer to the poll, once the event has started; answering again replaces it. */
  async giveFeedback(actor: Actor, id: number, rating: number, comment: string | undefined): Promise<{ event: ProgrammeEvent; first: boolean }> {
    const event = await this.get(id);
    if (event.state === 'cancelled') throw new DomainError('event.cancelled', { title: event.title });
    if (event.startsAt.getTime() > this.clock.now().getTime()) throw new DomainError('event.feedback.tooEarly', { title: event.title });
    if ((await this.stateOf(actor, id)) !== 'registered') throw new DomainError('event.feedback.notRegistered', { title: event.title });
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new FieldError('event.feedback.rating', 'rating');
    const text = comment?.trim() || undefined;
    if (text && text.length > FEEDBACK_COMMENT_MAX) throw new FieldError('event.feedback.tooLong', 'comment', { max: FEEDBACK_COMMENT_MAX });
    if (text && looksLikeJson(text)) throw new FieldError('event.feedback.invalid', 'comment');
    const first = await this.store.events.saveFeedback({ eventId: id, personId: actor.person.id, rating, comment: text, at: this.clock.now() });
    return { event, first };
  }

  /** Organisers: count, average, distribution and comments. */
  async feedbackSummary(actor: Actor, id: number): Promise<{ event: ProgrammeEvent; summary: FeedbackSummary }> {
    this.checkOrganiser(actor);
    return this.summary(id);
  }

  /** The results, for the job that sends them to the event's organiser. */
  async summary(id: number): Promise<{ event: ProgrammeEvent; summary: FeedbackSummary }> {
    const event = await this.get(id);
    const all = await this.store.events.feedback(id);
    const distribution: FeedbackSummary['distribution'] = [0, 0, 0, 0, 0];
    for (const f of all) distribution[f.rating - 1]++;
    const average = all.length ? Math.round((all.reduce((s, f) => s + f.rating, 0) / all.length) * 10) / 10 : null;
    const comments = all.filter((f) => f.comment).map((f) => ({ rating: f.rating, comment: f.comment as string, at: f.at }));
    return { event, summary: { count: all.length, average, distribution, comments } };
  }

  /**
   * Who a reminder reaches: the registrants of a workshop day; the audience of an OFF event and its
   * registrants (once each).
   */
  async reminderRecipients(event: ProgrammeEvent): Promise<{ recipients: Recipient[]; registered: Set<string> }> {
    const registrations = await this.store.events.registrations(event.id);
    const registered = new Set(registrations.filter((r) => r.state === 'registered').map((r) => r.personId));
    const people = await this.peopleOf([...registered]);
    const recipients: Recipient[] = people.map((person) => ({ kind: 'person', person }));
    if (!isWorkshop(event.kind)) {
      for (const r of await this.broadcasts.recipients(event.audience)) {
        if (r.kind === 'person' && registered.has(r.person.id)) continue;
        recipients.push(r);
      }
    }
    return { recipients, registered };
  }

  /** Everyone registered or waiting, with their state: they hear of a change or a cancellation. */
  async registrantsOf(event: ProgrammeEvent): Promise<Array<{ person: Person; state: RegistrationState }>> {
    const registrations = await this.store.events.registrations(event.id);
    const people = new Map((await this.peopleOf(registrations.map((r) => r.personId))).map((p) => [p.id, p]));
    return registrations.flatMap((r) => {
      const person = people.get(r.personId);
      return person ? [{ person, state: r.state }] : [];
    });
  }

  /** Registrants holding a place: they receive the feedback poll. */
  async attendees(event: ProgrammeEvent): Promise<Person[]> {
    const registrations = await this.store.events.registrations(event.id);
    return this.peopleOf(registrations.filter((r) => r.state === 'registered').map((r) => r.personId));
  }

  async audienceOf(event: ProgrammeEvent): Promise<Recipient[]> {
    return this.broadcasts.recipients(event.audience);
  }

  private async peopleOf(ids: string[]): Promise<Person[]> {
    const out: Person[] = [];
    for (const id of ids) {
      const p = await this.store.people.get(id);
      if (p) out.push(p);
    }
    return out;
  }
}
