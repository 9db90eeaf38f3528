import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Locale } from '../domain/locale';
import type { ChartSpec, RenderedChart } from './spec';

/**
 * The drawing process's compiled file: beside this one once built (dist/src/charts), or in dist/ when this
 * module runs from the sources (the tests build first).
 */
function workerFile(): string {
  const beside = path.join(__dirname, 'worker.js');
  return existsSync(beside) ? beside : path.resolve(__dirname, '../../dist/src/charts/worker.js');
}

/** A batch that takes longer is abandoned (its process killed). */
const TIMEOUT_MS = 30_000;

type Answer = { charts: Array<Omit<RenderedChart, 'png'> & { png: string }> } | { error: string };

/**
 * Draws charts in a short-lived child process. ECharts and resvg's WebAssembly heap take some 150 MB once
 * used, which neither a WebAssembly heap nor the allocator of a worker thread gives back: in a process of
 * its own, that memory goes back to the system when it ends, and the bot's stays as it was (measured by
 * npm run bench:charts). A batch (a dashboard's or a result's charts) costs one process start.
 */
export function renderCharts(specs: ChartSpec[], locale: Locale): Promise<RenderedChart[]> {
  if (!specs.length) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = fork(workerFile(), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('charts: drawing took too long'));
    }, TIMEOUT_MS);
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    child.once('message', (m: Answer) =>
      done(() => ('error' in m ? reject(new Error(`charts: ${m.error}`)) : resolve(m.charts.map((r) => ({ ...r, png: Buffer.from(r.png, 'base64') }))))),
    );
    child.once('error', (e) => done(() => reject(e)));
    child.once('exit', (code) => done(() => reject(new Error(`charts: the drawing process ended (code ${code}) before answering`))));
    child.send({ specs, locale });
  });
}
