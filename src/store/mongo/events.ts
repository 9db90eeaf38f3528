import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { EventFeedback, EventPatch, NewEvent, ProgrammeEvent, Registration, RegistrationState, JobPlan } from '../../domain/events';
import type { EventRepository } from '../../domain/ports';
import { createIndexes, isDuplicateKey, nextSeq } from './compat';
import type { Serializer } from './serial';
import { present } from '../present';

/** An event with its counters, kept exact by conditional updates (standalone servers have no transactions). */
export type EventDoc = Omit<ProgrammeEvent, 'id'> & { _id: number };

/** 'joining': a registration being decided (a place or the waiting list); it counts in neither. */
export interface RegistrationDoc {
  _id: ObjectId;
  eventId: number;
  personId: string;
  state: RegistrationState | 'joining';
  at: Date;
}

export interface FeedbackDoc {
  eventId: number;
  personId: string;
  rating: number;
  comment?: string;
  at: Date;
}

function toEvent(d: EventDoc): ProgrammeEvent {
  const { _id, ...rest } = d;
  return { id: _id, ...rest };
}

/**
 * An event with a free place, for the capacity it had when read: no capacity, or fewer registered than it.
 * (Not `$expr: { $lt: ['$registered', '$capacity'] }`: comparing two fields of a document in a query is not
 * supported by every MongoDB-compatible server; FerretDB 1.x refuses it.)
 */
function hasPlace(capacity: number | null | undefined): Filter<EventDoc> {
  return typeof capacity === 'number' ? { capacity, registered: { $lt: capacity } } : { $or: [{ capacity: { $exists: false } }, { capacity: null as unknown as number }] };
}

