import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Audience } from '../../domain/broadcasts';
import type { EventFeedback, EventKind, EventPatch, EventState, JobPlan, NewEvent, ProgrammeEvent, Registration, RegistrationState, Trainer } from '../../domain/events';
import type { EventRepository } from '../../domain/ports';
import type { CrashPoints } from '../crash-points';
import { JobPlanWriter } from './job-plan';
import { transaction } from './transaction';
import { present } from '../present';

export interface EventRow {
  id: number;
  kind: EventKind;
  title: string;
  description: string;
  starts_at: number;
  ends_at: number;
  place: string | null;
  link: string | null;
  capacity: number | null;
  axis_id: string | null;
  community_id?: string | null;
  trainer?: string | null;
  audience: string;
  state: EventState;
  cancel_reason: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  version: number;
  registered: number;
  waiting: number;
}

export interface RegistrationRow {
  event_id: number;
  person_id: string;
  state: RegistrationState;
  at: number;
}

export function toEvent(r: EventRow): ProgrammeEvent {
  const e: ProgrammeEvent = {
    id: Number(r.id),
    kind: r.kind,
    title: r.title,
    description: r.description,
    startsAt: new Date(Number(r.starts_at)),
    endsAt: new Date(Number(r.ends_at)),
    audience: JSON.parse(r.audience) as Audience,
    state: r.state,
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
    version: Number(r.version),
    registered: Number(r.registered),
    waiting: Number(r.waiting),
  };
  if (r.place !== null) e.place = r.place;
  if (r.link !== null) e.link = r.link;
  if (r.capacity !== null) e.capacity = Number(r.capacity);
  if (r.axis_id !== null) e.axisId = r.axis_id;
  if (r.community_id) e.communityId = r.community_id;
  if (r.trainer) e.trainer = JSON.parse(r.trainer) as Trainer;
  if (r.cancel_reason !== null) e.cancelReason = r.cancel_reason;
  return e;
}

export function toRegistration(r: RegistrationRow): Registration {
  return { eventId: Number(r.event_id), personId: r.person_id, state: r.state, at: new Date(Number(r.at)) };
}

/** An event row with its exact counts, read from the registrations in the same statement. */
export const SELECT_EVENT = `SELECT e.*,
  (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.state = 'registered') AS registered,
  (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.state = 'waiting') AS waiting
  FROM events e`;

export class SqliteEvents implements EventRepository {
  private readonly s: Record<string, StatementSync>;
  private readonly plans: JobPlanWriter;

  constructor(
    private readonly db: DatabaseSync,
    private readonly crash: CrashPoints,
  ) {
    this.plans = new JobPlanWriter(db);
    this.s = {
      insert: db.prepare(
        `INSERT INTO events (kind, title, description, starts_at, ends_at, place, link, capacity, axis_id, audience, state, created_by, created_at, updated_at, community_id, trainer)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?) RETURNING id`,
      ),
      get: db.prepare(`${SELECT_EVENT} WHERE e.id = ?`),
      upcoming: db.prepare(`${SELECT_EVENT} WHERE e.state = 'scheduled' AND e.ends_at > ? ORDER BY e.starts_at, e.id LIMIT ?`),
      past: db.prepare(`${SELECT_EVENT} WHERE e.starts_at < ? ORDER BY e.starts_at DESC, e.id DESC LIMIT ?`),
      write: db.prepare(
        `UPDATE events SET kind = :kind, title = :title, description = :description, starts_at = :starts, ends_at = :ends,
           place = :place, link = :link, capacity = :capacity, axis_id = :axis, audience = :audience,
           community_id = :community, trainer = :trainer,
           updated_at = :at, version = version + 1
         WHERE id = :id AND state = 'scheduled'`,
      ),
      cancel: db.prepare(`UPDATE events SET state = 'cancelled', cancel_reason = ?, updated_at = ?, version = version + 1 WHERE id = ? AND state = 'scheduled'`),
      count: db.prepare(`SELECT COUNT(*) AS n FROM registrations WHERE event_id = ? AND state = ?`),
      find: db.prepare('SELECT * FROM registrations WHERE event_id = ? AND person_id = ?'),
      add: db.prepare('INSERT INTO registrations (event_id, person_id, state, at) VALUES (?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM registrations WHERE event_id = ? AND person_id = ?'),
      promote: db.prepare(
        `UPDATE registrations SET state = 'registered'
         WHERE seq IN (SELECT seq FROM registrations WHERE event_id = ? AND state = 'waiting' ORDER BY at, seq LIMIT ?)
         RETURNING person_id, at, seq`,
      ),
      registrations: db.prepare(`SELECT * FROM registrations WHERE event_id = ? ORDER BY at, seq`),
      ofPerson: db.prepare(`SELECT event_id, state FROM registrations WHERE person_id = ? AND event_id IN (SELECT value FROM json_each(?))`),
      feedbackExists: db.prepare('SELECT 1 FROM event_feedback WHERE event_id = ? AND person_id = ?'),
      saveFeedback: db.prepare(
        `INSERT INTO event_feedback (event_id, person_id, rating, comment, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (event_id, person_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, at = excluded.at`,
      ),
      feedback: db.prepare('SELECT * FROM event_feedback WHERE event_id = ? ORDER BY at, person_id'),
    };
  }

