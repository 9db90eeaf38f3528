import { PNG } from 'pngjs';
import { CHART_KINDS, type ChartSpec, chartAlt, chartFacts, formatNumber, parseChartSpec, renderChart } from '../../../src/charts';

const NNBSP = '\u202f';
const NBSP = '\u00a0';

/** The PNG signature and the IHDR size, read from the bytes. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const ideas = { one: 'idée', other: 'idées' };

const specs: Record<(typeof CHART_KINDS)[number], ChartSpec> = {
  bar: { kind: 'bar', title: 'Idées par axe', categories: ['Numérique', 'Écologie', 'Management'], series: [{ label: 'Idées', values: [12, 5, 1] }], unit: ideas },
  horizontalBar: { kind: 'horizontalBar', title: 'Inscriptions', categories: ['Créer', 'Découvrir'], series: [{ label: 'Inscrits', values: [1234, 56] }] },
  stackedBar: {
    kind: 'stackedBar',
    title: 'Idées par axe et statut',
    categories: ['Numérique', 'Écologie'],
    series: [
      { label: 'Ouvertes', values: [3, 2] },
      { label: 'Retenues', values: [1, 0] },
    ],
  },
  donut: { kind: 'donut', title: 'Réponses', categories: ['Oui', 'Non'], series: [{ label: 'Réponses', values: [3, 1] }] },
  line: { kind: 'line', title: 'Soutiens par semaine', categories: ['S45', 'S46', 'S47'], series: [{ label: 'Soutiens', values: [3, 8, 5] }] },
};

describe('formatNumber', () => {
  test('French: decimal comma, narrow no-break spaces between thousands and before %', () => {
    expect(formatNumber(12.5, 'fr', { unit: '%' })).toBe(`12,5${NNBSP}%`);
    expect(formatNumber(12345.5, 'fr')).toBe(`12${NNBSP}345,5`);
    expect(formatNumber(1234567, 'fr')).toBe(`1${NNBSP}234${NNBSP}567`);
    expect(formatNumber(2.25, 'fr', { decimals: 2 })).toBe('2,25');
    expect(formatNumber(3, 'fr', { unit: '%' })).toBe(`3${NNBSP}%`);
  });

  test('English: decimal point, commas, % glued', () => {
    expect(formatNumber(12.5, 'en', { unit: '%' })).toBe('12.5%');
    expect(formatNumber(12345.5, 'en')).toBe('12,345.5');
  });

  test('a unit word takes the plural of the language (French 0 and 1 are singular)', () => {
    expect(formatNumber(0, 'fr', { unit: ideas })).toBe(`0${NBSP}idée`);
    expect(formatNumber(1, 'fr', { unit: ideas })).toBe(`1${NBSP}idée`);
    expect(formatNumber(2, 'fr', { unit: ideas })).toBe(`2${NBSP}idées`);
    expect(formatNumber(0, 'en', { unit: { one: 'idea', other: 'ideas' } })).toBe(`0${NBSP}ideas`);
  });
});

describe('chartAlt', () => {
  test('French: kind, title, every value, total and highest', () => {
    expect(chartAlt(specs.bar, 'fr')).toBe(
      `Graphique en barres « Idées par axe ». Numérique : 12${NBSP}idées ; Écologie : 5${NBSP}idées ; Management : 1${NBSP}idée. Total : 18${NBSP}idées. Le plus élevé : Numérique (12${NBSP}idées).`,
    );
  });

  test('English', () => {
    expect(chartAlt(specs.horizontalBar, 'en')).toBe('Horizontal bar chart “Inscriptions”. Créer: 1,234; Découvrir: 56. Total: 1,290. Highest: Créer (1,234).');
  });

  test('a donut gives the shares, a line its first, last and highest points, stacked bars each part', () => {
    expect(chartAlt(specs.donut, 'fr')).toContain(`Oui : 3 (75${NNBSP}%) ; Non : 1 (25${NNBSP}%)`);
    expect(chartAlt(specs.line, 'fr')).toBe('Courbe « Soutiens par semaine ». Évolution : de 3 (S45) à 5 (S47). Le plus élevé : S46 (8). Points : S45 : 3 ; S46 : 8 ; S47 : 5.');
    expect(chartAlt(specs.stackedBar, 'fr')).toContain('Numérique : 4 (Ouvertes : 3, Retenues : 1) ; Écologie : 2 (Ouvertes : 2, Retenues : 0)');
  });

  test('no data says so; long lists are cut and counted', () => {
    expect(chartAlt({ ...specs.bar, series: [{ label: 'x', values: [0, 0, 0] }] }, 'fr')).toBe('Graphique en barres « Idées par axe ». Aucune donnée pour l’instant.');
    const many = Array.from({ length: 15 }, (_, i) => `Axe ${i + 1}`);
    const alt = chartAlt({ kind: 'bar', title: 'T', categories: many, series: [{ label: 's', values: many.map((_, i) => i + 1) }] }, 'fr');
    expect(alt).toContain('Axe 12 : 12 et 3 autres.');
    expect(alt).not.toContain('Axe 13 :');
  });
});

describe('chartFacts', () => {
  test('one line per category, with the shares (donut) or the parts (several series)', () => {
    expect(chartFacts(specs.bar, 'fr')[0]).toEqual({ label: 'Numérique', value: `12${NBSP}idées` });
    expect(chartFacts(specs.donut, 'en')).toEqual([
      { label: 'Oui', value: '3 (75%)' },
      { label: 'Non', value: '1 (25%)' },
    ]);
    expect(chartFacts(specs.stackedBar, 'fr')[0]).toEqual({ label: 'Numérique', value: '4 (Ouvertes : 3, Retenues : 1)' });
  });
});

describe('parseChartSpec', () => {
  test('refuses values that do not match the categories, a second series on a bar chart, negative slices', () => {
    expect(() => parseChartSpec({ ...specs.bar, series: [{ label: 'x', values: [1] }] })).toThrow(/expected 3 values/);
    expect(() => parseChartSpec({ ...specs.bar, series: [...specs.bar.series, ...specs.bar.series] })).toThrow(/exactly one series/);
    expect(() => parseChartSpec({ ...specs.donut, series: [{ label: 'x', values: [-1, 2] }] })).toThrow(/negative/);
    expect(() => parseChartSpec({ ...specs.bar, kind: 'pie' })).toThrow();
    expect(() => parseChartSpec({ ...specs.bar, categories: [] })).toThrow();
  });
});

describe('renderChart: spec → SVG → PNG', () => {
  test.each(CHART_KINDS)('%s: an SVG with the words and numbers, a PNG that decodes at twice the size', async (kind) => {
    const chart = await renderChart(specs[kind], 'fr');
    expect(chart.svg.startsWith('<svg')).toBe(true);
    expect(chart.svg).toContain(specs[kind].title);
    expect(chart.svg).toContain(specs[kind].categories[0]);
    expect(pngSize(chart.png)).toEqual({ width: 1600, height: 900 });
    expect({ width: chart.width, height: chart.height }).toEqual({ width: 1600, height: 900 });
    const decoded = PNG.sync.read(chart.png);
    expect(decoded.width).toBe(1600);
    expect(chart.png.length).toBeGreaterThan(10_000);
    expect(chart.png.length).toBeLessThan(1_000_000);
    // the picture is not blank: some pixels are the palette's blue or red, most are white
    let coloured = 0;
    for (let i = 0; i < decoded.data.length; i += 4) if (decoded.data[i] < 200 || decoded.data[i + 2] < 200) coloured++;
    expect(coloured).toBeGreaterThan(1000);
    expect(chart.alt).toBe(chartAlt(specs[kind], 'fr'));
  });

  test('French numbers in the picture: the SVG carries « 1 234 » with a narrow no-break space', async () => {
    const chart = await renderChart(specs.horizontalBar, 'fr');
    expect(chart.svg).toContain(`1${NNBSP}234`);
    const en = await renderChart(specs.horizontalBar, 'en');
    expect(en.svg).toContain('1,234');
  });

  test('a custom size, and a bad spec is refused before anything is drawn', async () => {
    const chart = await renderChart({ ...specs.bar, width: 400, height: 300 }, 'en');
    expect(pngSize(chart.png)).toEqual({ width: 800, height: 600 });
    await expect(renderChart({ ...specs.bar, width: 10 }, 'fr')).rejects.toThrow();
  });
});
