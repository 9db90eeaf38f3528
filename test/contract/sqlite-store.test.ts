import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Store } from '../../src/domain/ports';
import { SqliteStore } from '../../src/store/sqlite';
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

const dirs = new Map<Store, string>();

afterAll(() => {
  const db = new DatabaseSync(':memory:');
  const { v } = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
  db.close();
  process.stderr.write(`\n[store contract] SQLite: ran on the embedded store (node:sqlite, SQLite ${v})\n\n`);
});

const factory: StoreFactory = {
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-sqlite-'));
    const s = SqliteStore.open(dir);
    dirs.set(s, dir);
    return s;
  },
  async reopen(previous) {
    const dir = dirs.get(previous)!;
    await previous.close();
    const s = SqliteStore.open(dir);
    dirs.set(s, dir);
    return s;
  },
  async dispose(store) {
    await store.close();
    const dir = dirs.get(store);
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
};

describe('store contract: embedded SQLite', () => {
  storeContract(factory);
});

describe('privacy contract: embedded SQLite', () => {
  privacyContract(factory);
});

describe('ideas contract: embedded SQLite', () => {
  ideasContract(factory);
});

describe('preferences contract: embedded SQLite', () => {
  preferencesContract(factory);
});

describe('broadcasts read and clicked contract: embedded SQLite', () => {
  readingContract(factory);
});

const outboxFactory: OutboxStoreFactory = {
  ...factory,
  // a second connection on the same file, as another instance of the bot would open
  async sibling(store) {
    return SqliteStore.open(dirs.get(store)!);
  },
  threadSibling(store) {
    const module = path.resolve(__dirname, '../../src/store/sqlite');
    return `require(${JSON.stringify(module)}).SqliteStore.open(${JSON.stringify(dirs.get(store)!)})`;
  },
};

describe('outbox and broadcasts contract: embedded SQLite', () => {
  outboxContract(outboxFactory);
});

describe('events and jobs contract: embedded SQLite', () => {
  eventsContract(outboxFactory);
});

describe('repair pass contract: embedded SQLite', () => {
  reconcileContract(factory);
});

describe('follows and axis updates contract: embedded SQLite', () => {
  axesContract(outboxFactory);
});

describe('engagements contract: embedded SQLite', () => {
  engagementsContract(factory);
});

describe('audit trail and people who left contract: embedded SQLite', () => {
  auditContract(factory);
});

describe('consultations contract: embedded SQLite', () => {
  // the anonymous answers as stored: read straight from the file
  consultationsContract(factory, async (store) => {
    const db = new DatabaseSync(path.join(dirs.get(store)!, 'ensemble.db'), { readOnly: true });
    try {
      return [...db.prepare('SELECT * FROM consultation_answers').all(), ...db.prepare('SELECT * FROM consultation_responses').all()];
    } finally {
      db.close();
    }
  });
});

describe('communities contract: embedded SQLite', () => {
  communitiesContract(factory);
});