  /** The event as it is now in this transaction. */
  private read(id: number): ProgrammeEvent {
    return toEvent(present(this.s.get.get(id) as unknown as EventRow | undefined, `event ${id}`));
  }

  async create(e: NewEvent, plan?: (event: ProgrammeEvent) => JobPlan): Promise<ProgrammeEvent> {
    const id = transaction(this.db, () => {
      const row = this.s.insert.get(
        e.kind,
        e.title,
        e.description,
        e.startsAt.getTime(),
        e.endsAt.getTime(),
        e.place ?? null,
        e.link ?? null,
        e.capacity ?? null,
        e.axisId ?? null,
        JSON.stringify(e.audience),
        e.createdBy,
        e.createdAt.getTime(),
        e.createdAt.getTime(),
        e.communityId ?? null,
        e.trainer ? JSON.stringify(e.trainer) : null,
      ) as { id: number };
      this.crash.reached('event.created');
      // the event and its reminders, poll and announcement: both, or neither
      if (plan) this.plans.write(plan(this.read(Number(row.id))));
      return Number(row.id);
    });
    return present(await this.get(id), `event ${id}`);
  }

  async get(id: number): Promise<ProgrammeEvent | null> {
    const row = this.s.get.get(id) as unknown as EventRow | undefined;
    return row ? toEvent(row) : null;
  }

  async upcoming(after: Date, limit: number): Promise<ProgrammeEvent[]> {
    return (this.s.upcoming.all(after.getTime(), limit) as unknown as EventRow[]).map(toEvent);
  }

  async past(before: Date, limit: number): Promise<ProgrammeEvent[]> {
    return (this.s.past.all(before.getTime(), limit) as unknown as EventRow[]).map(toEvent);
  }

  private countOf(eventId: number, state: RegistrationState): number {
    return Number((this.s.count.get(eventId, state) as { n: number }).n);
  }

  /** Gives free places to the oldest waiting people; returns them in order. Call inside a transaction. */
  private fill(eventId: number, capacity: number | null): string[] {
    const waiting = this.countOf(eventId, 'waiting');
    if (waiting === 0) return [];
    const free = capacity === null ? waiting : capacity - this.countOf(eventId, 'registered');
    if (free <= 0) return [];
    const rows = this.s.promote.all(eventId, free) as Array<{ person_id: string; at: number; seq: number }>;
    return rows.sort((a, b) => Number(a.at) - Number(b.at) || Number(a.seq) - Number(b.seq)).map((r) => r.person_id);
  }

  async update(
    id: number,
    patch: EventPatch,
    at: Date,
    plan?: (change: { event: ProgrammeEvent; before: ProgrammeEvent; promoted: string[] }) => JobPlan,
  ): Promise<{ event: ProgrammeEvent; promoted: string[] } | 'belowRegistered' | null> {
    const out = transaction(this.db, () => {
      const row = this.s.get.get(id) as unknown as EventRow | undefined;
      if (row?.state !== 'scheduled') return null;
      const before = toEvent(row);
      const capacity = patch.capacity === undefined ? row.capacity : patch.capacity;
      if (capacity !== null && capacity < Number(row.registered)) return 'belowRegistered' as const;
      const pick = <T>(value: T | null | undefined, current: T | null): T | null => (value === undefined ? current : value);
      this.s.write.run({
        id,
        kind: patch.kind ?? row.kind,
        title: patch.title ?? row.title,
        description: patch.description ?? row.description,
        starts: (patch.startsAt ?? new Date(Number(row.starts_at))).getTime(),
        ends: (patch.endsAt ?? new Date(Number(row.ends_at))).getTime(),
        place: pick(patch.place, row.place),
        link: pick(patch.link, row.link),
        capacity,
        axis: pick(patch.axisId, row.axis_id),
        audience: patch.audience ? JSON.stringify(patch.audience) : row.audience,
        community: pick(patch.communityId, row.community_id ?? null),
        trainer: patch.trainer === undefined ? (row.trainer ?? null) : patch.trainer === null ? null : JSON.stringify(patch.trainer),
        at: at.getTime(),
      });
      this.crash.reached('event.updated');
      const promoted = this.fill(id, capacity);
      // the change and its notices, moved reminders and promotions: both, or neither
      if (plan) this.plans.write(plan({ event: this.read(id), before, promoted }));
      return { promoted };
    });
    if (out === null || out === 'belowRegistered') return out;
    return { event: present(await this.get(id), `event ${id}`), promoted: out.promoted };
  }

