import { z } from 'zod';
import type { Locale } from '../domain/locale';

/**
 * What a chart shows, independent of how it is drawn: the renderer (SVG → PNG), the alt text, the
 * Teams chart element and the fact set are all derived from it. Plain data, so it can be stored
 * (a chart served later from its stored spec) and sent through the outbox.
 */
export const CHART_KINDS = ['bar', 'horizontalBar', 'stackedBar', 'donut', 'line'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** A unit shown after numbers: '%' (values are percentages, 12.5 → « 12,5 % »), or a word with its plural. */
export type ChartUnit = '%' | { one: string; other: string };

export interface ChartSeries {
  /** Shown in the legend and the alt text when there are several series (stacked bars, lines). */
  label: string;
  /** One value per category, in the order of `categories`. */
  values: number[];
}

export interface ChartSpec {
  kind: ChartKind;
  title: string;
  /** The x axis (bars, lines), the bars' labels (horizontal bars), the slices (donut). */
  categories: string[];
  /** One series for bars and donuts; several for stacked bars and lines. */
  series: ChartSeries[];
  unit?: ChartUnit;
  /** Decimals shown (default 1, trailing zeros dropped). */
  decimals?: number;
  /** Size in CSS pixels (the PNG is drawn at twice this size); defaults 800 × 450. */
  width?: number;
  height?: number;
}

export const CHART_LIMITS = { categories: 40, series: 8, label: 80, title: 120, minSize: 200, maxSize: 2000 } as const;

const label = (max: number) => z.string().trim().min(1).max(max);

export const chartSpecSchema = z
  .object({
    kind: z.enum(CHART_KINDS),
    title: label(CHART_LIMITS.title),
    categories: z.array(label(CHART_LIMITS.label)).min(1).max(CHART_LIMITS.categories),
    series: z
      .array(z.object({ label: label(CHART_LIMITS.label), values: z.array(z.number().finite()) }))
      .min(1)
      .max(CHART_LIMITS.series),
    unit: z.union([z.literal('%'), z.object({ one: label(40), other: label(40) })]).optional(),
    decimals: z.number().int().min(0).max(3).optional(),
    width: z.number().int().min(CHART_LIMITS.minSize).max(CHART_LIMITS.maxSize).optional(),
    height: z.number().int().min(CHART_LIMITS.minSize).max(CHART_LIMITS.maxSize).optional(),
  })
  .superRefine((spec, ctx) => {
    spec.series.forEach((s, i) => {
      if (s.values.length !== spec.categories.length)
        ctx.addIssue({ code: 'custom', path: ['series', i, 'values'], message: `expected ${spec.categories.length} values, got ${s.values.length}` });
    });
    if ((spec.kind === 'bar' || spec.kind === 'horizontalBar' || spec.kind === 'donut') && spec.series.length !== 1)
      ctx.addIssue({ code: 'custom', path: ['series'], message: `a ${spec.kind} chart has exactly one series` });
    if (spec.kind === 'donut' && spec.series[0]?.values.some((v) => v < 0))
      ctx.addIssue({ code: 'custom', path: ['series', 0, 'values'], message: 'a donut cannot show negative values' });
  });

/** A spec checked against {@link chartSpecSchema}; throws a ZodError naming the faulty field otherwise. */
export function parseChartSpec(input: unknown): ChartSpec {
  return chartSpecSchema.parse(input) as ChartSpec;
}

export const DEFAULT_CHART_WIDTH = 800;
export const DEFAULT_CHART_HEIGHT = 450;
/** The PNG is drawn at this multiple of the CSS size, for sharp text on high-density screens. */
export const CHART_PIXEL_RATIO = 2;

export interface RenderedChart {
  png: Buffer;
  svg: string;
  /** A sentence or two that says what the chart shows, in words and numbers. */
  alt: string;
  /** The PNG's size in pixels. */
  width: number;
  height: number;
}

export type ChartLocale = Locale;
