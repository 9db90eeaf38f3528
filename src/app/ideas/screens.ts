import { isErased } from '../../domain/privacy';
import type { Card, CardAction, CardElement } from '../../cards/model';
import { IDEA_STATUSES, type Idea } from '../../domain/ideas';
import type { IdeaFilter, IdeaPage } from '../../domain/ideas-service';
import { pick, type Locale } from '../../domain/locale';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';
import type { Form } from '../reply';

export interface IdeaView {
  idea: Idea;
  authorName?: string;
  /** A progress group's proposal: the group's name (the idea is credited to it). */
  creditedName?: string;
  /** Per-viewer state; undefined on a card shared with many people (an axis channel). */
  supported?: boolean;
  canModerate: boolean;
}

/** A community's name from the programme file, else its id (a card that has not looked it up). */
function communityLabel(programme: Programme, id: string, locale: Locale): string {
  const c = programme.communities.find((x) => x.id === id);
  return c ? pick(c.name, locale) : id;
}

export function axisLabel(programme: Programme, axisId: string, locale: Locale): string {
  const a = programme.axes.find((x) => x.id === axisId);
  return a ? `${a.number} · ${pick(a.name, locale)}` : axisId;
}

export function statusLabel(t: Translate, status: string): string {
  return t(`ideas.status.${status}`);
}

/** Encodes a filter into action data, so a click can re-render the same list. */
export function filterData(f: IdeaFilter): Record<string, string> {
  switch (f.kind) {
    case 'axis':
      return { f: 'axis', v: f.axisId };
    case 'hashtag':
      return { f: 'hashtag', v: f.hashtag };
    default:
      return { f: f.kind };
  }
}

export function filterFromData(d: Record<string, string>): IdeaFilter {
  switch (d.f) {
    case 'axis':
      return { kind: 'axis', axisId: d.v ?? '' };
    case 'hashtag':
      return { kind: 'hashtag', hashtag: d.v ?? '' };
    case 'recent':
      return { kind: 'recent' };
    case 'mine':
      return { kind: 'mine' };
    default:
      return { kind: 'top' };
  }
}

/** « Soutenir » on a card many people see (with the count) or to someone who does not support it; « Retirer mon soutien » to someone who does. */
function supportAction(t: Translate, v: IdeaView, context: Record<string, string>): CardAction {
  const data = { id: String(v.idea.id), ...context };
  if (v.supported === undefined) return { kind: 'submit', verb: 'idea.support', label: t('ideas.supportShared', { count: v.idea.supportCount }), data, style: 'primary' };
  if (v.supported) return { kind: 'submit', verb: 'idea.withdraw', label: t('ideas.withdraw'), data };
  return { kind: 'submit', verb: 'idea.support', label: t('ideas.support'), data, style: 'primary' };
}

/** For the clicker alone: what their click did, and the button that undoes it. */
export function supportNoteCard(t: Translate, id: number, supported: boolean): Card {
  const text = supported ? t('ideas.supportedNote', { id }) : t('ideas.withdrawnNote', { id });
  const action: CardAction = supported
    ? { kind: 'submit', verb: 'idea.withdraw', label: t('ideas.withdraw'), data: { id: String(id), view: 'note' } }
    : { kind: 'submit', verb: 'idea.support', label: t('ideas.support'), data: { id: String(id), view: 'note' }, style: 'primary' };
  return {
    fallbackText: text,
    elements: [
      { type: 'text', text },
      { type: 'actions', actions: [action] },
    ],
  };
}

function moderationActions(t: Translate, id: number): CardAction[] {
  return [
    { kind: 'submit', verb: 'idea.answer', label: t('ideas.answerButton'), data: { id: String(id) } },
    { kind: 'submit', verb: 'idea.hide', label: t('ideas.hideButton'), data: { id: String(id) }, style: 'danger' },
    { kind: 'submit', verb: 'idea.merge', label: t('ideas.mergeButton'), data: { id: String(id) } },
  ];
}

