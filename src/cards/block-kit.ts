/**
 * Renders the platform-neutral card model to Slack Block Kit (messages and modal views) and reads
 * submitted view state back. Pure functions: no I/O, no clock, no environment.
 *
 * Limits follow Slack's reference (https://api.slack.com/reference/block-kit). Text is truncated
 * with "…" where cutting is harmless (labels, headers); data that would be corrupted by cutting
 * (button `value`, option `value`, `private_metadata`, ids) makes the renderer throw a RangeError,
 * because that is a programming error, not user content.
 */
import type { Card, CardAction, CardElement, CardInput, Choice } from './model';
import { escapeSlack, splitMrkdwn, toPlainText, toSlackMrkdwn, truncate, truncateMrkdwn } from './text';

/** Slack's documented limits, exported so tests and callers can share them. */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  imageUrl: 3000,
  altText: 2000,
  inputLabel: 2000,
  placeholder: 150,
  plainTextInputMaxLength: 3000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  /** radio_buttons and checkboxes accept at most 10 options. */
  expandedOptions: 10,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  callbackId: 255,
  privateMetadata: 3000,
  messageText: 40000,
} as const;

/** action_id given to URL buttons (Slack still sends a block_actions payload for them; ack it). */
export const URL_ACTION_VERB = '~url';

/** A Block Kit block or element. Kept loose on purpose: callers pass it to the Slack Web API as JSON. */
export type SlackBlock = Record<string, unknown>;

export interface BlockKitMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface BlockKitModalOptions {
  callbackId: string;
  title: string;
  submitLabel?: string;
  closeLabel: string;
  privateMetadata?: string;
}

const DUPLICATE_SUFFIX_RE = /~\d+$/;

/** Returns the verb of an action_id made by these renderers: `idea.support~3` → `idea.support`. */
export function verbFromActionId(actionId: string): string {
  return actionId.replace(DUPLICATE_SUFFIX_RE, '');
}

function plainText(text: string, max: number): { type: 'plain_text'; text: string; emoji: true } {
  // Slack rejects empty plain_text objects; a single space keeps the payload valid.
  const value = truncate(text, max);
  return { type: 'plain_text', text: value.length > 0 ? value : ' ', emoji: true };
}

function ensureMax(what: string, value: string, max: number): string {
  if (value.length > max) {
    throw new RangeError(`Block Kit: ${what} is ${value.length} characters, Slack allows at most ${max}`);
  }
  return value;
}

/** Hands out unique action_ids within one message or view: `verb`, `verb~2`, `verb~3`, … */
class ActionIds {
  private readonly counts = new Map<string, number>();

  next(verb: string): string {
    const count = (this.counts.get(verb) ?? 0) + 1;
    this.counts.set(verb, count);
    const id = count === 1 ? verb : `${verb}~${count}`;
    return ensureMax(`action_id "${id}"`, id, SLACK_LIMITS.actionId);
  }
}

function button(action: CardAction, ids: ActionIds): SlackBlock {
  const text = plainText(toPlainText(action.label), SLACK_LIMITS.buttonText);
  if (action.kind === 'url') {
    const result: SlackBlock = {
      type: 'button',
      action_id: ids.next(URL_ACTION_VERB),
      text,
      url: ensureMax('button url', action.url, SLACK_LIMITS.buttonUrl),
    };
    // the block_actions payload Slack sends when it is followed carries what to tell the bot
    if (action.track) result.value = ensureMax('value of a URL button', JSON.stringify({ ...action.track.data, verb: action.track.verb }), SLACK_LIMITS.buttonValue);
    return result;
  }
  const value = ensureMax(`value of button "${action.verb}"`, JSON.stringify(action.data ?? {}), SLACK_LIMITS.buttonValue);
  const result: SlackBlock = { type: 'button', action_id: ids.next(action.verb), text, value };
  if (action.style) result.style = action.style;
  return result;
}

function actionsBlocks(actions: CardAction[], ids: ActionIds): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  for (let i = 0; i < actions.length; i += SLACK_LIMITS.actionsElements) {
    const elements = actions.slice(i, i + SLACK_LIMITS.actionsElements).map((a) => button(a, ids));
    blocks.push({ type: 'actions', elements });
  }
  return blocks;
}

