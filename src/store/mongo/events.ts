import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { EventFeedback, EventPatch, NewEvent, ProgrammeEvent, Registration, RegistrationState, JobPlan } from '../../domain/events';
import type { EventRepository } from '../../domain/ports';
import { createIndexes, isDuplicateKey, nextSeq } from './compat';
import type { CrashPoints } from '../crash-points';
import type { Serializer } from './serial';
import type { Sightings } from './sightings';
import { present } from '../present';

/**
 * A change's job plan, kept on its event, written with the change in the same single-document write, until
 * the plan itself is written: a writer that stops in between leaves it there for the repair pass.
 */
interface PendingPlan {
  id: ObjectId;
  plan: JobPlan;
}

/** An event with its counters, kept exact by conditional updates (standalone servers have no transactions). */
export type EventDoc = Omit<ProgrammeEvent, 'id'> & { _id: number; pendingPlan?: PendingPlan };

/** 'joining': a registration being decided (a place or the waiting list); it counts in neither. */
export interface RegistrationDoc {
  _id: ObjectId;
  eventId: number;
  personId: string;
  state: RegistrationState | 'joining';
  at: Date;
  /** Given a place from the waiting list, and not told yet (set with the promotion, removed once its notice is planned). */
  notify?: boolean;
}

/** Where writers take no lock, a registration still joining after this long was left by a writer that stopped. */
const JOINING_STALE_MS = 60_000;

/** What the repair pass puts right for one event. */
interface EventRepair {
  events: number;
  registrations: number;
  promoted: number;
  plans: number;
}

export interface FeedbackDoc {
  eventId: number;
  personId: string;
  rating: number;
  comment?: string;
  at: Date;
}