/** One idea, in full. */
export function ideaCard(t: Translate, programme: Programme, locale: Locale, v: IdeaView, intro?: string): Card {
  const { idea } = v;
  const elements: CardElement[] = [];
  if (intro) elements.push({ type: 'text', text: intro });
  elements.push({ type: 'header', text: `${t('ideas.number', { id: idea.id })} · ${idea.title}` });
  if (idea.description) elements.push({ type: 'text', text: idea.description });
  elements.push({
    type: 'facts',
    facts: [
      { label: t('ideas.axis'), value: axisLabel(programme, idea.axisId, locale) },
      { label: t('ideas.statusLabel'), value: statusLabel(t, idea.status) },
      { label: t('ideas.author'), value: idea.anonymous ? t('ideas.anonymous') : (v.authorName ?? (isErased(idea.authorId) ? t('privacy.anonymousAgent') : '—')) },
      { label: t('ideas.supportsLabel'), value: t('ideas.supports', { count: idea.supportCount }) },
    ],
  });
  if (idea.creditedTo) elements.push({ type: 'context', text: t('ideas.creditedTo', { name: v.creditedName ?? communityLabel(programme, idea.creditedTo, locale) }) });
  if (idea.hashtags.length) elements.push({ type: 'context', text: idea.hashtags.map((h) => `#${h}`).join(' ') });
  if (idea.answer) elements.push({ type: 'text', text: `**${t('ideas.answer')}** : ${idea.answer}` });
  if (v.supported) elements.push({ type: 'context', text: t('ideas.supportedLine') });
  const actions: CardAction[] = [supportAction(t, v, { view: v.supported === undefined ? 'shared' : 'idea' })];
  if (v.canModerate) actions.push(...moderationActions(t, idea.id));
  actions.push({ kind: 'submit', verb: 'axis.follow', label: t('axes.followAxis'), data: { axis: idea.axisId, from: 'idea' } });
  elements.push({ type: 'actions', actions });
  const fallback = intro ? `${intro} ${t('ideas.number', { id: idea.id })} · ${idea.title}` : `${t('ideas.number', { id: idea.id })} · ${idea.title}`;
  // Teams refreshes the card for each viewer, so everyone sees their own support state.
  return { fallbackText: fallback, elements, refresh: { verb: 'idea.view', data: { id: String(idea.id) } } };
}

function listTitle(t: Translate, programme: Programme, locale: Locale, f: IdeaFilter): string {
  switch (f.kind) {
    case 'axis':
      return t('ideas.listTitle.axis', { axis: axisLabel(programme, f.axisId, locale) });
    case 'hashtag':
      return t('ideas.listTitle.hashtag', { hashtag: f.hashtag });
    default:
      return t(`ideas.listTitle.${f.kind}`);
  }
}

