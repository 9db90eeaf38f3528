/** Intl formatters are costly to build (tens of microseconds and kilobytes each): one per zone and precision. */
const partFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of `at` in `timeZone` (24-hour clock). */
function zonedParts(at: Date, timeZone: string, seconds: boolean): Record<string, string> {
  const key = `${timeZone}:${seconds}`;
  let f = partFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' as const } : {}),
    });
    // a bad zone throws above and is not kept; the zones in use are few
    if (partFormatters.size > 50) partFormatters.clear();
    partFormatters.set(key, f);
  }
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

/** Offset of `timeZone` from UTC at instant `at`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const p = zonedParts(at, timeZone, true);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a wall-clock date and time ("2026-03-01", "09:30") in `timeZone`; null when malformed. */
export function zonedDateTime(date: string, time: string, timeZone: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!d || !t) return null;
  const [y, mo, da, h, mi] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59) return null;
  const wall = Date.UTC(y, mo - 1, da, h, mi);
  const check = new Date(wall);
  if (check.getUTCDate() !== da) return null; // 31 February
  let guess = wall - zoneOffsetMs(new Date(wall), timeZone);
  guess = wall - zoneOffsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** "2026-03-01 09:30" in `timeZone`. */
export function formatZoned(at: Date, timeZone: string, locale: 'fr' | 'en' = 'fr'): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(at);
}

/** The wall-clock date ("2026-03-01") and time ("09:30") of `at` in `timeZone`. */
export function wallClock(at: Date, timeZone: string): { date: string; time: string } {
  const p = zonedParts(at, timeZone, false);
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/**
 * `minutes` before `at`. Whole days are counted on the wall clock of `timeZone` (the day before 09:00 is
 * 09:00, even across a daylight-saving change); the rest as elapsed time.
 */
export function beforeZoned(at: Date, minutes: number, timeZone: string): Date {
  const days = Math.floor(minutes / 1440);
  const rest = minutes - days * 1440;
  let base = at;
  if (days > 0) {
    const { date, time } = wallClock(at, timeZone);
    const [y, m, d] = date.split('-').map(Number);
    const shifted = new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
    base = zonedDateTime(shifted, time, timeZone) ?? new Date(at.getTime() - days * 86_400_000);
  }
  return new Date(base.getTime() - rest * 60_000);
}
