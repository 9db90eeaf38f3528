import { readBlockKitViewValues, renderBlockKitMessage, renderBlockKitModal, verbFromActionId, type BlockKitViewState, type Card } from '../../../src/cards';
import { allCards, formCard, hugeCard, longCard, menuCard, anyVerb } from './fixtures';

type Json = Record<string, any>;

/** Checks a list of blocks against Slack's documented Block Kit limits. */
function expectWithinSlackLimits(blocks: Json[], maxBlocks: number): void {
  expect(blocks.length).toBeLessThanOrEqual(maxBlocks);
  const actionIds: string[] = [];
  const blockIds: string[] = [];
  const plain = (t: Json, max: number) => {
    expect(t.type).toBe('plain_text');
    expect(t.text.length).toBeGreaterThan(0);
    expect(t.text.length).toBeLessThanOrEqual(max);
  };
  const options = (opts: Json[] | undefined, max: number) => {
    expect(opts?.length ?? 0).toBeLessThanOrEqual(max);
    for (const o of opts ?? []) {
      plain(o.text, 75);
      expect(o.value.length).toBeLessThanOrEqual(150);
    }
  };
  for (const block of blocks) {
    if (block.block_id !== undefined) {
      expect(block.block_id.length).toBeLessThanOrEqual(255);
      blockIds.push(block.block_id);
    }
    switch (block.type) {
      case 'header':
        plain(block.text, 150);
        break;
      case 'section':
        expect(block.text ?? block.fields).toBeDefined();
        if (block.text) {
          expect(block.text.type).toBe('mrkdwn');
          expect(block.text.text.length).toBeGreaterThan(0);
          expect(block.text.text.length).toBeLessThanOrEqual(3000);
        }
        if (block.fields) {
          expect(block.fields.length).toBeGreaterThan(0);
          expect(block.fields.length).toBeLessThanOrEqual(10);
          for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
        }
        break;
      case 'context':
        expect(block.elements.length).toBeGreaterThan(0);
        expect(block.elements.length).toBeLessThanOrEqual(10);
        for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(3000);
        break;
      case 'image':
        expect(block.image_url.length).toBeLessThanOrEqual(3000);
        expect(block.alt_text.length).toBeGreaterThan(0);
        expect(block.alt_text.length).toBeLessThanOrEqual(2000);
        break;
      case 'divider':
        break;
      case 'actions':
        expect(block.elements.length).toBeGreaterThan(0);
        expect(block.elements.length).toBeLessThanOrEqual(25);
        for (const b of block.elements) {
          expect(b.type).toBe('button');
          plain(b.text, 75);
          if (b.url === undefined) {
            expect(typeof b.value).toBe('string');
            expect(b.value.length).toBeLessThanOrEqual(2000);
            expect(() => JSON.parse(b.value)).not.toThrow();
          }
          if (b.style !== undefined) expect(['primary', 'danger']).toContain(b.style);
          actionIds.push(b.action_id);
        }
        break;
      case 'input': {
        plain(block.label, 2000);
        expect(typeof block.optional).toBe('boolean');
        const el = block.element;
        actionIds.push(el.action_id);
        if (el.placeholder) plain(el.placeholder, 150);
        if (el.type === 'static_select' || el.type === 'multi_static_select') options(el.options, 100);
        if (el.type === 'radio_buttons' || el.type === 'checkboxes') options(el.options, 10);
        if (el.type === 'plain_text_input' && el.max_length !== undefined) {
          expect(el.max_length).toBeLessThanOrEqual(3000);
        }
        break;
      }
      default:
        throw new Error(`unexpected block type ${block.type}`);
    }
  }
  for (const id of actionIds) {
    expect(id.length).toBeGreaterThan(0);
    expect(id.length).toBeLessThanOrEqual(255);
  }
  expect(new Set(actionIds).size).toBe(actionIds.length);
  expect(new Set(blockIds).size).toBe(blockIds.length);
}

