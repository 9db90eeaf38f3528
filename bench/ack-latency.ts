/**
 * Acknowledgement latency under a burst of participation: AGENTS distinct agents (default 700) each
 * propose an idea, support one, or click "Je participe" on a workshop day with limited places, arriving
 * at random (Poisson) over a window (default 60 s), through the real HTTP endpoint of the real bot
 * (embedded SQLite store, Slack over signed HTTP, Teams local mode).
 *
 *   npm run bench:ack                     # 700 agents over 60 s
 *   BENCH_WINDOW_S=10 npm run bench:ack   # the same 700 agents over 10 s
 *
 * Settings (environment): BENCH_AGENTS (700), BENCH_WINDOW_S (60), BENCH_TEAMS_SHARE (0.3),
 * BENCH_PROPOSE_SHARE (0.3), BENCH_REGISTER_SHARE (0.3), BENCH_SUPPORT_SHARE (the rest: 0.4; if set, the
 * three must add up to 1), BENCH_EVENT_CAPACITY (150), BENCH_SEED (42), BENCH_SEED_IDEAS (20),
 * BENCH_WARMUP (20), BENCH_KEEP_DATA (0). BENCH_PROPOSE_SHARE=0.4 BENCH_REGISTER_SHARE=0 replays the
 * plan of the benchmark before registrations (same seed, same agents, same arrivals).
 *
 * Prints figures; the target (p99 < 100 ms, no errors) is reported, not asserted on timing. Exits 1
 * only when there were errors (HTTP failures, missing or wrong replies, or a store that disagrees
 * with the clicks that were acknowledged).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { DoneMessage, RequestRecord, StartMessage } from './support/ack-load';
import { startBenchBot } from './support/bot';
import { envNumber, mb, ms, percentile, summary } from './support/stats';

const TARGET_P99_MS = 100;
const LOOP_RESOLUTION_MS = 5;
const DAY_MS = 24 * 3600 * 1000;

interface Settings {
  agents: number;
  windowS: number;
  teamsShare: number;
  proposeShare: number;
  registerShare: number;
  supportShare: number;
  eventCapacity: number;
  seed: number;
  seedIdeas: number;
  warmup: number;
}

/** The mix: propose + register + support = 1. Support is the rest unless BENCH_SUPPORT_SHARE is given. */
function shares(): Pick<Settings, 'proposeShare' | 'registerShare' | 'supportShare'> {
  const proposeShare = envNumber('BENCH_PROPOSE_SHARE', 0.3);
  const registerShare = envNumber('BENCH_REGISTER_SHARE', 0.3);
  const supportShare = envNumber('BENCH_SUPPORT_SHARE', +(1 - proposeShare - registerShare).toFixed(9));
  for (const [name, v] of [
    ['BENCH_PROPOSE_SHARE', proposeShare],
    ['BENCH_REGISTER_SHARE', registerShare],
    ['BENCH_SUPPORT_SHARE', supportShare],
  ] as const) {
    if (v < 0 || v > 1) throw new Error(`${name} must be between 0 and 1, got ${v} (propose ${proposeShare} + register ${registerShare} + support ${supportShare} must be 1)`);
  }
  if (Math.abs(proposeShare + registerShare + supportShare - 1) > 1e-6) {
    throw new Error(`BENCH_PROPOSE_SHARE ${proposeShare} + BENCH_REGISTER_SHARE ${registerShare} + BENCH_SUPPORT_SHARE ${supportShare} must add up to 1`);
  }
  return { proposeShare, registerShare, supportShare };
}

