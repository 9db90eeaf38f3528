import type { Card, CardAction, CardElement } from '../../cards/model';
import { link } from '../../cards/text';
import { AXIS_UPDATE_STATUSES, type AxisQuestion, type AxisUpdate } from '../../domain/axes';
import type { OutboxReport } from '../../domain/delivery';
import type { ProgrammeEvent } from '../../domain/events';
import type { Idea } from '../../domain/ideas';
import { pick, type Locale } from '../../domain/locale';
import type { Axis, Programme } from '../../domain/programme';
import { formatZoned } from '../../domain/time';
import type { Translate } from '../../i18n';
import type { Form } from '../reply';

export function axisName(axis: Axis, locale: Locale): string {
  return `${axis.number} · ${pick(axis.name, locale)}`;
}

/** The axes as buttons (`axe` alone, or a word that matches none). */
export function axesMenuCard(t: Translate, programme: Programme, locale: Locale, unknownWord?: string): Card {
  const elements: CardElement[] = [{ type: 'header', text: t('axes.menuTitle') }];
  if (unknownWord) elements.push({ type: 'text', text: t('axes.menuUnknown', { word: unknownWord }) });
  elements.push({ type: 'text', text: t('axes.menuText') });
  elements.push({
    type: 'actions',
    actions: programme.axes.map((a) => ({ kind: 'submit' as const, verb: 'axis.show', label: axisName(a, locale).slice(0, 75), data: { axis: a.id } })),
  });
  return { fallbackText: t('axes.menuTitle'), elements };
}

/** One button per axis to follow it (the welcome card's question). */
export function followChoices(t: Translate, programme: Programme, locale: Locale, from: string): CardElement[] {
  return [
    { type: 'text', text: `**${t('axes.welcomeQuestion')}**` },
    {
      type: 'actions',
      actions: programme.axes.map((a) => ({ kind: 'submit' as const, verb: 'axis.follow', label: axisName(a, locale).slice(0, 75), data: { axis: a.id, from } })),
    },
  ];
}

export interface AxisView {
  axis: Axis;
  pilots: string[];
  followers: number;
  latest?: { update: AxisUpdate; authorName: string };
  topIdeas: Idea[];
  events: ProgrammeEvent[];
  following: boolean;
  canPost: boolean;
}

export function followAction(t: Translate, axisId: string, following: boolean): CardAction {
  return following
    ? { kind: 'submit', verb: 'axis.unfollow', label: t('axes.unfollow'), data: { axis: axisId } }
    : { kind: 'submit', verb: 'axis.follow', label: t('axes.follow'), data: { axis: axisId }, style: 'primary' };
}

/** The axis card: who pilots it, who follows it, where it stands, its ideas and events, and « Suivre ». */
export function axisCard(t: Translate, locale: Locale, timeZone: string, v: AxisView): Card {
  const { axis } = v;
  const title = t('axes.title', { number: axis.number, name: pick(axis.name, locale) });
  const elements: CardElement[] = [{ type: 'header', text: title }];
  elements.push({
    type: 'facts',
    facts: [
      { label: t('axes.hashtags'), value: axis.hashtags.map((h) => `#${h}`).join(' ') },
      { label: t('axes.pilots'), value: v.pilots.length ? v.pilots.join(', ') : t('axes.pilotsNone') },
      { label: t('axes.followers'), value: t('axes.followers_count', { count: v.followers }) },
    ],
  });
  elements.push({ type: 'text', text: `**${t('axes.latest')}**` });
  if (v.latest) {
    const u = v.latest.update;
    const progress = u.progress === undefined ? '' : ` · ${u.progress} %`;
    elements.push({ type: 'text', text: `${t(`axes.status.${u.status}`)}${progress}\n${u.done}` });
    elements.push({ type: 'context', text: t('axes.update.by', { name: v.latest.authorName, date: formatZoned(u.createdAt, timeZone, locale) }) });
  } else elements.push({ type: 'text', text: t('axes.noUpdate'), muted: true });
  elements.push({ type: 'text', text: `**${t('axes.topIdeas')}**` });
  elements.push({
    type: 'text',
    text: v.topIdeas.length ? v.topIdeas.map((i) => t('axes.ideaLine', { id: i.id, title: i.title, supports: i.supportCount })).join('\n') : t('axes.noIdeas'),
  });
  if (v.events.length) {
    elements.push({ type: 'text', text: `**${t('axes.events')}**` });
    elements.push({ type: 'text', text: v.events.map((e) => `n°${e.id} · ${e.title} · ${formatZoned(e.startsAt, timeZone, locale)}`).join('\n') });
  }
  if (v.following) elements.push({ type: 'context', text: t('axes.following') });
  const actions: CardAction[] = [followAction(t, axis.id, v.following), { kind: 'submit', verb: 'axis.history', label: t('axes.historyButton'), data: { axis: axis.id } }];
  if (v.canPost) actions.push({ kind: 'submit', verb: 'axis.updateOpen', label: t('axes.newUpdateButton'), data: { axis: axis.id } });
  elements.push({ type: 'actions', actions });
  return { fallbackText: t('axes.fallback', { number: axis.number, name: pick(axis.name, locale) }), elements };
}