  async cancel(id: number, reason: string | undefined, at: Date, plan?: (event: ProgrammeEvent) => JobPlan): Promise<ProgrammeEvent | null> {
    return transaction(this.db, () => {
      const changed = this.s.cancel.run(reason ?? null, at.getTime(), id);
      if (Number(changed.changes) === 0) return null;
      this.crash.reached('event.cancelled');
      const event = this.read(id);
      if (plan) this.plans.write(plan(event));
      return event;
    });
  }

  async register(eventId: number, personId: string, at: Date): Promise<{ state: RegistrationState; already: boolean } | null> {
    // (a place is only ever given here to the person registering: nobody is promoted on the way)
    return transaction(this.db, () => {
      const event = this.s.get.get(eventId) as unknown as EventRow | undefined;
      if (event?.state !== 'scheduled') return null;
      const existing = this.s.find.get(eventId, personId) as unknown as RegistrationRow | undefined;
      if (existing) return { state: existing.state, already: true };
      const full = event.capacity !== null && Number(event.registered) >= Number(event.capacity);
      // nobody jumps the queue: while people wait, a newcomer waits too
      const state: RegistrationState = full || Number(event.waiting) > 0 ? 'waiting' : 'registered';
      this.s.add.run(eventId, personId, state, at.getTime());
      this.crash.reached('registration.counted');
      return { state, already: false };
    });
  }

  async unregister(eventId: number, personId: string, plan?: (event: ProgrammeEvent, promoted: string) => JobPlan): Promise<{ was: RegistrationState | null; promoted?: string }> {
    return transaction(this.db, () => {
      const existing = this.s.find.get(eventId, personId) as unknown as RegistrationRow | undefined;
      if (!existing) return { was: null };
      this.s.remove.run(eventId, personId);
      const event = this.s.get.get(eventId) as unknown as EventRow | undefined;
      if (existing.state !== 'registered' || !event || event.state !== 'scheduled') return { was: existing.state };
      const [promoted] = this.fill(eventId, event.capacity);
      if (!promoted) return { was: existing.state };
      this.crash.reached('registration.promoted');
      // the place given and the notice to its new holder: both, or neither
      if (plan) this.plans.write(plan(this.read(eventId), promoted));
      return { was: existing.state, promoted };
    });
  }

  async registrations(eventId: number): Promise<Registration[]> {
    return (this.s.registrations.all(eventId) as unknown as RegistrationRow[]).map(toRegistration);
  }

  async registrationsOf(personId: string, eventIds: number[]): Promise<Map<number, RegistrationState>> {
    const out = new Map<number, RegistrationState>();
    if (eventIds.length === 0) return out;
    for (const r of this.s.ofPerson.all(personId, JSON.stringify(eventIds)) as Array<{ event_id: number; state: RegistrationState }>) {
      out.set(Number(r.event_id), r.state);
    }
    return out;
  }

  async saveFeedback(f: EventFeedback): Promise<boolean> {
    return transaction(this.db, () => {
      const first = this.s.feedbackExists.get(f.eventId, f.personId) === undefined;
      this.s.saveFeedback.run(f.eventId, f.personId, f.rating, f.comment ?? null, f.at.getTime());
      return first;
    });
  }

  async feedback(eventId: number): Promise<EventFeedback[]> {
    const rows = this.s.feedback.all(eventId) as Array<{ event_id: number; person_id: string; rating: number; comment: string | null; at: number }>;
    return rows.map((r) => {
      const f: EventFeedback = { eventId: Number(r.event_id), personId: r.person_id, rating: Number(r.rating), at: new Date(Number(r.at)) };
      if (r.comment !== null) f.comment = r.comment;
      return f;
    });
  }
}
