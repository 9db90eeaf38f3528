import { MongoServerError, type Collection, type Document, type IndexDescription } from 'mongodb';
import type { Serializer } from './serial';

/**
 * Creates indexes one per command. FerretDB 1.x drops the connection (a crash in its handler) when one
 * createIndexes command lists two or more indexes that already exist, as it does at every start after the
 * first; one index per command is accepted by every server, and an existing identical index is a no-op.
 */
export async function createIndexes<T extends Document>(col: Collection<T>, specs: IndexDescription[]): Promise<void> {
  for (const spec of specs) await col.createIndexes([spec]);
}

/** A write refused by a unique index. */
export function isDuplicateKey(e: unknown): boolean {
  return e instanceof MongoServerError && e.code === 11000;
}

/** The next number of a sequence (ids of ideas, events, broadcasts), one per caller under concurrency. */
export async function nextSeq(counters: Collection<{ _id: string; seq: number }>, serial: Serializer, name: string): Promise<number> {
  const inc = () => counters.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
  const c = await serial.run(`counter:${name}`, async () => {
    try {
      return await inc();
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return inc(); // the first two at once: one created the counter, the other increments it
    }
  });
  if (!c) throw new Error(`MongoDB store: counter ${name} was not written`);
  return c.seq;
}
