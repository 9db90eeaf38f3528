import type { Store } from '../domain/ports';
import { MongoStore } from './mongo';
import { SqliteStore } from './sqlite';

/** MongoDB when a URI is given, otherwise the embedded store under `dataDir`. */
export async function openStore(options: { mongodbUri?: string; dataDir: string }): Promise<Store> {
  if (options.mongodbUri) return MongoStore.connect(options.mongodbUri);
  return SqliteStore.open(options.dataDir);
}
