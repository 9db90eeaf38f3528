import { randomUUID } from 'node:crypto';
import type { JobPlan, ProgrammeEvent } from '../../src/domain/events';
import type { Store } from '../../src/domain/ports';
import { CrashedForTest } from '../../src/store/crash-points';
import { MongoStore } from '../../src/store/mongo';
import { auditContract } from './audit-contract';
import { axesContract } from './axes-contract';
import { consultationsContract } from './consultations-contract';
import { communitiesContract } from './communities-contract';
import { engagementsContract } from './engagements-contract';
import { privacyContract } from './privacy-contract';
import { eventsContract } from './events-contract';
import { ideasContract } from './ideas-contract';
import { preferencesContract } from './preferences-contract';
import { readingContract } from './reading-contract';
import { reconcileContract } from './reconcile-contract';
import { outboxContract, type OutboxStoreFactory } from './outbox-contract';
import { storeContract, type StoreFactory } from './store-contract';

const uri = process.env.MONGODB_URI;

if (!uri) {
  // Said out loud, and counted as skipped by Jest: a skipped suite never passes for a run one.
  process.stderr.write('\n[store contract] MongoDB: SKIPPED (set MONGODB_URI to run the contract suite on MongoDB)\n\n');
} else {
  // FerretDB 1.x on SQLite (scripts/test-server.sh) scans the whole collection for every lookup (its _id index is
  // not used; other filters are applied in its own process), so the tests with hundreds of messages take tens of
  // seconds there. The default 20 s is for SQLite.
  jest.setTimeout(120_000);
}

/** The URI as printed: without a password. */
function shown(u: string): string {
  return u.replace(/\/\/[^/@]*@/, '//***@');
}

if (uri) {
  // Which server the suite ran on, said out loud like the skip: "MongoDB 8.0.4" or "FerretDB 1.24.2".
  let said = `[store contract] MongoDB: ran on an unknown server (${shown(uri)})`;
  beforeAll(async () => {
    const probe = await MongoStore.connect(uri, `ensemble_test_${randomUUID().slice(0, 8)}`);
    try {
      said = `[store contract] MongoDB: ran on ${probe.server.product} ${probe.server.version} (${shown(uri)})`;
      if (!probe.server.atomicUpdates) {
        said += `\n[store contract] MongoDB: ${probe.server.product} ${probe.server.version} has no atomic single-document updates: the store ran the writes that must not overlap under its locks`;
      }
    } finally {
      await probe.drop();
      await probe.close();
    }
  });
  afterAll(() => {
    process.stderr.write(`\n${said}\n\n`);
  });
}

const names = new Map<Store, string>();

const factory: StoreFactory = {
  async open() {
    const name = `ensemble_test_${randomUUID().slice(0, 8)}`;
    const s = await MongoStore.connect(uri!, name);
    names.set(s, name);
    return s;
  },
  async reopen(previous) {
    const name = names.get(previous)!;
    await previous.close();
    const s = await MongoStore.connect(uri!, name);
    names.set(s, name);
    return s;
  },
  async dispose(store) {
    await (store as MongoStore).drop();
    await store.close();
  },
};

(uri ? describe : describe.skip)('store contract: MongoDB (needs MONGODB_URI)', () => {
  storeContract(factory);
});

(uri ? describe : describe.skip)('ideas contract: MongoDB (needs MONGODB_URI)', () => {
  ideasContract(factory);
});

(uri ? describe : describe.skip)('preferences contract: MongoDB (needs MONGODB_URI)', () => {
  preferencesContract(factory);
});

(uri ? describe : describe.skip)('broadcasts read and clicked contract: MongoDB (needs MONGODB_URI)', () => {
  readingContract(factory);
});

const outboxFactory: OutboxStoreFactory = {
  ...factory,
  // a second client on the same database, as another instance of the bot would open
  async sibling(store) {
    return MongoStore.connect(uri!, names.get(store)!);
  },
};

(uri ? describe : describe.skip)('outbox and broadcasts contract: MongoDB (needs MONGODB_URI)', () => {
  outboxContract(outboxFactory);
});

(uri ? describe : describe.skip)('events and jobs contract: MongoDB (needs MONGODB_URI)', () => {
  eventsContract(outboxFactory);
});

