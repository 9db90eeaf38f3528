import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as ResvgWasm from '@resvg/resvg-wasm';
import type * as Echarts from 'echarts';
import type { Locale } from '../domain/locale';
import { chartAlt } from './alt';
import { formatNumber, share } from './format';
import { CHART_PIXEL_RATIO, type ChartSpec, DEFAULT_CHART_HEIGHT, DEFAULT_CHART_WIDTH, parseChartSpec, type RenderedChart } from './spec';

/** The font drawn into every chart (Inter, SIL Open Font License, in assets/fonts): accents, « », narrow no-break spaces. */
export const CHART_FONT_FAMILY = 'Inter';
const FONT_FILES = ['Inter-Regular.ttf', 'Inter-SemiBold.ttf'];

/**
 * Colours of the French State's design system (DSFR illustrative palette), each with enough contrast on
 * white for bars and slices, in an order that keeps neighbours apart.
 */
export const CHART_PALETTE = ['#000091', '#e1000f', '#009081', '#c3992a', '#a558a0', '#417dc4', '#ce614a', '#66673d'];

/** assets/ is found upwards from this file (src/charts in tests, dist/src/charts when built, /app in the image). */
function assetsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'assets', 'fonts');
    if (existsSync(path.join(candidate, FONT_FILES[0]))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('charts: assets/fonts/Inter-Regular.ttf not found');
}

interface Engines {
  echarts: typeof Echarts;
  resvg: typeof ResvgWasm;
  fonts: Uint8Array[];
}

/**
 * ECharts (SVG, server-side) and resvg (WebAssembly) are loaded on the first chart, not at start: the
 * bot's memory at rest does not grow. The promise is kept, so concurrent first renders load once.
 */
let engines: Promise<Engines> | undefined;
function loadEngines(): Promise<Engines> {
  engines ??= (async () => {
    const resvg = require('@resvg/resvg-wasm') as typeof ResvgWasm;
    await resvg.initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const echarts = require('echarts') as typeof Echarts;
    const dir = assetsDir();
    return { echarts, resvg, fonts: FONT_FILES.map((f) => new Uint8Array(readFileSync(path.join(dir, f)))) };
  })();
  engines.catch(() => {
    engines = undefined;
  });
  return engines;
}

type Option = Record<string, unknown>;

