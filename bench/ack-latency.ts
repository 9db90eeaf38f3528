/**
 * Acknowledgement latency under a burst of participation: AGENTS distinct agents (default 700) each
 * propose an idea or support one, arriving at random (Poisson) over a window (default 60 s), through the
 * real HTTP endpoint of the real bot (embedded SQLite store, Slack over signed HTTP, Teams local mode).
 *
 *   npm run bench:ack                     # 700 agents over 60 s
 *   BENCH_WINDOW_S=10 npm run bench:ack   # the same 700 agents over 10 s
 *
 * Settings (environment): BENCH_AGENTS (700), BENCH_WINDOW_S (60), BENCH_TEAMS_SHARE (0.3),
 * BENCH_PROPOSE_SHARE (0.4), BENCH_SEED (42), BENCH_SEED_IDEAS (20), BENCH_WARMUP (20), BENCH_KEEP_DATA (0).
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

async function main(): Promise<number> {
  const settings = {
    agents: envNumber('BENCH_AGENTS', 700),
    windowS: envNumber('BENCH_WINDOW_S', 60),
    teamsShare: envNumber('BENCH_TEAMS_SHARE', 0.3),
    proposeShare: envNumber('BENCH_PROPOSE_SHARE', 0.4),
    seed: envNumber('BENCH_SEED', 42),
    seedIdeas: envNumber('BENCH_SEED_IDEAS', 20),
    warmup: envNumber('BENCH_WARMUP', 20),
  };
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
    const author = await store.people.record({ platform: 'slack', tenant: 'T1', user: `S${String((i % 5) + 1).padStart(4, '0')}`, displayName: `Semeur ${(i % 5) + 1}`, locale: 'fr' }, new Date());
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

  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const start: StartMessage = { type: 'start', botUrl: bot.url, seededIds, hashtags, ...settings };
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

  return report(settings, done, check, people, loop, mem, peakRss, keepData ? dataDir : undefined);
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
      mismatches.push(`idea ${idea.id}: ${supporters.length} supporters, expected ${want.size} (missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? '…' : ''}; unexpected ${unexpected.slice(0, 3).join(', ')})`);
    }
  }
  return { ideas: ideas.length, expectedIdeas, supports, expectedSupports: clicks.length, mismatches };
}

function report(
  settings: { agents: number; windowS: number; teamsShare: number; proposeShare: number; seed: number; seedIdeas: number; warmup: number },
  done: DoneMessage,
  check: StoreCheck,
  people: number,
  loop: ReturnType<typeof monitorEventLoopDelay>,
  mem: NodeJS.MemoryUsage,
  peakRss: number,
  keptDir: string | undefined,
): number {
  const r = done.records;
  const label = (x: RequestRecord) =>
    x.platform === 'slack' ? (x.kind === 'propose' ? 'Slack slash command (propose)' : 'Slack block_actions (support)') : x.kind === 'propose' ? 'Teams message (propose)' : 'Teams invoke (support)';
  const groups = ['Slack slash command (propose)', 'Slack block_actions (support)', 'Teams message (propose)', 'Teams invoke (support)'];
  const count = (f: (x: RequestRecord) => boolean) => r.filter(f).length;

  const http = r.filter((x) => x.error && x.status !== 0);
  const network = r.filter((x) => x.error && x.status === 0);
  const replies = r.filter((x) => !x.error && x.replyProblem);
  const errors = http.length + network.length + replies.length + check.mismatches.length + done.extraDeliveries;

  const acks = r.filter((x) => !x.error).map((x) => x.ackMs);
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
  out(`  Node ${process.version} · ${process.platform} ${process.arch} · ${os.cpus().length} CPU(s) · load generator and fakes in a worker thread of the same process, sharing the CPUs with the bot`);
  out(
    `  agents ${settings.agents} (Slack ${count((x) => x.platform === 'slack')}, Teams ${count((x) => x.platform === 'teams')}) · window ${settings.windowS} s, Poisson arrivals, seed ${settings.seed} · ${settings.seedIdeas} seeded ideas · ${settings.warmup} warm-up requests not measured`,
  );
  out(`  requests ${r.length}: ${groups.map((g) => `${g} ${count((x) => label(x) === g)}`).join(', ')}`);
  out(
    `  errors ${errors} (HTTP non-2xx ${http.length}, network ${network.length}, missing/wrong replies ${replies.length}, unexpected extra replies ${done.extraDeliveries}, store mismatches ${check.mismatches.length})`,
  );
  for (const x of [...http, ...network].slice(0, 5)) out(`    ! agent ${x.agent} ${label(x)}: ${x.error}`);
  for (const x of replies.slice(0, 5)) out(`    ! agent ${x.agent} ${label(x)}: ${x.replyProblem}`);
  for (const m of check.mismatches.slice(0, 5)) out(`    ! store: ${m}`);
  out('');
  out('  acknowledgement latency (HTTP request sent → HTTP response received):');
  out(`    all                            ${summary(acks)}`);
  for (const g of groups) out(`    ${g.padEnd(30)} ${summary(r.filter((x) => !x.error && label(x) === g).map((x) => x.ackMs))}`);
  out('  reply delivered (HTTP request sent → reply received by the fake platform):');
  out(`    Slack slash command → response_url   ${summary(r.filter((x) => x.replyMs !== undefined && label(x) === groups[0]).map((x) => x.replyMs!))}`);
  out(`    Slack block_actions → response_url   ${summary(r.filter((x) => x.replyMs !== undefined && label(x) === groups[1]).map((x) => x.replyMs!))}`);
  out(`    Teams message → Bot Connector         ${summary(r.filter((x) => x.replyMs !== undefined && label(x) === groups[2]).map((x) => x.replyMs!))}`);
  out(`    Teams invoke (the reply is the HTTP response: same as its ack)`);
  out('');
  out(`  throughput: ${r.length} requests, first sent → last acknowledged ${spanS.toFixed(1)} s = ${(r.length / spanS).toFixed(1)} req/s (peak second: ${peak} requests sent)`);
  out(`  load generator timer lateness vs plan: p99 ${ms(percentile(r.map((x) => x.lateMs), 99))}, max ${ms(Math.max(...r.map((x) => x.lateMs)))}`);
  out(`  bot event-loop delay during the burst: p50 ${ms(nsToMs(loop.percentile(50)))} · p99 ${ms(nsToMs(loop.percentile(99)))} · max ${ms(nsToMs(loop.max))}`);
  out(
    `  store after: ${check.ideas} ideas (expected ${check.expectedIdeas}), ${check.supports} supports (expected ${check.expectedSupports}, one per acknowledged click), ${people} people`,
  );
  out(`  Slack Web API calls to the fake: ${Object.entries(done.apiCalls).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
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
