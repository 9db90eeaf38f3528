import { afterQuietHours, decideDelivery } from '../../src/domain/notification-rules';
import { DEFAULT_PREFERENCES, type Preferences } from '../../src/domain/preferences';

const TZ = 'Europe/Paris';
const evening: Preferences = { ...DEFAULT_PREFERENCES, quiet: { from: 19 * 60, to: 8 * 60, weekends: false } };
const withWeekends: Preferences = { ...evening, quiet: { from: 19 * 60, to: 8 * 60, weekends: true } };
const at = (iso: string) => new Date(iso);
const due = (prefs: Preferences, now: string) => afterQuietHours(prefs, at(now), TZ).toISOString();

describe('quiet hours (Europe/Paris)', () => {
  test('outside them: now; inside them, spanning midnight: the next end', () => {
    // Wednesday 4 March 2026, winter time (UTC+1)
    expect(due(evening, '2026-03-04T10:00:00Z')).toBe('2026-03-04T10:00:00.000Z'); // 11:00
    expect(due(evening, '2026-03-04T17:59:00Z')).toBe('2026-03-04T17:59:00.000Z'); // 18:59
    expect(due(evening, '2026-03-04T18:00:00Z')).toBe('2026-03-05T07:00:00.000Z'); // 19:00 → 08:00 next day
    expect(due(evening, '2026-03-04T21:00:00Z')).toBe('2026-03-05T07:00:00.000Z'); // 22:00
    expect(due(evening, '2026-03-04T23:30:00Z')).toBe('2026-03-05T07:00:00.000Z'); // 00:30, after midnight
    expect(due(evening, '2026-03-05T07:00:00Z')).toBe('2026-03-05T07:00:00.000Z'); // 08:00 exactly: over
  });

  test('within one day (12:00–14:00)', () => {
    const lunch: Preferences = { ...DEFAULT_PREFERENCES, quiet: { from: 12 * 60, to: 14 * 60, weekends: false } };
    expect(due(lunch, '2026-03-04T11:30:00Z')).toBe('2026-03-04T13:00:00.000Z');
    expect(due(lunch, '2026-03-04T13:00:00Z')).toBe('2026-03-04T13:00:00.000Z');
  });

  test('with weekends: Friday evening, Saturday and Sunday wait for Monday morning', () => {
    // Friday 6 March 2026 22:00 → Monday 9 March 08:00
    expect(due(withWeekends, '2026-03-06T21:00:00Z')).toBe('2026-03-09T07:00:00.000Z');
    expect(due(withWeekends, '2026-03-07T11:00:00Z')).toBe('2026-03-09T07:00:00.000Z'); // Saturday noon
    expect(due(withWeekends, '2026-03-08T22:30:00Z')).toBe('2026-03-09T07:00:00.000Z'); // Sunday 23:30
    expect(due(withWeekends, '2026-03-06T10:00:00Z')).toBe('2026-03-06T10:00:00.000Z'); // Friday 11:00: now
    // without weekends, Saturday noon is now
    expect(due(evening, '2026-03-07T11:00:00Z')).toBe('2026-03-07T11:00:00.000Z');
    // daytime quiet hours with weekends: Monday from midnight
    const lunch: Preferences = { ...DEFAULT_PREFERENCES, quiet: { from: 12 * 60, to: 14 * 60, weekends: true } };
    expect(due(lunch, '2026-03-07T11:00:00Z')).toBe('2026-03-08T23:00:00.000Z');
  });

  test('the days the clocks change: 08:00 is 08:00 on the wall', () => {
    // Saturday 28 March 2026 22:00 (UTC+1) → Sunday 29 March 08:00 summer time (UTC+2)
    expect(due(evening, '2026-03-28T21:00:00Z')).toBe('2026-03-29T06:00:00.000Z');
    // Saturday 24 October 2026 22:00 (UTC+2) → Sunday 25 October 08:00 winter time (UTC+1)
    expect(due(evening, '2026-10-24T20:00:00Z')).toBe('2026-10-25T07:00:00.000Z');
    // quiet hours ending in the lost hour (01:00–02:30 on 29 March): the wall clock jumps from 02:00 to 03:00
    const lost: Preferences = { ...DEFAULT_PREFERENCES, quiet: { from: 60, to: 150, weekends: false } };
    const d = afterQuietHours(lost, at('2026-03-29T00:30:00Z'), TZ); // 01:30
    expect(d.getTime()).toBeGreaterThan(at('2026-03-29T00:30:00Z').getTime());
    expect(d.getTime()).toBeLessThanOrEqual(at('2026-03-29T01:30:00Z').getTime());
  });

  test('from = to is no quiet hours', () => {
    const none: Preferences = { ...DEFAULT_PREFERENCES, quiet: { from: 480, to: 480, weekends: true } };
    expect(due(none, '2026-03-07T21:00:00Z')).toBe('2026-03-07T21:00:00.000Z');
  });
});

