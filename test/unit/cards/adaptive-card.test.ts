import { renderAdaptiveCard, renderAdaptiveCardAttachment, type Card } from '../../../src/cards';
import { allCards, formCard, menuCard, refreshCard, refreshCardWithoutUsers, anyVerb } from './fixtures';

/*
 * Microsoft's reference renderer. Its `main` entry (lib/) is ESM with extension-less imports, which
 * Jest's CommonJS runtime cannot load, so the UMD bundle in dist/ is used; it needs no DOM to parse.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

interface AcEvent {
  phase: number;
  event: number;
  message: string;
}

/**
 * adaptivecards v3 reports parse and validation problems as events without a severity; these kinds are
 * advisory rather than errors. A required input without an `errorMessage` is an error: Teams shows
 * nothing when it is left empty.
 */
const ADVISORY = new Set<number>([AC.ValidationEvent.Hint]);

function describeEvent(e: AcEvent): string {
  return `${AC.ValidationPhase[e.phase]}/${AC.ValidationEvent[e.event]}: ${e.message}`;
}

/** Parses JSON with the reference library targeting 1.5 and returns every non-advisory event. */
function adaptiveCardErrors(json: object): { card: any; errors: string[]; all: string[] } {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, ctx);
  const events: AcEvent[] = [];
  for (let i = 0; i < ctx.eventCount; i++) events.push(ctx.getEventAt(i));
  events.push(...(card.validateProperties().validationEvents as AcEvent[]));
  return {
    card,
    errors: events.filter((e) => !ADVISORY.has(e.event)).map(describeEvent),
    all: events.map(describeEvent),
  };
}

/** Walks every object in a JSON tree. */
function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const v of value) walk(v, visit);
  else if (value && typeof value === 'object') {
    visit(value as Record<string, unknown>);
    for (const v of Object.values(value)) walk(v, visit);
  }
}

function nodesOfType(json: unknown, type: string): Array<Record<string, any>> {
  const found: Array<Record<string, any>> = [];
  walk(json, (n) => {
    if (n.type === type) found.push(n);
  });
  return found;
}