/** What the pilot (or an organiser) sees of an update beyond its text: delivery, 👏, questions. */
export interface PilotFigures {
  report: OutboxReport;
  questions: Array<{ question: AxisQuestion; name: string }>;
}

export interface UpdateView {
  update: AxisUpdate;
  authorName: string;
  /** The author's (or an organiser's) copy: figures and « Corriger ». */
  pilot?: PilotFigures;
  /** Buttons 👏 and « Une question ? » (not on a preview). */
  interactive: boolean;
}

/** The body of an update (preview, channel post, followers' copy, pilot's copy, history). */
export function updateElements(t: Translate, programme: Programme, locale: Locale, timeZone: string, v: UpdateView): CardElement[] {
  const u = v.update;
  const axis = programme.axes.find((a) => a.id === u.axisId);
  const axisText = axis ? axisName(axis, locale) : u.axisId;
  const elements: CardElement[] = [{ type: 'header', text: u.id > 0 ? t('axes.update.header', { id: u.id, axis: axisText }) : `${t('axes.form.title')} · ${axisText}` }];
  const facts = [{ label: t('axes.update.statusLabel'), value: t(`axes.status.${u.status}`) }];
  if (u.progress !== undefined) facts.push({ label: t('axes.update.progress'), value: `${u.progress} %` });
  elements.push({ type: 'facts', facts });
  elements.push({ type: 'text', text: `**${t('axes.update.done')}**\n${u.done}` });
  if (u.next) elements.push({ type: 'text', text: `**${t('axes.update.next')}**\n${u.next}` });
  if (u.help) elements.push({ type: 'text', text: `**${t('axes.update.help')}**\n${u.help}` });
  if (u.link) elements.push({ type: 'text', text: link(t('axes.update.link'), u.link) });
  const by = t('axes.update.by', { name: v.authorName, date: formatZoned(u.createdAt, timeZone, locale) });
  elements.push({ type: 'context', text: u.editedAt ? `${by} · ${t('axes.update.edited', { date: formatZoned(u.editedAt, timeZone, locale) })}` : by });
  if (v.pilot) {
    const r = v.pilot.report;
    const delivered = u.reachedFollowers ? t('axes.update.delivered', { sent: r.sent, targeted: r.targeted }) : t('axes.update.notToFollowers');
    elements.push({ type: 'context', text: `${delivered} · ${t('axes.update.reactions', { count: u.reactions })} · ${t('axes.update.questions', { count: u.questions })}` });
    if (v.pilot.questions.length) {
      elements.push({
        type: 'text',
        text: v.pilot.questions
          .map(({ question: q, name }) => `${t('axes.update.questionLine', { text: q.text, name })} (${q.answer ? t('axes.update.answered') : t('axes.update.unanswered')})`)
          .join('\n'),
      });
    }
  }
  if (v.interactive) {
    const id = String(u.id);
    const actions: CardAction[] = [
      { kind: 'submit', verb: 'axis.applaud', label: t('axes.update.applaud', { count: u.reactions }), data: { id } },
      { kind: 'submit', verb: 'axis.ask', label: t('axes.update.ask'), data: { id } },
    ];
    if (v.pilot) actions.push({ kind: 'submit', verb: 'axis.correct', label: t('axes.update.correct'), data: { id } });
    elements.push({ type: 'actions', actions });
  }
  return elements;
}

export function updateCard(t: Translate, programme: Programme, locale: Locale, timeZone: string, v: UpdateView, intro?: string): Card {
  const axis = programme.axes.find((a) => a.id === v.update.axisId);
  const fallback = t('axes.update.fallback', { axis: axis ? axisName(axis, locale) : v.update.axisId, status: t(`axes.status.${v.update.status}`) });
  const elements = updateElements(t, programme, locale, timeZone, v);
  return { fallbackText: intro ? `${intro} ${fallback}` : fallback, elements: intro ? [{ type: 'text', text: intro }, ...elements] : elements };
}

