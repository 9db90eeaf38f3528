import type { Card, ChartElement } from '../cards/model';
import type { Locale } from '../domain/locale';
import type { FileOut } from './reply';

/**
 * The PNG of each chart of a card (at most `max`), for Slack, which draws no chart in a message: each
 * travels as a file with the results. They are drawn in a short-lived child process (src/charts/pool.ts).
 */
export async function chartFiles(card: Card, locale: Locale, comment: string, max = 4): Promise<FileOut[]> {
  const { renderCharts } = await import('../charts/pool');
  const charts = card.elements.filter((e): e is ChartElement => e.type === 'chart').slice(0, max);
  const out: FileOut[] = [];
  for (const [i, png] of (
    await renderCharts(
      charts.map((c) => c.spec),
      locale,
    )
  ).entries()) {
    out.push({ name: `graphique-${i + 1}.png`, mime: 'image/png', content: png.png, comment: `${comment} — ${png.alt}`.slice(0, 900) });
  }
  return out;
}
