import type { CommunityKind } from './communities';
import type { LocalisedText } from './locale';
import type { PrivacySettings } from './privacy';

/** One work axis of the programme: a theme with hashtags, pilots and an optional channel. */
export interface Axis {
  /** Stable short id used in commands, e.g. "transitions". */
  id: string;
  number: number;
  name: LocalisedText;
  hashtags: string[];
  /** Pilots, by e-mail or platform identity ("slack:T…/U…", "teams:<tenant>/<aad object id>"). */
  pilots: string[];
  channel?: { slack?: string; teams?: string };
}

export type PhaseKind = 'explorer' | 'creer' | 'tester' | 'off';

export interface Phase {
  id: PhaseKind;
  name: LocalisedText;
  subtitle: LocalisedText;
  description: LocalisedText;
}

export interface AmbassadorRole {
  id: string;
  name: LocalisedText;
  description: LocalisedText;
}

export interface MissionDomain {
  id: string;
  name: LocalisedText;
  description: LocalisedText;
}

/** A community of the programme file (seed 004); organisers add more in chat. */
export interface ProgrammeCommunity {
  id: string;
  name: LocalisedText;
  kind: CommunityKind;
  description: LocalisedText;
  /** A progress group's problem. */
  problem?: LocalisedText;
  channel?: { slack?: string; teams?: string };
}

export interface Programme {
  name: LocalisedText;
  tagline: LocalisedText;
  organisation: string;
  axes: Axis[];
  phases: Phase[];
  constraints: LocalisedText[];
  ambassadorRoles: AmbassadorRole[];
  missionDomains: MissionDomain[];
  engagement: { minTimePercent: number; maxTimePercent: number; termMonths: number };
  /** The ambassadors' community, progress groups, the internal academy, the managers' community. */
  communities: ProgrammeCommunity[];
  /** Organisers (the innovation lab), by e-mail or platform identity. */
  organisers: string[];
  /** Reminder offsets before an event, in minutes. */
  reminderOffsetsMinutes: number[];
  /** When the digest goes out (weekly: this day; daily: every day at this time), local time. */
  digest: WeeklySlot;
  /** Pilots who posted nothing on their axis are prompted every `everyWeeks` weeks, then reminded once. */
  pilotPrompts: WeeklySlot & { everyWeeks: number; reminderAfterDays: number };
  /** The programme's figures posted to the organisers' channel every week (this day and time), when set. */
  figuresPost?: WeeklySlot & { channel: { slack?: string; teams?: string } };
  /**
   * At most one pilot's update per axis reaches its followers every this many days (default 3); a further
   * one goes to the axis channel and the digest only, unless an organiser sends it anyway. 0: no limit.
   */
  axisUpdateIntervalDays: number;
  /** Consultations: reminders to those who have not answered, hours before closing; the smallest group a breakdown shows. */
  consultations: ConsultationSettings;
  /** The controller, the DPO, the purposes and how long each kind of data is kept (the privacy notice). */
  privacy: PrivacySettings;
}

export interface ConsultationSettings {
  reminderOffsetsHours: number[];
  minGroupSize: number;
}

export const DEFAULT_CONSULTATION_SETTINGS: ConsultationSettings = { reminderOffsetsHours: [48, 4], minGroupSize: 10 };

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A day of the week and a time ("09:00"), in the bot's time zone. */
export interface WeeklySlot {
  day: Weekday;
  time: string;
}

export const DEFAULT_DIGEST_SLOT: WeeklySlot = { day: 'monday', time: '09:00' };
export const DEFAULT_PILOT_PROMPTS: Programme['pilotPrompts'] = { day: 'monday', time: '10:00', everyWeeks: 2, reminderAfterDays: 2 };

export function findAxis(programme: Programme, idOrNumberOrHashtag: string): Axis | undefined {
  const q = idOrNumberOrHashtag.trim().toLowerCase().replace(/^#/, '');
  return programme.axes.find(
    (a) =>
      a.id.toLowerCase() === q || String(a.number) === q || a.hashtags.some((h) => h.toLowerCase() === q) || a.name.fr.toLowerCase() === q || (a.name.en ?? '').toLowerCase() === q,
  );
}
