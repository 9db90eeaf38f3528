import type { Store } from '../../src/domain/ports';
import { DEFAULT_PREFERENCES, type Preferences } from '../../src/domain/preferences';
import type { StoreFactory } from './store-contract';

const T0 = new Date('2026-03-01T09:00:00Z');
const T1 = new Date('2026-03-02T09:00:00Z');

/** Each person's preferences, and the language they chose over the platform's. */
export function preferencesContract(factory: StoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  const chosen: Preferences = {
    language: 'en',
    kinds: { axisUpdates: 'digest', ideaNews: 'off', eventReminders: 'now', broadcasts: 'digest', consultations: 'off' },
    digest: 'daily',
    quiet: { from: 19 * 60, to: 8 * 60, weekends: true },
    pauseUntil: new Date('2026-03-20T23:00:00Z'),
  };

  test('none stored: null; saved: read back whole, and replaced by the next save; kept across a restart', async () => {
    expect(await store.preferences.get('slack:T1/U1')).toBeNull();
    await store.preferences.save('slack:T1/U1', chosen, T0);
    expect(await store.preferences.get('slack:T1/U1')).toEqual({ ...chosen, updatedAt: T0 });
    await store.preferences.save('slack:T1/U1', DEFAULT_PREFERENCES, T1);
    expect(await store.preferences.get('slack:T1/U1')).toEqual({ ...DEFAULT_PREFERENCES, updatedAt: T1 });
    store = await factory.reopen(store);
    expect(await store.preferences.get('slack:T1/U1')).toEqual({ ...DEFAULT_PREFERENCES, updatedAt: T1 });
  });

  test('many: the stored preferences of the people asked, the others absent, in batches beyond a thousand ids', async () => {
    await store.preferences.save('slack:T1/U1', chosen, T0);
    await store.preferences.save('teams:T/a', DEFAULT_PREFERENCES, T0);
    await store.preferences.save('slack:T1/U9', DEFAULT_PREFERENCES, T0);
    const asked = ['slack:T1/U1', 'teams:T/a', ...Array.from({ length: 2500 }, (_, i) => `slack:T1/N${i}`)];
    const found = await store.preferences.many(asked);
    expect([...found.keys()].sort()).toEqual(['slack:T1/U1', 'teams:T/a']);
    expect(found.get('slack:T1/U1')).toEqual({ ...chosen, updatedAt: T0 });
    expect(await store.preferences.many([])).toEqual(new Map());
  });

  test('the chosen language wins over the platform locale; the platform one is kept and comes back when unchosen', async () => {
    await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1', displayName: 'Agent', locale: 'fr' }, T0);
    await store.preferences.save('slack:T1/U1', chosen, T0);
    expect(await store.people.get('slack:T1/U1')).toMatchObject({ locale: 'en', platformLocale: 'fr' });
    // a later contact brings the platform's locale again: the choice still wins
    const seen = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1', locale: 'fr' }, T1);
    expect(seen).toMatchObject({ locale: 'en', platformLocale: 'fr' });
    await store.preferences.save('slack:T1/U1', { ...chosen, language: undefined }, T1);
    expect(await store.people.get('slack:T1/U1')).toMatchObject({ locale: 'fr', platformLocale: 'fr' });
  });
}
