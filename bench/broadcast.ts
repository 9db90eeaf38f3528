/**
 * A broadcast to N Teams members through the delivery engine, end to end: the embedded SQLite store
 * (people with their conversation references, the outbox), the Dispatcher with TeamsDelivery, the
 * real TeamsProactiveSender (Teams SDK, axios) and a fake Bot Connector on loopback that enforces
 * Teams' limits (50 activities/s per app, 7/s per conversation, on sliding seconds; 429 +
 * Retry-After: 1 beyond) and records every activity it receives.
 *
 *   npm run bench:broadcast                         # 75,000 members (~26 min at 97 % of 50/s)
 *   BENCH_MEMBERS=3000 npm run bench:broadcast      # ~1 min
 *   BENCH_CRASH=1 BENCH_MEMBERS=3000 npm run bench:broadcast
 *
 * BENCH_CRASH=1: the first dispatcher runs in a child process that is killed (SIGKILL) once
 * BENCH_CRASH_AT (0.4) of the members have received the message; a second dispatcher (another owner)
 * starts right away in this process and takes over what the first held once its leases (BENCH_LEASE_MS,
 * 2000 in that mode) have run out. Checked: nobody lost, duplicates ≤ sends in flight at the crash
 * (= activities delivered but not yet recorded when it died).
 *
 * BENCH_INSTANCES=2 (or more): the dispatchers run in that many child processes on the one SQLite file,
 * each with its share of the ceilings (src/delivery/share.ts: beats through the store), as several bot
 * instances would; only the first is told the broadcast was queued (the others learn it from its beat).
 * Printed: the combined rate as a percentage of the ceiling, 429s, duplicates, losses, each one's part.
 *
 *   BENCH_INSTANCES=2 BENCH_MEMBERS=3000 npm run bench:broadcast
 *
 * Settings: BENCH_MEMBERS (75000), BENCH_INSTANCES (1), BENCH_CRASH (0), BENCH_CRASH_AT (0.4), BENCH_LEASE_MS (60000;
 * crash: 2000), BENCH_BATCH (200; crash: 30), BENCH_CONCURRENCY (64), BENCH_HEADROOM (0.97),
 * BENCH_APP_LIMIT (50), BENCH_CONV_LIMIT (7), BENCH_LATENCY_MS (100: the connector's answer time),
 * BENCH_TRACE (0; 1 prints each 429 with the arrivals around it), BENCH_LOG (silent), BENCH_KEEP_DATA (0),
 * BENCH_PREFS_EVERY (5: every 5th member has stored preferences, letting broadcasts through), BENCH_QUEUE_ONLY
 * (0; 1 stops once the broadcast is queued: the figures of the Notices gate alone).
 *
 * The broadcast is queued through the Notices gate (src/app/notices.ts), as the bot does: the members'
 * preferences are read once per chunk of a thousand, and the queuing time is printed on its own. Each member
 * gets their own card, as the broadcast runner makes it (« J'ai lu », a link through /r/<token> signed for them).
 * Exit code 1 when someone was lost or the duplicates exceed the bound.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from '@microsoft/teams.apps';
import pino from 'pino';
import type { Card } from '../src/cards/model';
import { Dispatcher } from '../src/delivery/dispatcher';
import { TeamsDelivery } from '../src/delivery/senders';
import { CeilingShare } from '../src/delivery/share';
import { BroadcastCards } from '../src/app/broadcasts/cards';
import { type Notice, Notices } from '../src/app/notices';
import { I18n } from '../src/i18n';
import type { Person } from '../src/domain/people';
import { DEFAULT_PREFERENCES, type Preferences } from '../src/domain/preferences';
import { teamsLogger } from '../src/platforms/teams/logger-bridge';
import { TeamsProactiveSender } from '../src/platforms/teams/proactive';
import { SqliteStore } from '../src/store/sqlite';
import { startFakeConnector, type ConnectorHandle } from './support/broadcast-fake-connector';
import { envNumber, mb, sleep } from './support/stats';
import { memberConversation as conversationOf, teamsMember as member } from './support/teams';

const SOURCE = 'bench-broadcast:r1';

const settings = {
  members: envNumber('BENCH_MEMBERS', 75_000),
  instances: envNumber('BENCH_INSTANCES', 1),
  crash: envNumber('BENCH_CRASH', 0) === 1,
  crashAt: envNumber('BENCH_CRASH_AT', 0.4),
  concurrency: envNumber('BENCH_CONCURRENCY', 64),
  headroom: envNumber('BENCH_HEADROOM', 0.97),
  appLimit: envNumber('BENCH_APP_LIMIT', 50),
  convLimit: envNumber('BENCH_CONV_LIMIT', 7),
  keep: envNumber('BENCH_KEEP_DATA', 0) === 1,
  /** The connector answers accepted activities after this long (real Teams: ~100-300 ms): sends overlap. */
  latencyMs: envNumber('BENCH_LATENCY_MS', 100),
  /** BENCH_TRACE=1: prints the 429s with the arrivals around them and the slowest gaps. */
  trace: envNumber('BENCH_TRACE', 0) === 1,
  prefsEvery: envNumber('BENCH_PREFS_EVERY', 5),
  queueOnly: envNumber('BENCH_QUEUE_ONLY', 0) === 1,
};
const leaseMs = envNumber('BENCH_LEASE_MS', settings.crash ? 2000 : 60_000);
// What is held is sent within (lease - margin) / 2 (750 ms with a 2 s lease: ~36 messages at 48.5/s).
const batchSize = envNumber('BENCH_BATCH', settings.crash ? 30 : 200);
const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });

