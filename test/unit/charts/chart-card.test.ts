import { renderAdaptiveCard, renderBlockKitMessage } from '../../../src/cards';
import type { Card } from '../../../src/cards/model';
import { CHART_KINDS, type ChartSpec, chartAlt, chartFacts } from '../../../src/charts';

// Microsoft's reference renderer (UMD bundle: see test/unit/cards/adaptive-card.test.ts)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

function parse(json: object): { card: any; events: string[] } {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, ctx);
  const events: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) events.push(`${AC.ValidationEvent[ctx.getEventAt(i).event]}: ${ctx.getEventAt(i).message}`);
  for (const e of card.validateProperties().validationEvents) events.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
  return { card, events };
}

const specs: Record<(typeof CHART_KINDS)[number], ChartSpec> = {
  bar: { kind: 'bar', title: 'Idées par axe', categories: ['Numérique', 'Écologie'], series: [{ label: 'Idées', values: [12, 5] }] },
  horizontalBar: { kind: 'horizontalBar', title: 'Inscriptions', categories: ['Créer', 'Découvrir'], series: [{ label: 'Inscrits', values: [4, 2] }] },
  stackedBar: {
    kind: 'stackedBar',
    title: 'Idées par statut',
    categories: ['Numérique', 'Écologie'],
    series: [
      { label: 'Ouvertes', values: [3, 2] },
      { label: 'Retenues', values: [1, 0] },
    ],
  },
  donut: { kind: 'donut', title: 'Réponses', categories: ['Oui', 'Non'], series: [{ label: 'Réponses', values: [3, 1] }] },
  line: { kind: 'line', title: 'Soutiens par semaine', categories: ['S45', 'S46'], series: [{ label: 'Soutiens', values: [3, 8] }] },
};

const TEAMS_TYPE = { bar: 'Chart.VerticalBar', horizontalBar: 'Chart.HorizontalBar', stackedBar: 'Chart.VerticalBar.Grouped', donut: 'Chart.Donut', line: 'Chart.Line' };

function chartCard(spec: ChartSpec, imageUrl?: string): Card {
  return {
    fallbackText: spec.title,
    elements: [
      { type: 'header', text: 'Chiffres' },
      { type: 'chart', spec, alt: chartAlt(spec, 'fr'), facts: chartFacts(spec, 'fr'), imageUrl },
    ],
  };
}

describe.each(CHART_KINDS)('a %s chart element', (kind) => {
  const spec = specs[kind];

  test('Teams: the native chart, with a fallback of the PNG and the numbers; the card parses', () => {
    const json = renderAdaptiveCard(chartCard(spec, 'https://bot.example/c/abc.png')) as { body: any[] };
    const chart = json.body[1];
    expect(chart.type).toBe(TEAMS_TYPE[kind]);
    expect(chart.title).toBe(spec.title);
    expect(chart.fallback.type).toBe('Container');
    const [title, image, facts] = chart.fallback.items;
    expect(title.text).toBe(spec.title);
    expect(image).toMatchObject({ type: 'Image', url: 'https://bot.example/c/abc.png', altText: chartAlt(spec, 'fr') });
    expect(facts.type).toBe('FactSet');
    expect(facts.facts.map((f: { title: string }) => f.title)).toEqual(spec.categories);
    // the reference renderer knows no chart: it keeps the fallback, without error
    const { card, events } = parse(json);
    expect(events.filter((e) => !e.startsWith('Hint') && !e.startsWith('ElementTypeNotAllowed') && !e.startsWith('UnknownElementType'))).toEqual([]);
    const rendered = card.getItemAt(1);
    expect(rendered.getJsonTypeName()).toBe('Container');
    expect(rendered.getItemAt(1).getJsonTypeName()).toBe('Image');
    expect(rendered.getItemAt(2).getJsonTypeName()).toBe('FactSet');
  });

  test('Slack: the title and the numbers as text (the PNG is uploaded with the message)', () => {
    const { blocks } = renderBlockKitMessage(chartCard(spec)) as { blocks: any[] };
    const text = JSON.stringify(blocks);
    expect(text).toContain(spec.title);
    for (const c of spec.categories) expect(text).toContain(c);
    expect(blocks.some((b) => b.type === 'image')).toBe(false);
  });
});

test('Slack: an image block when the PNG has an address', () => {
  const { blocks } = renderBlockKitMessage(chartCard(specs.bar, 'https://bot.example/c/abc.png')) as { blocks: any[] };
  expect(blocks.find((b) => b.type === 'image')).toMatchObject({ image_url: 'https://bot.example/c/abc.png' });
});