(uri ? describe : describe.skip)('follows and axis updates contract: MongoDB (needs MONGODB_URI)', () => {
  axesContract(outboxFactory);
});

(uri ? describe : describe.skip)('repair pass contract: MongoDB (needs MONGODB_URI)', () => {
  reconcileContract(factory);
});

(uri ? describe : describe.skip)('repair pass without locks, as on MongoDB (needs MONGODB_URI)', () => {
  const T0 = new Date('2026-03-01T09:00:00Z');
  const DAY = 86_400_000;
  /** The passes run a day later: the half-made registration is no longer one under way. */
  const LATER = new Date(T0.getTime() + DAY);
  const nothing = { events: 0, registrations: 0, promoted: 0, ideas: 0, plans: 0 };
  /** An OFF event in 30 days with `capacity` places. */
  const offEvent = (s: MongoStore, capacity: number) =>
    s.events.create({
      kind: 'off',
      title: 'OFF',
      description: '',
      startsAt: new Date(T0.getTime() + 30 * DAY),
      endsAt: new Date(T0.getTime() + 31 * DAY),
      capacity,
      audience: { kind: 'everyone' },
      createdBy: 'teams:T/ORG',
      createdAt: T0,
    });
  const told = (e: ProgrammeEvent, promoted: string[]): JobPlan => ({
    add: promoted.map((p) => ({ key: `event:${e.id}:promoted:${p}`, kind: 'event.promoted' as const, ref: `event:${e.id}`, param: e.version, subject: p, dueAt: T0 })),
  });

  test('a difference is put right only once two passes in a row saw it the same (a write under way is not one)', async () => {
    // writers take no lock on MongoDB: a half-made write seen once may be one under way
    const s = await MongoStore.connect(uri!, `ensemble_test_${randomUUID().slice(0, 8)}`, { withoutLocks: true });
    try {
      const e = await offEvent(s, 2);
      await s.events.register(e.id, 'slack:T1/U1', new Date(T0.getTime() + 1), told);
      s.crashPoints.arm('registration.counted');
      await expect(s.events.register(e.id, 'slack:T1/U2', new Date(T0.getTime() + 2), told)).rejects.toBeInstanceOf(CrashedForTest);
      const idea = await s.ideas.create({ title: 'Idée', description: 'Texte', axisId: 'usager', hashtags: [], anonymous: false, authorId: 'slack:T1/U1', createdAt: T0 });
      s.crashPoints.arm('support.added');
      await expect(s.ideas.addSupport(idea.id, 'slack:T1/U1', T0)).rejects.toBeInstanceOf(CrashedForTest);

      expect(await s.reconcile(LATER, told)).toEqual(nothing); // seen once
      // the event changes in between: what the next pass sees is new, the idea's is the same
      expect((await s.events.register(e.id, 'slack:T1/U3', new Date(T0.getTime() + 3), told))?.state).toBe('waiting');
      expect(await s.reconcile(LATER, told)).toEqual({ ...nothing, ideas: 1 });
      // seen the same twice: the half-made registration waits in click order, the counters are counted, and
      // the place freed goes to the oldest waiting (person 2, who clicked before person 3), who is told
      expect(await s.reconcile(LATER, told)).toEqual({ ...nothing, events: 1, registrations: 1, promoted: 1 });
      expect((await s.events.registrations(e.id)).map((r) => [r.personId, r.state])).toEqual([
        ['slack:T1/U1', 'registered'],
        ['slack:T1/U2', 'registered'],
        ['slack:T1/U3', 'waiting'],
      ]);
      expect(await s.events.get(e.id)).toMatchObject({ registered: 2, waiting: 1 });
      expect((await s.jobs.forRef(`event:${e.id}`)).map((j) => j.subject)).toEqual(['slack:T1/U2']);
      expect((await s.ideas.get(idea.id))?.supportCount).toBe(1);
      expect(await s.reconcile(LATER, told)).toEqual(nothing);
    } finally {
      await s.drop();
      await s.close();
    }
  });

  test('a withdrawal under way while the pass counts is not counted twice: no phantom place', async () => {
    const s = await MongoStore.connect(uri!, `ensemble_test_${randomUUID().slice(0, 8)}`, { withoutLocks: true });
    try {
      const e = await offEvent(s, 3);
      await s.events.register(e.id, 'slack:T1/U1', new Date(T0.getTime() + 1), told);
      await s.events.register(e.id, 'slack:T1/U2', new Date(T0.getTime() + 2), told);
      s.crashPoints.arm('registration.counted');
      await expect(s.events.register(e.id, 'slack:T1/U3', new Date(T0.getTime() + 3), told)).rejects.toBeInstanceOf(CrashedForTest);
      expect(await s.reconcile(LATER, told)).toEqual(nothing); // seen once
      // U1 withdraws while the second pass counts: its row goes first, its counter change lands after the pass
      s.crashPoints.meanwhile('repair.counting', async () => {
        await s.database.collection('registrations').deleteOne({ eventId: e.id, personId: 'slack:T1/U1' });
      });
      await s.reconcile(LATER, told);
      await s.database.collection('events').updateOne({ _id: e.id as never }, { $inc: { registered: -1 } });
      const rows = async () => (await s.events.registrations(e.id)).filter((r) => r.state === 'registered').length;
      // never fewer places counted than held (fewer would let one more in than the capacity)
      expect((await s.events.get(e.id))?.registered).toBeGreaterThanOrEqual(await rows());
      // and the passes converge: U3 (half-made) waits, then gets the place U1 freed
      for (let i = 0; i < 3; i++) await s.reconcile(LATER, told);
      expect(await s.events.get(e.id)).toMatchObject({ registered: 2, waiting: 0 });
      expect((await s.events.registrations(e.id)).map((r) => [r.personId, r.state])).toEqual([
        ['slack:T1/U2', 'registered'],
        ['slack:T1/U3', 'registered'],
      ]);
    } finally {
      await s.drop();
      await s.close();
    }
  });

  test('a support under way while the pass counts is not counted twice', async () => {
    const s = await MongoStore.connect(uri!, `ensemble_test_${randomUUID().slice(0, 8)}`, { withoutLocks: true });
    try {
      const idea = await s.ideas.create({ title: 'Idée', description: 'Texte', axisId: 'usager', hashtags: [], anonymous: false, authorId: 'slack:T1/U1', createdAt: T0 });
      s.crashPoints.arm('support.added');
      await expect(s.ideas.addSupport(idea.id, 'slack:T1/U1', T0)).rejects.toBeInstanceOf(CrashedForTest); // row, no count
      expect(await s.reconcile(LATER, told)).toEqual(nothing); // seen once
      // U2 supports while the second pass counts: its row first, its count after the pass
      s.crashPoints.meanwhile('repair.counting', async () => {
        await s.database.collection('supports').insertOne({ ideaId: idea.id, personId: 'slack:T1/U2', createdAt: T0 });
      });
      await s.reconcile(LATER, told);
      await s.database.collection('ideas').updateOne({ _id: idea.id as never }, { $inc: { supportCount: 1 } });
      const rows = (await s.ideas.supporters(idea.id)).length;
      expect((await s.ideas.get(idea.id))?.supportCount).toBeLessThanOrEqual(rows);
      for (let i = 0; i < 3; i++) await s.reconcile(LATER, told);
      expect((await s.ideas.get(idea.id))?.supportCount).toBe(2);
    } finally {
      await s.drop();
      await s.close();
    }
  });
});

(uri ? describe : describe.skip)('privacy contract: MongoDB (needs MONGODB_URI)', () => {
  privacyContract(factory);
});

(uri ? describe : describe.skip)('engagements contract: MongoDB (needs MONGODB_URI)', () => {
  engagementsContract(factory);
});

(uri ? describe : describe.skip)('audit trail and people who left contract: MongoDB (needs MONGODB_URI)', () => {
  auditContract(factory);
});

(uri ? describe : describe.skip)('consultations contract: MongoDB (needs MONGODB_URI)', () => {
  // the anonymous answers as stored: read straight from the collections
  consultationsContract(factory, async (store) => {
    const db = (store as MongoStore).database;
    return [...(await db.collection('consultation_answers').find({}).toArray()), ...(await db.collection('consultation_responses').find({}).toArray())];
  });
});

(uri ? describe : describe.skip)('communities contract: MongoDB (needs MONGODB_URI)', () => {
  communitiesContract(factory);
});
