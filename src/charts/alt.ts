import type { Locale } from '../domain/locale';
import { I18n, type Translate } from '../i18n';
import { formatNumber, share } from './format';
import type { ChartSpec } from './spec';

/** Items named one by one in the alt text; the rest are counted (« et 3 autres »). */
export const ALT_MAX_ITEMS = 12;

/** The charts' words come from the bot's dictionaries (section `charts`), through an instance made on first use. */
let i18n: I18n | undefined;
function translator(locale: Locale): Translate {
  i18n ??= new I18n('fr');
  return i18n.forLocale(locale);
}

function seriesTotals(spec: ChartSpec): number[] {
  return spec.categories.map((_, i) => spec.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
}

function listOf(t: Translate, items: string[]): string {
  const shown = items.slice(0, ALT_MAX_ITEMS);
  const rest = items.length - shown.length;
  const list = shown.join(t('charts.alt.separator'));
  return rest > 0 ? t('charts.alt.andMore', { list, count: rest }) : list;
}

/**
 * The chart in words and numbers, for screen readers, notifications and clients that show no image:
 * its kind and title, every value (up to {@link ALT_MAX_ITEMS}), the total and the highest value
 * (bars, donut), the shares (donut), the first and last points (lines).
 */
export function chartAlt(spec: ChartSpec, locale: Locale): string {
  const t = translator(locale);
  const fmt = (v: number) => formatNumber(v, locale, { unit: spec.unit, decimals: spec.decimals });
  const parts = [t('charts.alt.intro', { kind: t(`charts.kind.${spec.kind}`), title: spec.title })];
  const allValues = spec.series.flatMap((s) => s.values);
  if (allValues.length === 0 || allValues.every((v) => v === 0)) {
    parts.push(t('charts.alt.empty'));
    return parts.join(' ');
  }
  const item = (label: string, value: string) => t('charts.alt.item', { label, value });

  if (spec.kind === 'line') {
    for (const s of spec.series) {
      const points = s.values.map((v, i) => item(spec.categories[i], fmt(v)));
      const max = Math.max(...s.values);
      const at = spec.categories[s.values.indexOf(max)];
      const prefix = spec.series.length > 1 ? t('charts.alt.seriesPrefix', { series: s.label }) : '';
      parts.push(
        `${prefix}${t('charts.alt.trend', {
          from: fmt(s.values[0]),
          fromLabel: spec.categories[0],
          to: fmt(s.values[s.values.length - 1]),
          toLabel: spec.categories[spec.categories.length - 1],
        })} ${t('charts.alt.highest', { label: at, value: fmt(max) })} ${t('charts.alt.points', { list: listOf(t, points) })}`,
      );
    }
    return parts.join(' ');
  }

  const totals = seriesTotals(spec);
  const total = totals.reduce((a, b) => a + b, 0);
  if (spec.kind === 'stackedBar') {
    const items = spec.categories.map((c, i) => {
      const detail = spec.series.map((s) => item(s.label, fmt(s.values[i]))).join(t('charts.alt.detailSeparator'));
      return t('charts.alt.stackedItem', { label: c, value: fmt(totals[i]), detail });
    });
    parts.push(t('charts.alt.values', { list: listOf(t, items) }));
  } else {
    const values = spec.series[0].values;
    const items = spec.categories.map((c, i) =>
      spec.kind === 'donut'
        ? t('charts.alt.itemShare', { label: c, value: fmt(values[i]), share: formatNumber(share(values[i], total), locale, { unit: '%' }) })
        : item(c, fmt(values[i])),
    );
    parts.push(t('charts.alt.values', { list: listOf(t, items) }));
  }
  if (spec.unit !== '%') parts.push(t('charts.alt.total', { value: fmt(total) }));
  const max = Math.max(...totals);
  const leaders = spec.categories.filter((_, i) => totals[i] === max);
  if (spec.categories.length > 1) parts.push(t('charts.alt.highest', { label: leaders.join(t('charts.alt.separator')), value: fmt(max) }));
  return parts.join(' ');
}

/**
 * The chart's numbers as label → value pairs: what a fact set shows next to (or instead of) the picture,
 * and what a Slack message says as text. Several series: the total, then each series.
 */
export function chartFacts(spec: ChartSpec, locale: Locale): Array<{ label: string; value: string }> {
  const t = translator(locale);
  const fmt = (v: number) => formatNumber(v, locale, { unit: spec.unit, decimals: spec.decimals });
  if (spec.series.length === 1) {
    const values = spec.series[0].values;
    const total = values.reduce((a, b) => a + b, 0);
    return spec.categories.map((c, i) => ({
      label: c,
      value: spec.kind === 'donut' ? t('charts.facts.withShare', { value: fmt(values[i]), share: formatNumber(share(values[i], total), locale, { unit: '%' }) }) : fmt(values[i]),
    }));
  }
  const totals = seriesTotals(spec);
  return spec.categories.map((c, i) => {
    const detail = spec.series.map((s) => t('charts.alt.item', { label: s.label, value: fmt(s.values[i]) })).join(t('charts.alt.detailSeparator'));
    return { label: c, value: spec.kind === 'line' ? detail : t('charts.facts.withDetail', { value: fmt(totals[i]), detail }) };
  });
}
