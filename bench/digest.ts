/**
 * The weekly digest for a whole administration, end to end through the real bot: 75,000 Teams members
 * (each following one to three of the five axes, some with their own preferences), a week of activity
 * (pilots' updates, new ideas, status changes of ideas people support, upcoming events of the axes),
 * then the digest job falls due: the bot reads the week once and queues one message per person with
 * something new. Printed: the time to build and queue all digests, the process's peak memory while it
 * does (the embedded store lives in this process), how many were queued and skipped, then the send rate
 * of the first BENCH_SEND digests to a fake Bot Connector that enforces Teams' ceilings (50/s per app,
 * 7/s per conversation), as a percentage of the ceiling.
 *
 *   npm run bench:digest                        # 75,000 people; builds all, sends 3,000 (~1 min)
 *   BENCH_SEND=75000 npm run bench:digest        # sends them all (~26 min at 50/s)
 *
 * Settings: BENCH_PEOPLE (75000), BENCH_SEND (3000), BENCH_IDEAS (400 in the week), BENCH_CHANGED (60
 * status changes), BENCH_SUPPORTERS (40 per changed idea), BENCH_SEED (7), BENCH_KEEP_DATA (0).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { startBot } from '../src/bot';
import { loadConfig } from '../src/config/load';
import { AXIS_UPDATE_STATUSES } from '../src/domain/axes';
import type { Clock } from '../src/domain/ports';
import { DEFAULT_PREFERENCES } from '../src/domain/preferences';
import { personId } from '../src/domain/people';
import { SqliteStore } from '../src/store/sqlite';
import { openSqliteFile } from '../src/tools/sqlite-file';
import { type ConnectorReport, startFakeConnector } from './support/broadcast-fake-connector';
import { botNodeFlags } from './support/node-flags';
import { envNumber, mb, prng, sleep } from './support/stats';
import { teamsMember } from './support/teams';

const settings = {
  people: envNumber('BENCH_PEOPLE', 75_000),
  send: envNumber('BENCH_SEND', 3000),
  ideas: envNumber('BENCH_IDEAS', 400),
  changed: envNumber('BENCH_CHANGED', 60),
  supporters: envNumber('BENCH_SUPPORTERS', 40),
  seed: envNumber('BENCH_SEED', 7),
  keep: envNumber('BENCH_KEEP_DATA', 0) === 1,
};
const AXES = ['transitions', 'territoires', 'usager', 'marque-employeur', 'equipe'];
/** Monday 7 December 2026, 09:00 in Paris: the digest is due. */
const DUE = new Date('2026-12-07T08:00:00Z');
const WEEK_START = new Date(DUE.getTime() - 7 * 86_400_000);