function contextBlock(markdown: string): SlackBlock {
  const text = truncateMrkdwn(toSlackMrkdwn(markdown), SLACK_LIMITS.contextText);
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function factField(label: string, value: string): { type: 'mrkdwn'; text: string } {
  const head = `*${escapeSlack(toPlainText(label))}*`;
  const body = toSlackMrkdwn(value);
  const text = body.length > 0 ? `${head}\n${body}` : head;
  return { type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.fieldText) };
}

/** Renders a non-input element; shared by messages and modals. */
function displayBlocks(element: Exclude<CardElement, { type: 'input' }>, ids: ActionIds): SlackBlock[] {
  switch (element.type) {
    case 'header': {
      const text = toPlainText(element.text).trim();
      return text ? [{ type: 'header', text: plainText(text, SLACK_LIMITS.headerText) }] : [];
    }
    case 'text': {
      if (!element.text.trim()) return [];
      if (element.muted) return [contextBlock(element.text)];
      return splitMrkdwn(toSlackMrkdwn(element.text), SLACK_LIMITS.sectionText).map((text) => ({
        type: 'section',
        text: { type: 'mrkdwn', text },
      }));
    }
    case 'context':
      return element.text.trim() ? [contextBlock(element.text)] : [];
    case 'facts': {
      const blocks: SlackBlock[] = [];
      for (let i = 0; i < element.facts.length; i += SLACK_LIMITS.sectionFields) {
        const fields = element.facts.slice(i, i + SLACK_LIMITS.sectionFields).map((f) => factField(f.label, f.value));
        blocks.push({ type: 'section', fields });
      }
      return blocks;
    }
    case 'image': {
      const alt = toPlainText(element.alt).trim() || element.url;
      return [
        {
          type: 'image',
          image_url: ensureMax('image url', element.url, SLACK_LIMITS.imageUrl),
          alt_text: truncate(alt, SLACK_LIMITS.altText),
        },
      ];
    }
    case 'chart': {
      // Slack draws no chart: its title and numbers as text, the PNG when it has an address (else the
      // flow uploads it as a file with the message)
      const blocks: SlackBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`*${escapeSlack(toPlainText(element.spec.title))}*`, SLACK_LIMITS.sectionText) } }];
      if (element.imageUrl && element.imageUrl.length <= SLACK_LIMITS.imageUrl)
        blocks.push({ type: 'image', image_url: element.imageUrl, alt_text: truncate(toPlainText(element.alt), SLACK_LIMITS.altText) });
      for (let i = 0; i < element.facts.length; i += SLACK_LIMITS.sectionFields) {
        const fields = element.facts.slice(i, i + SLACK_LIMITS.sectionFields).map((f) => factField(f.label, f.value));
        blocks.push({ type: 'section', fields });
      }
      return blocks;
    }
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions':
      return element.actions.length > 0 ? actionsBlocks(element.actions, ids) : [];
  }
}

function capBlocks(blocks: SlackBlock[], max: number): SlackBlock[] {
  if (blocks.length <= max) return blocks;
  return [...blocks.slice(0, max - 1), { type: 'context', elements: [{ type: 'mrkdwn', text: '…' }] }];
}

/**
 * Renders a card as a message for chat.postMessage / chat.update / respond. Inputs are not shown in
 * messages; when the card has a `submit`, a primary button with the submit verb is appended so the
 * person can open the form (as a modal). At most 50 blocks: beyond that the first 49 are kept and a
 * "…" context block is added (callers should paginate long content).
 */
export function renderBlockKitMessage(card: Card): BlockKitMessage {
  const ids = new ActionIds();
  const blocks: SlackBlock[] = [];
  for (const element of card.elements) {
    if (element.type === 'input') continue;
    blocks.push(...displayBlocks(element, ids));
  }
  if (card.submit) {
    const { verb, label, data } = card.submit;
    blocks.push(...actionsBlocks([{ kind: 'submit', verb, label, style: 'primary', ...(data ? { data } : {}) }], ids));
  }
  return {
    text: truncate(escapeSlack(card.fallbackText), SLACK_LIMITS.messageText),
    blocks: capBlocks(blocks, SLACK_LIMITS.messageBlocks),
  };
}

function option(choice: Choice): SlackBlock {
  return {
    text: plainText(toPlainText(choice.title), SLACK_LIMITS.optionText),
    value: ensureMax(`option value "${choice.value}"`, choice.value, SLACK_LIMITS.optionValue),
  };
}

