import { Worker } from 'node:worker_threads';

/**
 * Runs `body` in one worker thread per entry of `data`, each on its own store opened by `storeExpr`
 * (so each thread is another connection, as another instance of the bot would be). The threads open
 * their store, then all start at the same signal. `body` is the text of an async function body that
 * sees `store` and `data` (its entry of `data`) and returns what the thread answers.
 */
export async function inThreads<T>(storeExpr: string, body: string, data: unknown[], label = (i: number) => `#${i}`): Promise<T[]> {
  const swc = require.resolve('@swc/core');
  const code = `
    const fs = require('node:fs');
    const swc = require(${JSON.stringify(swc)});
    require.extensions['.ts'] = function (module, filename) {
      const out = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
        filename, jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' },
      });
      module._compile(out.code, filename);
    };
    const { parentPort, workerData: data } = require('node:worker_threads');
    (async () => {
      const store = await (${storeExpr});
      let result;
      try {
        const go = new Promise((resolve) => parentPort.once('message', resolve));
        parentPort.postMessage({ ready: true });
        await go;
        result = await (async () => { ${body} })();
      } finally {
        await store.close();
      }
      parentPort.postMessage({ result });
    })().catch((e) => parentPort.postMessage({ error: String((e && e.stack) || e) }));
  `;
  const workers = data.map((d) => new Worker(code, { eval: true, workerData: d }));
  const ready: Array<Promise<void>> = [];
  const done = workers.map(
    (w, i) =>
      new Promise<T>((resolve, reject) => {
        let isReady: () => void = () => undefined;
        ready.push(new Promise<void>((r) => (isReady = r)));
        w.on('message', (m: { ready?: boolean; result?: T; error?: string }) => {
          if (m.ready) isReady();
          else if (m.error) reject(new Error(`worker ${label(i)}: ${m.error}`));
          else resolve(m.result as T);
        });
        w.on('error', reject);
        w.on('exit', (code) => reject(new Error(`worker ${label(i)} exited (${code}) without answering`)));
      }),
  );
  try {
    await Promise.race([Promise.all(ready), Promise.all(done)]);
    for (const w of workers) w.postMessage('go');
    return await Promise.all(done);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
