/**
 * Several instances, one ceiling, end to end: two real bot processes (dist/src/main.js) on one store
 * (a SQLite file; FerretDB when MONGODB_URI is set) send one broadcast to 3,000 Teams members through a
 * fake Bot Connector that ENFORCES Teams' ceilings on sliding seconds (50 per app, 7 per conversation;
 * 429 + Retry-After beyond). The broadcast is driven as an organiser would, through /api/messages.
 *
 * Asserted: every member gets it exactly once, no 429, both instances sent part of it; a crash of one
 * instance mid-way loses nobody (the other takes over after the lease). The rate they reach together
 * is printed, not asserted: it depends on the machine; `npm run bench:broadcast` with BENCH_INSTANCES=2
 * measures it (README, "Benchmarks").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectorHandle, startFakeConnector as StartFakeConnector } from '../../bench/support/broadcast-fake-connector';
import { memberConversation as conversationOf, teamsMember as member } from '../../bench/support/teams';
import type { Store } from '../../src/domain/ports';
import { MongoStore } from '../../src/store/mongo';
import { SqliteStore } from '../../src/store/sqlite';
import { allText } from '../support/harness';
import { programmeWith } from '../support/programme';
import { cardActionActivity, messageActivity, TENANT, type TeamsUser } from '../support/teams-activity';

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');
/** The built connector: it runs in a worker thread of its own (its clock is not held up by Jest's). */
const CONNECTOR = path.resolve(__dirname, '../../dist/bench/support/broadcast-fake-connector.js');
const MONGODB_URI = process.env.MONGODB_URI;
const ORGA: TeamsUser = { id: '29:orga', aadObjectId: '55555555-5555-4555-8555-555555555555', name: 'Orga Teams' };
const CEILING = 50;

jest.setTimeout(300_000);

if (!MONGODB_URI) process.stderr.write('\n[instances] two instances on MongoDB: SKIPPED (set MONGODB_URI, or run through scripts/test-server.sh)\n\n');

interface Proc {
  child: ChildProcess;
  port: number;
  out: () => string;
  exited: Promise<number | null>;
}

async function spawnBot(env: Record<string, string>, cwd: string): Promise<Proc> {
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until(async () => /listens on port \d+/.test(out) || child.exitCode !== null, 'the bot to listen', 30_000);
  const m = /listens on port (\d+)/.exec(out);
  if (!m) throw new Error(`the bot did not start:\n${out}`);
  return { child, port: Number(m[1]), out: () => out, exited };
}