function modalOf(card: Card) {
  return renderBlockKitModal(card, {
    callbackId: 'idea.create',
    title: 'A title that is far too long for Slack',
    closeLabel: 'Cancel and close this window please',
    privateMetadata: JSON.stringify({ programme: 'p-1' }),
  }) as Json;
}

describe('renderBlockKitMessage', () => {
  test.each(Object.entries(allCards))('%s card stays within Slack message limits', (_name, card) => {
    const message = renderBlockKitMessage(card);
    expect(message.text).toBe(card.fallbackText);
    expectWithinSlackLimits(message.blocks as Json[], 50);
  });

  test('menu card blocks', () => {
    const { blocks } = renderBlockKitMessage(menuCard) as { blocks: Json[] };
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'image', 'divider', 'context', 'context', 'actions', 'actions']);
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Welcome to Ensemble', emoji: true } });
    expect(blocks[1]!.text).toEqual({
      type: 'mrkdwn',
      text: 'Share *ideas*, join _events_ and answer surveys.\nRead the <https://example.org/charter?a=1&amp;b=2|charter> first.',
    });
    expect(blocks[2]!.fields).toEqual([
      { type: 'mrkdwn', text: '*Open ideas*\n12' },
      { type: 'mrkdwn', text: '*Next event*\n*Town hall* on 2025-03-04' },
      { type: 'mrkdwn', text: '*Survey*\n_Mobility 2030_' },
    ]);
    expect(blocks[3]).toEqual({ type: 'image', image_url: 'https://example.org/banner.png', alt_text: 'Participation banner' });
    expect(blocks[5]!.elements[0].text).toBe('You are signed in as a citizen. &lt;b&gt;not html&lt;/b&gt;');
    expect(blocks[6]!.elements[0].text).toBe('Answers are anonymous.');
  });

  test('buttons: unique action_ids for duplicate verbs, JSON values, styles and URLs', () => {
    const { blocks } = renderBlockKitMessage(menuCard) as { blocks: Json[] };
    const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Json[]);
    expect(buttons.map((b) => b.action_id)).toEqual(['idea.list', 'idea.support', 'idea.support~2', 'idea.support~3', 'idea.withdraw', '~url', '~url~2', 'help.show']);
    expect(buttons.map((b) => verbFromActionId(b.action_id))).toEqual(['idea.list', 'idea.support', 'idea.support', 'idea.support', 'idea.withdraw', '~url', '~url', 'help.show']);
    expect(buttons[0]).toEqual({
      type: 'button',
      action_id: 'idea.list',
      text: { type: 'plain_text', text: 'Browse ideas', emoji: true },
      value: '{}',
      style: 'primary',
    });
    expect(JSON.parse(buttons[2]!.value)).toEqual({ ideaId: 'i-2' });
    expect(buttons[4]!.style).toBe('danger');
    expect(buttons[5]).toEqual({
      type: 'button',
      action_id: '~url',
      text: { type: 'plain_text', text: 'Open the website', emoji: true },
      url: 'https://example.org',
    });
  });

  test('a form in a message shows no inputs, only a button that opens it', () => {
    const { blocks } = renderBlockKitMessage(formCard) as { blocks: Json[] };
    expect(blocks.some((b) => b.type === 'input')).toBe(false);
    const last = blocks[blocks.length - 1]!;
    expect(last.type).toBe('actions');
    expect(last.elements).toEqual([
      {
        type: 'button',
        action_id: 'idea.create',
        text: { type: 'plain_text', text: 'Send my idea', emoji: true },
        value: JSON.stringify({ programme: 'p-1' }),
        style: 'primary',
      },
    ]);
  });

  test('long content is truncated or split within limits', () => {
    const { blocks } = renderBlockKitMessage(longCard) as { blocks: Json[] };
    expect(blocks[0]!.text.text).toHaveLength(150);
    expect(blocks[0]!.text.text.endsWith('…')).toBe(true);
    const sections = blocks.filter((b) => b.type === 'section' && b.text);
    // ~14,000 escaped characters → several sections, no text lost.
    expect(sections.length).toBeGreaterThanOrEqual(5);
    const joined = sections.map((s) => s.text.text).join('');
    expect(joined).toContain('&amp; &lt;transparency&gt;');
    expect(joined).toContain('<https://example.org/m|minutes>');
    expect(joined).toContain('100. Participation');
    const factSections = blocks.filter((b) => b.fields);
    expect(factSections).toHaveLength(6);
    expect(factSections.flatMap((s) => s.fields)).toHaveLength(60);
    expect(factSections[0]!.fields[0].text).toHaveLength(2000);
    const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Json[]);
    expect(buttons).toHaveLength(30);
    expect(buttons[29]!.action_id).toBe('page.show~30');
    expect(buttons[0]!.text.text).toHaveLength(75);
  });

  test('more than 50 blocks: the first 49 are kept and a "…" context closes the message', () => {
    const { blocks } = renderBlockKitMessage(hugeCard) as { blocks: Json[] };
    expect(blocks).toHaveLength(50);
    expect(blocks[48]!.text.text).toBe('Line 49');
    expect(blocks[49]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '…' }] });
  });

  test('fallback text is escaped for Slack', () => {
    expect(renderBlockKitMessage({ fallbackText: 'A <b> & C', elements: [] }).text).toBe('A &lt;b&gt; &amp; C');
  });

  test('refuses data that would have to be cut', () => {
    const card: Card = {
      fallbackText: 'x',
      elements: [{ type: 'actions', actions: [{ kind: 'submit', verb: anyVerb('v'), label: 'V', data: { blob: 'x'.repeat(2000) } }] }],
    };
    expect(() => renderBlockKitMessage(card)).toThrow(RangeError);
  });
});

