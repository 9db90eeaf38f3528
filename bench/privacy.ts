/**
 * « Mes données » and erasure read every table (or collection) of the store: this measures what that costs
 * on a store the size of a large programme, and the daily retention pass. Builds a store with BENCH_PEOPLE
 * people (20,000), each with a few ideas' supports and registrations, and BENCH_MESSAGES outbox rows
 * (200,000: a quarter of a year of broadcasts and notices), then times dataOf, erase and purge for one person.
 *
 *   npm run bench:privacy                      (embedded SQLite)
 *   MONGODB_URI=mongodb://… npm run bench:privacy   (and MongoDB)
 *
 * Prints figures; nothing is asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewOutboxMessage } from '../src/domain/delivery';
import type { Store } from '../src/domain/ports';
import { DEFAULT_RETENTION } from '../src/domain/privacy';
import { MongoStore } from '../src/store/mongo';
import { SqliteStore } from '../src/store/sqlite';
import { envNumber, ms } from './support/stats';

const PEOPLE = envNumber('BENCH_PEOPLE', 20_000);
const MESSAGES = envNumber('BENCH_MESSAGES', 200_000);
const T0 = new Date('2026-12-01T09:00:00Z');
const id = (n: number) => `slack:T1/U${String(n).padStart(8, '0')}`;

async function fill(store: Store): Promise<void> {
  for (let n = 0; n < PEOPLE; n++) await store.people.record({ platform: 'slack', tenant: 'T1', user: `U${String(n).padStart(8, '0')}`, displayName: `Agent ${n} Nom${n}` }, T0);
  const ideas: number[] = [];
  for (let n = 0; n < PEOPLE / 10; n++)
    ideas.push((await store.ideas.create({ title: `Idée ${n}`, description: 'Texte', axisId: 'usager', hashtags: [], anonymous: false, authorId: id(n * 10), createdAt: T0 })).id);
  for (let n = 0; n < PEOPLE; n++) for (let k = 0; k < 3; k++) await store.ideas.addSupport(ideas[(n * 7 + k) % ideas.length], id(n), T0);
  const batch: NewOutboxMessage[] = [];
  const flush = async () => {
    await store.outbox.enqueue(batch.splice(0), T0);
  };
  for (let m = 0; m < MESSAGES; m++) {
    const to = m % PEOPLE;
    batch.push({
      key: `b${Math.floor(m / PEOPLE)}:${id(to)}`,
      source: `b${Math.floor(m / PEOPLE)}`,
      platform: 'slack',
      target: { kind: 'person', personId: id(to) },
      payload: `{"text":"Diffusion ${Math.floor(m / PEOPLE)}"}`,
      dueAt: T0,
    });
    if (batch.length === 1000) await flush();
  }
  await flush();
}

async function measure(label: string, store: Store): Promise<void> {
  let t = performance.now();
  await fill(store);
  process.stdout.write(`${label}: ${PEOPLE} people, ${PEOPLE / 10} ideas, ${PEOPLE * 3} supports, ${MESSAGES} outbox rows filled in ${ms(performance.now() - t)}\n`);
  const who = id(1230);
  t = performance.now();
  const data = await store.privacy.dataOf(who, ['U00001230']);
  const rows = Object.values(data).reduce((n, r) => n + r.length, 0);
  process.stdout.write(`${label}: dataOf one person: ${ms(performance.now() - t)} (${rows} rows in ${Object.keys(data).length} tables)\n`);
  t = performance.now();
  const report = await store.privacy.erase({
    personId: who,
    pseudonym: 'erased:bench',
    identifying: ['Agent 1230 Nom1230', 'U00001230'],
    replacement: 'Agent anonyme',
    ideas: 'anonymise',
  });
  process.stdout.write(`${label}: erase one person: ${ms(performance.now() - t)} (${JSON.stringify(report)})\n`);
  t = performance.now();
  const purged = await store.privacy.purge(new Date(T0.getTime() + 400 * 86_400_000), DEFAULT_RETENTION);
  process.stdout.write(`${label}: daily retention pass: ${ms(performance.now() - t)} (${JSON.stringify(purged)})\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-bench-privacy-'));
  const sqlite = SqliteStore.open(dir);
  try {
    await measure('SQLite', sqlite);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    process.stdout.write('MongoDB: skipped (set MONGODB_URI)\n');
    return;
  }
  const mongo = await MongoStore.connect(uri, `ensemble_bench_privacy_${Date.now()}`);
  try {
    await measure(`MongoDB (${mongo.server.product} ${mongo.server.version})`, mongo);
  } finally {
    await mongo.drop();
    await mongo.close();
  }
}

void main();
