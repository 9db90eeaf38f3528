import type { Locale } from '../domain/locale';
import { renderChart } from './render';
import type { ChartSpec } from './spec';

/** A child process that draws the charts it is sent, sends them back and ends (see pool.ts). */
process.once('message', (m: { specs: ChartSpec[]; locale: Locale }) => {
  void (async () => {
    try {
      const out = [];
      for (const spec of m.specs) {
        const r = await renderChart(spec, m.locale);
        out.push({ ...r, png: r.png.toString('base64') });
      }
      process.send?.({ charts: out }, () => process.exit(0));
    } catch (e) {
      process.send?.({ error: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
    }
  })();
});
