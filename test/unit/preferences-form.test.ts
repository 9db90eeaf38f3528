import { FieldError } from '../../src/domain/errors';
import { readPreferencesForm } from '../../src/domain/preferences-form';

const TZ = 'Europe/Paris';
const now = new Date('2026-03-27T10:00:00Z'); // Friday 27 March 2026, 11:00 in Paris

function refusal(values: Record<string, string>): { code: string; field: string } {
  try {
    readPreferencesForm(values, now, TZ);
  } catch (e) {
    if (e instanceof FieldError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('accepted');
}

describe('the preferences form', () => {
  test('read whole: kinds, digest, language, quiet hours, a pause to the end of its last day (across the clock change)', () => {
    const prefs = readPreferencesForm(
      { language: 'en', ideaNews: 'off', broadcasts: 'digest', digest: 'daily', quietFrom: '19:00', quietTo: '08:00', quietWeekends: 'true', pauseUntil: '2026-03-29' },
      now,
      TZ,
    );
    expect(prefs).toEqual({
      language: 'en',
      kinds: { axisUpdates: 'now', ideaNews: 'off', eventReminders: 'now', broadcasts: 'digest', consultations: 'now' },
      digest: 'daily',
      quiet: { from: 1140, to: 480, weekends: true },
      // midnight after Sunday 29 March, summer time (UTC+2)
      pauseUntil: new Date('2026-03-29T22:00:00Z'),
    });
  });

  test('blank: the defaults, the platform’s language, no quiet hours, no pause; unknown choices fall back', () => {
    expect(readPreferencesForm({ language: 'platform', ideaNews: 'bogus', digest: '' }, now, TZ)).toEqual({
      kinds: { axisUpdates: 'now', ideaNews: 'now', eventReminders: 'now', broadcasts: 'now', consultations: 'now' },
      digest: 'weekly',
    });
  });

  test('refusals, next to their field', () => {
    expect(refusal({ pauseUntil: '2026-03-26' })).toEqual({ code: 'preferences.pause.past', field: 'pauseUntil' });
    expect(readPreferencesForm({ pauseUntil: '2026-03-27' }, now, TZ).pauseUntil).toEqual(new Date('2026-03-27T23:00:00Z')); // today: until tonight
    expect(refusal({ pauseUntil: '2026-02-31' })).toEqual({ code: 'preferences.pause.invalid', field: 'pauseUntil' });
    expect(refusal({ quietFrom: '08:00', quietTo: '08:00' })).toEqual({ code: 'preferences.quiet.wholeDay', field: 'quietTo' });
    expect(refusal({ quietFrom: '7h', quietTo: '08:00' })).toEqual({ code: 'preferences.quiet.time', field: 'quietFrom' });
    expect(refusal({ quietFrom: '19:00', quietTo: '24:00' })).toEqual({ code: 'preferences.quiet.time', field: 'quietTo' });
    expect(refusal({ quietFrom: '19:00' })).toEqual({ code: 'preferences.quiet.incomplete', field: 'quietTo' });
  });
});