async function main(): Promise<number> {
  const settings: Settings = {
    agents: envNumber('BENCH_AGENTS', 700),
    windowS: envNumber('BENCH_WINDOW_S', 60),
    teamsShare: envNumber('BENCH_TEAMS_SHARE', 0.3),
    ...shares(),
    eventCapacity: envNumber('BENCH_EVENT_CAPACITY', 150),
    seed: envNumber('BENCH_SEED', 42),
    seedIdeas: envNumber('BENCH_SEED_IDEAS', 20),
    warmup: envNumber('BENCH_WARMUP', 20),
  };
  if (!Number.isSafeInteger(settings.eventCapacity) || settings.eventCapacity < 1)
    throw new Error(`BENCH_EVENT_CAPACITY must be a whole number ≥ 1, got ${settings.eventCapacity}`);
  const keepData = process.env.BENCH_KEEP_DATA === '1';
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ensemble-bench-ack-'));

  // The load generator and the fakes live in a worker thread: their work does not run on the bot's event loop.
  const worker = new Worker(path.join(__dirname, 'support', 'ack-load.js'));
  const messages: Array<(m: any) => void> = [];
  worker.on('message', (m) => messages.shift()?.(m));
  worker.on('error', (e) => {
    console.error('load generator failed:', e);
    process.exit(2);
  });
  const next = () => new Promise<any>((resolve) => messages.push(resolve));

  const ready = (await next()) as { url: string; slackApiUrl: string };
  const bot = await startBenchBot({ dataDir, slackApiUrl: ready.slackApiUrl });
  const { store, programme } = bot.services;

  // Seed a few ideas, so that the first supporters have something to click.
  const seededIds: number[] = [];
  const hashtags = programme.axes.flatMap((a) => a.hashtags);
  for (let i = 1; i <= settings.seedIdeas; i++) {
    const author = await store.people.record(
      { platform: 'slack', tenant: 'T1', user: `S${String((i % 5) + 1).padStart(4, '0')}`, displayName: `Semeur ${(i % 5) + 1}`, locale: 'fr' },
      new Date(),
    );
    const axis = programme.axes[i % programme.axes.length];
    const idea = await store.ideas.create({
      title: `Idée de départ n°${i}`,
      description: 'Une idée déjà là avant l’ouverture des soutiens.',
      axisId: axis.id,
      hashtags: [axis.hashtags[0].toLowerCase()],
      anonymous: false,
      authorId: author.id,
      createdAt: new Date(),
    });
    seededIds.push(idea.id);
  }

  // One workshop day with limited places, a month ahead, created directly in the store (no announcement, no reminders).
  const organiser = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UORG', displayName: 'Lab Organisatrice', locale: 'fr' }, new Date());
  const eventStart = new Date(bot.services.clock.now().getTime() + 30 * DAY_MS);
  const event = await store.events.create({
    kind: 'creer',
    title: 'Journée Créer : accueil des usagers',
    description: 'Imaginer ensemble des solutions concrètes pour l’accueil des usagers.',
    startsAt: eventStart,
    endsAt: new Date(eventStart.getTime() + 8 * 3600 * 1000),
    place: 'Hôtel de Région, salle 2',
    capacity: settings.eventCapacity,
    axisId: programme.axes[0].id,
    audience: { kind: 'everyone' },
    createdBy: organiser.id,
    createdAt: bot.services.clock.now(),
  });

  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const start: StartMessage = { type: 'start', botUrl: bot.url, seededIds, hashtags, eventId: event.id, ...settings };
  const doneP = next();
  worker.postMessage(start);
  // Enable the monitor once the warm-up is over (roughly): it reports the bot's event-loop delay during the burst.
  setTimeout(() => loop.enable(), 500 + settings.warmup * 20);
  const done = (await doneP) as DoneMessage | { type: 'failed'; error: string };
  loop.disable();
  if (done.type === 'failed') throw new Error(`load generator failed: ${done.error}`);

  // Let the last handlers (after their acks) finish before reading the store.
  await new Promise((r) => setTimeout(r, 300));
  const check = await verifyStore(bot.services.store, done.records, seededIds);
  const events = await verifyRegistrations(bot.services.store, done.records, event.id, settings.eventCapacity);
  const people = await store.people.count();
  global.gc?.();
  const mem = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const stopP = next();
  worker.postMessage({ type: 'stop' });
  await Promise.race([stopP, new Promise((r) => setTimeout(r, 1000))]);
  await worker.terminate();
  await bot.stop();
  if (!keepData) rmSync(dataDir, { recursive: true, force: true });

  return report(settings, done, check, events, people, loop, mem, peakRss, keepData ? dataDir : undefined);
}

interface StoreCheck {
  ideas: number;
  expectedIdeas: number;
  supports: number;
  expectedSupports: number;
  mismatches: string[];
}

