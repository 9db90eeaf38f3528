import { z } from 'zod';
import type { Audience } from './broadcasts';
import { looksLikeJson } from './ideas';
import type { PhaseKind } from './programme';

/**
 * An event's kind: a workshop day of one of the phases, an OFF event (open to everyone), or an academy
 * session (« Académie »: training by an agent for agents, with its trainer).
 */
export type EventKind = PhaseKind | 'academie';
export const EVENT_KINDS: readonly EventKind[] = ['explorer', 'creer', 'tester', 'off', 'academie'];

/** An academy session's trainer: an agent (their person id, and their name as it was when chosen). */
export interface Trainer {
  id: string;
  name: string;
}

export type EventState = 'scheduled' | 'cancelled';

export const EVENT_TITLE_MAX = 120;
export const EVENT_DESCRIPTION_MAX = 2000;
export const EVENT_PLACE_MAX = 200;
export const EVENT_CAPACITY_MAX = 100_000;
export const FEEDBACK_COMMENT_MAX = 1000;

/** A workshop day or an OFF event of the programme. */
export interface ProgrammeEvent {
  id: number;
  kind: EventKind;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  place?: string;
  /** An online link (https). */
  link?: string;
  /** Places; absent: unlimited. */
  capacity?: number;
  axisId?: string;
  /** The community whose agenda it is on. */
  communityId?: string;
  /** An academy session's trainer. */
  trainer?: Trainer;
  /** Who hears of it: the announcement, and the reminders of an OFF event. */
  audience: Audience;
  state: EventState;
  /** Why it was cancelled, told to the registrants. */
  cancelReason?: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** Incremented at every change: the calendar entry's SEQUENCE. */
  version: number;
  /** People holding a place. */
  registered: number;
  /** People on the waiting list. */
  waiting: number;
}

export type NewEvent = Pick<
  ProgrammeEvent,
  'kind' | 'title' | 'description' | 'startsAt' | 'endsAt' | 'place' | 'link' | 'capacity' | 'axisId' | 'communityId' | 'trainer' | 'audience' | 'createdBy' | 'createdAt'
>;

/** A change to an event; `null` clears an optional field. */
export interface EventPatch {
  kind?: EventKind;
  title?: string;
  description?: string;
  startsAt?: Date;
  endsAt?: Date;
  place?: string | null;
  link?: string | null;
  capacity?: number | null;
  axisId?: string | null;
  communityId?: string | null;
  trainer?: Trainer | null;
  audience?: Audience;
}

export type RegistrationState = 'registered' | 'waiting';

export interface Registration {
  eventId: number;
  personId: string;
  state: RegistrationState;
  /** When the person registered: the waiting list's order. */
  at: Date;
}

export interface EventFeedback {
  eventId: number;
  personId: string;
  /** 1 to 5. */
  rating: number;
  comment?: string;
  at: Date;
}

export interface FeedbackSummary {
  count: number;
  /** null when nobody answered. */
  average: number | null;
  /** How many gave 1, 2, 3, 4, 5 (index 0 is the rating 1). */
  distribution: [number, number, number, number, number];
  comments: Array<{ rating: number; comment: string; at: Date }>;
}

/** What an organiser fills in; every field is checked here. Dates are wall-clock, in the bot's time zone. */
export interface EventInput {
  kind: string;
  title: string;
  description?: string;
  startDate: string;
  startTime: string;
  /** Defaults to the start date. */
  endDate?: string;
  endTime: string;
  place?: string;
  link?: string;
  /** Blank: unlimited. */
  capacity?: string;
  /** Blank: none. */
  axis?: string;
  /** "everyone", "pilots", … as for broadcasts; blank: everyone. */
  audience?: string;
  /** The id of the community whose agenda it is on; blank: none. */
  community?: string;
  /** An academy session's trainer (required for one), resolved from the people picker. */
  trainer?: Trainer;
}

const text = (max: number, code: string) =>
  z
    .string()
    .trim()
    .max(max, `${code}.tooLong`)
    .refine((t) => !looksLikeJson(t), `${code}.invalid`);

