import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/domain/ports';
import { MongoStore } from '../../src/store/mongo';
import { eventsContract } from './events-contract';
import { ideasContract } from './ideas-contract';
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

(uri ? describe : describe.skip)('repair pass contract: MongoDB (needs MONGODB_URI)', () => {
  reconcileContract(factory);
});