/** The store must hold exactly what was acknowledged: one idea per proposal, one support per click. */
async function verifyStore(store: import('../src/domain/ports').Store, records: RequestRecord[], seededIds: number[]): Promise<StoreCheck> {
  const mismatches: string[] = [];
  const ok = (r: RequestRecord) => !r.error;
  const proposals = records.filter((r) => r.kind === 'propose' && ok(r));
  const clicks = records.filter((r) => r.kind === 'support' && ok(r));
  const ideas = await store.ideas.all();
  const expectedIdeas = seededIds.length + proposals.length;
  if (ideas.length !== expectedIdeas) mismatches.push(`ideas in store ${ideas.length}, expected ${expectedIdeas}`);

  const byId = new Map(ideas.map((i) => [i.id, i]));
  for (const p of proposals) {
    if (p.newIdeaId === undefined) continue; // already counted as a reply problem
    const idea = byId.get(p.newIdeaId);
    if (!idea) mismatches.push(`idea ${p.newIdeaId} (proposed by agent ${p.agent}) not in store`);
    else if (idea.authorId !== p.personId) mismatches.push(`idea ${p.newIdeaId}: author ${idea.authorId}, expected ${p.personId}`);
  }

  const expected = new Map<number, Set<string>>();
  for (const c of clicks) {
    const set = expected.get(c.targetId!) ?? new Set<string>();
    set.add(c.personId);
    expected.set(c.targetId!, set);
  }
  let supports = 0;
  for (const idea of ideas) {
    const supporters = await store.ideas.supporters(idea.id);
    supports += supporters.length;
    const want = expected.get(idea.id) ?? new Set<string>();
    if (idea.supportCount !== supporters.length) mismatches.push(`idea ${idea.id}: support_count ${idea.supportCount} but ${supporters.length} supporters`);
    const missing = [...want].filter((p) => !supporters.includes(p));
    const unexpected = supporters.filter((p) => !want.has(p));
    if (missing.length || unexpected.length) {
      mismatches.push(
        `idea ${idea.id}: ${supporters.length} supporters, expected ${want.size} (missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? '…' : ''}; unexpected ${unexpected.slice(0, 3).join(', ')})`,
      );
    }
  }
  return { ideas: ideas.length, expectedIdeas, supports, expectedSupports: clicks.length, mismatches };
}

interface RegistrationCheck {
  eventId: number;
  capacity: number;
  clicks: number;
  registrations: number;
  registered: number;
  waiting: number;
  /** What get(id) says. */
  eventRegistered: number;
  eventWaiting: number;
  mismatches: string[];
}

/**
 * The store must hold one registration per acknowledged "Je participe" click (each agent clicks once),
 * exactly min(capacity, clicks) with a place and the rest waiting, the event's counts equal to those, and
 * each person in the state their reply showed.
 */
async function verifyRegistrations(store: import('../src/domain/ports').Store, records: RequestRecord[], eventId: number, capacity: number): Promise<RegistrationCheck> {
  const mismatches: string[] = [];
  const clicks = records.filter((r) => r.kind === 'register' && !r.error);
  const registrations = await store.events.registrations(eventId);
  const event = await store.events.get(eventId);
  const registered = registrations.filter((r) => r.state === 'registered').length;
  const waiting = registrations.filter((r) => r.state === 'waiting').length;
  const expectedRegistered = Math.min(capacity, clicks.length);
  const expectedWaiting = clicks.length - expectedRegistered;

  const stateOf = new Map(registrations.map((r) => [r.personId, r.state]));
  if (stateOf.size !== registrations.length) mismatches.push(`event ${eventId}: ${registrations.length} registrations for ${stateOf.size} people`);
  if (registrations.length !== clicks.length)
    mismatches.push(`event ${eventId}: ${registrations.length} registrations in store, expected ${clicks.length} (one per acknowledged click)`);
  const want = new Set(clicks.map((c) => c.personId));
  const missing = [...want].filter((p) => !stateOf.has(p));
  const unexpected = [...stateOf.keys()].filter((p) => !want.has(p));
  if (missing.length || unexpected.length) {
    mismatches.push(
      `event ${eventId}: missing ${missing.length} (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? '…' : ''}), unexpected ${unexpected.length} (${unexpected.slice(0, 3).join(', ')})`,
    );
  }
  if (registered !== expectedRegistered || waiting !== expectedWaiting) {
    mismatches.push(
      `event ${eventId}: ${registered} registered + ${waiting} waiting, expected ${expectedRegistered} + ${expectedWaiting} (capacity ${capacity}, ${clicks.length} clicks)`,
    );
  }
  if (!event) mismatches.push(`event ${eventId} not in store`);
  else if (event.registered !== registered || event.waiting !== waiting) {
    mismatches.push(`event ${eventId}: counts say ${event.registered} registered + ${event.waiting} waiting, registrations ${registered} + ${waiting}`);
  }
  const disagree = clicks.filter((c) => c.registration !== undefined && stateOf.has(c.personId) && stateOf.get(c.personId) !== c.registration);
  if (disagree.length) {
    const c = disagree[0];
    mismatches.push(
      `event ${eventId}: ${disagree.length} replies show another state than the store (e.g. agent ${c.agent}: reply ${c.registration}, store ${stateOf.get(c.personId)})`,
    );
  }
  return {
    eventId,
    capacity,
    clicks: clicks.length,
    registrations: registrations.length,
    registered,
    waiting,
    eventRegistered: event?.registered ?? Number.NaN,
    eventWaiting: event?.waiting ?? Number.NaN,
    mismatches,
  };
}

