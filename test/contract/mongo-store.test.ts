import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/domain/ports';
import { MongoStore } from '../../src/store/mongo';
import { eventsContract } from './events-contract';
import { ideasContract } from './ideas-contract';
import { outboxContract, type OutboxStoreFactory } from './outbox-contract';
import { storeContract, type StoreFactory } from './store-contract';

const uri = process.env.MONGODB_URI;

if (!uri) {
  // Said out loud, and counted as skipped by Jest: a skipped suite never passes for a run one.
  process.stderr.write('\n[store contract] MongoDB: SKIPPED (set MONGODB_URI to run the contract suite on MongoDB)\n\n');
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