describe('renderBlockKitModal', () => {
  test.each(Object.entries(allCards))('%s card stays within Slack modal limits', (_name, card) => {
    const view = modalOf(card);
    expect(view.type).toBe('modal');
    for (const key of ['title', 'close', 'submit']) {
      if (view[key] !== undefined) {
        expect(view[key].type).toBe('plain_text');
        expect(view[key].text.length).toBeLessThanOrEqual(24);
      }
    }
    expect(view.private_metadata.length).toBeLessThanOrEqual(3000);
    expectWithinSlackLimits(view.blocks, 100);
  });

  test('form modal', () => {
    const view = modalOf(formCard);
    expect(view.callback_id).toBe('idea.create');
    expect(view.title).toEqual({ type: 'plain_text', text: 'A title that is far too…', emoji: true });
    expect(view.submit.text).toBe('Send my idea');
    expect(view.close.text).toHaveLength(24);
    expect(view.private_metadata).toBe('{"programme":"p-1"}');
    const inputs = (view.blocks as Json[]).filter((b) => b.type === 'input');
    const byId = Object.fromEntries(inputs.map((b) => [b.block_id, b]));
    for (const b of inputs) expect(b.element.action_id).toBe(b.block_id);

    expect(byId.title).toEqual({
      type: 'input',
      block_id: 'title',
      label: { type: 'plain_text', text: 'Title', emoji: true },
      optional: false,
      element: {
        type: 'plain_text_input',
        action_id: 'title',
        max_length: 80,
        placeholder: { type: 'plain_text', text: 'A short title', emoji: true },
      },
    });
    expect(byId.description).toMatchObject({
      optional: true,
      element: { type: 'plain_text_input', multiline: true, max_length: 2000, initial_value: 'Draft text' },
    });
    expect(byId.budget!.element).toEqual({
      type: 'number_input',
      action_id: 'budget',
      is_decimal_allowed: false,
      min_value: '0',
      max_value: '100000',
      initial_value: '500',
    });
    expect(byId.start).toMatchObject({ optional: false, element: { type: 'datepicker', initial_date: '2025-05-01' } });
    expect(byId.meetingTime!.element).toEqual({ type: 'timepicker', action_id: 'meetingTime', initial_time: '18:30' });
    const south = { text: { type: 'plain_text', text: 'South', emoji: true }, value: 'south' };
    expect(byId.district).toMatchObject({
      optional: false,
      element: { type: 'static_select', initial_option: south, placeholder: { text: 'Pick a district' } },
    });
    expect(byId.district!.element.options).toHaveLength(3);
    expect(byId.themes!.element.type).toBe('multi_static_select');
    expect(byId.themes!.element.initial_options.map((o: Json) => o.value)).toEqual(['mobility', 'culture']);
    expect(byId.visibility!.element.type).toBe('radio_buttons');
    expect(byId.visibility!.element.initial_option.value).toBe('public');
    expect(byId.channels!.element.type).toBe('checkboxes');
    expect(byId.channels!.element).not.toHaveProperty('initial_options');
    const anonymousOption = { text: { type: 'plain_text', text: 'Publish anonymously', emoji: true }, value: 'true' };
    expect(byId.anonymous).toMatchObject({
      optional: true,
      element: { type: 'checkboxes', options: [anonymousOption], initial_options: [anonymousOption] },
    });
    expect(byId.newsletter!.element).not.toHaveProperty('initial_options');
    // Other buttons still work inside the modal.
    const buttons = (view.blocks as Json[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements);
    expect(buttons.map((b: Json) => b.action_id)).toEqual(['idea.cancel']);
  });

  test('expanded choices with more than 10 options become a select; selects keep at most 100 options', () => {
    const choices = Array.from({ length: 130 }, (_, i) => ({ title: `Option ${i} `.repeat(10), value: `v${i}` }));
    const card: Card = {
      fallbackText: 'x',
      elements: [
        { type: 'input', input: { kind: 'choice', id: 'many', label: 'Many', style: 'expanded', choices } },
        { type: 'input', input: { kind: 'choice', id: 'eleven', label: 'Eleven', style: 'expanded', choices: choices.slice(0, 11) } },
      ],
      submit: { verb: anyVerb('x'), label: 'OK' },
    };
    const view = modalOf(card);
    expectWithinSlackLimits(view.blocks, 100);
    expect(view.blocks[0].element.type).toBe('static_select');
    expect(view.blocks[0].element.options).toHaveLength(100);
    expect(view.blocks[1].element.type).toBe('static_select');
  });

  test('more than 100 blocks are capped', () => {
    const card: Card = { fallbackText: 'x', elements: [...hugeCard.elements, ...hugeCard.elements] };
    const blocks = modalOf(card).blocks as Json[];
    expect(blocks).toHaveLength(100);
    expect(blocks[99]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '…' }] });
  });

  test('opts.submitLabel wins; no submit without inputs or label; errors for broken forms', () => {
    expect(renderBlockKitModal(formCard, { callbackId: 'c', title: 'T', closeLabel: 'Close', submitLabel: 'Go' }).submit).toEqual({
      type: 'plain_text',
      text: 'Go',
      emoji: true,
    });
    const info = renderBlockKitModal(menuCard, { callbackId: 'c', title: 'T', closeLabel: 'Close' });
    expect(info).not.toHaveProperty('submit');
    expect(info).not.toHaveProperty('private_metadata');
    const noSubmit: Card = { ...formCard, submit: undefined };
    expect(() => renderBlockKitModal(noSubmit, { callbackId: 'c', title: 'T', closeLabel: 'Close' })).toThrow(RangeError);
    expect(() => renderBlockKitModal(formCard, { callbackId: 'c', title: 'T', closeLabel: 'Close', privateMetadata: 'x'.repeat(3001) })).toThrow(RangeError);
    const duplicate: Card = {
      fallbackText: 'x',
      elements: [
        { type: 'input', input: { kind: 'text', id: 'a', label: 'A' } },
        { type: 'input', input: { kind: 'text', id: 'a', label: 'A again' } },
      ],
      submit: { verb: anyVerb('x'), label: 'OK' },
    };
    expect(() => modalOf(duplicate)).toThrow(/duplicate input id/);
  });
});