const card: Card = {
  fallbackText: 'Consultation : l’avenir du parc municipal',
  elements: [
    { type: 'header', text: 'Consultation : l’avenir du parc municipal' },
    { type: 'text', text: 'Donnez votre avis **avant le 30 juin**. Trois scénarios sont proposés ; [lire le dossier](https://exemple.fr/parc).' },
    {
      type: 'facts',
      facts: [
        { label: 'Clôture', value: '30 juin' },
        { label: 'Durée', value: '5 minutes' },
      ],
    },
    { type: 'actions', actions: [{ kind: 'submit', verb: 'idea.list', label: 'Répondre', data: { f: 'top' }, style: 'primary' }] },
  ],
};

/** The Teams side of the bot, as in production but without credentials (no token: local mode). */
function teamsDelivery(store: SqliteStore): TeamsDelivery {
  for (const v of ['CLIENT_ID', 'CLIENT_SECRET', 'TENANT_ID', 'MANAGED_IDENTITY_CLIENT_ID']) delete process.env[v];
  const app = new App({ dangerouslyAllowUnauthenticatedRequests: true, logger: teamsLogger(log) });
  const proactive = new TeamsProactiveSender(app);
  return new TeamsDelivery({
    people: store.people,
    proactive,
    appRatePerSec: settings.appLimit,
    conversationRatePerSec: settings.convLimit,
    headroom: settings.headroom,
  });
}

function dispatcherFor(store: SqliteStore, owner: string, share?: CeilingShare): Dispatcher {
  return new Dispatcher({
    share,
    outbox: store.outbox,
    deliveries: { teams: teamsDelivery(store) },
    clock: { now: () => new Date() },
    owner,
    log,
    batchSize,
    leaseMs,
    concurrency: settings.concurrency,
    claimPollMs: 200,
  });
}

// ---------------------------------------------------------------------------------------------
// The first dispatcher of the crash scenario: a child process, killed with SIGKILL.

type FromChild = { type: 'beat'; inFlight: number; sent: number; retried: number };

async function crashChild(dataDir: string): Promise<void> {
  const store = SqliteStore.open(dataDir);
  const d = dispatcherFor(store, 'A');
  d.start();
  setInterval(() => {
    const s = d.stats();
    process.send?.({ type: 'beat', inFlight: s.inFlight, sent: s.sent, retried: s.retried } satisfies FromChild);
  }, 20);
  await new Promise(() => undefined); // until killed
}

// ---------------------------------------------------------------------------------------------
// The instances of the BENCH_INSTANCES mode: child processes sharing the ceilings through the store.

type FromInstance = { type: 'ready' } | { type: 'stopped'; sent: number; failed: number; retried: number; released: number; peakInFlight: number };
type ToInstance = { type: 'go' } | { type: 'stop' };

