import type { AxisUpdate } from '../../../src/domain/axes';
import type { Broadcast } from '../../../src/domain/broadcasts';
import { digestFor, periodOf, statusChanged } from '../../../src/domain/digest';
import type { ProgrammeEvent } from '../../../src/domain/events';
import type { Idea } from '../../../src/domain/ideas';
import { DEFAULT_PREFERENCES } from '../../../src/domain/preferences';

const SINCE = new Date('2026-11-30T08:00:00Z');
const UNTIL = new Date('2026-12-07T08:00:00Z');
const day = (n: number) => new Date(SINCE.getTime() + n * 86_400_000);

function update(id: number, axisId: string, at: Date): AxisUpdate {
  return { id, axisId, authorId: 'p', status: 'on_track', done: 'fait', next: 'ensuite', createdAt: at, reachedFollowers: true, reactions: 0, questions: 0 };
}
function idea(id: number, axisId: string, at: Date, answeredAt?: Date): Idea {
  return {
    id,
    title: `Idée ${id}`,
    description: '',
    axisId,
    hashtags: [],
    anonymous: false,
    authorId: 'a',
    status: answeredAt ? 'retenue' : 'proposee',
    supportCount: 0,
    createdAt: at,
    updatedAt: at,
    answeredAt,
  };
}
function event(id: number, axisId: string | undefined, at: Date): ProgrammeEvent {
  return {
    id,
    kind: 'off',
    title: `OFF ${id}`,
    description: '',
    startsAt: at,
    endsAt: new Date(at.getTime() + 3_600_000),
    axisId,
    audience: { kind: 'everyone' },
    state: 'scheduled',
    createdBy: 'o',
    createdAt: SINCE,
    updatedAt: SINCE,
    version: 1,
    registered: 0,
    waiting: 0,
  };
}

describe('what a digest holds', () => {
  const period = periodOf(
    SINCE,
    UNTIL,
    [update(1, 'usager', day(1)), update(2, 'usager', day(3)), update(3, 'transitions', day(-1)), update(4, 'transitions', day(8))],
    [idea(10, 'usager', day(2)), idea(11, 'transitions', day(-10), day(4)), idea(12, 'usager', day(5))],
    [event(20, 'usager', day(9)), event(21, undefined, day(9)), event(22, 'usager', day(30)), event(23, 'transitions', day(2))],
  );

  test('the period groups by axis: updates and ideas of the period, newest first; events of the coming fortnight, soonest first', () => {
    expect(period.updates.get('usager')?.map((u) => u.id)).toEqual([2, 1]);
    expect(period.updates.get('transitions')).toBeUndefined();
    expect(period.newIdeas.get('usager')?.map((i) => i.id)).toEqual([12, 10]);
    expect(period.newIdeas.get('transitions')).toBeUndefined();
    expect(period.events.get('usager')?.map((e) => e.id)).toEqual([20]);
    expect(period.events.get('transitions')).toBeUndefined();
  });

  test('ideas answered in the period, not those merely created', () => {
    expect(statusChanged([idea(10, 'usager', day(2)), idea(11, 'transitions', day(-10), day(4)), idea(13, 'x', day(-10), day(-2))], SINCE, UNTIL).map((i) => i.id)).toEqual([11]);
  });

  test('a person gets the followed axes with news in the programme’s order, then their own ideas; nothing new is no digest', () => {
    const order = ['transitions', 'usager', 'numerique'];
    const d = digestFor(period, order, new Set(['usager', 'numerique']), [], DEFAULT_PREFERENCES.kinds);
    expect(d?.axes.map((a) => a.axisId)).toEqual(['usager']);
    expect(digestFor(period, order, new Set(['numerique']), [], DEFAULT_PREFERENCES.kinds)).toBeNull();
    const own = [{ idea: idea(11, 'transitions', day(-10), day(4)), role: 'supporter' as const }];
    expect(digestFor(period, order, new Set(['numerique']), own, DEFAULT_PREFERENCES.kinds)?.ownIdeas).toHaveLength(1);
  });

  test('a kind turned off is left out; when nothing remains there is no digest', () => {
    const order = ['usager'];
    const kinds = { ...DEFAULT_PREFERENCES.kinds, axisUpdates: 'off' as const, ideaNews: 'off' as const };
    const d = digestFor(period, order, new Set(['usager']), [], kinds);
    expect(d?.axes[0].updates).toEqual([]);
    expect(d?.axes[0].ideas).toEqual([]);
    expect(d?.axes[0].events.map((e) => e.id)).toEqual([20]);
    expect(digestFor(period, order, new Set(['usager']), [], { ...kinds, eventReminders: 'off' })).toBeNull();
    // « in the digest only » keeps it in the digest
    expect(digestFor(period, order, new Set(['usager']), [], { ...DEFAULT_PREFERENCES.kinds, axisUpdates: 'digest' })?.axes[0].updates).toHaveLength(2);
  });

  test('broadcasts of the period come in the digest only for those who chose « dans le résumé seulement »', () => {
    const b = (id: number, audience: Broadcast['audience'], lastRunAt?: Date, state: Broadcast['state'] = 'done'): Broadcast => ({
      id,
      message: `Diffusion ${id}`,
      audience,
      schedule: { kind: 'now' },
      state,
      createdBy: 'o',
      createdAt: SINCE,
      runs: 1,
      lastRunAt,
    });
    const withBroadcasts = periodOf(
      SINCE,
      UNTIL,
      [],
      [],
      [],
      [
        b(1, { kind: 'everyone' }, day(1)),
        b(2, { kind: 'axis', axisId: 'usager' }, day(2)),
        b(3, { kind: 'axis', axisId: 'transitions' }, day(3)),
        b(4, { kind: 'everyone' }, day(-1)), // before the period
        b(5, { kind: 'pilots' }, day(2)), // an audience the digest cannot tell
        b(6, { kind: 'everyone' }, day(2), 'cancelled'),
      ],
    );
    const digestOnly = { ...DEFAULT_PREFERENCES.kinds, broadcasts: 'digest' as const };
    expect(digestFor(withBroadcasts, ['usager'], new Set(['usager']), [], digestOnly)?.broadcasts.map((x) => x.id)).toEqual([2, 1]);
    expect(digestFor(withBroadcasts, ['usager'], new Set(['usager']), [], DEFAULT_PREFERENCES.kinds)).toBeNull();
  });
});
