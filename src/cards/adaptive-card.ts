/**
 * Renders the platform-neutral card model to an Adaptive Card 1.5 for Microsoft Teams, using
 * Universal Actions (`Action.Execute`, with an `Action.Submit` fallback for older clients).
 * Pure functions: no I/O, no clock, no environment.
 */
import type { Card, CardAction, CardElement, CardInput, ChartElement } from './model';
import { toAdaptiveMarkdown, toPlainText } from './text';

export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const ADAPTIVE_CARD_VERSION = '1.5';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/**
 * Actions per ActionSet. Hosts cap this through their host config (the reference renderer's default
 * is 5, Teams shows up to 6); longer action lists are split into several ActionSets.
 */
export const ADAPTIVE_MAX_ACTIONS_PER_SET = 5;
/** Teams accepts at most 60 user MRIs in `refresh.userIds`. */
export const ADAPTIVE_MAX_REFRESH_USERS = 60;

/** An Adaptive Card element or action. Kept loose: it is serialised to JSON for the Bot Framework. */
export type AdaptiveElement = Record<string, unknown>;

export interface AdaptiveCardAttachment {
  contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
  content: AdaptiveElement;
}

/** Action data always carries the verb, so `Action.Submit` fallbacks and invokes route the same way. */
function actionData(verb: string, data: Record<string, string> | undefined): Record<string, string> {
  return { ...(data ?? {}), verb };
}

function executeAction(
  verb: string,
  title: string,
  data: Record<string, string> | undefined,
  extra: { style?: 'primary' | 'danger'; associatedInputs?: 'auto' | 'none' },
): AdaptiveElement {
  const common: AdaptiveElement = { title: toPlainText(title), data: actionData(verb, data) };
  if (extra.style) common.style = extra.style === 'primary' ? 'positive' : 'destructive';
  if (extra.associatedInputs) common.associatedInputs = extra.associatedInputs;
  return {
    type: 'Action.Execute',
    verb,
    ...common,
    fallback: { type: 'Action.Submit', ...common, data: actionData(verb, data) },
  };
}

function renderAction(action: CardAction, hasInputs: boolean): AdaptiveElement {
  if (action.kind === 'url') {
    return { type: 'Action.OpenUrl', title: toPlainText(action.label), url: action.url };
  }
  return executeAction(action.verb, action.label, action.data, {
    ...(action.style ? { style: action.style } : {}),
    // Plain buttons on a form must not validate or send the form's inputs.
    ...(hasInputs ? { associatedInputs: 'none' as const } : {}),
  });
}

function renderInput(input: CardInput, requiredMessage: string | undefined): AdaptiveElement {
  const base: AdaptiveElement = { id: input.id, label: toPlainText(input.label) };
  if (input.kind !== 'toggle' && input.required) {
    base.isRequired = true;
    if (requiredMessage) base.errorMessage = toPlainText(requiredMessage);
  }
  switch (input.kind) {
    case 'text': {
      const el: AdaptiveElement = { type: 'Input.Text', ...base };
      if (input.multiline) el.isMultiline = true;
      if (input.maxLength !== undefined) el.maxLength = input.maxLength;
      if (input.placeholder) el.placeholder = input.placeholder;
      if (input.value !== undefined) el.value = input.value;
      return el;
    }
    case 'number': {
      const el: AdaptiveElement = { type: 'Input.Number', ...base };
      if (input.min !== undefined) el.min = input.min;
      if (input.max !== undefined) el.max = input.max;
      if (input.value !== undefined) el.value = input.value;
      return el;
    }
    case 'person': {
      // Teams' people picker: a search of the organisation's directory (Microsoft Graph users), by name
      const el: AdaptiveElement = { type: 'Input.ChoiceSet', ...base, choices: [], 'choices.data': { type: 'Data.Query', dataset: 'graph.microsoft.com/users' } };
      if (input.placeholder) el.placeholder = toPlainText(input.placeholder);
      if (input.value) el.value = input.value;
      return el;
    }
    case 'date': {
      const el: AdaptiveElement = { type: 'Input.Date', ...base };
      if (input.value) el.value = input.value;
      return el;
    }
    case 'time': {
      const el: AdaptiveElement = { type: 'Input.Time', ...base };
      if (input.value) el.value = input.value;
      return el;
    }
    case 'choice': {
      const el: AdaptiveElement = {
        type: 'Input.ChoiceSet',
        ...base,
        style: input.style ?? 'compact',
        isMultiSelect: input.multiple === true,
        choices: input.choices.map((c) => ({ title: toPlainText(c.title), value: c.value })),
      };
      if (input.value !== undefined && input.value !== '') el.value = input.value;
      if (input.placeholder) el.placeholder = input.placeholder;
      return el;
    }
    case 'toggle':
      // The toggle's `title` is shown next to the checkbox; a `label` as well would repeat it.
      return {
        type: 'Input.Toggle',
        id: input.id,
        title: toPlainText(input.label),
        valueOn: 'true',
        valueOff: 'false',
        value: input.value ? 'true' : 'false',
      };
  }
}

/**
 * A Teams chart element (Chart.VerticalBar, Chart.HorizontalBar, Chart.VerticalBar.Grouped stacked,
 * Chart.Donut, Chart.Line) whose `fallback` — for clients that draw no chart (iOS, older clients, other
 * hosts) — is the same chart as a PNG (when the bot has a public URL) and its numbers as a fact set.
 */
