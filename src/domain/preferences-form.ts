import { z } from 'zod';
import { FieldError } from './errors';
import { DEFAULT_PREFERENCES, PREFERENCE_KINDS, parseHhmm, type Preferences, type PreferencesFormValues } from './preferences';
import { wallClock, zonedDateTime } from './time';

const mode = z.enum(['now', 'digest', 'off']).catch('now');

/**
 * The preferences a submitted form asks for, or a FieldError on the first bad field (nothing is saved then):
 * times not HH:MM, one end of the quiet hours without the other, quiet hours covering the whole day
 * (from = to), a pause ending before today. The pause runs to the end of the day given, on the wall clock
 * of `timeZone`. An unknown choice (a form from an older card) falls back to the default.
 */
export function readPreferencesForm(values: PreferencesFormValues, now: Date, timeZone: string): Preferences {
  const prefs: Preferences = {
    kinds: { ...DEFAULT_PREFERENCES.kinds },
    digest: z.enum(['weekly', 'daily', 'off']).catch(DEFAULT_PREFERENCES.digest).parse(values.digest),
  };
  for (const kind of PREFERENCE_KINDS) prefs.kinds[kind] = mode.parse(values[kind] ?? DEFAULT_PREFERENCES.kinds[kind]);
  const language = z.enum(['fr', 'en', 'platform']).catch('platform').parse(values.language);
  if (language !== 'platform') prefs.language = language;

  const fromText = values.quietFrom?.trim() ?? '';
  const toText = values.quietTo?.trim() ?? '';
  if (fromText || toText) {
    const from = fromText ? parseHhmm(fromText) : null;
    if (fromText && from === null) throw new FieldError('preferences.quiet.time', 'quietFrom');
    const to = toText ? parseHhmm(toText) : null;
    if (toText && to === null) throw new FieldError('preferences.quiet.time', 'quietTo');
    if (from === null) throw new FieldError('preferences.quiet.incomplete', 'quietFrom');
    if (to === null) throw new FieldError('preferences.quiet.incomplete', 'quietTo');
    if (from === to) throw new FieldError('preferences.quiet.wholeDay', 'quietTo');
    prefs.quiet = { from, to, weekends: values.quietWeekends === 'true' };
  }

  const pause = values.pauseUntil?.trim() ?? '';
  if (pause) {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(pause) ? zonedDateTime(pause, '00:00', timeZone) : null;
    if (!day) throw new FieldError('preferences.pause.invalid', 'pauseUntil');
    if (pause < wallClock(now, timeZone).date) throw new FieldError('preferences.pause.past', 'pauseUntil');
    prefs.pauseUntil = endOfDay(pause, timeZone) ?? undefined;
  }
  return prefs;
}

/** The end of a local day ("2027-01-04"): midnight at the start of the next one, on the wall clock of `timeZone`. */
export function endOfDay(day: string, timeZone: string): Date | null {
  const [y, m, d] = day.split('-').map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return zonedDateTime(next, '00:00', timeZone);
}