/** A clock the benchmark sets: the week's activity is dated before the digest falls due. */
function benchClock(): Clock & { set(at: Date): void } {
  let base = WEEK_START.getTime();
  let realBase = performance.now();
  return {
    now: () => new Date(base + (performance.now() - realBase)),
    set(at: Date) {
      base = at.getTime();
      realBase = performance.now();
    },
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ensemble-bench-digest-'));
  const rnd = prng(settings.seed);
  const connector = await startFakeConnector({ appPerSec: 50, conversationPerSec: 7, latencyMs: 100 });
  console.log(`Weekly digest for ${settings.people} Teams members · connector enforces 50/s per app, 7/s per conversation · sends ${settings.send}`);

  // Seed the week directly in the store (what a week of chat would have left there).
  const t = performance.now();
  const store = SqliteStore.open(dataDir);
  const ids: string[] = [];
  for (let i = 1; i <= settings.people; i++) {
    const contact = teamsMember(i, connector.url);
    await store.people.record({ ...contact, locale: i % 7 === 0 ? 'en' : 'fr' }, WEEK_START);
    const id = personId(contact);
    ids.push(id);
    const n = 1 + Math.floor(rnd() * 3);
    const start = Math.floor(rnd() * AXES.length);
    for (let k = 0; k < n; k++) await store.follows.follow(id, AXES[(start + k) % AXES.length], WEEK_START);
    // some chose otherwise: daily digests, no digest, no idea news
    if (i % 50 === 0) await store.preferences.save(id, { ...DEFAULT_PREFERENCES, digest: 'daily' }, WEEK_START);
    else if (i % 50 === 1) await store.preferences.save(id, { ...DEFAULT_PREFERENCES, digest: 'off' }, WEEK_START);
    else if (i % 50 === 2) await store.preferences.save(id, { ...DEFAULT_PREFERENCES, kinds: { ...DEFAULT_PREFERENCES.kinds, ideaNews: 'off' } }, WEEK_START);
  }
  const day = (d: number) => new Date(WEEK_START.getTime() + d * 3_600_000);
  // two updates on four of the five axes (the last had a quiet week)
  for (const [a, axisId] of AXES.slice(0, 4).entries()) {
    for (let k = 0; k < 2; k++) {
      await store.axisUpdates.create({
        axisId,
        authorId: ids[a],
        status: AXIS_UPDATE_STATUSES[(a + k) % 4],
        progress: 20 + 10 * k,
        done: 'Trois ateliers menés avec les services ; une première version du guide est prête.',
        next: 'Tester le guide avec deux directions.',
        createdAt: day(24 + 48 * k + a),
        reachedFollowers: k === 0,
      });
    }
  }
  const older: number[] = [];
  for (let k = 0; k < settings.changed; k++) {
    const idea = await store.ideas.create({
      title: `Idée plus ancienne ${k}`,
      description: 'Proposée il y a un mois.',
      axisId: AXES[k % AXES.length],
      hashtags: [],
      anonymous: false,
      authorId: ids[Math.floor(rnd() * ids.length)],
      createdAt: new Date(WEEK_START.getTime() - 30 * 86_400_000),
    });
    for (let s = 0; s < settings.supporters; s++) await store.ideas.addSupport(idea.id, ids[Math.floor(rnd() * ids.length)], WEEK_START);
    older.push(idea.id);
  }
  for (let k = 0; k < settings.ideas; k++) {
    await store.ideas.create({
      title: `Nouvelle idée ${k} : un guichet unique pour les démarches internes`,
      description: 'Proposée cette semaine.',
      axisId: AXES[k % AXES.length],
      hashtags: [],
      anonymous: k % 5 === 0,
      authorId: ids[Math.floor(rnd() * ids.length)],
      createdAt: day(1 + (k % 160)),
    });
  }
  for (const [k, id] of older.entries()) await store.ideas.setStatus(id, k % 2 ? 'retenue' : 'a_l_etude', 'Merci, nous la regardons.', ids[0], day(100 + k));
  for (let k = 0; k < 10; k++) {
    await store.events.create({
      kind: 'off',
      title: `OFF de l’axe ${AXES[k % AXES.length]} n°${k}`,
      description: 'Une heure pour échanger.',
      startsAt: new Date(DUE.getTime() + (2 + k) * 86_400_000),
      endsAt: new Date(DUE.getTime() + (2 + k) * 86_400_000 + 3_600_000),
      axisId: AXES[k % AXES.length],
      audience: { kind: 'everyone' },
      createdBy: ids[0],
      createdAt: WEEK_START,
    });
  }
  console.log(`  seeded in ${((performance.now() - t) / 1000).toFixed(1)} s (data: ${dataDir})`);

  await store.close();

  // The bot in a fresh process on that store: its peak memory is the bot's alone, not the seeding's.
  const child = fork(__filename, ['--bot', dataDir, connector.url], { execArgv: botNodeFlags(), stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  // the child asks for the connector's counters (the connector runs in this process's worker)
  child.on('message', async (m: FromChild) => {
    if (m.type === 'report?') child.send({ type: 'report', report: await connector.report() });
    if (m.type === 'line') console.log(m.text);
  });
  await new Promise<void>((resolve, reject) => child.on('exit', (code) => (code ? reject(new Error(`bench child exited with ${code}`)) : resolve())));
  const c = await connector.report();
  console.log(`429 answers                   ${c.rejected429}; peak ${c.peakAcceptedPerSec}/s accepted in any second, ${c.peakPerConversationPerSec}/s to one conversation`);
  await connector.stop();
  if (!settings.keep) rmSync(dataDir, { recursive: true, force: true });
}

type FromChild = { type: 'report?' } | { type: 'line'; text: string };

function line(text: string): void {
  process.send?.({ type: 'line', text } satisfies FromChild);
}

function connectorReport(): Promise<ConnectorReport> {
  return new Promise((resolve) => {
    process.once('message', (m: { type: string; report: ConnectorReport }) => resolve(m.report));
    process.send?.({ type: 'report?' } satisfies FromChild);
  });
}

/** The bot's process: the real bot on the seeded store, its clock a minute before the digest is due. */
async function botChild(dataDir: string): Promise<void> {
  const clock = benchClock();
  clock.set(new Date(DUE.getTime() - 60_000));
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'production' });
  const bot = await startBot({ config, log: pino({ level: 'silent' }), clock, host: '127.0.0.1', background: false });
  const before = await bot.delivery.jobs.runDue();
  if (before !== 0) throw new Error(`nothing should be due yet (${before} queued)`);
  global.gc?.();
  const rest = process.memoryUsage().rss;
  clock.set(DUE);
  const t = performance.now();
  const queued = await bot.delivery.jobs.runDue();
  const buildS = (performance.now() - t) / 1000;
  // the peak resident size of this process so far: the bot's start, then the digests' build
  const peak = process.resourceUsage().maxRSS * 1024;
  const weekly = await bot.services.store.outbox.report(`digest:weekly:${DUE.toISOString()}`);
  const daily = await bot.services.store.outbox.report(`digest:daily:${DUE.toISOString()}`);
  line('');
  line(`people                        ${settings.people}`);
  line(`digests queued                ${queued}: ${weekly.targeted} weekly, ${daily.targeted} daily (due at the same hour); the others had nothing new or chose no digest`);
  line(`build and queue all digests   ${buildS.toFixed(1)} s   (target < 60 s)`);
  line(`peak memory                   ${mb(peak)} RSS (the bot at rest: ${mb(rest)})`);

  // Sending: the bulk lane at the platform's ceiling. The first BENCH_SEND go out; the rate is theirs.
  const toSend = Math.min(settings.send, weekly.targeted);
  if (toSend > 0) {
    const source = `digest:weekly:${DUE.toISOString()}`;
    // only the first BENCH_SEND weekly digests stay due now; the rest (and the daily ones) wait a day
    const { db } = openSqliteFile(dataDir);
    const later = DUE.getTime() + 86_400_000;
    db.prepare(`UPDATE outbox SET due_at = ? WHERE state = 'pending' AND lane = 'bulk' AND id NOT IN (SELECT id FROM outbox WHERE source = ? ORDER BY id LIMIT ?)`).run(
      later,
      source,
      toSend,
    );
    db.close();
    bot.delivery.dispatcher.start();
    for (;;) {
      if ((await connectorReport()).accepted >= toSend) break;
      await sleep(250);
    }
    const c = await connectorReport();
    await bot.delivery.dispatcher.stop();
    const span = c.firstAcceptedAt !== null && c.lastAcceptedAt !== null ? (c.lastAcceptedAt - c.firstAcceptedAt) / 1000 : Number.NaN;
    const rate = (c.accepted - 1) / span;
    line(`sent                          ${c.accepted} in ${span.toFixed(1)} s: ${rate.toFixed(1)}/s = ${((rate / 50) * 100).toFixed(1)} % of the ceiling (target ≥ 95 %)`);
  }
  await bot.stop();
}

if (process.argv[2] === '--bot') {
  botChild(process.argv[3]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