export const eventInputSchema = z.object({
  kind: z.enum(EVENT_KINDS as [EventKind, ...EventKind[]], { error: 'kind.invalid' }),
  title: text(EVENT_TITLE_MAX, 'title').pipe(z.string().min(1, 'title.empty')),
  description: text(EVENT_DESCRIPTION_MAX, 'description').default(''),
  startDate: z.string().trim().max(20, 'start.invalid'),
  startTime: z.string().trim().max(10, 'start.invalid'),
  endDate: z.string().trim().max(20, 'end.invalid').optional(),
  endTime: z.string().trim().max(10, 'end.invalid'),
  place: text(EVENT_PLACE_MAX, 'place').optional(),
  link: z.string().trim().max(1000, 'link.invalid').optional(),
  capacity: z
    .string()
    .trim()
    .regex(/^\d{0,7}$/, 'capacity.invalid')
    .optional(),
  axis: z.string().trim().max(80, 'axis.unknown').optional(),
  audience: z.string().trim().max(300, 'audience.unknown').optional(),
  community: z.string().trim().max(80, 'community.unknown').optional(),
  trainer: z.object({ id: z.string().min(1).max(300), name: z.string().max(200) }).optional(),
});

/**
 * Scheduled work kept in the store, claimed with a lease: an event's reminders, feedback poll and notices;
 * the digests; the prompts to pilots (and their reminder).
 */
export type JobKind =
  | 'event.reminder'
  | 'event.feedback'
  | 'event.announce'
  | 'event.results'
  | 'event.changed'
  | 'event.cancelled'
  | 'event.promoted'
  | 'digest.weekly'
  | 'digest.daily'
  | 'axis.prompt'
  | 'axis.prompt.reminder'
  | 'consultation.open'
  | 'consultation.reminder'
  | 'consultation.close'
  | 'engagement.managerReminder'
  | 'engagement.expire'
  | 'engagement.termReminder'
  | 'engagement.end'
  | 'figures.weekly'
  | 'privacy.daily'
  | 'privacy.inactiveErase'
  | 'privacy.erase'
  | 'privacy.export';

/** The organiser who created an event receives the feedback results this long after its end. */
export const RESULTS_DELAY_MS = 3 * 86_400_000;
export type JobState = 'pending' | 'done' | 'cancelled';

export interface ScheduledJob {
  id: string;
  /** Unique, e.g. `event:12:reminder:1440@2026-12-10T08:00:00.000Z`: a job is never added twice. */
  key: string;
  kind: JobKind;
  /** What it is about, e.g. `event:12`. */
  ref: string;
  /** A number the job needs (a reminder's offset in minutes). */
  param: number;
  dueAt: Date;
  state: JobState;
  leaseOwner?: string;
  leaseUntil?: Date;
  doneAt?: Date;
  /** Who the job is about, when it is about one person (a place given to someone waiting). */
  subject?: string;
}

export type NewJob = Pick<ScheduledJob, 'key' | 'kind' | 'ref' | 'param' | 'dueAt' | 'subject'>;

/**
 * The scheduled work that goes with a change of an event, written with it: in one transaction where the
 * store has them (the embedded store), so that a crash never keeps the change and loses its notice.
 */
export interface JobPlan {
  /** Every pending job of this ref is cancelled (first). */
  cancelRef?: string;
  /** Pending jobs of `ref` of these kinds whose key is not in `keep` are cancelled (a move's old reminders). */
  cancelOthers?: { ref: string; kinds: JobKind[]; keep: string[] };
  /** Jobs added; one whose key exists is left as it is, but revived at its new time when it was cancelled (a move back). */
  add?: NewJob[];
  /** Pending outbox messages of these sources are cancelled (reminders queued for an old time). */
  cancelOutbox?: string[];
}

export function eventRef(id: number): string {
  return `event:${id}`;
}

/** Outbox sources, for reports and cancellation. */
export const eventSources = {
  reminders: (id: number) => `event:${id}:reminders`,
  feedback: (id: number) => `event:${id}:feedback`,
  announce: (id: number) => `event:${id}:announce`,
  changes: (id: number) => `event:${id}:changes`,
};

export function isWorkshop(kind: EventKind): boolean {
  return kind !== 'off';
}
