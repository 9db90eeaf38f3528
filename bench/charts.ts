/**
 * Chart rendering: each kind of chart drawn N times (ECharts server-side → SVG → PNG with resvg-wasm and
 * the bundled font), the first render of the process (cold: the libraries and the font are loaded) apart;
 * prints p50 / p99 per chart, the PNG sizes, and the process's RSS and heap before and after.
 *
 *   npm run bench:charts
 *
 * Settings (environment): BENCH_RENDERS (50 per kind). Prints figures; nothing is asserted.
 */
import { performance } from 'node:perf_hooks';
import { CHART_KINDS, type ChartSpec, renderChart } from '../src/charts';
import { renderCharts } from '../src/charts/pool';
import { envNumber, mb, summary } from './support/stats';

const categories = ['Satisfaction des citoyens', 'Bien-être des agents', 'Modernisation', 'Actualisation des compétences', 'Développement durable'];
const specs: Record<(typeof CHART_KINDS)[number], ChartSpec> = {
  bar: {
    kind: 'bar',
    title: 'Recommanderiez-vous la démarche ? (0–10)',
    categories: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
    series: [{ label: 'Réponses', values: [1, 0, 2, 3, 5, 8, 13, 21, 34, 21, 13] }],
  },
  horizontalBar: { kind: 'horizontalBar', title: 'Inscriptions aux prochains événements', categories, series: [{ label: 'Inscrits', values: [42, 17, 8, 25, 31] }] },
  stackedBar: {
    kind: 'stackedBar',
    title: 'Idées par axe et par statut',
    categories,
    series: [
      { label: 'Proposée', values: [12, 9, 4, 7, 10] },
      { label: 'À l’étude', values: [3, 2, 1, 0, 4] },
      { label: 'Retenue', values: [1, 1, 0, 2, 1] },
    ],
  },
  donut: {
    kind: 'donut',
    title: 'Ambassadeurs actifs par rôle',
    categories: ['Informel', 'Au sein d’un service', 'Plusieurs services'],
    series: [{ label: 'Actifs', values: [18, 9, 4] }],
  },
  line: {
    kind: 'line',
    title: 'Réponses par jour',
    categories: ['1 déc.', '2 déc.', '3 déc.', '4 déc.', '7 déc.', '8 déc.'],
    series: [{ label: 'Réponses', values: [120, 340, 210, 90, 60, 45] }],
  },
};

async function main(): Promise<void> {
  const renders = envNumber('BENCH_RENDERS', 50);
  global.gc?.();
  const before = process.memoryUsage();
  console.log('Ensemble — chart rendering benchmark (ECharts SSR → SVG → PNG, resvg-wasm, bundled Inter font)');
  console.log(`  Node ${process.version} · ${process.platform} ${process.arch} · ${renders} renders per kind`);
  console.log(`  before: RSS ${mb(before.rss)} · heap used ${mb(before.heapUsed)}`);
  // as the bot draws them: a child process per batch (a dashboard's or a result's charts), which ends afterwards
  const batches = Math.max(1, Math.round(renders / 10));
  const batchTimes: number[] = [];
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    await renderCharts(Object.values(specs), 'fr');
    batchTimes.push(performance.now() - t0);
  }
  await new Promise((r) => setTimeout(r, 200));
  global.gc?.();
  const pooled = process.memoryUsage();
  console.log(`  in a child process, ${CHART_KINDS.length} charts a batch (as the bot draws them): ${summary(batchTimes)}`);
  console.log(`    the bot's process after ${batches} batches, forced GC: RSS ${mb(pooled.rss)} (+${mb(pooled.rss - before.rss)}) · heap used ${mb(pooled.heapUsed)}`);
  console.log('  in this process (the engines stay loaded), per chart:');
  let t = performance.now();
  const first = await renderChart(specs.bar, 'fr');
  console.log(
    `  first render of the process (libraries, wasm and font loaded): ${(performance.now() - t).toFixed(1)} ms, PNG ${first.width}×${first.height}, ${(first.png.length / 1024).toFixed(1)} KB`,
  );
  for (const kind of CHART_KINDS) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < renders; i++) {
      t = performance.now();
      const r = await renderChart(specs[kind], i % 2 ? 'en' : 'fr');
      times.push(performance.now() - t);
      bytes = r.png.length;
    }
    console.log(`  ${kind.padEnd(13)} ${summary(times)} · PNG ${(bytes / 1024).toFixed(1)} KB`);
  }
  global.gc?.();
  const after = process.memoryUsage();
  console.log(`  after, forced GC: RSS ${mb(after.rss)} (+${mb(after.rss - before.rss)}) · heap used ${mb(after.heapUsed)} · external ${mb(after.external)}`);
  console.log(`  peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