function splitValues(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function inputElement(input: CardInput): SlackBlock {
  const actionId = input.id;
  switch (input.kind) {
    case 'text': {
      const element: SlackBlock = { type: 'plain_text_input', action_id: actionId };
      if (input.multiline) element.multiline = true;
      if (input.maxLength !== undefined) {
        element.max_length = Math.max(1, Math.min(Math.floor(input.maxLength), SLACK_LIMITS.plainTextInputMaxLength));
      }
      if (input.value !== undefined && input.value !== '') {
        const max = (element.max_length as number | undefined) ?? SLACK_LIMITS.plainTextInputMaxLength;
        element.initial_value = truncate(input.value, max);
      }
      if (input.placeholder) element.placeholder = plainText(input.placeholder, SLACK_LIMITS.placeholder);
      return element;
    }
    case 'number': {
      const element: SlackBlock = { type: 'number_input', action_id: actionId, is_decimal_allowed: false };
      if (input.min !== undefined) element.min_value = String(input.min);
      if (input.max !== undefined) element.max_value = String(input.max);
      if (input.value !== undefined) element.initial_value = String(input.value);
      return element;
    }
    case 'person': {
      const element: SlackBlock = { type: 'users_select', action_id: actionId };
      if (input.value && /^[UW][A-Z0-9]+$/.test(input.value)) element.initial_user = input.value;
      if (input.placeholder) element.placeholder = plainText(input.placeholder, SLACK_LIMITS.placeholder);
      return element;
    }
    case 'date': {
      const element: SlackBlock = { type: 'datepicker', action_id: actionId };
      if (input.value && /^\d{4}-\d{2}-\d{2}$/.test(input.value)) element.initial_date = input.value;
      return element;
    }
    case 'time': {
      const element: SlackBlock = { type: 'timepicker', action_id: actionId };
      if (input.value && /^\d{2}:\d{2}$/.test(input.value)) element.initial_time = input.value;
      return element;
    }
    case 'choice': {
      const expanded = input.style === 'expanded' && input.choices.length <= SLACK_LIMITS.expandedOptions;
      const choices = input.choices.slice(0, expanded ? SLACK_LIMITS.expandedOptions : SLACK_LIMITS.selectOptions);
      const options = choices.map(option);
      const wanted = splitValues(input.value);
      const selected = options.filter((o) => wanted.includes(o.value as string));
      const type = input.multiple ? (expanded ? 'checkboxes' : 'multi_static_select') : expanded ? 'radio_buttons' : 'static_select';
      const element: SlackBlock = { type, action_id: actionId, options };
      if (input.multiple) {
        if (selected.length > 0) element.initial_options = selected;
      } else if (selected[0]) {
        element.initial_option = selected[0];
      }
      if (!expanded && input.placeholder) element.placeholder = plainText(input.placeholder, SLACK_LIMITS.placeholder);
      return element;
    }
    case 'toggle': {
      const only = { text: plainText(toPlainText(input.label), SLACK_LIMITS.optionText), value: 'true' };
      const element: SlackBlock = { type: 'checkboxes', action_id: actionId, options: [only] };
      if (input.value) element.initial_options = [only];
      return element;
    }
  }
}

function inputBlock(input: CardInput): SlackBlock {
  ensureMax(`input id "${input.id}"`, input.id, SLACK_LIMITS.actionId);
  const required = input.kind !== 'toggle' && input.required === true;
  return {
    type: 'input',
    block_id: input.id,
    label: plainText(toPlainText(input.label), SLACK_LIMITS.inputLabel),
    optional: !required,
    element: inputElement(input),
  };
}

/**
 * Renders a card as a Slack `modal` view for views.open / views.update / views.push. Inputs become
 * `input` blocks whose block_id and action_id are the input id (read them back with
 * {@link readBlockKitViewValues}). The submit button uses `opts.submitLabel`, else `card.submit.label`.
 */
export function renderBlockKitModal(card: Card, opts: BlockKitModalOptions): SlackBlock {
  const ids = new ActionIds();
  const inputIds = new Set<string>();
  const blocks: SlackBlock[] = [];
  for (const element of card.elements) {
    if (element.type === 'input') {
      if (inputIds.has(element.input.id)) throw new RangeError(`Block Kit: duplicate input id "${element.input.id}"`);
      inputIds.add(element.input.id);
      blocks.push(inputBlock(element.input));
      // Slack shows a submission's refusals itself (response_action: errors); a form drawn again with one shows it here
      if (element.input.error) blocks.push(contextBlock(`⚠️ ${element.input.error}`));
    } else {
      blocks.push(...displayBlocks(element, ids));
    }
  }
  const view: SlackBlock = {
    type: 'modal',
    callback_id: ensureMax('callback_id', opts.callbackId, SLACK_LIMITS.callbackId),
    title: plainText(opts.title, SLACK_LIMITS.viewTitle),
    close: plainText(opts.closeLabel, SLACK_LIMITS.viewClose),
    blocks: capBlocks(blocks, SLACK_LIMITS.modalBlocks),
  };
  const submitLabel = opts.submitLabel ?? card.submit?.label;
  if (submitLabel !== undefined) {
    view.submit = plainText(submitLabel, SLACK_LIMITS.viewSubmit);
  } else if (inputIds.size > 0) {
    throw new RangeError('Block Kit: a modal with inputs needs a submit label (opts.submitLabel or card.submit)');
  }
  if (opts.privateMetadata !== undefined) {
    view.private_metadata = ensureMax('private_metadata', opts.privateMetadata, SLACK_LIMITS.privateMetadata);
  }
  return view;
}

/** The part of a `view_submission` payload this module reads: `view.state`. */
export interface BlockKitViewState {
  values: Record<string, Record<string, unknown>>;
}

type SlackOption = { value?: unknown } | null | undefined;

function optionValues(options: unknown): string[] {
  if (!Array.isArray(options)) return [];
  return (options as SlackOption[]).map((o) => (o && typeof o.value === 'string' ? o.value : '')).filter((v) => v.length > 0);
}

function stringOrEmpty(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function readStateValue(state: Record<string, unknown>): string {
  switch (state.type) {
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input':
      return stringOrEmpty(state.value);
    case 'datepicker':
      return stringOrEmpty(state.selected_date);
    case 'timepicker':
      return stringOrEmpty(state.selected_time);
    case 'datetimepicker':
      return stringOrEmpty(state.selected_date_time);
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return stringOrEmpty((state.selected_option as SlackOption)?.value);
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return optionValues(state.selected_options).join(',');
    case 'users_select':
      return stringOrEmpty(state.selected_user);
    case 'multi_users_select':
      return Array.isArray(state.selected_users) ? (state.selected_users as unknown[]).map(stringOrEmpty).join(',') : '';
    case 'conversations_select':
      return stringOrEmpty(state.selected_conversation);
    case 'channels_select':
      return stringOrEmpty(state.selected_channel);
    default:
      if ('value' in state) return stringOrEmpty(state.value);
      if ('selected_option' in state) return stringOrEmpty((state.selected_option as SlackOption)?.value);
      if ('selected_options' in state) return optionValues(state.selected_options).join(',');
      return '';
  }
}

/**
 * Flattens a submitted view's `state` into input id → string: text and numbers as typed, dates as
 * YYYY-MM-DD, times as HH:mm, single choices as the option value, multi-selects and checkboxes
 * comma-joined, anything empty as "". Toggles (a checkboxes element with the single option "true")
 * read as "true" when ticked; pass the `card` the view was rendered from so that an unticked toggle
 * reads "false" (the state alone cannot tell a toggle from an empty checkbox group) and so that
 * inputs missing from the state still get a value.
 */
export function readBlockKitViewValues(state: BlockKitViewState, card?: Card): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [blockId, actions] of Object.entries(state.values ?? {})) {
    if (!actions || typeof actions !== 'object') continue;
    for (const [actionId, value] of Object.entries(actions)) {
      if (!value || typeof value !== 'object') continue;
      // Our renderer sets block_id = action_id = input id; fall back to the block id otherwise.
      const key = actionId || blockId;
      result[key] = readStateValue(value as Record<string, unknown>);
    }
  }
  if (card) {
    for (const element of card.elements) {
      if (element.type !== 'input') continue;
      const { input } = element;
      if (input.kind === 'toggle') {
        result[input.id] = result[input.id] === 'true' ? 'true' : 'false';
      } else if (result[input.id] === undefined) {
        result[input.id] = '';
      }
    }
  }
  return result;
}
