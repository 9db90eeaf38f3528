import { randomUUID } from 'node:crypto';

/** The MongoDB server of the run (scripts/test-server.sh sets it), or undefined: the MongoDB part is skipped. */
export const mongoUri = process.env.MONGODB_URI;

/** Says out loud, once per file, that the MongoDB part is skipped (as the store contract suite does). */
export function sayIfMongoSkipped(what: string): void {
  if (!mongoUri) process.stderr.write(`\n[${what}] MongoDB: SKIPPED (set MONGODB_URI, e.g. scripts/test-server.sh npx jest …, to run it)\n\n`);
}

/** A fresh database name for one test. */
export function freshDatabase(prefix = 'ensemble_test'): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/** The URI with its database path replaced by `name` (hosts, credentials and options kept). */
export function uriWithDatabase(uri: string, name: string): string {
  const q = uri.indexOf('?');
  const base = q === -1 ? uri : uri.slice(0, q);
  const query = q === -1 ? '' : uri.slice(q);
  const hostsStart = base.indexOf('//') + 2;
  const slash = base.indexOf('/', hostsStart);
  return `${slash === -1 ? base : base.slice(0, slash)}/${name}${query}`;
}