/** A page of ideas (10), each with its count and a support button, and previous/next. */
export function ideaListCard(t: Translate, programme: Programme, locale: Locale, page: IdeaPage, names: Map<string, string>): Card {
  const title = listTitle(t, programme, locale, page.filter);
  const context = { view: 'list', ...filterData(page.filter), p: String(page.page) };
  const elements: CardElement[] = [{ type: 'header', text: title }];
  if (page.items.length === 0) {
    elements.push({ type: 'text', text: t('ideas.empty') });
  }
  for (const idea of page.items) {
    const author = idea.anonymous ? t('ideas.anonymous') : (names.get(idea.authorId) ?? '—');
    const desc = idea.description ? `\n${idea.description.length > 200 ? `${idea.description.slice(0, 199)}…` : idea.description}` : '';
    elements.push({
      type: 'text',
      text: `**${t('ideas.number', { id: idea.id })} · ${idea.title}**${desc}\n_${t('ideas.supports', { count: idea.supportCount })} · ${t('ideas.axis')} ${axisLabel(programme, idea.axisId, locale)} · ${statusLabel(t, idea.status)} · ${author}_${page.supported.has(idea.id) ? ` · ${t('ideas.supported')}` : ''}`,
    });
    elements.push({
      type: 'actions',
      actions: [
        supportAction(t, { idea, supported: page.supported.has(idea.id), canModerate: false }, context),
        { kind: 'submit', verb: 'idea.view', label: t('ideas.viewButton'), data: { id: String(idea.id) } },
      ],
    });
  }
  elements.push({ type: 'context', text: t('ideas.page', { page: page.page, pages: page.pages, total: page.total }) });
  const nav: CardAction[] = [];
  if (page.page > 1) nav.push({ kind: 'submit', verb: 'idea.list', label: t('ideas.previous'), data: { ...filterData(page.filter), p: String(page.page - 1) } });
  if (page.page < page.pages) nav.push({ kind: 'submit', verb: 'idea.list', label: t('ideas.next'), data: { ...filterData(page.filter), p: String(page.page + 1) } });
  for (const kind of ['top', 'recent', 'mine'] as const) {
    if (page.filter.kind !== kind) nav.push({ kind: 'submit', verb: 'idea.list', label: t(`ideas.${kind}Button`), data: { f: kind, p: '1' } });
  }
  nav.push({ kind: 'submit', verb: 'idea.new', label: t('ideas.newButton'), style: 'primary' });
  elements.push({ type: 'actions', actions: nav });
  return { fallbackText: `${title} (${t('ideas.page', { page: page.page, pages: page.pages, total: page.total })})`, elements };
}

export interface IdeaFormValues {
  title?: string;
  description?: string;
  axis?: string;
  hashtags?: string;
  other?: string;
  anonymous?: boolean;
}

/** The form to propose an idea. */
export function ideaForm(t: Translate, programme: Programme, locale: Locale, values: IdeaFormValues = {}, constraint?: string): Form {
  const elements: CardElement[] = [];
  elements.push({ type: 'text', text: t('ideas.form.intro') });
  if (constraint) elements.push({ type: 'text', text: `**${t('ideas.form.constraint', { text: constraint })}**` });
  elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'idea.inspire', label: t('ideas.form.inspire') }] });
  elements.push({
    type: 'input',
    input: { kind: 'text', id: 'title', label: t('ideas.form.titleLabel'), placeholder: t('ideas.form.titlePlaceholder'), maxLength: 120, required: true, value: values.title },
  });
  elements.push({
    type: 'input',
    input: {
      kind: 'text',
      id: 'description',
      label: t('ideas.form.descriptionLabel'),
      placeholder: t('ideas.form.descriptionPlaceholder'),
      multiline: true,
      maxLength: 2000,
      value: values.description,
    },
  });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'axis',
      label: t('ideas.form.axisLabel'),
      placeholder: t('ideas.form.axisPlaceholder'),
      required: true,
      style: 'compact',
      choices: programme.axes.map((a) => ({ title: `${a.number} · ${pick(a.name, locale)}`, value: a.id })),
      value: values.axis,
    },
  });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'hashtags',
      label: t('ideas.form.hashtagsLabel'),
      multiple: true,
      style: 'compact',
      choices: programme.axes.flatMap((a) => a.hashtags.map((h) => ({ title: `#${h}`, value: h }))),
      value: values.hashtags,
    },
  });
  elements.push({ type: 'input', input: { kind: 'text', id: 'other', label: t('ideas.form.otherHashtagsLabel'), maxLength: 300, value: values.other } });
  elements.push({ type: 'input', input: { kind: 'toggle', id: 'anonymous', label: t('ideas.form.anonymousLabel'), value: values.anonymous } });
  const card: Card = { fallbackText: t('ideas.form.title'), elements, submit: { verb: 'idea.submit', label: t('ideas.form.submit') }, requiredMessage: t('forms.required') };
  // a bad or surplus hashtag is one typed in « other »
  return {
    verb: 'idea.submit',
    title: t('ideas.form.title'),
    submitLabel: t('ideas.form.submit'),
    closeLabel: t('ideas.form.cancel'),
    card,
    data: {},
    fields: { hashtags: 'other' },
  };
}

