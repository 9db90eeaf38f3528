import { parseAxisUpdate, reachesFollowers } from '../../src/domain/axes-service';
import { FieldError } from '../../src/domain/errors';

const T0 = new Date('2026-11-23T08:00:00Z');
const DAY = 86_400_000;

describe('reachesFollowers: at most one update per axis every N days', () => {
  test('the first update reaches them; another within N days does not, and says from when one will', () => {
    expect(reachesFollowers(null, T0, 3)).toEqual({ reaches: true });
    expect(reachesFollowers(T0, new Date(T0.getTime() + DAY), 3)).toEqual({ reaches: false, nextAt: new Date(T0.getTime() + 3 * DAY) });
    expect(reachesFollowers(T0, new Date(T0.getTime() + 3 * DAY - 1), 3).reaches).toBe(false);
    expect(reachesFollowers(T0, new Date(T0.getTime() + 3 * DAY), 3)).toEqual({ reaches: true });
  });

  test('an interval of 0 days is no limit', () => {
    expect(reachesFollowers(T0, T0, 0)).toEqual({ reaches: true });
  });
});

describe('parseAxisUpdate', () => {
  const field = (input: Parameters<typeof parseAxisUpdate>[0]) => {
    try {
      parseAxisUpdate(input);
    } catch (e) {
      if (e instanceof FieldError) return `${e.field}:${e.code}`;
      throw e;
    }
    return 'ok';
  };

  test('a good update, blank optional fields left out', () => {
    expect(parseAxisUpdate({ status: 'done', progress: ' 100 ', done: ' Fini ', next: '', help: '  ', link: 'https://exemple.fr/x' })).toEqual({
      status: 'done',
      progress: 100,
      done: 'Fini',
      next: '',
      link: 'https://exemple.fr/x',
    });
    expect(parseAxisUpdate({ status: 'on_track', done: 'x' })).toEqual({ status: 'on_track', done: 'x', next: '' });
  });

  test('each bad field is named', () => {
    expect(field({ status: 'great', done: 'x' })).toBe('status:axisUpdate.status.invalid');
    expect(field({ status: 'on_track', progress: '101', done: 'x' })).toBe('progress:axisUpdate.progress.invalid');
    expect(field({ status: 'on_track', progress: '-1', done: 'x' })).toBe('progress:axisUpdate.progress.invalid');
    expect(field({ status: 'on_track', progress: '4.5', done: 'x' })).toBe('progress:axisUpdate.progress.invalid');
    expect(field({ status: 'on_track', progress: 'beaucoup', done: 'x' })).toBe('progress:axisUpdate.progress.invalid');
    expect(field({ status: 'on_track', done: '   ' })).toBe('done:axisUpdate.done.empty');
    expect(field({ status: 'on_track' })).toBe('done:axisUpdate.done.empty');
    expect(field({ status: 'on_track', done: 'x'.repeat(1501) })).toBe('done:axisUpdate.done.tooLong');
    expect(field({ status: 'on_track', done: 'x', link: 'javascript:alert(1)' })).toBe('link:axisUpdate.link.invalid');
    expect(field({ status: 'on_track', done: 'x', link: 'ftp://exemple.fr' })).toBe('link:axisUpdate.link.invalid');
    expect(field({ status: 'on_track', done: 'x', link: 'pas une adresse' })).toBe('link:axisUpdate.link.invalid');
  });
});