function report(
  settings: Settings,
  done: DoneMessage,
  check: StoreCheck,
  events: RegistrationCheck,
  people: number,
  loop: ReturnType<typeof monitorEventLoopDelay>,
  mem: NodeJS.MemoryUsage,
  peakRss: number,
  keptDir: string | undefined,
): number {
  const r = done.records;
  const label = (x: RequestRecord) =>
    x.platform === 'slack'
      ? x.kind === 'propose'
        ? 'Slack slash command (propose)'
        : `Slack block_actions (${x.kind})`
      : x.kind === 'propose'
        ? 'Teams message (propose)'
        : `Teams invoke (${x.kind})`;
  const groups = [
    'Slack slash command (propose)',
    'Slack block_actions (support)',
    'Slack block_actions (register)',
    'Teams message (propose)',
    'Teams invoke (support)',
    'Teams invoke (register)',
  ];
  const count = (f: (x: RequestRecord) => boolean) => r.filter(f).length;
  const ok = r.filter((x) => !x.error);
  const acksOf = (g: string, f: (x: RequestRecord) => boolean = () => true) => ok.filter((x) => label(x) === g && f(x)).map((x) => x.ackMs);
  const repliesOf = (g: string) => r.filter((x) => x.replyMs !== undefined && label(x) === g).map((x) => x.replyMs!);
  const filesOf = (platform: string) => r.filter((x) => x.fileMs !== undefined && x.platform === platform).map((x) => x.fileMs!);
  const withPlace = (x: RequestRecord) => x.registration === 'registered';
  const waitingList = (x: RequestRecord) => x.registration === 'waiting';

  const http = r.filter((x) => x.error && x.status !== 0);
  const network = r.filter((x) => x.error && x.status === 0);
  const replies = r.filter((x) => !x.error && x.replyProblem);
  const mismatches = [...check.mismatches, ...events.mismatches];
  const errors = http.length + network.length + replies.length + mismatches.length + done.extraDeliveries;

  const acks = ok.map((x) => x.ackMs);
  const p99 = percentile(acks, 99);
  const firstSent = Math.min(...r.map((x) => x.sentMs));
  const lastAcked = Math.max(...r.map((x) => x.sentMs + x.ackMs));
  const spanS = (lastAcked - firstSent) / 1000;
  const perSecond = new Map<number, number>();
  for (const x of r) perSecond.set(Math.floor(x.sentMs / 1000), (perSecond.get(Math.floor(x.sentMs / 1000)) ?? 0) + 1);
  const peak = Math.max(...perSecond.values());
  // The monitor's samples are timer intervals: subtract its resolution to get the delay itself.
  const nsToMs = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);

  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  out('Ensemble — acknowledgement latency benchmark (real HTTP endpoint, embedded SQLite store)');
  out(
    `  Node ${process.version} · ${process.platform} ${process.arch} · ${os.cpus().length} CPU(s) · load generator and fakes in a worker thread of the same process, sharing the CPUs with the bot`,
  );
  out(
    `  agents ${settings.agents} (Slack ${count((x) => x.platform === 'slack')}, Teams ${count((x) => x.platform === 'teams')}) · window ${settings.windowS} s, Poisson arrivals, seed ${settings.seed} · ${settings.seedIdeas} seeded ideas · ${settings.warmup} warm-up requests not measured`,
  );
  out(
    `  mix: propose ${settings.proposeShare}, support ${settings.supportShare}, register ${settings.registerShare} (one seeded workshop day, ${settings.eventCapacity} places, in 30 days)`,
  );
  out(`  requests ${r.length}: ${groups.map((g) => `${g} ${count((x) => label(x) === g)}`).join(', ')}`);
  out(
    `  errors ${errors} (HTTP non-2xx ${http.length}, network ${network.length}, missing/wrong replies ${replies.length}, unexpected extra replies ${done.extraDeliveries}, store mismatches ${mismatches.length})`,
  );
  for (const x of [...http, ...network].slice(0, 5)) out(`    ! agent ${x.agent} ${label(x)}: ${x.error}`);
  for (const x of replies.slice(0, 5)) out(`    ! agent ${x.agent} ${label(x)}: ${x.replyProblem}`);
  for (const m of mismatches.slice(0, 5)) out(`    ! store: ${m}`);
  out('');
  const W = 35;
  out('  acknowledgement latency (HTTP request sent → HTTP response received):');
  out(`    ${'all'.padEnd(W)} ${summary(acks)}`);
  for (const g of groups) out(`    ${g.padEnd(W)} ${summary(acksOf(g))}`);
  out(`      ${'of which with a place'.padEnd(W - 2)} ${summary(acksOf(groups[5], withPlace))}`);
  out(`      ${'of which on the waiting list'.padEnd(W - 2)} ${summary(acksOf(groups[5], waitingList))}`);
  out('  reply delivered (HTTP request sent → reply received by the fake platform):');
  out(`    ${'Slack slash command → response_url'.padEnd(W)} ${summary(repliesOf(groups[0]))}`);
  out(`    ${'Slack support click → response_url'.padEnd(W)} ${summary(repliesOf(groups[1]))}`);
  out(`    ${'Slack register click → response_url'.padEnd(W)} ${summary(repliesOf(groups[2]))}`);
  out(`    ${'Slack register → .ics shared'.padEnd(W)} ${summary(filesOf('slack'))}  (conversations.open, files.getUploadURLExternal, upload, files.completeUploadExternal)`);
  out(`    ${'Teams message → Bot Connector'.padEnd(W)} ${summary(repliesOf(groups[3]))}`);
  out(`    Teams invoke (the reply is the HTTP response: same as its ack)`);
  out(`    ${'Teams register → file consent card'.padEnd(W)} ${summary(filesOf('teams'))}  (posted to the Bot Connector before the invoke is answered)`);
  out('');
  out(`  throughput: ${r.length} requests, first sent → last acknowledged ${spanS.toFixed(1)} s = ${(r.length / spanS).toFixed(1)} req/s (peak second: ${peak} requests sent)`);
  out(
    `  load generator timer lateness vs plan: p99 ${ms(
      percentile(
        r.map((x) => x.lateMs),
        99,
      ),
    )}, max ${ms(Math.max(...r.map((x) => x.lateMs)))}`,
  );
  out(`  bot event-loop delay during the burst: p50 ${ms(nsToMs(loop.percentile(50)))} · p99 ${ms(nsToMs(loop.percentile(99)))} · max ${ms(nsToMs(loop.max))}`);
  out(
    `  store after: ${check.ideas} ideas (expected ${check.expectedIdeas}), ${check.supports} supports (expected ${check.expectedSupports}, one per acknowledged click), ${people} people`,
  );
  const expectedRegistered = Math.min(events.capacity, events.clicks);
  out(
    `  event ${events.eventId} (${events.capacity} places): ${events.registrations} registrations for ${events.clicks} acknowledged clicks · ${events.registered} registered + ${events.waiting} waiting (expected ${expectedRegistered} + ${events.clicks - expectedRegistered}) · event counts ${events.eventRegistered} + ${events.eventWaiting} · replies: ${count(withPlace)} with a place, ${count(waitingList)} waiting`,
  );
  out(
    `  Slack Web API calls to the fake: ${
      Object.entries(done.apiCalls)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  );
  out(
    `  memory after the burst${global.gc ? ' and a forced GC' : ''} (whole process: bot + load-generator thread): RSS ${mb(mem.rss)} (peak ${mb(peakRss)}) · bot heap used ${mb(mem.heapUsed)} / total ${mb(mem.heapTotal)}`,
  );
  if (keptDir) out(`  data kept in ${keptDir}`);
  out('');
  out(`target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'not met'} (p99 ${ms(p99)}) · no errors: ${errors === 0 ? 'met' : `not met (${errors})`}`);
  console.log(lines.join('\n'));
  return errors > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
