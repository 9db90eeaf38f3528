/**
 * Acknowledgement latency while agents answer a consultation: AGENTS agents (default 700) each open a
 * 10-question questionnaire (« Répondre ») and send its pages (« Suivant », « Envoyer »), arriving at random
 * over a window (default 60 s), through the real HTTP endpoints of the real bot (embedded SQLite, Slack over
 * signed HTTP: a modal per page; Teams local mode: a card per page). Anonymous: each submission writes the
 * register and the answers apart.
 *
 *   npm run bench:answering                                   # 700 agents over 60 s
 *   BENCH_AGENTS=100 BENCH_WINDOW_S=10 npm run bench:answering
 *
 * Settings: BENCH_AGENTS (700), BENCH_WINDOW_S (60), BENCH_TEAMS_SHARE (0.3), BENCH_THINK_S (2), BENCH_SEED (42).
 * Prints figures; the target (p99 < 100 ms) is reported, not asserted. Exits 1 when there were errors, or
 * when the store does not hold one response per agent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Question } from '../src/domain/consultations';
import type { AnswerDone, AnswerRecord, AnswerStart } from './support/answer-load';
import { startBenchBot } from './support/bot';
import { envNumber, mb, ms, percentile, summary } from './support/stats';
import { TENANT, teamsUser } from './support/teams';

const TARGET_P99_MS = 100;
const DAY_MS = 86_400_000;

/** Ten questions: nine short ones on the first page, a 5 × 2 grid on the second. */
const QUESTIONS: Question[] = [
  { id: 'q1', type: 'single', text: 'Avez-vous participé à une séance d’information ?', required: true, choices: ['Oui', 'Non'] },
  { id: 'q2', type: 'single', text: 'Votre direction', required: true, choices: ['Finances', 'Ressources humaines', 'Territoires', 'Numérique', 'Autre'] },
  { id: 'q3', type: 'multiple', text: 'Ce qui vous intéresse', required: false, choices: ['Ambassadeurs', 'Groupes de progrès', 'Académie', 'Managers'] },
  { id: 'q4', type: 'scale', text: 'Votre bien-être au travail', required: true, scale: { min: 1, max: 5 } },
  { id: 'q5', type: 'scale', text: 'Recommanderiez-vous la démarche ?', required: true, scale: { min: 0, max: 10 } },
  { id: 'q6', type: 'scale', text: 'La qualité de l’accueil des usagers', required: true, scale: { min: 1, max: 5 } },
  { id: 'q7', type: 'short', text: 'Un mot pour la décrire', required: false },
  { id: 'q8', type: 'long', text: 'Vos attentes', required: false },
  { id: 'q9', type: 'single', text: 'Télétravaillez-vous ?', required: true, choices: ['Oui', 'Non', 'Parfois'] },
  {
    id: 'q10',
    type: 'grid',
    text: 'Les 5 ambitions',
    required: false,
    items: ['Satisfaction des citoyens', 'Bien-être des agents', 'Modernisation', 'Actualisation des compétences', 'Développement durable'],
    prompts: ['Ce qui s’améliore déjà', 'Une idée concrète'],
  },
];

const PAGES: Array<Record<string, string>> = [
  {
    'ans:q1': '0',
    'ans:q2': '3',
    'ans:q3': '0,2',
    'ans:q4': '4',
    'ans:q5': '9',
    'ans:q6': '3',
    'ans:q7': 'Accueillante',
    'ans:q8': 'Plus de télétravail et des outils modernes #numerique',
    'ans:q9': '2',
  },
  { 'ans:q10.0.0': 'Les guichets ouvrent plus tard', 'ans:q10.1.1': 'Des salles calmes', 'ans:q10.2.1': 'Des formulaires en ligne' },
];