describe('renderAdaptiveCard', () => {
  test('the reference validator notices real errors (sanity check of the harness)', () => {
    const { errors } = adaptiveCardErrors({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'Bogus' }, { type: 'Input.Text' }, { type: 'Input.ChoiceSet', id: 'c', choices: [] }],
    });
    expect(errors.length).toBeGreaterThanOrEqual(3);
  });

  test.each(Object.entries(allCards))('%s card parses and validates as Adaptive Card 1.5 without errors', (_name, card) => {
    const json = renderAdaptiveCard(card);
    const { errors, card: parsed } = adaptiveCardErrors(json);
    // the people picker (a `person` input) is Teams' directory search, `choices.data` with no static choices: the
    // reference validator knows it from 1.6 only; Teams takes it in a 1.5 card (see adaptive-card.ts)
    const picker = card.elements.some((e) => e.type === 'input' && e.input.kind === 'person');
    const pickerMessages = [/^Parse\/UnsupportedProperty: Property "choices\.data"/, /^Validation\/CollectionCantBeEmpty: An Input\.ChoiceSet must have at least one choice/];
    expect(picker ? errors.filter((e) => !pickerMessages.some((m) => m.test(e))) : errors).toEqual([]);
    expect(parsed.version.toString()).toBe('1.5');
    // The parsed card keeps every body element we produced.
    expect(parsed.getItemCount()).toBe((json.body as unknown[]).length);
  });

  test('card envelope', () => {
    const json = renderAdaptiveCard(menuCard);
    expect(json).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.5',
      fallbackText: menuCard.fallbackText,
      msteams: { width: 'Full' },
    });
  });

  test('display elements', () => {
    const body = renderAdaptiveCard(menuCard).body as Array<Record<string, any>>;
    expect(body[0]).toMatchObject({ type: 'TextBlock', size: 'Large', weight: 'Bolder', wrap: true, text: 'Welcome to Ensemble' });
    expect(body[1]).toMatchObject({ type: 'TextBlock', wrap: true });
    expect(body[1]!.text).toBe('Share **ideas**, join _events_ and answer surveys.\n\nRead the [charter](https://example.org/charter?a=1&b=2) first.');
    expect(body[2]).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Open ideas', value: '12' },
        { title: 'Next event', value: '**Town hall** on 2025-03-04' },
        { title: 'Survey', value: '_Mobility 2030_' },
      ],
    });
    expect(body[3]).toEqual({ type: 'Image', url: 'https://example.org/banner.png', altText: 'Participation banner' });
    // The divider becomes the separator of the next element.
    expect(body[4]).toMatchObject({ type: 'TextBlock', size: 'Small', isSubtle: true, wrap: true, separator: true });
    expect(body[5]).toMatchObject({ type: 'TextBlock', isSubtle: true, text: 'Answers are anonymous.' });
    expect(body.slice(6).every((b) => b.type === 'ActionSet')).toBe(true);
  });

  test('submit actions use Action.Execute with the verb, an Action.Submit fallback and styles', () => {
    const json = renderAdaptiveCard(menuCard);
    const executes = nodesOfType(json, 'Action.Execute');
    expect(executes).toHaveLength(6);
    for (const action of executes) {
      expect(typeof action.verb).toBe('string');
      expect(action.data.verb).toBe(action.verb);
      expect(action.fallback).toMatchObject({ type: 'Action.Submit', title: action.title, data: action.data });
      expect(JSON.stringify(action.fallback)).not.toContain('msteams');
    }
    const support = executes.filter((a) => a.verb === 'idea.support');
    expect(support.map((a) => a.data)).toEqual([
      { ideaId: 'i-1', verb: 'idea.support' },
      { ideaId: 'i-2', verb: 'idea.support' },
      { ideaId: 'i-3', verb: 'idea.support' },
    ]);
    expect(executes.find((a) => a.verb === 'idea.list')!.style).toBe('positive');
    expect(executes.find((a) => a.verb === 'idea.withdraw')!.style).toBe('destructive');
    expect(nodesOfType(json, 'Action.OpenUrl')).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the website', url: 'https://example.org' },
      { type: 'Action.OpenUrl', title: 'Privacy', url: 'https://example.org/privacy' },
    ]);
    // 7 actions are split over ActionSets of at most 5 (the reference host config limit).
    for (const set of nodesOfType(json, 'ActionSet')) expect(set.actions.length).toBeLessThanOrEqual(5);
  });

  test('inputs and the form submit', () => {
    const json = renderAdaptiveCard(formCard);
    const byId = new Map<string, Record<string, any>>();
    walk(json.body, (n) => {
      if (typeof n.type === 'string' && n.type.startsWith('Input.')) byId.set(n.id as string, n);
    });
    expect(byId.get('title')).toEqual({
      type: 'Input.Text',
      id: 'title',
      label: 'Title',
      isRequired: true,
      errorMessage: 'This field is required.',
      maxLength: 80,
      placeholder: 'A short title',
    });
    expect(byId.get('description')).toMatchObject({ type: 'Input.Text', isMultiline: true, maxLength: 2000, value: 'Draft text' });
    expect(byId.get('description')).not.toHaveProperty('isRequired');
    expect(byId.get('budget')).toEqual({ type: 'Input.Number', id: 'budget', label: 'Budget (EUR)', min: 0, max: 100000, value: 500 });
    expect(byId.get('start')).toEqual({ type: 'Input.Date', id: 'start', label: 'Start date', isRequired: true, errorMessage: 'This field is required.', value: '2025-05-01' });
    expect(byId.get('meetingTime')).toEqual({ type: 'Input.Time', id: 'meetingTime', label: 'Meeting time', value: '18:30' });
    expect(byId.get('district')).toMatchObject({
      type: 'Input.ChoiceSet',
      style: 'compact',
      isMultiSelect: false,
      value: 'south',
      placeholder: 'Pick a district',
      choices: [
        { title: 'North', value: 'north' },
        { title: 'South', value: 'south' },
        { title: 'Centre', value: 'centre' },
      ],
    });
    expect(byId.get('themes')).toMatchObject({ style: 'compact', isMultiSelect: true, value: 'mobility,culture' });
    expect(byId.get('visibility')).toMatchObject({ style: 'expanded', isMultiSelect: false });
    expect(byId.get('channels')).toMatchObject({ style: 'expanded', isMultiSelect: true });
    expect(byId.get('anonymous')).toMatchObject({ type: 'Input.Toggle', valueOn: 'true', valueOff: 'false', value: 'true' });
    expect(byId.get('newsletter')).toMatchObject({ type: 'Input.Toggle', value: 'false', title: 'Subscribe to the newsletter' });
    for (const input of byId.values()) expect(input.label ?? input.title).toBeTruthy();

    expect(json.actions).toEqual([
      {
        type: 'Action.Execute',
        verb: 'idea.create',
        title: 'Send my idea',
        data: { programme: 'p-1', verb: 'idea.create' },
        style: 'positive',
        associatedInputs: 'auto',
        fallback: {
          type: 'Action.Submit',
          title: 'Send my idea',
          data: { programme: 'p-1', verb: 'idea.create' },
          style: 'positive',
          associatedInputs: 'auto',
        },
      },
    ]);
    // Other buttons on a form do not validate or carry the inputs.
    const cancel = nodesOfType(json, 'Action.Execute').find((a) => a.verb === 'idea.cancel')!;
    expect(cancel.associatedInputs).toBe('none');

    // The reference library sees the inputs and the submit action.
    const { card } = adaptiveCardErrors(json);
    expect(card.getAllInputs().map((i: any) => i.id)).toEqual([...byId.keys()]);
    expect(card.getActionCount()).toBe(1);
    expect(card.getActionAt(0).getJsonTypeName()).toBe('Action.Execute');
    expect(card.getActionAt(0).verb).toBe('idea.create');
  });

  test('a client without Action.Execute (below 1.4) falls back to an equivalent Action.Submit', () => {
    const actions = new AC.CardObjectRegistry();
    AC.GlobalRegistry.populateWithDefaultActions(actions);
    actions.unregister('Action.Execute');
    for (const source of [menuCard, formCard]) {
      const json = renderAdaptiveCard(source);
      const card = new AC.AdaptiveCard();
      const ctx = new AC.SerializationContext(AC.Versions.v1_5);
      ctx.setActionRegistry(actions);
      card.parse(json, ctx);
      const events: string[] = [];
      for (let i = 0; i < ctx.eventCount; i++) events.push(ctx.getEventAt(i).event);
      // The only complaints are about the unknown Action.Execute, which the fallback replaces.
      expect(events.every((e) => e === AC.ValidationEvent.UnknownActionType)).toBe(true);
      const parsed: any[] = [];
      walk(card.toJSON(), (n) => {
        if (typeof n.type === 'string' && (n.type as string).startsWith('Action.')) parsed.push(n);
      });
      expect(parsed.some((a) => a.type === 'Action.Execute')).toBe(false);
      const submits = parsed.filter((a) => a.type === 'Action.Submit');
      expect(submits.length).toBe(nodesOfType(json, 'Action.Execute').length);
      for (const submit of submits) expect(typeof submit.data.verb).toBe('string');
    }
  });

  test('refresh', () => {
    expect(renderAdaptiveCard(refreshCard).refresh).toEqual({
      action: { type: 'Action.Execute', verb: 'idea.view', data: { ideaId: 'i-1', verb: 'idea.view' } },
      userIds: ['29:user-a', '29:user-b'],
    });
    expect(renderAdaptiveCard(refreshCardWithoutUsers).refresh).toEqual({
      action: { type: 'Action.Execute', verb: 'poll.view', data: { verb: 'poll.view' } },
    });
    const { card } = adaptiveCardErrors(renderAdaptiveCard(refreshCard));
    expect(card.refresh.action.verb).toBe('idea.view');
    expect(card.refresh.userIds).toEqual(['29:user-a', '29:user-b']);
  });

  test('refresh userIds are capped at 60', () => {
    const card: Card = {
      fallbackText: 'x',
      elements: [],
      refresh: { verb: anyVerb('v'), userIds: Array.from({ length: 70 }, (_, i) => `29:u${i}`) },
    };
    expect((renderAdaptiveCard(card).refresh as any).userIds).toHaveLength(60);
  });

  test('verb in data wins over a data key named verb', () => {
    const card: Card = {
      fallbackText: 'x',
      elements: [{ type: 'actions', actions: [{ kind: 'submit', verb: anyVerb('a.b'), label: 'A', data: { verb: 'evil' } }] }],
    };
    expect(nodesOfType(renderAdaptiveCard(card), 'Action.Execute')[0]!.data).toEqual({ verb: anyVerb('a.b') });
  });

  test('attachment wrapper', () => {
    expect(renderAdaptiveCardAttachment(menuCard)).toEqual({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: renderAdaptiveCard(menuCard),
    });
  });

  test('rendering is pure and deterministic', () => {
    const before = JSON.stringify(formCard);
    expect(renderAdaptiveCard(formCard)).toEqual(renderAdaptiveCard(formCard));
    expect(JSON.stringify(formCard)).toBe(before);
  });
});
