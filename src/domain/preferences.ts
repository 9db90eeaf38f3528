import type { Locale } from './locale';
import type { NotificationKind } from './notifications';

/** For one kind of message: at once, in the digest only, or not at all. */
export type DeliveryMode = 'now' | 'digest' | 'off';

export type DigestFrequency = 'weekly' | 'daily' | 'off';

/** What one person receives, and when. Absent fields take the defaults (`DEFAULT_PREFERENCES`). */
export interface Preferences {
  /** Overrides the platform's locale. */
  language?: Locale;
  kinds: Record<Exclude<NotificationKind, 'service' | 'digest'>, DeliveryMode>;
  digest: DigestFrequency;
  /** Quiet hours, local time (BOT_TIMEZONE) as minutes after midnight; `from` > `to` spans midnight. */
  quiet?: { from: number; to: number; weekends: boolean };
  /** Nothing but service messages until then. */
  pauseUntil?: Date;
  updatedAt?: Date;
}

export const DEFAULT_PREFERENCES: Preferences = {
  kinds: { axisUpdates: 'now', ideaNews: 'now', eventReminders: 'now', broadcasts: 'now', consultations: 'now' },
  digest: 'weekly',
};

/** What the preferences form sends back: input id → value (empty: left blank). */
export interface PreferencesFormValues {
  /** `fr`, `en`, or `platform` (the platform's locale). */
  language?: string;
  axisUpdates?: string;
  ideaNews?: string;
  eventReminders?: string;
  broadcasts?: string;
  consultations?: string;
  digest?: string;
  /** HH:MM, or empty for no quiet hours. */
  quietFrom?: string;
  quietTo?: string;
  /** `true` when the quiet hours include weekends. */
  quietWeekends?: string;
  /** YYYY-MM-DD (the last day of the pause), or empty. */
  pauseUntil?: string;
  /** The followed axes' ids, comma-separated. */
  axes?: string;
}

export const PREFERENCE_KINDS = ['axisUpdates', 'ideaNews', 'eventReminders', 'broadcasts', 'consultations'] as const;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "19:00" → 1140; null when not HH:MM. */
export function parseHhmm(text: string): number | null {
  const m = HHMM.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function formatHhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
