import type { DatabaseSync } from 'node:sqlite';
import type { Db } from 'mongodb';
import type { Store } from '../../src/domain/ports';

/**
 * Everything a store holds, as one text: every row of every SQLite table, every document of every MongoDB
 * collection. Tests search it for what must not be there (an erased person's name, e-mail, ids).
 */
export async function dumpStore(store: Store): Promise<string> {
  const internals = store as unknown as { db: DatabaseSync | Db };
  if (store.kind === 'sqlite') {
    const db = internals.db as DatabaseSync;
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    return tables.map((t) => `${t.name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())}`).join('\n');
  }
  const db = internals.db as Db;
  const out: string[] = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) out.push(`${c.name}: ${JSON.stringify(await db.collection(c.name).find({}).toArray())}`);
  return out.join('\n');
}