/** The ECharts option for a spec: no animation, the bundled font, values written the person's way. */
export function echartsOption(spec: ChartSpec, locale: Locale): Option {
  const fmt = (v: number) => formatNumber(v, locale, { unit: spec.unit, decimals: spec.decimals });
  const axisFmt = (v: number) => formatNumber(v, locale, { unit: spec.unit === '%' ? '%' : undefined, decimals: spec.decimals });
  const several = spec.series.length > 1;
  const base: Option = {
    animation: false,
    backgroundColor: '#ffffff',
    color: CHART_PALETTE,
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: '#161616' },
    title: { text: spec.title, left: 'center', top: 12, textStyle: { fontFamily: CHART_FONT_FAMILY, fontWeight: 600, fontSize: 18, color: '#161616' } },
  };
  const legend = { bottom: 8, textStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 12 } };
  const grid = { left: 24, right: 32, top: 64, bottom: several ? 56 : 24, containLabel: true };
  const label = (position: string) => ({ show: true, position, fontFamily: CHART_FONT_FAMILY, fontSize: 12, formatter: (p: { value: number }) => fmt(p.value) });
  const categoryLabel = { fontFamily: CHART_FONT_FAMILY, fontSize: 12, width: 120, overflow: 'truncate', interval: 0, hideOverlap: true };
  const valueAxis = { type: 'value', minInterval: spec.unit === '%' ? undefined : 1, axisLabel: { fontFamily: CHART_FONT_FAMILY, formatter: axisFmt } };

  switch (spec.kind) {
    case 'bar':
    case 'stackedBar':
      return {
        ...base,
        ...(several ? { legend } : {}),
        grid,
        xAxis: { type: 'category', data: spec.categories, axisLabel: categoryLabel },
        yAxis: valueAxis,
        series: spec.series.map((s) => ({
          type: 'bar',
          name: s.label,
          data: s.values,
          barMaxWidth: 64,
          ...(spec.kind === 'stackedBar' ? { stack: 'total', label: { ...label('inside'), color: '#ffffff' } } : { label: label('top') }),
        })),
      };
    case 'horizontalBar':
      return {
        ...base,
        grid,
        yAxis: { type: 'category', data: spec.categories, inverse: true, axisLabel: { ...categoryLabel, width: 200 } },
        xAxis: valueAxis,
        series: spec.series.map((s) => ({ type: 'bar', name: s.label, data: s.values, barMaxWidth: 40, label: label('right') })),
      };
    case 'line':
      return {
        ...base,
        ...(several ? { legend } : {}),
        grid,
        xAxis: { type: 'category', data: spec.categories, boundaryGap: false, axisLabel: categoryLabel },
        yAxis: valueAxis,
        series: spec.series.map((s) => ({ type: 'line', name: s.label, data: s.values, symbolSize: 7, lineStyle: { width: 3 }, label: label('top') })),
      };
    case 'donut': {
      const values = spec.series[0].values;
      const total = values.reduce((a, b) => a + b, 0);
      return {
        ...base,
        legend: { ...legend, type: 'plain' },
        series: [
          {
            type: 'pie',
            radius: ['42%', '66%'],
            center: ['50%', '52%'],
            avoidLabelOverlap: true,
            data: spec.categories.map((c, i) => ({ name: c, value: values[i] })),
            label: {
              fontFamily: CHART_FONT_FAMILY,
              fontSize: 12,
              formatter: (p: { name: string; value: number }) => `${p.name}\n${fmt(p.value)} (${formatNumber(share(p.value, total), locale, { unit: '%' })})`,
            },
          },
        ],
      };
    }
  }
}

/** The chart as an SVG document (ECharts' server-side SVG renderer: no browser, no canvas). */
export async function renderChartSvg(spec: ChartSpec, locale: Locale): Promise<{ svg: string; width: number; height: number }> {
  const { echarts } = await loadEngines();
  const width = spec.width ?? DEFAULT_CHART_WIDTH;
  const height = spec.height ?? DEFAULT_CHART_HEIGHT;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(echartsOption(spec, locale) as Echarts.EChartsOption);
    return { svg: chart.renderToSVGString(), width, height };
  } finally {
    chart.dispose();
  }
}

/** An SVG drawn to PNG by resvg (WebAssembly) with the bundled font, at {@link CHART_PIXEL_RATIO}× its size. */
export async function svgToPng(svg: string, width: number): Promise<{ png: Buffer; width: number; height: number }> {
  const { resvg, fonts } = await loadEngines();
  const renderer = new resvg.Resvg(svg, {
    font: { fontBuffers: fonts, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY, loadSystemFonts: false } as ResvgWasm.ResvgRenderOptions['font'],
    fitTo: { mode: 'width', value: Math.round(width * CHART_PIXEL_RATIO) },
    background: '#ffffff',
  });
  try {
    const image = renderer.render();
    try {
      return { png: Buffer.from(image.asPng()), width: image.width, height: image.height };
    } finally {
      image.free();
    }
  } finally {
    renderer.free();
  }
}

/**
 * Renders a chart: the spec is checked (a ZodError names a bad field), drawn to SVG, then to PNG, and
 * described in words (`alt`) in the given language. Width and height are the PNG's, in pixels.
 */
export async function renderChart(input: ChartSpec, locale: Locale): Promise<RenderedChart> {
  const spec = parseChartSpec(input);
  const { svg, width } = await renderChartSvg(spec, locale);
  const png = await svgToPng(svg, width);
  return { png: png.png, svg, alt: chartAlt(spec, locale), width: png.width, height: png.height };
}