describe('what is sent, and when', () => {
  const now = at('2026-03-04T21:00:00Z'); // Wednesday 22:00, inside the evening quiet hours
  const morning = at('2026-03-05T07:00:00Z');
  const ask = (prefs: Preferences | null, kind: Parameters<typeof decideDelivery>[0]['kind'], important = false) => decideDelivery({ prefs, kind, now, timeZone: TZ, important });

  test('the defaults: everything at once', () => {
    for (const kind of ['axisUpdates', 'ideaNews', 'eventReminders', 'broadcasts', 'digest', 'service'] as const) expect(ask(null, kind)).toEqual({ send: true, dueAt: now });
  });

  test('per kind: off and digest are not sent, now waits out the quiet hours', () => {
    const p: Preferences = { ...evening, kinds: { ...DEFAULT_PREFERENCES.kinds, ideaNews: 'off', broadcasts: 'digest' } };
    expect(ask(p, 'ideaNews')).toEqual({ send: false, reason: 'off' });
    expect(ask(p, 'broadcasts')).toEqual({ send: false, reason: 'digest' });
    expect(ask(p, 'eventReminders')).toEqual({ send: true, dueAt: morning });
  });

  test('the digest follows its frequency and waits out the quiet hours', () => {
    expect(ask({ ...evening, digest: 'off' }, 'digest')).toEqual({ send: false, reason: 'off' });
    expect(ask({ ...evening, digest: 'daily' }, 'digest')).toEqual({ send: true, dueAt: morning });
  });

  test('a pause stops everything but service messages, until its end', () => {
    const paused: Preferences = { ...evening, pauseUntil: at('2026-03-10T23:00:00Z') };
    for (const kind of ['axisUpdates', 'ideaNews', 'eventReminders', 'broadcasts', 'digest'] as const) expect(ask(paused, kind)).toEqual({ send: false, reason: 'paused' });
    expect(ask(paused, 'broadcasts', true)).toEqual({ send: false, reason: 'paused' }); // important: never the pause
    expect(ask(paused, 'service')).toEqual({ send: true, dueAt: morning }); // service: through the pause, after quiet hours
    const over: Preferences = { ...evening, pauseUntil: at('2026-03-04T20:00:00Z') };
    expect(ask(over, 'ideaNews')).toEqual({ send: true, dueAt: morning });
  });

  test('service ignores off and digest; important ignores quiet hours and off', () => {
    const p: Preferences = { ...evening, kinds: { axisUpdates: 'off', ideaNews: 'off', eventReminders: 'off', broadcasts: 'off', consultations: 'off' }, digest: 'off' };
    expect(ask(p, 'service')).toEqual({ send: true, dueAt: morning });
    expect(ask(p, 'broadcasts', true)).toEqual({ send: true, dueAt: now });
    expect(ask(p, 'broadcasts')).toEqual({ send: false, reason: 'off' });
  });
});
