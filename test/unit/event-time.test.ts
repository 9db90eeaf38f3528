import { beforeZoned, wallClock } from '../../src/domain/time';
import { resolve } from '../support/routes';

describe('reminder times on the wall clock of the bot’s time zone', () => {
  const tz = 'Europe/Paris';
  test('whole days keep the wall-clock hour across a daylight-saving change', () => {
    // Tuesday 31 March 2026, 09:00 in Paris (summer time, UTC+2); 7 days before is 24 March, 09:00 (winter time, UTC+1)
    const start = new Date('2026-03-31T07:00:00Z');
    expect(wallClock(start, tz)).toEqual({ date: '2026-03-31', time: '09:00' });
    const week = beforeZoned(start, 7 * 1440, tz);
    expect(week.toISOString()).toBe('2026-03-24T08:00:00.000Z');
    expect(wallClock(week, tz)).toEqual({ date: '2026-03-24', time: '09:00' });
  });
  test('hours and minutes are elapsed time', () => {
    const start = new Date('2026-12-10T08:00:00Z');
    expect(beforeZoned(start, 60, tz).toISOString()).toBe('2026-12-10T07:00:00.000Z');
    expect(beforeZoned(start, 1440 + 30, tz).toISOString()).toBe('2026-12-09T07:30:00.000Z');
  });
});

describe('event words', () => {
  test.each([
    ['agenda', { command: 'agenda' }],
    ['Événements', { command: 'agenda' }],
    ['participer 12', { command: 'register', args: ['12'] }],
    ['désinscrire n°12', { command: 'unregister', args: ['n°12'] }],
    ['leave 3', { command: 'unregister', args: ['3'] }],
  ])('%s', (text, expected) => {
    expect(resolve(text)).toMatchObject(expected);
  });
  test('événement keeps its arguments and the rest of the text (a cancellation reason)', () => {
    expect(resolve('événement annuler 4 salle indisponible')).toEqual({ command: 'event', sub: 'annuler', args: ['4', 'salle', 'indisponible'], rest: '4 salle indisponible' });
  });
});
