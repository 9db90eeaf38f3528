import { WEEKDAYS, type WeeklySlot } from './programme';
import { wallClock, zonedDateTime } from './time';

/** The local date `days` after `date` ("2026-03-01"). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday, of a local date. */
function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** Days between two local dates. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The first time at `time` (local, in `timeZone`) strictly after `after`, on a day `accept` takes. */
function nextLocal(time: string, after: Date, timeZone: string, accept: (date: string) => boolean, horizonDays: number): Date | null {
  const today = wallClock(after, timeZone).date;
  for (let i = 0; i <= horizonDays; i++) {
    const date = addDays(today, i);
    if (!accept(date)) continue;
    const at = zonedDateTime(date, time, timeZone);
    if (at && at.getTime() > after.getTime()) return at;
  }
  return null;
}

/** The next daily slot after `after`. */
export function nextDaily(time: string, after: Date, timeZone: string): Date {
  return nextLocal(time, after, timeZone, () => true, 2) as Date;
}

/** The next weekly slot after `after` (e.g. Monday 09:00, daylight-saving changes included). */
export function nextWeekly(slot: WeeklySlot, after: Date, timeZone: string): Date {
  const day = WEEKDAYS.indexOf(slot.day);
  return nextLocal(slot.time, after, timeZone, (d) => weekdayOf(d) === day, 8) as Date;
}

/** Weeks are counted from this Monday, so "every 2 weeks" falls on the same weeks whatever restarts. */
const ANCHOR_MONDAY = '2024-01-01';

/** The next slot after `after` in a week that is a multiple of `everyWeeks` since the anchor. */
export function nextEveryWeeks(slot: WeeklySlot, everyWeeks: number, after: Date, timeZone: string): Date {
  const day = WEEKDAYS.indexOf(slot.day);
  const accept = (d: string) => weekdayOf(d) === day && Math.floor(daysBetween(ANCHOR_MONDAY, d) / 7) % everyWeeks === 0;
  return nextLocal(slot.time, after, timeZone, accept, everyWeeks * 7 + 8) as Date;
}

/** The same local time `days` later (a reminder two days after a prompt). */
export function laterDays(at: Date, days: number, timeZone: string): Date {
  const { date, time } = wallClock(at, timeZone);
  return zonedDateTime(addDays(date, days), time, timeZone) ?? new Date(at.getTime() + days * 86_400_000);
}