async function instanceChild(dataDir: string, name: string): Promise<void> {
  const store = SqliteStore.open(dataDir);
  let d: Dispatcher | undefined;
  const share = new CeilingShare({ instances: store.instances, clock: { now: () => new Date() }, owner: name, log, onPeerBusy: () => d?.poke() });
  d = dispatcherFor(store, name, share);
  await share.start();
  d.start();
  process.on('message', async (m: ToInstance) => {
    if (m.type === 'go') d.poke();
    if (m.type === 'stop') {
      await d.stop();
      await share.stop();
      const s = d.stats();
      process.send?.({ type: 'stopped', sent: s.sent, failed: s.failed, retried: s.retried, released: s.released, peakInFlight: s.peakInFlight } satisfies FromInstance);
      await store.close();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready' } satisfies FromInstance);
}

// ---------------------------------------------------------------------------------------------

/** Waits until nothing is pending (nextDue uses the partial index: cheap), printing progress every 10 s. */
async function untilDone(store: SqliteStore, started: number, connector: ConnectorHandle, dispatcher: () => Dispatcher | undefined): Promise<void> {
  let lastPrint = performance.now();
  while ((await store.outbox.nextDue()) !== null) {
    if (performance.now() - lastPrint >= 10_000) {
      lastPrint = performance.now();
      const c = await connector.report();
      const st = dispatcher()?.stats();
      const s = (performance.now() - started) / 1000;
      const mine = st ? ` · this dispatcher: sent ${st.sent}, failed ${st.failed}, retried ${st.retried}, released ${st.released}, in flight ${st.inFlight}` : '';
      console.log(
        `  … ${s.toFixed(0)} s: delivered ${c.accepted} (${(c.accepted / s).toFixed(1)}/s)${mine} · 429s ${c.rejected429} · RSS ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)}`,
      );
    }
    await sleep(250);
  }
}

/** Diagnostics: each 429 with the span of the window it fell in, and the distribution of gaps between arrivals. */
function printTrace(trace: Array<[number, number, string]>, limit: number): void {
  const t0 = trace[0]?.[0] ?? 0;
  const accepted = trace.filter(([, s]) => s === 201).map(([t]) => t);
  trace.forEach(([t, status], k) => {
    if (status !== 429) return;
    const before = accepted.filter((a) => a <= t && a > t - 1000);
    console.log(
      `  429 at ${(t - t0).toFixed(1)} ms: ${before.length} accepted in the last second, oldest at -${(t - before[0]).toFixed(1)} ms; arrivals around: ${trace
        .slice(Math.max(0, k - 3), k + 3)
        .map(([x, s]) => `${(x - t0).toFixed(1)}${s === 429 ? '!' : ''}`)
        .join(' ')}`,
    );
  });
  const gaps = accepted
    .slice(1)
    .map((t, i) => t - accepted[i])
    .sort((a, b) => a - b);
  const q = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor((p / 100) * gaps.length))]?.toFixed(1);
  const spans = accepted.slice(limit).map((t, i) => t - accepted[i]);
  console.log(
    `  gaps between accepted arrivals: min ${q(0)} · p1 ${q(1)} · p50 ${q(50)} · p99 ${q(99)} · max ${gaps.at(-1)?.toFixed(1)} ms; tightest span of ${limit + 1} arrivals ${Math.min(...spans).toFixed(1)} ms`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--crash-child') return crashChild(process.argv[3]);
  if (process.argv[2] === '--instance-child') return instanceChild(process.argv[3], process.argv[4]);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ensemble-bench-broadcast-'));
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
  rssTimer.unref();
  const connector = await startFakeConnector({
    appPerSec: settings.appLimit,
    conversationPerSec: settings.convLimit,
    latencyMs: settings.latencyMs,
    trace: settings.trace,
  });
  console.log(
    `Broadcast to ${settings.members} Teams members · connector enforces ${settings.appLimit}/s per app, ${settings.convLimit}/s per conversation` +
      ` · answers in ${settings.latencyMs} ms · headroom ${settings.headroom} · lease ${leaseMs} ms · batch ${batchSize} · concurrency ${settings.concurrency}` +
      (settings.crash ? ` · CRASH at ${Math.round(settings.crashAt * 100)} %` : '') +
      (settings.instances > 1 ? ` · ${settings.instances} instances sharing the ceilings` : ''),
  );
  console.log(`  data: ${dataDir}`);

  // Seed: people with their conversation references, then the outbox (one message per member).
  const store = SqliteStore.open(dataDir);
  const t = performance.now();
  const at = new Date();
  const people: Person[] = [];
  for (let i = 1; i <= settings.members; i++) people.push(await store.people.record(member(i, connector.url), at));
  // some members chose their preferences (none that holds a broadcast back: everyone must receive it)
  const chosen: Preferences = { ...DEFAULT_PREFERENCES, kinds: { ...DEFAULT_PREFERENCES.kinds, ideaNews: 'off', axisUpdates: 'digest' }, digest: 'daily' };
  let withPrefs = 0;
  if (settings.prefsEvery > 0)
    for (let i = settings.prefsEvery; i <= settings.members; i += settings.prefsEvery, withPrefs++) await store.preferences.save(people[i - 1].id, chosen, at);
  // each member's own card, as the broadcast runner makes it: « J'ai lu » and a counted link through /r/<token>
  const cards = new BroadcastCards(store, new I18n('fr'), 'https://ensemble.exemple.fr');
  const secret = await cards.linkSecret();
  const broadcast = { id: 1, message: card.fallbackText, ack: 'counted' as const, link: { label: 'Lire le dossier', url: 'https://exemple.fr/parc' } };
  const makeNotices = (): Notice[] => people.map((person) => ({ person, key: `${SOURCE}:${person.id}`, card: cards.forPerson(broadcast, person, 'fr', secret) }));
  const gate = new Notices(store, { now: () => at }, () => undefined, { timeZone: 'Europe/Paris', defaultLocale: 'fr', manageLabel: () => 'Gérer mes notifications' });
  // The instances start before the broadcast is queued, as bot instances would be running already.
  const children: ChildProcess[] = [];
  const stoppedFigures: Array<Promise<Extract<FromInstance, { type: 'stopped' }>>> = [];
  if (settings.instances > 1 && !settings.crash) {
    for (let k = 0; k < settings.instances; k++) {
      const child = fork(__filename, ['--instance-child', dataDir, `instance-${k + 1}`], { stdio: 'inherit' });
      children.push(child);
      await new Promise<void>((resolve) => child.on('message', (m: FromInstance) => m.type === 'ready' && resolve()));
      stoppedFigures.push(new Promise((resolve) => child.on('message', (m: FromInstance) => m.type === 'stopped' && resolve(m))));
    }
  }
  const seeded = performance.now();
  console.log(`  seeded ${settings.members} people (${withPrefs} with stored preferences) in ${((seeded - t) / 1000).toFixed(1)} s`);
  // timed with the cards' making: one per member, each with its own token
  const queued = await gate.queue(makeNotices(), { source: SOURCE, kind: 'broadcasts' });
  const queuedIn = performance.now() - seeded;
  console.log(`  queued ${queued} messages through the Notices gate in ${(queuedIn / 1000).toFixed(2)} s (${((1000 * queued) / queuedIn).toFixed(0)} notices/s)`);
  if (settings.queueOnly) {
    await store.close();
    await connector.stop();
    if (!settings.keep) rmSync(dataDir, { recursive: true, force: true });
    return;
  }

  let crashFigures: { unrecorded: number; lastBeat?: FromChild; killedAt: number; recordedAtKill: number; deliveredAtKill: number } | undefined;
  const started = performance.now();
  if (children.length > 0) {
    children[0].send({ type: 'go' } satisfies ToInstance); // the instance that queued it; the others hear its beat
    await untilDone(store, started, connector, () => undefined);
    for (const c of children) c.send({ type: 'stop' } satisfies ToInstance);
    const figures = await Promise.all(stoppedFigures);
    for (const [k, f] of figures.entries())
      console.log(
        `  instance-${k + 1}: sent ${f.sent} (${((100 * f.sent) / settings.members).toFixed(1)} %), failed ${f.failed}, retried ${f.retried}, released ${f.released}, peak in flight ${f.peakInFlight}`,
      );
  } else if (!settings.crash) {
    const d = dispatcherFor(store, `bench-${process.pid}`);
    d.start();
    await untilDone(store, started, connector, () => d);
    await d.stop();
    console.log(`  dispatcher: peak sends in flight ${d.stats().peakInFlight}`);
  } else {
    // Dispatcher A in a child process, killed mid-way.
    const child: ChildProcess = fork(__filename, ['--crash-child', dataDir], { stdio: 'inherit' });
    let lastBeat: FromChild | undefined;
    child.on('message', (m: FromChild) => (lastBeat = m));
    const target = Math.floor(settings.members * settings.crashAt);
    for (;;) {
      const c = await connector.report();
      if (c.accepted >= target) break;
      await sleep(50);
    }
    const beatAtKill = lastBeat;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const killedAt = performance.now();
    await sleep(300); // what was already on the wire reaches the connector
    const c = await connector.report();
    const r = await store.outbox.report(SOURCE);
    const deliveredAtKill = c.distinctConversations;
    crashFigures = { unrecorded: deliveredAtKill - r.sent, lastBeat: beatAtKill, killedAt, recordedAtKill: r.sent, deliveredAtKill };
    console.log(
      `  crash: dispatcher A killed (SIGKILL) after ${((killedAt - started) / 1000).toFixed(1)} s; ${deliveredAtKill} members had received it, ${r.sent} recorded sent` +
        ` → ${crashFigures.unrecorded} delivered but not recorded (A's last heartbeat: ${beatAtKill?.inFlight ?? '?'} in flight)`,
    );
    // Dispatcher B takes over (A's leases run out after leaseMs).
    const b = dispatcherFor(store, 'B');
    b.start();
    await untilDone(store, started, connector, () => b);
    await b.stop();
  }
  const elapsed = (performance.now() - started) / 1000;

  const report = await connector.report(true);
  const outbox = await store.outbox.report(SOURCE);
  const received = new Map(report.perConversation);
  let lost = 0;
  let duplicates = 0;
  let duplicatedMembers = 0;
  for (let i = 1; i <= settings.members; i++) {
    const n = received.get(conversationOf(i)) ?? 0;
    if (n === 0) lost++;
    if (n > 1) {
      duplicates += n - 1;
      duplicatedMembers++;
    }
  }
  const sendingSpan = report.firstAcceptedAt !== null && report.lastAcceptedAt !== null ? (report.lastAcceptedAt - report.firstAcceptedAt) / 1000 : elapsed;
  const rate = settings.members / elapsed;
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);

  console.log('');
  console.log(`members                      ${settings.members}`);
  console.log(`elapsed                      ${elapsed.toFixed(1)} s (from the dispatcher's start to the last message recorded)`);
  console.log(`achieved rate                ${rate.toFixed(2)} msg/s = ${((100 * rate) / settings.appLimit).toFixed(1)} % of the ${settings.appLimit}/s ceiling`);
  console.log(`  connector-side             ${(report.accepted / Math.max(sendingSpan, 0.001)).toFixed(2)} msg/s over ${sendingSpan.toFixed(1)} s (first to last accepted)`);
  console.log(
    `outbox                       sent ${outbox.sent}, failed ${outbox.failed}, pending ${outbox.pending}${outbox.reasons.length ? ` · reasons ${JSON.stringify(outbox.reasons)}` : ''}`,
  );
  console.log(`requests to the connector    ${report.requests} (accepted ${report.accepted}, 429 ${report.rejected429})`);
  console.log(`429s received                ${report.rejected429}`);
  console.log(`duplicates                   ${duplicates} (${duplicatedMembers} members received it more than once)`);
  console.log(`losses                       ${lost} (members who never received it)`);
  console.log(
    `peak 1-s window (connector)  accepted ${report.peakAcceptedPerSec}, attempted ${report.peakAttemptedPerSec} (ceiling ${settings.appLimit}); per conversation ${report.peakPerConversationPerSec}`,
  );
  console.log(`RSS                          ${mb(rss)} now, ${mb(peakRss)} peak (this process: store, dispatcher and the connector's worker thread)`);

  if (report.trace) printTrace(report.trace, settings.appLimit);

  let failed = lost > 0 || outbox.pending > 0;
  if (crashFigures) {
    const bound = crashFigures.unrecorded;
    console.log(
      `crash check                  in flight at the crash (delivered, not recorded) ${bound} · duplicates ${duplicates} ≤ ${bound}: ${duplicates <= bound ? 'yes' : 'NO'} · lost ${lost}: ${lost === 0 ? 'none' : 'YES'}`,
    );
    console.log(`                             concurrency bound ${settings.concurrency}; A's last heartbeat ${JSON.stringify(crashFigures.lastBeat ?? {})}`);
    if (duplicates > bound || bound > settings.concurrency) failed = true;
  } else if (duplicates > 0) {
    failed = true;
  }
  console.log(failed ? 'RESULT: FAILED' : 'RESULT: ok');

  await store.close();
  await connector.stop();
  if (!settings.keep) rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