async function until(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What an instance said it sent when it stopped (its "delivery stopped" log line). */
function sentBy(p: Proc): number {
  const line = p
    .out()
    .split('\n')
    .find((l) => l.includes('"delivery stopped"'));
  if (!line) throw new Error(`no "delivery stopped" line:\n${p.out().slice(-2000)}`);
  return JSON.parse(line).sent;
}

async function post(p: Proc, activity: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${p.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The organiser, on Teams: opens the form, submits it (preview), confirms. */
async function broadcastToEveryone(p: Proc, connector: ConnectorHandle): Promise<void> {
  expect((await post(p, messageActivity(connector.url, ORGA, 'diffusion'))).status).toBeLessThan(300);
  const preview = await post(
    p,
    cardActionActivity(connector.url, ORGA, 'broadcast.submit', {
      message: 'Consultation : l’avenir du parc municipal',
      when: 'now',
      audience: 'everyone',
      linkLabel: '',
      linkUrl: '',
      channel: '',
    }),
  );
  expect(allText(preview.body?.value)).toContain('Aperçu de la diffusion n°1');
  const confirmed = await post(p, cardActionActivity(connector.url, ORGA, 'broadcast.confirm', { id: '1' }));
  expect(allText(confirmed.body?.value)).toContain('C’est programmé : diffusion n°1');
}

type Setup = { env: Record<string, string>; open: () => Promise<Store>; cleanup: () => Promise<void> };

function sqliteSetup(): Setup {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-instances-'));
  return { env: { DATA_DIR: dataDir }, open: async () => SqliteStore.open(dataDir), cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

function mongoSetup(uri: string): Setup {
  const db = `ensemble_instances_${randomUUID().slice(0, 8)}`;
  const u = new URL(uri);
  u.pathname = `/${db}`;
  return {
    env: { MONGODB_URI: u.toString() },
    open: () => MongoStore.connect(uri, db),
    cleanup: async () => {
      const s = await MongoStore.connect(uri, db);
      await s.drop();
      await s.close();
    },
  };
}

async function seed(setup: Setup, members: number, connector: ConnectorHandle): Promise<void> {
  const store = await setup.open();
  const at = new Date();
  for (let i = 1; i <= members; i++) await store.people.record(member(i, connector.url), at);
  await store.close();
}

async function run(setup: Setup, members: number, opts: { leaseSeconds: number; killAt?: number }) {
  const { startFakeConnector } = require(CONNECTOR) as { startFakeConnector: typeof StartFakeConnector };
  const connector = await startFakeConnector({ appPerSec: CEILING, conversationPerSec: 7, latencyMs: 50, trace: true });
  const cwd = mkdtempSync(path.join(tmpdir(), 'ensemble-instances-cwd-'));
  const procs: Proc[] = [];
  try {
    await seed(setup, members, connector);
    const env = {
      PORT: '0',
      LOG_LEVEL: 'info',
      PROGRAMME_FILE: programmeWith({ organisers: [`teams:${TENANT}/${ORGA.aadObjectId}`] }),
      DELIVERY_LEASE_SECONDS: String(opts.leaseSeconds),
      ...setup.env,
    };
    procs.push(await spawnBot(env, cwd), await spawnBot(env, cwd));
    const [a, b] = procs;
    await broadcastToEveryone(a, connector);
    const everyone = members + 1; // and the organiser
    let killedAt: number | undefined;
    if (opts.killAt !== undefined) {
      const at = opts.killAt;
      await until(async () => (await connector.report()).accepted >= at, `${at} deliveries`, 120_000);
      b.child.kill('SIGKILL');
      await b.exited;
      killedAt = (await connector.report()).accepted;
    }
    const sendingSince = Date.now();
    await until(async () => (await connector.report()).distinctConversations >= everyone, 'everyone to receive it', 240_000).catch(async (e) => {
      const r = await connector.report();
      throw new Error(
        `${(e as Error).message}: ${r.distinctConversations - 1} of ${members} in ${((Date.now() - sendingSince) / 1000).toFixed(0)} s, 429s ${r.rejected429}\n${procs.map((p) => p.out().slice(-1500)).join('\n---\n')}`,
      );
    });
    const store = await setup.open();
    await until(async () => (await store.outbox.report('broadcast:1')).pending === 0, 'the outbox to be done', 60_000);
    const outbox = await store.outbox.report('broadcast:1');
    await store.close();
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    const codes = await Promise.all(procs.map((p) => p.exited));
    const report = await connector.report(true);
    // The broadcast's own deliveries (not the organiser's replies): from the first to the last.
    const orga = `a:${ORGA.id}`;
    const trace = (report.trace ?? []).filter(([, , conv]) => conv !== orga);
    const accepted = trace.filter(([, status]) => status !== 429).map(([t]) => t);
    const span = (accepted[accepted.length - 1] - accepted[0]) / 1000;
    const rate = (accepted.length - 1) / span;
    const refused = trace.filter(([, status]) => status === 429).map(([t]) => ((t - accepted[0]) / 1000).toFixed(2));
    process.stderr.write(
      `\n[instances] ${members} members: ${accepted.length} deliveries in ${span.toFixed(1)} s = ${rate.toFixed(1)}/s (${((100 * rate) / CEILING).toFixed(1)} % of ${CEILING}/s), ` +
        `429s ${report.rejected429}${refused.length ? ` (at ${refused.join(', ')} s)` : ''}, peak ${report.peakAcceptedPerSec}/s${killedAt !== undefined ? `, one instance killed after ${killedAt}` : ''}\n`,
    );
    return { report, outbox, a, b, codes, everyone, killedAt };
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await connector.stop();
    rmSync(cwd, { recursive: true, force: true });
    await setup.cleanup();
  }
}

const perMember = (report: { perConversation: Array<[string, number]> }, members: number) => {
  const received = new Map(report.perConversation);
  return Array.from({ length: members }, (_, i) => received.get(conversationOf(i + 1)) ?? 0);
};

describe('two bot processes on one store share the platform ceiling', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: "npm test" builds it first (npm run build)');
  });

  // FerretDB 1.x on SQLite (scripts/test-server.sh) scans the outbox collection for every update, and the
  // store runs the outbox's writes there under one lock (no atomic updates): its pace is the server's, not
  // the ceiling's (about 24 sends/s with 300 members, 14/s with 600, slower as the collection grows: 3,000 did not
  // finish in 4 minutes). So on FerretDB the same test runs with 600 members; INSTANCES_MONGO_MEMBERS
  // sets it (a real MongoDB replica set: 3000).
  const stores: Array<[string, number, () => Setup]> = [['SQLite', 3000, sqliteSetup]];
  if (MONGODB_URI) stores.push(['MongoDB', Number(process.env.INSTANCES_MONGO_MEMBERS ?? 600), () => mongoSetup(MONGODB_URI)]);

  test.each(stores)('%s: a broadcast to %i Teams members is sent exactly once, by both, with no 429', async (_name, members, setup) => {
    const { report, outbox, a, b, codes } = await run(setup(), members, { leaseSeconds: 60 });
    expect(codes).toEqual([0, 0]);
    expect(perMember(report, members).filter((n) => n !== 1)).toEqual([]);
    // No 429 at steady state on a quiet machine (0 in the runs and the benchmark, README). A 429 here
    // comes from timing: a process or the connector descheduled for tens of ms on a loaded machine
    // bunches requests together. It is retried after its Retry-After and delivered once (above); without
    // the share, two instances draw hundreds (test/unit/delivery/share.test.ts). A few are tolerated, in
    // proportion to the run (1 %: 30 of 3,000): a CI machine running other suites beside it drew 4 once.
    expect(report.rejected429).toBeLessThanOrEqual(Math.ceil(members / 100));
    expect(outbox).toMatchObject({ targeted: members + 1, sent: members + 1, pending: 0, failed: 0 });
    const [bySentA, bySentB] = [sentBy(a), sentBy(b)];
    expect(bySentA + bySentB).toBe(members + 1);
    expect(Math.min(bySentA, bySentB)).toBeGreaterThan(members / 5);
  });

  test('SQLite: one instance killed mid-way, the other finishes after the lease, nobody lost', async () => {
    const members = 1200;
    const { report, outbox, a, codes, killedAt } = await run(sqliteSetup(), members, { leaseSeconds: 5, killAt: 400 });
    expect(codes[0]).toBe(0);
    const counts = perMember(report, members);
    expect(counts.filter((n) => n === 0)).toEqual([]); // nobody lost
    const duplicates = counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    expect(duplicates).toBeLessThanOrEqual(64); // at most what was on the wire when it died
    expect(outbox).toMatchObject({ sent: members + 1, pending: 0, failed: 0 });
    expect(sentBy(a)).toBeGreaterThan(members + 1 - (killedAt ?? 0) - 64);
  });
});