/** A quick idea without an axis: one click per axis. */
export function chooseAxisCard(t: Translate, programme: Programme, locale: Locale, draftId: string, title: string): Card {
  return {
    fallbackText: t('ideas.chooseAxisFallback'),
    elements: [
      { type: 'text', text: t('ideas.chooseAxis', { title }) },
      {
        type: 'actions',
        actions: programme.axes.map((a) => ({
          kind: 'submit' as const,
          verb: 'idea.quickAxis',
          label: `${a.number} · ${pick(a.name, locale)}`.slice(0, 75),
          data: { draft: draftId, axis: a.id },
        })),
      },
    ],
  };
}

/** `values`: what was submitted, shown again with a refusal. */
export function answerForm(t: Translate, idea: Idea, values: { status?: string; answer?: string } = {}): Form {
  const elements: CardElement[] = [];
  elements.push({ type: 'text', text: `**${t('ideas.number', { id: idea.id })} · ${idea.title}**` });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'status',
      label: t('ideas.answerForm.statusLabel'),
      required: true,
      style: 'expanded',
      choices: IDEA_STATUSES.map((s) => ({ title: statusLabel(t, s), value: s })),
      value: values.status ?? idea.status,
    },
  });
  elements.push({
    type: 'input',
    input: {
      kind: 'text',
      id: 'answer',
      label: t('ideas.answerForm.answerLabel'),
      placeholder: t('ideas.answerForm.answerPlaceholder'),
      multiline: true,
      maxLength: 2000,
      value: values.answer ?? idea.answer,
    },
  });
  const data = { id: String(idea.id) };
  return {
    verb: 'idea.answerSubmit',
    title: t('ideas.answerForm.title'),
    submitLabel: t('ideas.answerForm.submit'),
    closeLabel: t('ideas.form.cancel'),
    card: {
      fallbackText: t('ideas.answerForm.title'),
      elements,
      submit: { verb: 'idea.answerSubmit', label: t('ideas.answerForm.submit'), data },
      requiredMessage: t('forms.required'),
    },
    data,
  };
}

export function hideForm(t: Translate, idea: Idea, values: { reason?: string } = {}): Form {
  const elements: CardElement[] = [];
  elements.push({ type: 'text', text: `**${t('ideas.number', { id: idea.id })} · ${idea.title}**` });
  elements.push({
    type: 'input',
    input: { kind: 'text', id: 'reason', label: t('ideas.hideForm.reasonLabel'), multiline: true, maxLength: 500, required: true, value: values.reason },
  });
  const data = { id: String(idea.id) };
  return {
    verb: 'idea.hideSubmit',
    title: t('ideas.hideForm.title'),
    submitLabel: t('ideas.hideForm.submit'),
    closeLabel: t('ideas.form.cancel'),
    card: { fallbackText: t('ideas.hideForm.title'), elements, submit: { verb: 'idea.hideSubmit', label: t('ideas.hideForm.submit'), data }, requiredMessage: t('forms.required') },
    data,
  };
}

export function mergeForm(t: Translate, idea: Idea, values: { into?: string } = {}): Form {
  const elements: CardElement[] = [];
  elements.push({ type: 'text', text: `**${t('ideas.number', { id: idea.id })} · ${idea.title}**` });
  elements.push({ type: 'input', input: { kind: 'number', id: 'into', label: t('ideas.mergeForm.targetLabel'), min: 1, required: true, value: numberOr(values.into) } });
  const data = { id: String(idea.id) };
  return {
    verb: 'idea.mergeSubmit',
    title: t('ideas.mergeForm.title'),
    submitLabel: t('ideas.mergeForm.submit'),
    closeLabel: t('ideas.form.cancel'),
    card: {
      fallbackText: t('ideas.mergeForm.title'),
      elements,
      submit: { verb: 'idea.mergeSubmit', label: t('ideas.mergeForm.submit'), data },
      requiredMessage: t('forms.required'),
    },
    data,
  };
}

function numberOr(text: string | undefined): number | undefined {
  const n = Number(text);
  return text && Number.isSafeInteger(n) ? n : undefined;
}
