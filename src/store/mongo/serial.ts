import { setTimeout as sleep } from 'node:timers/promises';
import { MongoServerError, ObjectId, type Collection, type Db } from 'mongodb';

/**
 * One lock per resource, for servers whose single-document updates are not atomic.
 *
 * MongoDB applies a findOneAndUpdate / updateOne atomically: its filter is checked and its change applied as
 * one step, so the store's conditional updates ("take this message if nobody holds it", "one more place if
 * fewer than the capacity are taken") are exact across instances. FerretDB 1.x does not: it reads the
 * matching documents, applies the change in its own process, then writes the whole document back, with
 * nothing in between stopping another writer (FerretDB issue #3040). Two instances can then both take the
 * same message, and two `$inc` can count once. What FerretDB 1.x does enforce are unique indexes on insert,
 * and deletes by `_id` report whether they removed the document.
 *
 * So on such a server, the writes that must not overlap run under a lock: a document in `locks` whose `key`
 * is unique (inserting it takes the lock; a duplicate key means someone holds it). Each lock document has
 * its own random `_id`, so that a holder releases only its own lock, and a lock left by a crashed holder
 * (past `until`, wall clock) is removed by `_id` by whoever finds it, exactly once, before trying again.
 * Within one process, callers of the same key queue up here first, so that they do not poll the server.
 * Keys: one per idea, event, person and id sequence; one for the whole outbox, the broadcasts and the jobs,
 * whose claims look for the first due documents. Reads take no lock.
 *
 * On MongoDB, `run` calls the function directly: the conditional updates are enough.
 */
export class Serializer {
  private readonly queues = new Map<string, Promise<unknown>>();

  private constructor(private readonly locks: Collection<LockDoc> | null) {}

  /** Writes run as they are (the server's single-document updates are atomic). */
  static none(): Serializer {
    return new Serializer(null);
  }

  static async locking(db: Db): Promise<Serializer> {
    const locks = db.collection<LockDoc>('locks');
    await locks.createIndexes([{ key: { key: 1 }, name: 'locks_key', unique: true }]);
    return new Serializer(locks);
  }

  /**
   * true when writes that must not overlap run under these locks: whoever holds a key's lock sees no other
   * writer half-way through a change of that key (the repair pass relies on it).
   */
  get exclusive(): boolean {
    return this.locks !== null;
  }

  /** Runs `fn` holding the lock of `key` (waits for it). */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (!this.locks) return fn();
    const previous = this.queues.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.queues.set(key, tail);
    try {
      await previous;
      return await this.holding(key, fn);
    } finally {
      done();
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }

  private async holding<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const locks = this.locks;
    if (!locks) return fn();
    const _id = new ObjectId();
    const deadline = Date.now() + WAIT_MS;
    for (let round = 0; ; round++) {
      try {
        await locks.insertOne({ _id, key, until: new Date(Date.now() + LEASE_MS) });
        break;
      } catch (e) {
        if (!(e instanceof MongoServerError && e.code === 11000)) throw e;
      }
      const holder = await locks.findOne({ key });
      if (holder && holder.until.getTime() < Date.now()) {
        await locks.deleteOne({ _id: holder._id }); // its holder is gone; removes that lock only
        continue;
      }
      if (!holder) continue;
      if (Date.now() > deadline) throw new Error(`MongoDB store: lock ${key} still held after ${WAIT_MS / 1000} s`);
      await sleep(Math.min(2 + round, 20) * (0.5 + Math.random()));
    }
    try {
      return await fn();
    } finally {
      await locks.deleteOne({ _id });
    }
  }
}

interface LockDoc {
  _id: ObjectId;
  key: string;
  until: Date;
}

/** A holder is presumed gone after this long (its writes take milliseconds). */
const LEASE_MS = 15_000;
/** How long a writer waits for a lock before giving up. */
const WAIT_MS = 30_000;
