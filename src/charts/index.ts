/**
 * Charts: a platform-neutral {@link ChartSpec}, drawn server-side (ECharts SVG → resvg PNG, loaded on
 * first use), described in words (alt text) and as numbers (facts). Knows no platform, store or delivery.
 */
export { ALT_MAX_ITEMS, chartAlt, chartFacts } from './alt';
export { formatNumber, share } from './format';
export { CHART_FONT_FAMILY, CHART_PALETTE, echartsOption, renderChart, renderChartSvg, svgToPng } from './render';
export {
  CHART_KINDS,
  CHART_LIMITS,
  CHART_PIXEL_RATIO,
  type ChartKind,
  type ChartLocale,
  type ChartSeries,
  type ChartSpec,
  type ChartUnit,
  chartSpecSchema,
  DEFAULT_CHART_HEIGHT,
  DEFAULT_CHART_WIDTH,
  parseChartSpec,
  type RenderedChart,
} from './spec';