function toEvent(d: EventDoc): ProgrammeEvent {
  const { _id, pendingPlan: _pending, ...rest } = d;
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
    private readonly crash: CrashPoints,
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
    if (e.communityId !== undefined) doc.communityId = e.communityId;
    if (e.trainer !== undefined) doc.trainer = e.trainer;
    const event = toEvent(doc);
    // the plan goes in with the event (one insert), then is written, then taken off
    const pending = plan ? { id: new ObjectId(), plan: plan(event) } : undefined;
    if (pending) doc.pendingPlan = pending;
    await this.events.insertOne(doc);
    this.crash.reached('event.created');
    if (pending) await this.planWritten(event.id, pending);
    return event;
  }

  /** Writes a change's plan kept on its event, then takes it off (unless a later change put its own). */
  private async planWritten(eventId: number, pending: PendingPlan): Promise<void> {
    await this.writePlan(pending.plan);
    await this.serial.run(`event:${eventId}`, () => this.events.updateOne({ _id: eventId, 'pendingPlan.id': pending.id }, { $unset: { pendingPlan: '' } }));
  }

  /** The people given a place have had their notice planned (call holding the event's lock). */
  private async told(eventId: number, people: string[]): Promise<void> {
    if (people.length > 0) await this.regs.updateMany({ eventId, personId: { $in: people }, notify: true }, { $unset: { notify: '' } });
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
    // marked with the promotion (one write): a notice not planned yet is planned by the repair pass
    const r = await this.regs.findOneAndUpdate({ eventId, state: 'waiting' }, { $set: { state: 'registered', notify: true } }, { sort: { at: 1, _id: 1 } });
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
    const out = await this.serial.run(`event:${id}`, () => this.updateEvent(id, patch, at, plan));
    if (out === null || out === 'belowRegistered') return out;
    if (out.pending) await this.planWritten(id, out.pending);
    return { event: out.event, promoted: out.promoted };
  }

  /**
   * The change, with its plan (computed from the event as it will be, before the write, so that both go in
   * one write); then the places it frees, whose notices are planned here, holding the lock.
   */
  private async updateEvent(
    id: number,
    patch: EventPatch,
    at: Date,
    plan?: (change: { event: ProgrammeEvent; before: ProgrammeEvent; promoted: string[] }) => JobPlan,
  ): Promise<{ event: ProgrammeEvent; promoted: string[]; pending?: PendingPlan } | 'belowRegistered' | null> {
    const set: Partial<EventDoc> = { updatedAt: at };
    const unset: Record<string, ''> = {};
    for (const field of ['kind', 'title', 'description', 'startsAt', 'endsAt', 'audience'] as const) {
      if (patch[field] !== undefined) (set as Record<string, unknown>)[field] = patch[field];
    }
    const optional = { place: patch.place, link: patch.link, capacity: patch.capacity, axisId: patch.axisId, communityId: patch.communityId, trainer: patch.trainer };
    for (const [field, value] of Object.entries(optional)) {
      if (value === null) unset[field] = '';
      else if (value !== undefined) (set as Record<string, unknown>)[field] = value;
    }
    for (;;) {
      const was = await this.events.findOne({ _id: id, state: 'scheduled' });
      if (!was) return null;
      const before = toEvent(was);
      const expected: ProgrammeEvent = { ...before, ...(set as Partial<ProgrammeEvent>), version: before.version + 1 };
      for (const field of Object.keys(unset)) delete (expected as unknown as Record<string, unknown>)[field];
      const pending = plan ? { id: new ObjectId(), plan: plan({ event: expected, before, promoted: [] }) } : undefined;
      // the version read is part of the condition: the plan is the one of this change
      const filter: Filter<EventDoc> = { _id: id, state: 'scheduled', version: before.version };
      // the capacity is checked against the places held in the same atomic update
      if (typeof patch.capacity === 'number') filter.registered = { $lte: patch.capacity };
      const setAll = pending ? { ...set, pendingPlan: pending } : set;
      const update = Object.keys(unset).length > 0 ? { $set: setAll, $unset: unset, $inc: { version: 1 } } : { $set: setAll, $inc: { version: 1 } };
      const d = await this.events.findOneAndUpdate(filter, update, { returnDocument: 'after' });
      if (!d) {
        const current = await this.events.findOne({ _id: id, state: 'scheduled' }, { projection: { version: 1 } });
        if (!current) return null;
        if (current.version !== before.version) continue; // changed meanwhile (no locks here): again, from the change
        return 'belowRegistered';
      }
      this.crash.reached('event.updated');
      const promoted = await this.promoteAll(id);
      const event = promoted.length > 0 ? present(await this.get(id), `event ${id}`) : toEvent(d);
      if (plan && promoted.length > 0) {
        const planned = new Set((pending?.plan.add ?? []).map((j) => j.key));
        const notices = (plan({ event, before, promoted }).add ?? []).filter((j) => !planned.has(j.key));
        if (notices.length > 0) await this.writePlan({ add: notices });
      }
      await this.told(id, promoted);
      return { event, promoted, pending };
    }
  }

  async cancel(id: number, reason: string | undefined, at: Date, plan?: (event: ProgrammeEvent) => JobPlan): Promise<ProgrammeEvent | null> {
    const set: Partial<EventDoc> = { state: 'cancelled', updatedAt: at };
    if (reason) set.cancelReason = reason;
    const out = await this.serial.run(`event:${id}`, async () => {
      for (;;) {
        const was = await this.events.findOne({ _id: id, state: 'scheduled' });
        if (!was) return null;
        const expected: ProgrammeEvent = { ...toEvent(was), ...(set as Partial<ProgrammeEvent>), version: was.version + 1 };
        // the cancellation and its plan (no more reminders, a notice to each registrant) in one write
        const pending = plan ? { id: new ObjectId(), plan: plan(expected) } : undefined;
        const d = await this.events.findOneAndUpdate(
          { _id: id, state: 'scheduled', version: was.version },
          { $set: pending ? { ...set, pendingPlan: pending } : set, $inc: { version: 1 } },
          { returnDocument: 'after' },
        );
        if (d) return { event: toEvent(d), pending };
        // changed or cancelled meanwhile (no locks here): read again
      }
    });
    if (!out) return null;
    this.crash.reached('event.cancelled');
    if (out.pending) await this.planWritten(id, out.pending);
    return out.event;
  }

  async register(
    eventId: number,
    personId: string,
    at: Date,
    plan?: (event: ProgrammeEvent, promoted: string[]) => JobPlan,
  ): Promise<{ state: RegistrationState; already: boolean; promoted?: string[] } | null> {
    return this.serial.run(`event:${eventId}`, async () => {
      const out = await this.registerPerson(eventId, personId, at);
      if (out?.promoted?.length) {
        if (plan) await this.writePlan(plan(present(await this.get(eventId), `event ${eventId}`), out.promoted));
        await this.told(eventId, out.promoted);
      }
      return out;
    });
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
      this.crash.reached('registration.counted');
      await this.settle(_id, eventId, 'registered');
      return { state: 'registered', already: false };
    }
    if (!(await this.events.findOneAndUpdate({ _id: eventId, state: 'scheduled' }, { $inc: { waiting: 1 } }))) {
      await this.regs.deleteOne({ _id }); // cancelled meanwhile
      return null;
    }
    await this.settle(_id, eventId, 'waiting');
    // a place may have been freed while this person was joining: it is theirs if they are first in line
    const all = await this.promoteAll(eventId);
    if (all.includes(personId)) await this.told(eventId, [personId]); // they hear it in the answer
    const promoted = all.filter((p) => p !== personId);
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
    return this.serial.run(`event:${eventId}`, async () => {
      const out = await this.unregisterPerson(eventId, personId);
      if (out.promoted) {
        this.crash.reached('registration.promoted');
        if (plan) await this.writePlan(plan(present(await this.get(eventId), `event ${eventId}`), out.promoted));
        await this.told(eventId, [out.promoted]);
      }
      return out;
    });
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

  /**
   * The repair pass for events. Each event whose counters differ from its registrations, or that has a
   * half-made registration, an untold promotion or a plan not written, is put right holding its lock:
   * the plan of its last change written again (idempotent: jobs have keys), half-made registrations put on
   * the waiting list (in the order of their click), the counters counted again from the rows, free places
   * given to the oldest waiting (before the start), and the people given a place told (`promotions`).
   * Where writers take no lock, only what the previous pass saw the same (`seen`) is put right.
   */
  async repair(at: Date, seen: Sightings, promotions: (event: ProgrammeEvent, promoted: string[]) => JobPlan): Promise<EventRepair> {
    const rows = new Map<number, Record<RegistrationDoc['state'] | 'notify', number>>();
    for await (const r of this.regs.find({}, { projection: { eventId: 1, state: 1, notify: 1 } })) {
      const c = rows.get(r.eventId) ?? { registered: 0, waiting: 0, joining: 0, notify: 0 };
      c[r.state]++;
      if (r.notify) c.notify++;
      rows.set(r.eventId, c);
    }
    const out: EventRepair = { events: 0, registrations: 0, promoted: 0, plans: 0 };
    for await (const e of this.events.find({}, { projection: { registered: 1, waiting: 1, version: 1, pendingPlan: 1 } })) {
      const c = rows.get(e._id) ?? { registered: 0, waiting: 0, joining: 0, notify: 0 };
      if (c.registered === e.registered && c.waiting === e.waiting && c.joining === 0 && c.notify === 0 && !e.pendingPlan) continue;
      const state = `v${e.version} ${e.registered}/${e.waiting} rows ${c.registered}/${c.waiting}/${c.joining}/${c.notify} plan ${e.pendingPlan?.id.toHexString() ?? '-'}`;
      if (!seen.ripe(`event:${e._id}`, state)) continue;
      const r = await this.serial.run(`event:${e._id}`, () => this.repairEvent(e._id, e, c, at, promotions));
      out.events += r.events;
      out.registrations += r.registrations;
      out.promoted += r.promoted;
      out.plans += r.plans;
    }
    return out;
  }

  /** Puts one event right (holding its lock where there are locks); `seen`: the event as the pass found it. */
  private async repairEvent(
    id: number,
    seen: Pick<EventDoc, 'registered' | 'waiting' | 'pendingPlan'>,
    seenRows: { registered: number; waiting: number },
    at: Date,
    promotions: (event: ProgrammeEvent, promoted: string[]) => JobPlan,
  ): Promise<EventRepair> {
    const out: EventRepair = { events: 0, registrations: 0, promoted: 0, plans: 0 };
    const doc = await this.events.findOne({ _id: id });
    if (!doc) return out;
    const exact = this.serial.exclusive;
    // the plan of the last change, if its writer stopped before writing it all (again: jobs have keys)
    const pending = doc.pendingPlan;
    if (pending && (exact || (seen.pendingPlan && pending.id.equals(seen.pendingPlan.id)))) {
      await this.writePlan(pending.plan);
      await this.events.updateOne({ _id: id, 'pendingPlan.id': pending.id }, { $unset: { pendingPlan: '' } });
      out.plans++;
    }
    // registrations whose writer stopped before giving them a place or a turn: they wait, in click order
    // (without locks, only those clicked a while ago: a registration takes milliseconds)
    const stale = exact ? {} : { at: { $lt: new Date(at.getTime() - JOINING_STALE_MS) } };
    out.registrations = (await this.regs.updateMany({ eventId: id, state: 'joining', ...stale }, { $set: { state: 'waiting' } })).modifiedCount;
    await this.crash.reachedAfter('repair.counting');
    const registered = await this.regs.countDocuments({ eventId: id, state: 'registered' });
    const waiting = await this.regs.countDocuments({ eventId: id, state: 'waiting' });
    // Without locks, only when the rows are still those seen twice (but for the half-made ones just put on
    // the waiting list): a writer changes a row first and its counter next, so rows that moved since may be
    // a write under way, whose counter change would land after the recount and count it twice.
    const settled = exact || (registered === seenRows.registered && waiting === seenRows.waiting + out.registrations);
    if ((registered !== doc.registered || waiting !== doc.waiting) && settled) {
      // without locks, only over the counters seen twice: a registration counted since then is not undone
      const r = await this.events.updateOne(exact ? { _id: id } : { _id: id, registered: seen.registered, waiting: seen.waiting }, { $set: { registered, waiting } });
      if (r.modifiedCount > 0) out.events++;
    }
    const open = doc.state === 'scheduled' && doc.startsAt.getTime() > at.getTime();
    // places free while people wait: the oldest waiting get them
    if (open) await this.promoteAll(id);
    const untold = (
      await this.regs
        .find({ eventId: id, notify: true }, { projection: { personId: 1 } })
        .sort({ at: 1, _id: 1 })
        .toArray()
    ).map((r) => r.personId);
    if (untold.length > 0) {
      // told, unless the event is over or cancelled (its cancellation notice says what matters)
      if (open) await this.writePlan(promotions(present(await this.get(id), `event ${id}`), untold));
      await this.told(id, untold);
      out.promoted = untold.length;
    }
    return out;
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