export function adaptiveChart(element: ChartElement): AdaptiveElement {
  const { spec } = element;
  const title = toPlainText(spec.title);
  const fallbackItems: AdaptiveElement[] = [{ type: 'TextBlock', text: title, weight: 'Bolder', wrap: true }];
  if (element.imageUrl) fallbackItems.push({ type: 'Image', url: element.imageUrl, altText: toPlainText(element.alt), size: 'Stretch' });
  if (element.facts.length > 0) fallbackItems.push({ type: 'FactSet', facts: element.facts.map((f) => ({ title: toPlainText(f.label), value: toPlainText(f.value) })) });
  const fallback: AdaptiveElement = { type: 'Container', items: fallbackItems };
  const base = { title, showTitle: true, colorSet: 'categorical', fallback };
  const values = spec.series[0]?.values ?? [];
  switch (spec.kind) {
    case 'bar':
      return { type: 'Chart.VerticalBar', ...base, showBarValues: true, data: spec.categories.map((x, i) => ({ x, y: values[i] })) };
    case 'horizontalBar':
      return { type: 'Chart.HorizontalBar', ...base, data: spec.categories.map((x, i) => ({ x, y: values[i] })) };
    case 'stackedBar':
      return {
        type: 'Chart.VerticalBar.Grouped',
        ...base,
        stacked: true,
        showLegend: true,
        data: spec.series.map((s) => ({ legend: s.label, values: spec.categories.map((x, i) => ({ x, y: s.values[i] })) })),
      };
    case 'donut':
      return { type: 'Chart.Donut', ...base, data: spec.categories.map((legend, i) => ({ legend, value: values[i] })) };
    case 'line':
      return {
        type: 'Chart.Line',
        ...base,
        data: spec.series.map((s) => ({ legend: s.label, values: spec.categories.map((x, i) => ({ x, y: s.values[i] })) })),
      };
  }
}

function renderElements(element: CardElement, hasInputs: boolean, requiredMessage?: string): AdaptiveElement[] {
  switch (element.type) {
    case 'header':
      return [{ type: 'TextBlock', text: toPlainText(element.text), size: 'Large', weight: 'Bolder', style: 'heading', wrap: true }];
    case 'text': {
      const el: AdaptiveElement = { type: 'TextBlock', text: toAdaptiveMarkdown(element.text), wrap: true };
      if (element.muted) el.isSubtle = true;
      return [el];
    }
    case 'context':
      return [{ type: 'TextBlock', text: toAdaptiveMarkdown(element.text), size: 'Small', isSubtle: true, wrap: true }];
    case 'facts':
      if (element.facts.length === 0) return [];
      return [
        {
          type: 'FactSet',
          facts: element.facts.map((f) => ({ title: toPlainText(f.label), value: toAdaptiveMarkdown(f.value) })),
        },
      ];
    case 'image':
      return [{ type: 'Image', url: element.url, altText: toPlainText(element.alt) }];
    case 'chart':
      return [adaptiveChart(element)];
    case 'divider':
      // Adaptive Cards draw a divider as the `separator` of the next element (see renderAdaptiveCard).
      return [];
    case 'actions': {
      const sets: AdaptiveElement[] = [];
      for (let i = 0; i < element.actions.length; i += ADAPTIVE_MAX_ACTIONS_PER_SET) {
        const actions = element.actions.slice(i, i + ADAPTIVE_MAX_ACTIONS_PER_SET).map((a) => renderAction(a, hasInputs));
        sets.push({ type: 'ActionSet', actions });
      }
      return sets;
    }
    case 'input': {
      const input = renderInput(element.input, requiredMessage);
      if (!element.input.error) return [input];
      // a refusal of what was submitted, right under its input
      return [input, { type: 'TextBlock', text: `⚠️ ${toPlainText(element.input.error)}`, color: 'Attention', size: 'Small', spacing: 'None', wrap: true }];
    }
  }
}

/**
 * Renders a card as an Adaptive Card 1.5 (Teams: full width). Submit actions become `Action.Execute`
 * (verb + data, the verb repeated in data) with an `Action.Submit` fallback; `card.submit` becomes a
 * top-level `Action.Execute` that sends the inputs; `card.refresh` sets up per-user refresh.
 */
export function renderAdaptiveCard(card: Card): AdaptiveElement {
  const hasInputs = card.elements.some((e) => e.type === 'input');
  const body: AdaptiveElement[] = [];
  let separatorPending = false;
  for (const element of card.elements) {
    if (element.type === 'divider') {
      separatorPending = body.length > 0;
      continue;
    }
    const rendered = renderElements(element, hasInputs, card.requiredMessage);
    if (separatorPending && rendered[0]) {
      rendered[0] = { ...rendered[0], separator: true, spacing: 'Medium' };
      separatorPending = false;
    }
    body.push(...rendered);
  }

  const result: AdaptiveElement = {
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    fallbackText: card.fallbackText,
    msteams: { width: 'Full' },
    body,
  };
  if (card.submit) {
    const { verb, label, data } = card.submit;
    result.actions = [executeAction(verb, label, data, { style: 'primary', associatedInputs: 'auto' })];
  }
  if (card.refresh) {
    const { verb, data, userIds } = card.refresh;
    const refresh: AdaptiveElement = { action: { type: 'Action.Execute', verb, data: actionData(verb, data) } };
    if (userIds !== undefined) refresh.userIds = userIds.slice(0, ADAPTIVE_MAX_REFRESH_USERS);
    result.refresh = refresh;
  }
  return result;
}

/** Wraps {@link renderAdaptiveCard} as a Bot Framework attachment. */
export function renderAdaptiveCardAttachment(card: Card): AdaptiveCardAttachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderAdaptiveCard(card) };
}

/** A Bot Framework message activity carrying a card, with its plain-text fallback as the notification summary. */
export function adaptiveCardActivity(card: Card) {
  return { type: 'message' as const, summary: card.fallbackText.slice(0, 280), attachments: [renderAdaptiveCardAttachment(card)] };
}
