/**
 * Memory with a realistic amount of data: 75,000 people (Slack and Teams, Teams ones with their
 * conversation references) and 100,000 supports over 2,000 ideas are written into the embedded store
 * through the repositories; then the real bot is started on that data in a fresh process and answers
 * 200 list / support requests through its HTTP endpoint; its RSS and heap are printed after a forced GC.
 *
 *   npm run bench:memory
 *
 * Settings (environment): BENCH_PEOPLE (75000), BENCH_IDEAS (2000), BENCH_SUPPORTS (100000),
 * BENCH_REQUESTS (200), BENCH_SEED (42), BENCH_DATA_DIR (reuse an already-seeded folder),
 * BENCH_KEEP_DATA (0). Prints figures; the target (RSS < 200 MB) is reported, not asserted.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Contact } from '../src/domain/people';
import { SqliteStore } from '../src/store/sqlite';
import { startBenchBot } from './support/bot';
import { FakePlatforms, supportIdsIn, type Delivery } from './support/fake-platforms';
import { blockActionBody, slackHeaders, slashCommandBody } from './support/slack';
import { envNumber, mb, prng, summary } from './support/stats';
import { TENANT } from './support/teams';

const TARGET_RSS_MB = 200;
const SLACK_TEAM = 'T1';

/** Seeded people: every 10th is on Teams (30% overall: i % 10 < 3), the others on Slack. */
function personAt(i: number): Contact {
  const name = `Prénom${i} Nom${(i * 7919) % 100_000}`;
  const email = `agent.${i}@exemple.fr`;
  if (i % 10 < 3) {
    const aad = `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;
    return {
      platform: 'teams',
      tenant: TENANT,
      user: aad,
      displayName: name,
      email,
      locale: i % 7 === 0 ? 'en' : 'fr',
      teams: {
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        // real personal-chat ids are ~130 characters of base64
        conversationId: `a:1${Buffer.from(`conversation-${aad}-${i}-ensemble-bench-padding`).toString('base64url')}${'x'.repeat(40)}`,
        userId: `29:1${Buffer.from(`user-${aad}`).toString('base64url')}`,
        botId: '28:00000000-0000-4000-8000-00000000b07',
        tenantId: TENANT,
      },
    };
  }
  return { platform: 'slack', tenant: SLACK_TEAM, user: slackUser(i), displayName: name, email, locale: i % 7 === 0 ? 'en' : 'fr' };
}

function slackUser(i: number): string {
  return `U${i.toString(36).toUpperCase().padStart(8, '0')}`;
}

function personIdAt(i: number): string {
  const c = personAt(i);
  return `${c.platform}:${c.tenant}/${c.user}`;
}

async function seed(dataDir: string, s: { people: number; ideas: number; supports: number; seed: number }): Promise<string[]> {
  const lines: string[] = [];
  const store = SqliteStore.open(dataDir);
  const rnd = prng(s.seed);
  const axes = ['transitions', 'territoires', 'usager', 'marque-employeur', 'equipe'];
  const tags = ['économie', 'territorialisation', 'accueil', 'recrutement', 'qualitédevieautravail'];

  let t = performance.now();
  for (let i = 1; i <= s.people; i++) await store.people.record(personAt(i), new Date(Date.UTC(2025, 0, 1) + i * 1000));
  lines.push(`  people.record × ${s.people}: ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  const ideaIds: number[] = [];
  for (let k = 0; k < s.ideas; k++) {
    const a = k % axes.length;
    const author = 1 + Math.floor(rnd() * s.people);
    const idea = await store.ideas.create({
      title: `Idée ${k + 1} : simplifier une démarche de l’usager au guichet et en ligne`.slice(0, 120),
      description:
        'Constat : les usagers reviennent plusieurs fois pour la même démarche. Proposition : un parcours unique, un seul interlocuteur, des pièces demandées une seule fois. Premier test sur un site pilote pendant trois mois.',
      axisId: axes[a],
      hashtags: [tags[a], ...(k % 3 === 0 ? ['simplification'] : [])],
      anonymous: k % 10 === 0,
      authorId: personIdAt(author),
      createdAt: new Date(Date.UTC(2025, 1, 1) + k * 60_000),
    });
    ideaIds.push(idea.id);
  }
  lines.push(`  ideas.create × ${s.ideas}: ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Popularity is skewed (a few ideas gather most supports): weight of the n-th idea ∝ 1 / n^0.9.
  const cumulative: number[] = [];
  let total = 0;
  for (let n = 1; n <= ideaIds.length; n++) cumulative.push((total += 1 / n ** 0.9));
  const pickIdea = () => {
    const x = rnd() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return ideaIds[lo];
  };
  t = performance.now();
  let added = 0;
  let duplicates = 0;
  for (let k = 0; added < s.supports; k++) {
    const person = 1 + ((k * 7919) % s.people);
    const ok = await store.ideas.addSupport(pickIdea(), personIdAt(person), new Date(Date.UTC(2025, 2, 1) + k * 1000));
    if (ok) added++;
    else duplicates++;
  }
  lines.push(`  ideas.addSupport × ${added} (+ ${duplicates} refused duplicates): ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await store.close();
  return lines;
}

interface ServeResult {
  afterStart: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  peakRss: number;
  requests: number;
  errors: string[];
  ackMs: number[];
  replyMs: number[];
  people: number;
  ideas: number;
  topSupports: number;
}

/** The child: the bot on the seeded data, 200 requests, memory after a forced GC. */
async function serve(dataDir: string, requests: number, seedValue: number, people: number): Promise<ServeResult> {
  const waiters = new Map<string, (d: Delivery) => void>();
  const fake = await new FakePlatforms((d) => waiters.get(d.key)?.(d)).start();
  const bot = await startBenchBot({ dataDir, slackApiUrl: fake.slackApiUrl });
  global.gc?.();
  const afterStart = process.memoryUsage();

  const rnd = prng(seedValue + 1);
  const texts = ['idees', 'idees recentes', 'idees top', 'idees #accueil', 'idees usager', 'idees transitions 2', 'idees recentes 3', 'idees #simplification', 'idees miennes', 'idees equipe 5'];
  const { items } = await bot.services.store.ideas.list({ sort: 'top', offset: 0, limit: 50 });
  const errors: string[] = [];
  const ackMs: number[] = [];
  const replyMs: number[] = [];

  const one = async (n: number): Promise<void> => {
    // Slack people only (i % 10 >= 3), all already known to the bot (no users.info).
    let i = 1 + Math.floor(rnd() * people);
    while (i % 10 < 3) i = 1 + Math.floor(rnd() * people);
    const user = slackUser(i);
    const key = `m${n}`;
    const isSupport = n % 4 === 3;
    const common = { user, team: SLACK_TEAM, userName: `agent${i}`, responseUrl: fake.responseUrl(key) };
    const target = items[Math.floor(rnd() * items.length)]?.id ?? 1;
    const body = isSupport
      ? blockActionBody({ ...common, actionId: 'idea.support', value: JSON.stringify({ id: String(target), view: 'idea' }) })
      : slashCommandBody({ ...common, text: texts[n % texts.length] });
    const sent = performance.now();
    const reply = new Promise<Delivery | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 30_000);
      waiters.set(key, (d) => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve(d);
      });
    });
    try {
      const res = await fetch(`${bot.url}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
      await res.text();
      ackMs.push(performance.now() - sent);
      if (!res.ok) errors.push(`request ${n}: HTTP ${res.status}`);
    } catch (e) {
      errors.push(`request ${n}: ${(e as Error).message}`);
    }
    const d = await reply;
    if (!d) errors.push(`request ${n}: no reply`);
    else {
      replyMs.push(d.at - sent);
      if (supportIdsIn(d.body).length === 0) errors.push(`request ${n}: reply without ideas`);
    }
  };

  // 10 at a time: a busy moment, not a flood.
  for (let n = 0; n < requests; n += 10) await Promise.all(Array.from({ length: Math.min(10, requests - n) }, (_, k) => one(n + k)));

  const peoplePersisted = await bot.services.store.people.count();
  const top = await bot.services.store.ideas.list({ sort: 'top', offset: 0, limit: 1 });
  global.gc?.();
  await new Promise((r) => setTimeout(r, 100));
  global.gc?.();
  const after = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  await bot.stop();
  await fake.stop();
  return {
    afterStart,
    after,
    peakRss,
    requests,
    errors,
    ackMs,
    replyMs,
    people: peoplePersisted,
    ideas: top.total,
    topSupports: top.items[0]?.supportCount ?? 0,
  };
}

async function main(): Promise<number> {
  const s = {
    people: envNumber('BENCH_PEOPLE', 75_000),
    ideas: envNumber('BENCH_IDEAS', 2_000),
    supports: envNumber('BENCH_SUPPORTS', 100_000),
    requests: envNumber('BENCH_REQUESTS', 200),
    seed: envNumber('BENCH_SEED', 42),
  };
  const given = process.env.BENCH_DATA_DIR;
  const dataDir = given ?? mkdtempSync(path.join(os.tmpdir(), 'ensemble-bench-mem-'));
  const keep = Boolean(given) || process.env.BENCH_KEEP_DATA === '1';
  const dbFile = path.join(dataDir, 'ensemble.db');

  const lines: string[] = ['Ensemble — memory benchmark (embedded SQLite store, real bot, real HTTP endpoint)'];
  lines.push(`  Node ${process.version} · ${process.platform} ${process.arch} · ${os.cpus().length} CPU(s)`);
  if (given && existsSync(dbFile)) {
    lines.push(`  data: reusing ${dataDir} (not re-seeded)`);
  } else {
    lines.push(`  seeding ${s.people} people (70% Slack, 30% Teams with conversation references), ${s.ideas} ideas, ${s.supports} supports through the repositories:`);
    const t = performance.now();
    lines.push(...(await seed(dataDir, s)));
    lines.push(`  seeding total: ${((performance.now() - t) / 1000).toFixed(1)} s · database file ${mb(statSync(dbFile).size)}`);
  }
  console.log(lines.join('\n'));

  // The bot runs in a fresh process, so the figures do not include what seeding left behind.
  const child = fork(__filename, ['--serve', dataDir], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, BENCH_PEOPLE: String(s.people), BENCH_REQUESTS: String(s.requests), BENCH_SEED: String(s.seed) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = await new Promise<ServeResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ServeResult));
    child.once('exit', (code) => reject(new Error(`bot process exited with code ${code} before reporting`)));
  });
  if (!keep) rmSync(dataDir, { recursive: true, force: true });

  const report: string[] = [];
  const out = (line: string) => report.push(line);
  out(`  bot process: store holds ${result.people} people, ${result.ideas} visible ideas (most supported: ${result.topSupports} supports)`);
  out(`  after start, forced GC: RSS ${mb(result.afterStart.rss)} · heap used ${mb(result.afterStart.heapUsed)}`);
  out(`  ${result.requests} requests (3/4 "/ensemble idees …" lists, 1/4 support clicks, 10 at a time): errors ${result.errors.length}`);
  for (const e of result.errors.slice(0, 5)) out(`    ! ${e}`);
  out(`    ack   ${summary(result.ackMs)}`);
  out(`    reply ${summary(result.replyMs)}`);
  out(
    `  after the requests, forced GC: RSS ${mb(result.after.rss)} (peak ${mb(result.peakRss)}) · heap used ${mb(result.after.heapUsed)} / total ${mb(result.after.heapTotal)} · external ${mb(result.after.external)} · array buffers ${mb(result.after.arrayBuffers)}`,
  );
  out('  (the bot process also hosts the fake Slack and sends the requests: a few MB of its figures)');
  if (keep) out(`  data kept in ${dataDir}`);
  out('');
  const rssMb = result.after.rss / 1024 / 1024;
  out(`target RSS < ${TARGET_RSS_MB} MB: ${rssMb < TARGET_RSS_MB ? 'met' : 'not met'} (RSS ${mb(result.after.rss)}) · no errors: ${result.errors.length === 0 ? 'met' : `not met (${result.errors.length})`}`);
  console.log(report.join('\n'));
  return result.errors.length > 0 ? 1 : 0;
}

if (process.argv[2] === '--serve') {
  const dataDir = process.argv[3];
  serve(dataDir, envNumber('BENCH_REQUESTS', 200), envNumber('BENCH_SEED', 42), envNumber('BENCH_PEOPLE', 75_000)).then(
    (r) => process.send!(r, () => process.exit(0)),
    (e) => {
      console.error(e);
      process.exit(2);
    },
  );
} else {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(2);
    },
  );
}
