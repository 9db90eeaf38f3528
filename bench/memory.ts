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
import { botNodeFlags } from './support/node-flags';
import { FakePlatforms, supportIdsIn, type Delivery, supportedIdsIn } from './support/fake-platforms';
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
  for (let n = 1; n <= ideaIds.length; n++) {
    total += 1 / n ** 0.9;
    cumulative.push(total);
  }
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

interface Figures {
  memory: NodeJS.MemoryUsage;
  peakRss: number;
  people: number;
  ideas: number;
  topSupports: number;
}

type FromBot = { type: 'ready'; url: string } & Figures;
type ToBot = { type: 'measure' } | { type: 'stop' };

/** The child process: only the bot, as in production, on the seeded data. It measures itself when asked. */
async function serveBot(dataDir: string, slackApiUrl: string): Promise<void> {
  const bot = await startBenchBot({ dataDir, slackApiUrl });
  const figures = async (): Promise<Figures> => {
    const people = await bot.services.store.people.count();
    const top = await bot.services.store.ideas.list({ sort: 'top', offset: 0, limit: 1 });
    global.gc?.();
    await new Promise((r) => setTimeout(r, 100));
    global.gc?.();
    return { memory: process.memoryUsage(), peakRss: process.resourceUsage().maxRSS * 1024, people, ideas: top.total, topSupports: top.items[0]?.supportCount ?? 0 };
  };
  process.send!({ type: 'ready', url: bot.url, ...(await figures()) } satisfies FromBot);
  process.on('message', (m: ToBot) => {
    if (m.type === 'measure') void figures().then((f) => process.send!({ type: 'figures', ...f }));
    else void bot.stop().then(() => process.exit(0));
  });
}

/** The parent: fake Slack and the requests, so the bot's figures are the bot's alone. */
async function drive(botUrl: string, fake: FakePlatforms, waiters: Map<string, (d: Delivery) => void>, s: { requests: number; seed: number; people: number; ideaIds: number[] }) {
  const rnd = prng(s.seed + 1);
  const texts = [
    'idees',
    'idees recentes',
    'idees top',
    'idees #accueil',
    'idees usager',
    'idees transitions 2',
    'idees recentes 2',
    'idees #simplification',
    'idees miennes',
    'idees equipe 2',
  ];
  const errors: string[] = [];
  const ackMs: number[] = [];
  const replyMs: number[] = [];

  const one = async (n: number): Promise<void> => {
    // Slack people only (i % 10 >= 3), all already known to the bot (no users.info).
    let i = 1 + Math.floor(rnd() * s.people);
    while (i % 10 < 3) i = 1 + Math.floor(rnd() * s.people);
    const user = slackUser(i);
    const key = `m${n}`;
    const isSupport = n % 4 === 3;
    const text = texts[n % texts.length];
    const common = { user, team: SLACK_TEAM, userName: `agent${i}`, responseUrl: fake.responseUrl(key) };
    const target = s.ideaIds[Math.floor(rnd() * s.ideaIds.length)];
    const body = isSupport
      ? blockActionBody({ ...common, actionId: 'idea.support', value: JSON.stringify({ id: String(target), view: 'idea' }) })
      : slashCommandBody({ ...common, text });
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
      const res = await fetch(`${botUrl}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
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
      // a support click's reply shows the idea supported (its « Retirer mon soutien »); a list, ideas to support
      const ids = isSupport ? supportedIdsIn(d.body) : [...supportIdsIn(d.body), ...supportedIdsIn(d.body)];
      // "miennes" (my ideas) may rightly be empty for someone who proposed nothing.
      if (isSupport ? !ids.includes(target) : ids.length === 0 && !text.includes('miennes'))
        errors.push(`request ${n} (${isSupport ? `support ${target}` : text}): unexpected reply`);
    }
  };

  // 10 at a time: a busy moment, not a flood.
  for (let n = 0; n < s.requests; n += 10) await Promise.all(Array.from({ length: Math.min(10, s.requests - n) }, (_, k) => one(n + k)));
  return { errors, ackMs, replyMs };
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

  // The bot runs alone in a fresh process: its figures include neither the seeding nor the fake Slack and the requests.
  const waiters = new Map<string, (d: Delivery) => void>();
  const fake = await new FakePlatforms((d) => waiters.get(d.key)?.(d)).start();
  const child = fork(__filename, ['--serve', dataDir, fake.slackApiUrl], { execArgv: ['--expose-gc', ...botNodeFlags()], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: Array<(m: any) => void> = [];
  child.on('message', (m) => inbox.shift()?.(m));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bot process exited (code ${code})`))));
  const next = () => Promise.race([new Promise<any>((resolve) => inbox.push(resolve)), exited]);

  const ready = (await next()) as FromBot;
  const probe = SqliteStore.open(dataDir);
  const ideaIds = (await probe.ideas.list({ sort: 'top', offset: 0, limit: 50 })).items.map((i) => i.id);
  await probe.close();
  const run = await drive(ready.url, fake, waiters, { requests: s.requests, seed: s.seed, people: s.people, ideaIds });
  child.send({ type: 'measure' } satisfies ToBot);
  const after = (await next()) as Figures;
  child.send({ type: 'stop' } satisfies ToBot);
  await new Promise((r) => child.once('exit', r));
  await fake.stop();
  if (!keep) rmSync(dataDir, { recursive: true, force: true });

  const report: string[] = [];
  const out = (line: string) => report.push(line);
  const m = after.memory;
  out(
    `  bot process (the bot alone, node ${botNodeFlags().join(' ') || 'without flags'}, as "npm start" runs it): store holds ${after.people} people, ${after.ideas} visible ideas (most supported: ${after.topSupports} supports)`,
  );
  out(`  after start, forced GC: RSS ${mb(ready.memory.rss)} · heap used ${mb(ready.memory.heapUsed)} / total ${mb(ready.memory.heapTotal)}`);
  out(`  ${s.requests} requests from another process (3/4 "/ensemble idees …" lists, 1/4 support clicks; 10 at a time, no warm-up): errors ${run.errors.length}`);
  for (const e of run.errors.slice(0, 5)) out(`    ! ${e}`);
  out(`    ack   ${summary(run.ackMs)}`);
  out(`    reply ${summary(run.replyMs)}`);
  out(
    `  after the requests, forced GC: RSS ${mb(m.rss)} (peak ${mb(after.peakRss)}) · heap used ${mb(m.heapUsed)} / total ${mb(m.heapTotal)} · external ${mb(m.external)} · array buffers ${mb(m.arrayBuffers)}`,
  );
  if (keep) out(`  data kept in ${dataDir}`);
  out('');
  out(
    `target RSS < ${TARGET_RSS_MB} MB: ${m.rss / 1024 / 1024 < TARGET_RSS_MB ? 'met' : 'not met'} (RSS ${mb(m.rss)}) · no errors: ${run.errors.length === 0 ? 'met' : `not met (${run.errors.length})`}`,
  );
  console.log(report.join('\n'));
  return run.errors.length > 0 ? 1 : 0;
}

if (process.argv[2] === '--serve') {
  serveBot(process.argv[3], process.argv[4]).catch((e) => {
    console.error(e);
    process.exit(2);
  });
} else {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(2);
    },
  );
}
