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
  kinds: { axisUpdates: 'now', ideaNews: 'now', eventReminders: 'now', broadcasts: 'now' },
  digest: 'weekly',
};