async function main(): Promise<number> {
  const agents = envNumber('BENCH_AGENTS', 700);
  const windowS = envNumber('BENCH_WINDOW_S', 60);
  const teamsShare = envNumber('BENCH_TEAMS_SHARE', 0.3);
  const thinkS = envNumber('BENCH_THINK_S', 2);
  const seed = envNumber('BENCH_SEED', 42);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ensemble-bench-answering-'));

  const worker = new Worker(path.join(__dirname, 'support', 'answer-load.js'));
  const messages: Array<(m: any) => void> = [];
  worker.on('message', (m) => messages.shift()?.(m));
  worker.on('error', (e) => {
    console.error('load generator failed:', e);
    process.exit(2);
  });
  const next = () => new Promise<any>((resolve) => messages.push(resolve));
  const ready = (await next()) as { url: string; slackApiUrl: string };
  const bot = await startBenchBot({ dataDir, slackApiUrl: ready.slackApiUrl });
  const { store, clock } = bot.services;

  // The agents, known to the bot (first contact is not what is measured), the questionnaire open, everyone invited.
  const now = clock.now();
  const ids: string[] = [];
  for (let a = 1; a <= agents; a++) {
    // the same draw as the load generator: which platform each agent is on is decided there; both identities exist here
    const slack = await store.people.record({ platform: 'slack', tenant: 'T1', user: `U${String(a).padStart(5, '0')}`, displayName: `Agent ${a}`, locale: 'fr' }, now);
    const t = teamsUser(a);
    const teams = await store.people.record(
      {
        platform: 'teams',
        tenant: TENANT,
        user: t.aadObjectId,
        displayName: t.name,
        locale: 'fr',
        teams: { serviceUrl: `${ready.url}/`, conversationId: `a:${t.id}`, userId: t.id, botId: '28:ensemble-bot', tenantId: TENANT },
      },
      now,
    );
    ids.push(slack.id, teams.id);
  }
  const c = await store.consultations.create({
    kind: 'questionnaire',
    title: 'Votre avis nous intéresse',
    questions: QUESTIONS,
    anonymous: true,
    audience: { kind: 'everyone' },
    opensAt: now,
    closesAt: new Date(now.getTime() + 7 * DAY_MS),
    results: 'closed',
    createdBy: ids[0],
    createdAt: now,
  });
  await store.consultations.setState(c.id, ['draft'], 'open');
  await store.consultations.invite(c.id, ids);

  const loop = monitorEventLoopDelay({ resolution: 5 });
  const start: AnswerStart = { type: 'start', botUrl: bot.url, consultationId: c.id, agents, windowS, teamsShare, seed, pages: PAGES, thinkS };
  const doneP = next();
  worker.postMessage(start);
  loop.enable();
  const done = (await doneP) as AnswerDone | { type: 'failed'; error: string };
  loop.disable();
  if (done.type === 'failed') throw new Error(`load generator failed: ${done.error}`);
  await new Promise((r) => setTimeout(r, 300));

  const figures = await store.consultations.figures(c.id);
  const responses = (await store.consultations.responses(c.id)).length;
  global.gc?.();
  const rss = process.memoryUsage().rss;
  worker.postMessage({ type: 'stop' });
  await new Promise((r) => setTimeout(r, 200));
  await worker.terminate();
  await bot.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const acks = done.records.map((r) => r.ackMs);
  const by = (f: (r: AnswerRecord) => boolean) => done.records.filter(f).map((r) => r.ackMs);
  const errors = done.records.filter((r) => r.error);
  const p99 = percentile(acks, 99);
  const lines = [
    '',
    `Answering a consultation: ${agents} agents, ${QUESTIONS.length} questions on ${PAGES.length} pages, over ${windowS} s (${(done.windowActualMs / 1000).toFixed(1)} s actual), ${Math.round(teamsShare * 100)} % on Teams`,
    `  requests            ${done.records.length} (« Répondre » + ${PAGES.length} pages per agent), errors ${errors.length}`,
    `  ack, all            ${summary(acks)}`,
    `  ack, « Répondre »   ${summary(by((r) => r.step === 0))}`,
    `  ack, pages          ${summary(by((r) => r.step > 0 && r.step < PAGES.length))}`,
    `  ack, last page      ${summary(by((r) => r.step === PAGES.length))}`,
    `  ack, Slack          ${summary(by((r) => r.platform === 'slack'))}`,
    `  ack, Teams          ${summary(by((r) => r.platform === 'teams'))}`,
    `  event-loop delay    p99 ${ms(loop.percentile(99) / 1e6)} · max ${ms(loop.max / 1e6)}`,
    `  store               ${responses} responses, register: ${figures.done} done of ${figures.reached} asked`,
    `  memory              rss ${mb(rss)}`,
    `  target              ack p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'} (${ms(p99)})`,
  ];
  for (const e of errors.slice(0, 5)) lines.push(`  error: agent ${e.agent} step ${e.step}: ${e.error}`);
  console.log(lines.join('\n'));
  return errors.length === 0 && responses === agents ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