/** The form of a point d'étape (new, or a correction of update `correcting`). */
export function updateForm(t: Translate, axis: Axis, locale: Locale, values: Record<string, string> = {}, correcting?: number): Form {
  const verb = correcting === undefined ? 'axis.updatePreview' : 'axis.correctSubmit';
  const data: Record<string, string> = correcting === undefined ? { axis: axis.id } : { id: String(correcting) };
  const elements: CardElement[] = [
    { type: 'text', text: t('axes.form.intro') },
    { type: 'text', text: `**${t('axes.form.axis', { axis: axisName(axis, locale) })}**` },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'status',
        label: t('axes.form.statusLabel'),
        style: 'expanded',
        required: true,
        choices: AXIS_UPDATE_STATUSES.map((s) => ({ title: t(`axes.status.${s}`), value: s })),
        value: values.status ?? 'on_track',
      },
    },
    { type: 'input', input: { kind: 'text', id: 'progress', label: t('axes.form.progressLabel'), maxLength: 5, value: values.progress } },
    { type: 'input', input: { kind: 'text', id: 'done', label: t('axes.form.doneLabel'), multiline: true, maxLength: 1500, required: true, value: values.done } },
    { type: 'input', input: { kind: 'text', id: 'next', label: t('axes.form.nextLabel'), multiline: true, maxLength: 1500, value: values.next } },
    { type: 'input', input: { kind: 'text', id: 'help', label: t('axes.form.helpLabel'), multiline: true, maxLength: 1500, value: values.help } },
    { type: 'input', input: { kind: 'text', id: 'link', label: t('axes.form.linkLabel'), maxLength: 1000, value: values.link } },
  ];
  const title = correcting === undefined ? t('axes.form.title') : t('axes.form.correctTitle');
  const submit = correcting === undefined ? t('axes.form.submit') : t('axes.form.correctSubmit');
  return {
    verb,
    title,
    submitLabel: submit,
    closeLabel: t('axes.form.cancel'),
    card: { fallbackText: title, elements, submit: { verb, label: submit, data }, requiredMessage: t('forms.required') },
    data,
  };
}

/** A pilot of several axes chooses one. */
export function chooseUpdateAxisCard(t: Translate, axes: Axis[], locale: Locale): Card {
  return {
    fallbackText: t('axes.chooseAxis'),
    elements: [
      { type: 'text', text: t('axes.chooseAxis') },
      { type: 'actions', actions: axes.map((a) => ({ kind: 'submit' as const, verb: 'axis.updateOpen', label: axisName(a, locale).slice(0, 75), data: { axis: a.id } })) },
    ],
  };
}

export function questionForm(t: Translate, updateId: number, values: { question?: string } = {}): Form {
  const data = { id: String(updateId) };
  return {
    verb: 'axis.askSubmit',
    title: t('axes.questionForm.title'),
    submitLabel: t('axes.questionForm.submit'),
    closeLabel: t('axes.form.cancel'),
    card: {
      fallbackText: t('axes.questionForm.title'),
      elements: [
        { type: 'input', input: { kind: 'text', id: 'question', label: t('axes.questionForm.label'), multiline: true, maxLength: 1000, required: true, value: values.question } },
      ],
      submit: { verb: 'axis.askSubmit', label: t('axes.questionForm.submit'), data },
      requiredMessage: t('forms.required'),
    },
    data,
  };
}

export function answerForm(t: Translate, question: AxisQuestion, values: { answer?: string } = {}): Form {
  const data = { q: String(question.id) };
  return {
    verb: 'axis.answerSubmit',
    title: t('axes.questionForm.answerTitle'),
    submitLabel: t('axes.questionForm.answerSubmit'),
    closeLabel: t('axes.form.cancel'),
    card: {
      fallbackText: t('axes.questionForm.answerTitle'),
      elements: [
        { type: 'text', text: `« ${question.text} »` },
        { type: 'input', input: { kind: 'text', id: 'answer', label: t('axes.questionForm.answerLabel'), multiline: true, maxLength: 1000, required: true, value: values.answer } },
      ],
      submit: { verb: 'axis.answerSubmit', label: t('axes.questionForm.answerSubmit'), data },
      requiredMessage: t('forms.required'),
    },
    data,
  };
}
