import type { NotificationKind } from './notifications';
import { DEFAULT_PREFERENCES, type Preferences } from './preferences';
import { wallClock, zonedDateTime } from './time';

/** What becomes of one message for one person: not sent (and why), or sent at `dueAt`. */
export type Delivery = { send: true; dueAt: Date } | { send: false; reason: 'off' | 'digest' | 'paused' };

export interface DeliveryQuestion {
  /** The person's stored preferences; null or undefined: the defaults. */
  prefs: Preferences | null | undefined;
  kind: NotificationKind;
  now: Date;
  /** BOT_TIMEZONE: quiet hours are wall-clock times there. */
  timeZone: string;
  /** An organiser's « important » message: ignores quiet hours and « off », never a pause. */
  important?: boolean;
}

/** Whether the person asked for nothing but service messages until after `now`. */
export function isPaused(prefs: Preferences, now: Date): boolean {
  return prefs.pauseUntil !== undefined && prefs.pauseUntil.getTime() > now.getTime();
}

/**
 * The rules of the Notices gate, in one place:
 * - `service` ignores « off », « résumé » and the pause, but waits out quiet hours;
 * - `important` ignores quiet hours and « off » (and « résumé »), never the pause;
 * - `digest` follows the digest frequency (off: none) and the pause, and waits out quiet hours;
 * - the other kinds: paused, « off » and « résumé seulement » are not sent; « immédiatement » is sent at the
 *   end of the quiet hours (now when outside them).
 */
export function decideDelivery(q: DeliveryQuestion): Delivery {
  const prefs = q.prefs ?? DEFAULT_PREFERENCES;
  if (q.kind === 'service') return { send: true, dueAt: afterQuietHours(prefs, q.now, q.timeZone) };
  if (isPaused(prefs, q.now)) return { send: false, reason: 'paused' };
  if (q.important) return { send: true, dueAt: q.now };
  if (q.kind === 'digest') return prefs.digest === 'off' ? { send: false, reason: 'off' } : { send: true, dueAt: afterQuietHours(prefs, q.now, q.timeZone) };
  const mode = prefs.kinds[q.kind] ?? DEFAULT_PREFERENCES.kinds[q.kind];
  if (mode === 'off') return { send: false, reason: 'off' };
  if (mode === 'digest') return { send: false, reason: 'digest' };
  return { send: true, dueAt: afterQuietHours(prefs, q.now, q.timeZone) };
}

const DAY_MS = 86_400_000;

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The local date `days` after `date` ("2026-03-28" + 1 = "2026-03-29"). */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The wall-clock time on a local date, as an instant (DST-correct); a time lost to a spring change counts from the change. */
function at(date: string, minutes: number, timeZone: string): Date {
  return zonedDateTime(date, hhmm(minutes), timeZone) ?? new Date(`${date}T00:00:00Z`);
}

/**
 * `now`, or the first moment after it outside the person's quiet hours: the end of the evening's (or the
 * day's) quiet hours, and, when they include weekends, the next weekday (its morning when the quiet hours
 * span midnight). Quiet hours from = to (the whole day) are no quiet hours: the form refuses them.
 */
export function afterQuietHours(prefs: Preferences, now: Date, timeZone: string): Date {
  const quiet = prefs.quiet;
  if (!quiet || quiet.from === quiet.to) return now;
  let x = now;
  // each step moves forward to a window's end; a weekend then a morning window is two steps
  for (let step = 0; step < 4; step++) {
    const { date, time } = wallClock(x, timeZone);
    const [h, m] = time.split(':').map(Number);
    const t = h * 60 + m;
    const day = weekday(date);
    if (quiet.weekends && (day === 6 || day === 0)) {
      x = at(addDays(date, day === 6 ? 2 : 1), 0, timeZone);
      continue;
    }
    if (quiet.from < quiet.to) {
      if (t >= quiet.from && t < quiet.to) {
        x = at(date, quiet.to, timeZone);
        continue;
      }
    } else if (t >= quiet.from) {
      x = at(addDays(date, 1), quiet.to, timeZone);
      continue;
    } else if (t < quiet.to) {
      x = at(date, quiet.to, timeZone);
      continue;
    }
    return x;
  }
  return x;
}
