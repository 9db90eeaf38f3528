import type { NewOutboxMessage } from '../../src/domain/delivery';
import type { Store } from '../../src/domain/ports';
import type { StoreFactory } from './store-contract';

const T0 = new Date('2027-01-04T09:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const LAB = 'slack:T1/ULAB';
const OTHER = 'teams:11111111-1111-4111-8111-111111111111/22222222-2222-4222-8222-222222222222';

/**
 * The audit trail, people who left the platform and the cancellation of what was queued for them: what both
 * stores must do identically, through the port only.
 */
export function auditContract(factory: StoreFactory): void {
  let store: Store;
  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  test('entries are appended and listed newest first, a page at a time, and kept across a restart', async () => {
    const first = await store.audit.append({ at: at(0), actor: LAB, action: 'role.grant', subject: 'person:slack:T1/U2', detail: { role: 'pilote', axis: 'usager' } });
    expect(first).toEqual({ seq: expect.any(Number), at: at(0), actor: LAB, action: 'role.grant', subject: 'person:slack:T1/U2', detail: { role: 'pilote', axis: 'usager' } });
    for (let i = 1; i <= 24; i++) await store.audit.append({ at: at(i), actor: i % 2 ? OTHER : LAB, action: 'idea.hide', subject: `idea:${i}` });
    store = await factory.reopen(store);
    const latest = await store.audit.list({ limit: 20 });
    expect(latest.map((e) => e.subject)).toEqual(Array.from({ length: 20 }, (_, k) => `idea:${24 - k}`));
    expect(latest[0].detail).toBeUndefined();
    const older = await store.audit.list({ before: latest[19].seq, limit: 20 });
    expect(older.map((e) => e.subject)).toEqual(['idea:4', 'idea:3', 'idea:2', 'idea:1', 'person:slack:T1/U2']);
    expect(older[4]).toEqual(first);
    expect(await store.audit.list({ before: first.seq, limit: 20 })).toEqual([]);
  });

  test('since(at) gives the entries from a time on, oldest first; without a time, all of them', async () => {
    for (let i = 0; i < 5; i++) await store.audit.append({ at: at(i * 10), actor: LAB, action: 'export.ideas', subject: 'ideas', detail: { count: i } });
    expect((await store.audit.since(at(20))).map((e) => e.detail?.count)).toEqual([2, 3, 4]);
    expect((await store.audit.since()).map((e) => e.detail?.count)).toEqual([0, 1, 2, 3, 4]);
  });

  test('purge removes the entries older than a time, and says how many', async () => {
    for (let i = 0; i < 6; i++) await store.audit.append({ at: at(i), actor: LAB, action: 'event.cancel', subject: `event:${i}` });
    expect(await store.audit.purge(at(4))).toBe(4);
    expect((await store.audit.since()).map((e) => e.subject)).toEqual(['event:4', 'event:5']);
    expect(await store.audit.purge(at(4))).toBe(0);
  });

  test('an erased actor becomes a pseudonym in every entry of theirs, and in no other', async () => {
    await store.audit.append({ at: at(0), actor: LAB, action: 'broadcast.confirm', subject: 'broadcast:1' });
    await store.audit.append({ at: at(1), actor: OTHER, action: 'broadcast.cancel', subject: 'broadcast:1' });
    await store.audit.append({ at: at(2), actor: LAB, action: 'broadcast.cancel', subject: 'broadcast:2' });
    await store.audit.append({ at: at(3), actor: OTHER, action: 'role.grant', subject: `person:${LAB}`, detail: { role: 'organisateur' } });
    await store.audit.append({ at: at(4), actor: OTHER, action: 'role.grant', subject: `person:${LAB}x` });
    expect(await store.audit.replaceActor(LAB, 'erased:1')).toBe(3);
    expect((await store.audit.since()).map((e) => [e.actor, e.subject])).toEqual([
      ['erased:1', 'broadcast:1'],
      [OTHER, 'broadcast:1'],
      ['erased:1', 'broadcast:2'],
      [OTHER, 'person:erased:1'],
      [OTHER, `person:${LAB}x`],
    ]);
    expect(await store.audit.replaceActor(LAB, 'erased:1')).toBe(0);
  });

  test('a person marked unreachable says why and since when; writing again clears it', async () => {
    await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1', displayName: 'Camille' }, at(0));
    expect(await store.people.markUnreachable('slack:T1/U1', 'slack user deactivated', at(5))).toBe(true);
    expect(await store.people.markUnreachable('slack:T1/U404', 'slack user deactivated', at(5))).toBe(false);
    store = await factory.reopen(store);
    expect((await store.people.get('slack:T1/U1'))?.unreachable).toEqual({ reason: 'slack user deactivated', at: at(5) });
    expect((await store.people.all())[0].unreachable).toEqual({ reason: 'slack user deactivated', at: at(5) });
    const back = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'U1' }, at(9));
    expect(back.unreachable).toBeUndefined();
    expect(back.displayName).toBe('Camille');
    expect((await store.people.get('slack:T1/U1'))?.unreachable).toBeUndefined();
  });

  test('a whole workspace or tenant is marked unreachable at once, and no one of another', async () => {
    for (const [team, user] of [
      ['T1', 'U1'],
      ['T1', 'U2'],
      ['T10', 'U3'],
      ['T2', 'U4'],
    ])
      await store.people.record({ platform: 'slack', tenant: team, user }, at(0));
    await store.people.record({ platform: 'teams', tenant: '11111111-1111-4111-8111-111111111111', user: '22222222-2222-4222-8222-222222222222' }, at(0));
    expect(await store.people.markTenantUnreachable('slack', 'T1', 'slack app_uninstalled', at(3))).toEqual(['slack:T1/U1', 'slack:T1/U2']);
    expect(await store.people.markTenantUnreachable('teams', '{11111111-1111-4111-8111-111111111111}', 'teams app removed', at(3))).toEqual([OTHER]);
    const marked = (await store.people.all()).filter((p) => p.unreachable).map((p) => p.id);
    expect(marked.sort()).toEqual([OTHER, 'slack:T1/U1', 'slack:T1/U2'].sort());
  });

  test('what is pending for a person, or for a workspace, is cancelled with the reason, which the report shows', async () => {
    const msg = (key: string, personId: string, source = 'rappel:1'): NewOutboxMessage => ({
      key,
      source,
      platform: personId.startsWith('teams') ? 'teams' : 'slack',
      target: { kind: 'person', personId },
      payload: '{"fallbackText":"x","elements":[]}',
      dueAt: at(0),
    });
    await store.outbox.enqueue(
      [
        msg('a', 'slack:T1/U1'),
        msg('b', 'slack:T1/U1', 'b7:r1'),
        msg('c', 'slack:T1/U2'),
        msg('d', 'slack:T10/U3'),
        msg('e', OTHER),
        { key: 'f', source: 'rappel:1', platform: 'slack', target: { kind: 'channel', platform: 'slack', channel: 'C1' }, payload: '{}', dueAt: at(0) },
      ],
      at(0),
    );
    // one of U2's is sent already: it stays sent
    const claimed = await store.outbox.claim('me', at(1), 10, 60_000);
    for (const m of claimed) {
      if (m.key === 'c') await store.outbox.markSent(m.id, 'me', at(1));
      else await store.outbox.release(m.id, 'me', at(1));
    }
    await store.outbox.enqueue([msg('c2', 'slack:T1/U2')], at(1));

    expect(await store.outbox.cancelForPerson('slack:T1/U1', 'slack user deactivated')).toBe(2);
    expect(await store.outbox.cancelForPerson('slack:T1/U1', 'slack user deactivated')).toBe(0);
    expect(await store.outbox.report('rappel:1')).toMatchObject({ targeted: 6, sent: 1, cancelled: 1, pending: 4, reasons: [{ reason: 'slack user deactivated', count: 1 }] });

    expect(await store.outbox.cancelForTenant('slack', 'T1', 'slack app_uninstalled')).toBe(1);
    const report = await store.outbox.report('rappel:1');
    expect(report).toMatchObject({ targeted: 6, sent: 1, cancelled: 2, pending: 3 });
    expect(report.reasons).toEqual(
      expect.arrayContaining([
        { reason: 'slack user deactivated', count: 1 },
        { reason: 'slack app_uninstalled', count: 1 },
      ]),
    );
    // T10 is another workspace, the channel post no person's, Teams another platform
    const left = (await store.outbox.claim('me', at(2), 10, 60_000)).map((m) => m.key).sort();
    expect(left).toEqual(['d', 'e', 'f']);
    expect(await store.outbox.cancelForTenant('teams', '11111111-1111-4111-8111-111111111111', 'teams app removed')).toBe(1);
  });
}