describe('readBlockKitViewValues', () => {
  /** What Slack sends in view_submission.view.state for the form modal after a person filled it in. */
  const state: BlockKitViewState = {
    values: {
      title: { title: { type: 'plain_text_input', value: 'More trees' } },
      description: { description: { type: 'plain_text_input', value: null } },
      budget: { budget: { type: 'number_input', value: '1200' } },
      start: { start: { type: 'datepicker', selected_date: '2025-06-15' } },
      meetingTime: { meetingTime: { type: 'timepicker', selected_time: '09:45', timezone: 'Europe/Paris' } },
      district: {
        district: {
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: 'North', emoji: true }, value: 'north' },
        },
      },
      themes: {
        themes: {
          type: 'multi_static_select',
          selected_options: [
            { text: { type: 'plain_text', text: 'Mobility', emoji: true }, value: 'mobility' },
            { text: { type: 'plain_text', text: 'Housing', emoji: true }, value: 'housing' },
          ],
        },
      },
      visibility: { visibility: { type: 'radio_buttons', selected_option: null } },
      channels: {
        channels: {
          type: 'checkboxes',
          selected_options: [
            { text: { type: 'plain_text', text: 'Chat', emoji: true }, value: 'chat' },
            { text: { type: 'plain_text', text: 'E-mail', emoji: true }, value: 'email' },
          ],
        },
      },
      anonymous: {
        anonymous: {
          type: 'checkboxes',
          selected_options: [{ text: { type: 'plain_text', text: 'Publish anonymously', emoji: true }, value: 'true' }],
        },
      },
      newsletter: { newsletter: { type: 'checkboxes', selected_options: [] } },
    },
  };

  test('flattens a realistic view state', () => {
    expect(readBlockKitViewValues(state, formCard)).toEqual({
      title: 'More trees',
      description: '',
      budget: '1200',
      start: '2025-06-15',
      meetingTime: '09:45',
      district: 'north',
      themes: 'mobility,housing',
      visibility: '',
      channels: 'chat,email',
      anonymous: 'true',
      newsletter: 'false',
    });
  });

  test('without the card, an unticked toggle cannot be told from an empty checkbox group', () => {
    const values = readBlockKitViewValues(state);
    expect(values.anonymous).toBe('true');
    expect(values.newsletter).toBe('');
    expect(values.themes).toBe('mobility,housing');
  });

  test('round-trips the initial values of the rendered modal', () => {
    // Build the state Slack would send if the person submitted the modal unchanged.
    const view = modalOf(formCard);
    const values: BlockKitViewState['values'] = {};
    for (const block of (view.blocks as Json[]).filter((b) => b.type === 'input')) {
      const el = block.element;
      const v: Json = { type: el.type };
      if (el.type === 'plain_text_input' || el.type === 'number_input') v.value = el.initial_value ?? null;
      if (el.type === 'datepicker') v.selected_date = el.initial_date ?? null;
      if (el.type === 'timepicker') v.selected_time = el.initial_time ?? null;
      if (el.type === 'static_select' || el.type === 'radio_buttons') v.selected_option = el.initial_option ?? null;
      if (el.type === 'multi_static_select' || el.type === 'checkboxes') v.selected_options = el.initial_options ?? [];
      values[block.block_id] = { [el.action_id]: v };
    }
    expect(readBlockKitViewValues({ values }, formCard)).toEqual({
      title: '',
      description: 'Draft text',
      budget: '500',
      start: '2025-05-01',
      meetingTime: '18:30',
      district: 'south',
      themes: 'mobility,culture',
      visibility: 'public',
      channels: '',
      anonymous: 'true',
      newsletter: 'false',
    });
  });

  test('inputs missing from the state read as empty', () => {
    expect(readBlockKitViewValues({ values: {} }, formCard).title).toBe('');
    expect(readBlockKitViewValues({ values: {} }, formCard).anonymous).toBe('false');
  });
});