export class MongoEvents implements EventRepository {
  private readonly events: Collection<EventDoc>;
  private readonly regs: Collection<RegistrationDoc>;
  private readonly fb: Collection<FeedbackDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
    /** Writes the job plan that goes with a change (after it: no transactions here). */
    private readonly writePlan: (plan: JobPlan) => Promise<void>,
  ) {
    this.events = db.collection<EventDoc>('events');
    this.regs = db.collection<RegistrationDoc>('registrations');
    this.fb = db.collection<FeedbackDoc>('event_feedback');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection('events'), [
      { key: { state: 1, startsAt: 1, _id: 1 }, name: 'events_upcoming' },
      { key: { startsAt: -1, _id: -1 }, name: 'events_start' },
    ]);
    await createIndexes(db.collection('registrations'), [
      // One registration per person per event: the database enforces it, so repeated clicks stay one.
      { key: { eventId: 1, personId: 1 }, name: 'registrations_unique', unique: true },
      { key: { eventId: 1, state: 1, at: 1, _id: 1 }, name: 'registrations_queue' },
      { key: { personId: 1, eventId: 1 }, name: 'registrations_person' },
    ]);
    await createIndexes(db.collection('event_feedback'), [{ key: { eventId: 1, personId: 1 }, name: 'event_feedback_unique', unique: true }]);
  }

  async create(e: NewEvent, plan?: (event: ProgrammeEvent) => JobPlan): Promise<ProgrammeEvent> {
    const doc: EventDoc = {
      _id: await nextSeq(this.counters, this.serial, 'events'),
      kind: e.kind,
      title: e.title,
      description: e.description,
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      audience: e.audience,
      state: 'scheduled',
      createdBy: e.createdBy,
      createdAt: e.createdAt,
      updatedAt: e.createdAt,
      version: 1,
      registered: 0,
      waiting: 0,
    };
    if (e.place !== undefined) doc.place = e.place;
    if (e.link !== undefined) doc.link = e.link;
    if (e.capacity !== undefined) doc.capacity = e.capacity;
    if (e.axisId !== undefined) doc.axisId = e.axisId;
    await this.events.insertOne(doc);
    const event = toEvent(doc);
    if (plan) await this.writePlan(plan(event));
    return event;
  }

  async get(id: number): Promise<ProgrammeEvent | null> {
    const d = await this.events.findOne({ _id: id });
    return d ? toEvent(d) : null;
  }

  async upcoming(after: Date, limit: number): Promise<ProgrammeEvent[]> {
    const docs = await this.events
      .find({ state: 'scheduled', endsAt: { $gt: after } })
      .sort({ startsAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toEvent);
  }

  async past(before: Date, limit: number): Promise<ProgrammeEvent[]> {
    return (
      await this.events
        .find({ startsAt: { $lt: before } })
        .sort({ startsAt: -1, _id: -1 })
        .limit(limit)
        .toArray()
    ).map(toEvent);
  }

  /**
   * Applies `inc` to a scheduled event matching `extra` if it has a free place, atomically: the capacity
   * read first is part of the update's condition; when the update did not apply because the capacity
   * changed in between, it is tried again with the new one.
   */
  private async incIfPlace(eventId: number, extra: Filter<EventDoc>, inc: Partial<Record<'registered' | 'waiting', number>>): Promise<boolean> {
    let seen = await this.events.findOne({ _id: eventId }, { projection: { capacity: 1 } });
    while (seen) {
      const r = await this.events.updateOne({ _id: eventId, state: 'scheduled', ...extra, ...hasPlace(seen.capacity) }, { $inc: inc });
      if (r.matchedCount > 0) return true;
      const now = await this.events.findOne({ _id: eventId }, { projection: { capacity: 1 } });
      if (!now || (now.capacity ?? null) === (seen.capacity ?? null)) return false;
      seen = now;
    }
    return false;
  }

  /**
   * Moves one person from the waiting list to a place if the event has a free place. The counters move
   * first, conditionally; when no waiting registration is found (another instance took it, or the person
   * is still joining), they are put back.
   */
  private async promoteOne(eventId: number): Promise<string | null> {
    if (!(await this.incIfPlace(eventId, { waiting: { $gt: 0 } }, { registered: 1, waiting: -1 }))) return null;
    const r = await this.regs.findOneAndUpdate({ eventId, state: 'waiting' }, { $set: { state: 'registered' } }, { sort: { at: 1, _id: 1 } });
    if (r) return r.personId;
    await this.events.updateOne({ _id: eventId }, { $inc: { registered: -1, waiting: 1 } });
    return null;
  }

  private async promoteAll(eventId: number): Promise<string[]> {
    const promoted: string[] = [];
    for (let p = await this.promoteOne(eventId); p; p = await this.promoteOne(eventId)) promoted.push(p);
    return promoted;
  }

  async update(
    id: number,
    patch: EventPatch,
    at: Date,
    plan?: (change: { event: ProgrammeEvent; before: ProgrammeEvent; promoted: string[] }) => JobPlan,
  ): Promise<{ event: ProgrammeEvent; promoted: string[] } | 'belowRegistered' | null> {
    const before = await this.get(id);
    const out = await this.serial.run(`event:${id}`, () => this.updateEvent(id, patch, at));
    if (plan && before && out !== null && out !== 'belowRegistered') await this.writePlan(plan({ event: out.event, before, promoted: out.promoted }));
    return out;
  }

  private async updateEvent(id: number, patch: EventPatch, at: Date): Promise<{ event: ProgrammeEvent; promoted: string[] } | 'belowRegistered' | null> {
    const set: Partial<EventDoc> = { updatedAt: at };
    const unset: Record<string, ''> = {};
    for (const field of ['kind', 'title', 'description', 'startsAt', 'endsAt', 'audience'] as const) {
      if (patch[field] !== undefined) (set as Record<string, unknown>)[field] = patch[field];
    }
    const optional = { place: patch.place, link: patch.link, capacity: patch.capacity, axisId: patch.axisId };
    for (const [field, value] of Object.entries(optional)) {
      if (value === null) unset[field] = '';
      else if (value !== undefined) (set as Record<string, unknown>)[field] = value;
    }
    const filter: Filter<EventDoc> = { _id: id, state: 'scheduled' };
    // the capacity is checked against the places held in the same atomic update
    if (typeof patch.capacity === 'number') filter.registered = { $lte: patch.capacity };
    const update = Object.keys(unset).length > 0 ? { $set: set, $unset: unset, $inc: { version: 1 } } : { $set: set, $inc: { version: 1 } };
    const d = await this.events.findOneAndUpdate(filter, update, { returnDocument: 'after' });
    if (!d) {
      const current = await this.events.findOne({ _id: id, state: 'scheduled' });
      return current ? 'belowRegistered' : null;
    }
    const promoted = await this.promoteAll(id);
    return { event: promoted.length > 0 ? present(await this.get(id), `event ${id}`) : toEvent(d), promoted };
  }

  async cancel(id: number, reason: string | undefined, at: Date, plan?: (event: ProgrammeEvent) => JobPlan): Promise<ProgrammeEvent | null> {
    const set: Partial<EventDoc> = { state: 'cancelled', updatedAt: at };
    if (reason) set.cancelReason = reason;
    const d = await this.serial.run(`event:${id}`, () =>
      this.events.findOneAndUpdate({ _id: id, state: 'scheduled' }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }),
    );
    if (!d) return null;
    const event = toEvent(d);
    if (plan) await this.writePlan(plan(event));
    return event;
  }

  async register(
    eventId: number,
    personId: string,
    at: Date,
    plan?: (event: ProgrammeEvent, promoted: string[]) => JobPlan,
  ): Promise<{ state: RegistrationState; already: boolean; promoted?: string[] } | null> {
    const out = await this.serial.run(`event:${eventId}`, () => this.registerPerson(eventId, personId, at));
    if (plan && out?.promoted?.length) await this.writePlan(plan(present(await this.get(eventId), `event ${eventId}`), out.promoted));
    return out;
  }

  private async registerPerson(eventId: number, personId: string, at: Date): Promise<{ state: RegistrationState; already: boolean; promoted?: string[] } | null> {
    const event = await this.events.findOne({ _id: eventId, state: 'scheduled' }, { projection: { _id: 1 } });
    if (!event) return null;
    const _id = new ObjectId();
    try {
      await this.regs.insertOne({ _id, eventId, personId, state: 'joining', at });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      const existing = await this.regs.findOne({ eventId, personId });
      return { state: existing?.state === 'registered' ? 'registered' : 'waiting', already: true };
    }
    // a place, when one is free and nobody waits for it
    if (await this.incIfPlace(eventId, { waiting: 0 }, { registered: 1 })) {
      await this.settle(_id, eventId, 'registered');
      return { state: 'registered', already: false };
    }
    if (!(await this.events.findOneAndUpdate({ _id: eventId, state: 'scheduled' }, { $inc: { waiting: 1 } }))) {
      await this.regs.deleteOne({ _id }); // cancelled meanwhile
      return null;
    }
    await this.settle(_id, eventId, 'waiting');
    // a place may have been freed while this person was joining: it is theirs if they are first in line
    const promoted = (await this.promoteAll(eventId)).filter((p) => p !== personId);
    const now = await this.regs.findOne({ _id });
    const state = now?.state === 'registered' ? 'registered' : 'waiting';
    return promoted.length > 0 ? { state, already: false, promoted } : { state, already: false };
  }

  /** Gives a joining registration its state; if it was withdrawn meanwhile, puts the counter back. */
  private async settle(_id: ObjectId, eventId: number, state: RegistrationState): Promise<void> {
    const r = await this.regs.updateOne({ _id, state: 'joining' }, { $set: { state } });
    if (r.matchedCount === 0) await this.events.updateOne({ _id: eventId }, { $inc: state === 'registered' ? { registered: -1 } : { waiting: -1 } });
  }

  async unregister(eventId: number, personId: string, plan?: (event: ProgrammeEvent, promoted: string) => JobPlan): Promise<{ was: RegistrationState | null; promoted?: string }> {
    const out = await this.serial.run(`event:${eventId}`, () => this.unregisterPerson(eventId, personId));
    if (plan && out.promoted) await this.writePlan(plan(present(await this.get(eventId), `event ${eventId}`), out.promoted));
    return out;
  }

  private async unregisterPerson(eventId: number, personId: string): Promise<{ was: RegistrationState | null; promoted?: string }> {
    const d = await this.regs.findOneAndDelete({ eventId, personId });
    if (!d) return { was: null };
    if (d.state === 'joining') return { was: 'waiting' }; // settle() puts its counter back
    await this.events.updateOne({ _id: eventId }, { $inc: d.state === 'registered' ? { registered: -1 } : { waiting: -1 } });
    if (d.state !== 'registered') return { was: d.state };
    const promoted = await this.promoteOne(eventId);
    return promoted ? { was: d.state, promoted } : { was: d.state };
  }

  async registrations(eventId: number): Promise<Registration[]> {
    const docs = await this.regs
      .find({ eventId, state: { $in: ['registered', 'waiting'] } })
      .sort({ at: 1, _id: 1 })
      .toArray();
    return docs.map((d) => ({ eventId: d.eventId, personId: d.personId, state: d.state as RegistrationState, at: d.at }));
  }

  async registrationsOf(personId: string, eventIds: number[]): Promise<Map<number, RegistrationState>> {
    const out = new Map<number, RegistrationState>();
    if (eventIds.length === 0) return out;
    for (const d of await this.regs.find({ personId, eventId: { $in: eventIds } }).toArray()) {
      out.set(d.eventId, d.state === 'registered' ? 'registered' : 'waiting');
    }
    return out;
  }

  async saveFeedback(f: EventFeedback): Promise<boolean> {
    const update =
      f.comment !== undefined ? { $set: { rating: f.rating, comment: f.comment, at: f.at } } : { $set: { rating: f.rating, at: f.at }, $unset: { comment: '' as const } };
    try {
      const r = await this.fb.updateOne({ eventId: f.eventId, personId: f.personId }, update, { upsert: true });
      return r.upsertedCount === 1;
    } catch (e) {
      // two first answers at once: the unique index lets one insert; the other is an update
      if (!isDuplicateKey(e)) throw e;
      await this.fb.updateOne({ eventId: f.eventId, personId: f.personId }, update);
      return false;
    }
  }

  async feedback(eventId: number): Promise<EventFeedback[]> {
    const docs = await this.fb.find({ eventId }).sort({ at: 1, personId: 1 }).toArray();
    return docs.map((d) => {
      const f: EventFeedback = { eventId: d.eventId, personId: d.personId, rating: d.rating, at: d.at };
      if (d.comment !== undefined && d.comment !== null) f.comment = d.comment;
      return f;
    });
  }
}
