import { laterDays, nextDaily, nextEveryWeeks, nextWeekly } from '../../../src/domain/schedule';

const TZ = 'Europe/Paris';

describe('schedule arithmetic in the bot’s time zone', () => {
  test('the next Monday 09:00, strictly after', () => {
    // Wednesday 2 December 2026, 19:00 in Paris (UTC+1)
    expect(nextWeekly({ day: 'monday', time: '09:00' }, new Date('2026-12-02T18:00:00Z'), TZ).toISOString()).toBe('2026-12-07T08:00:00.000Z');
    // exactly at the slot: the one after
    expect(nextWeekly({ day: 'monday', time: '09:00' }, new Date('2026-12-07T08:00:00Z'), TZ).toISOString()).toBe('2026-12-14T08:00:00.000Z');
    // a minute before: the same day
    expect(nextWeekly({ day: 'monday', time: '09:00' }, new Date('2026-12-07T07:59:00Z'), TZ).toISOString()).toBe('2026-12-07T08:00:00.000Z');
  });

  test('across the change to summer time, 09:00 stays 09:00 on the wall clock', () => {
    // Sunday 29 March 2026 is the change; the Monday after is UTC+2
    expect(nextWeekly({ day: 'monday', time: '09:00' }, new Date('2026-03-28T12:00:00Z'), TZ).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(laterDays(new Date('2026-03-23T08:00:00Z'), 7, TZ).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(laterDays(new Date('2026-03-30T07:00:00Z'), -7, TZ).toISOString()).toBe('2026-03-23T08:00:00.000Z');
  });

  test('daily: today if the time is still ahead, else tomorrow', () => {
    expect(nextDaily('09:00', new Date('2026-12-02T07:00:00Z'), TZ).toISOString()).toBe('2026-12-02T08:00:00.000Z');
    expect(nextDaily('09:00', new Date('2026-12-02T09:00:00Z'), TZ).toISOString()).toBe('2026-12-03T08:00:00.000Z');
  });

  test('every two weeks falls on the same weeks whatever the starting point', () => {
    const slot = { day: 'monday' as const, time: '10:00' };
    const a = nextEveryWeeks(slot, 2, new Date('2026-12-02T12:00:00Z'), TZ);
    const b = nextEveryWeeks(slot, 2, new Date('2026-12-08T12:00:00Z'), TZ);
    expect(a.toISOString()).toBe(b.toISOString());
    expect(a.getUTCDay()).toBe(1);
    const c = nextEveryWeeks(slot, 2, a, TZ);
    expect(c.getTime() - a.getTime()).toBe(14 * 86_400_000);
    // weekly is every week
    const w = nextEveryWeeks(slot, 1, new Date('2026-12-02T12:00:00Z'), TZ);
    expect(w.toISOString()).toBe('2026-12-07T09:00:00.000Z');
  });
});
