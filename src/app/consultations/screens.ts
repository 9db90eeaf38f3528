import type { Card, CardAction, CardElement, CardInput, ChartElement } from '../../cards/model';
import { chartAlt, chartFacts } from '../../charts/alt';
import type { ChartSpec } from '../../charts/spec';
import { type Consultation, gridKey, pagesOf, type Question, scaleValues } from '../../domain/consultations';
import type { ConsultationResults, QuestionResult } from '../../domain/consultations-results';
import { inputId } from '../../domain/consultations-service';
import type { YamlProblem } from '../../domain/consultations-yaml';
import type { Locale } from '../../domain/locale';
import { formatZoned } from '../../domain/time';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';
import { audienceChoices } from '../common';
import type { Form } from '../reply';

type Figures = { reached: number; started: number; done: number };

const when = (d: Date, tz: string, locale: Locale) => formatZoned(d, tz, locale);

/** The flash poll form: one question, its answers or a scale, anonymity, audience, closing, results. */
export function pollForm(t: Translate, programme: Programme, locale: Locale, timeZone: string, values: Record<string, string> = {}): Form {
  const v = (k: string) => values[k];
  const elements: CardElement[] = [
    { type: 'text', text: t('consultations.poll.intro') },
    { type: 'input', input: { kind: 'text', id: 'question', label: t('consultations.poll.question'), maxLength: 300, required: true, value: v('question') } },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'format',
        label: t('consultations.poll.format'),
        style: 'expanded',
        required: true,
        choices: (['choices', 'scale5', 'scale10'] as const).map((f) => ({ title: t(`consultations.poll.formats.${f}`), value: f })),
        value: v('format') || 'choices',
      },
    },
    { type: 'input', input: { kind: 'text', id: 'choices', label: t('consultations.poll.choices'), multiline: true, maxLength: 1000, value: v('choices') } },
    { type: 'input', input: { kind: 'toggle', id: 'multiple', label: t('consultations.poll.multiple'), value: v('multiple') === 'true' } },
    { type: 'input', input: { kind: 'toggle', id: 'anonymous', label: t('consultations.poll.anonymous'), value: v('anonymous') === 'true' } },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'audience',
        label: t('consultations.form.audience'),
        style: 'compact',
        choices: audienceChoices(t, programme, locale),
        value: v('audience') || 'everyone',
      },
    },
    { type: 'input', input: { kind: 'date', id: 'closesDate', label: t('consultations.form.closesDate'), required: true, value: v('closesDate') } },
    { type: 'input', input: { kind: 'time', id: 'closesTime', label: t('consultations.form.closesTime', { tz: timeZone }), value: v('closesTime') } },
    resultsChoice(t, v('results')),
  ];
  return {
    verb: 'consultation.poll.submit',
    title: t('consultations.poll.title'),
    submitLabel: t('consultations.form.preview'),
    closeLabel: t('consultations.form.close'),
    card: {
      fallbackText: t('consultations.poll.title'),
      elements,
      submit: { verb: 'consultation.poll.submit', label: t('consultations.form.preview') },
      requiredMessage: t('forms.required'),
    },
    data: {},
  };
}

function resultsChoice(t: Translate, value: string | undefined): CardElement {
  return {
    type: 'input',
    input: {
      kind: 'choice',
      id: 'results',
      label: t('consultations.form.results'),
      style: 'expanded',
      choices: (['live', 'closed', 'never'] as const).map((r) => ({ title: t(`consultations.results.visibility.${r}`), value: r })),
      value: value || 'closed',
    },
  };
}

/** The launch form of a questionnaire: audience, opening, closing, results visibility. */
export function launchForm(t: Translate, programme: Programme, locale: Locale, timeZone: string, c: Consultation, values: Record<string, string> = {}): Form {
  const v = (k: string) => values[k];
  const local = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const hhmm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  // the file's opening date, when it gave one ahead, is the form's default
  const later = c.opensAt.getTime() > c.createdAt.getTime() + 60_000;
  const data = { id: String(c.id) };
  const elements: CardElement[] = [
    { type: 'text', text: t('consultations.launch.intro', { title: c.title }) },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'audience',
        label: t('consultations.form.audience'),
        style: 'compact',
        choices: audienceChoices(t, programme, locale),
        value: v('audience') || 'everyone',
      },
    },
    { type: 'input', input: { kind: 'date', id: 'opensDate', label: t('consultations.form.opensDate'), value: v('opensDate') ?? (later ? local(c.opensAt) : undefined) } },
    {
      type: 'input',
      input: { kind: 'time', id: 'opensTime', label: t('consultations.form.opensTime', { tz: timeZone }), value: v('opensTime') ?? (later ? hhmm(c.opensAt) : undefined) },
    },
    { type: 'input', input: { kind: 'date', id: 'closesDate', label: t('consultations.form.closesDate'), required: true, value: v('closesDate') ?? local(c.closesAt) } },
    { type: 'input', input: { kind: 'time', id: 'closesTime', label: t('consultations.form.closesTime', { tz: timeZone }), value: v('closesTime') ?? hhmm(c.closesAt) } },
    resultsChoice(t, v('results') ?? c.results),
  ];
  return {
    verb: 'consultation.launch.submit',
    title: t('consultations.launch.title'),
    submitLabel: t('consultations.launch.submit'),
    closeLabel: t('consultations.form.close'),
    card: {
      fallbackText: t('consultations.launch.title'),
      elements,
      submit: { verb: 'consultation.launch.submit', label: t('consultations.launch.submit'), data },
      requiredMessage: t('forms.required'),
    },
    data,
  };
}

function anonymityText(t: Translate, c: Consultation): string {
  return c.anonymous ? t('consultations.anonymous') : t('consultations.named');
}

/** What each person receives for a flash poll: the question and its buttons (or « Répondre » for several answers). */
export function pollCard(t: Translate, c: Consultation, timeZone: string, locale: Locale, state: { answered?: string; results?: QuestionResult } = {}): Card {
  const q = c.questions[0];
  const id = String(c.id);
  const elements: CardElement[] = [
    { type: 'header', text: t('consultations.poll.header') },
    { type: 'text', text: `**${q.text}**` },
  ];
  if (state.answered !== undefined) elements.push({ type: 'text', text: t('consultations.poll.yourAnswer', { answer: state.answered }) });
  else if (q.type === 'multiple')
    elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'consultation.answer', label: t('consultations.answerButton'), style: 'primary', data: { id } }] });
  else {
    const options = q.type === 'scale' ? scaleValues(q).map((n) => ({ label: String(n), value: String(n) })) : (q.choices ?? []).map((label, i) => ({ label, value: String(i) }));
    const actions: CardAction[] = options.map((o) => ({ kind: 'submit', verb: 'consultation.vote', label: o.label, data: { id, v: o.value } }));
    elements.push({ type: 'actions', actions });
  }
  if (state.results) elements.push(...questionElements(t, state.results, locale));
  elements.push({ type: 'context', text: `${anonymityText(t, c)} · ${t('consultations.closesAt', { at: when(c.closesAt, timeZone, locale) })}` });
  return { fallbackText: t('consultations.poll.fallback', { question: q.text }), elements };
}

/** What each person receives for a questionnaire: its title, intro, and « Répondre ». */
export function inviteCard(t: Translate, c: Consultation, timeZone: string, locale: Locale, reminder = false): Card {
  const count = c.questions.length;
  const elements: CardElement[] = [
    { type: 'header', text: reminder ? t('consultations.reminderHeader', { title: c.title }) : c.title },
    ...(c.intro ? [{ type: 'text' as const, text: c.intro }] : []),
    { type: 'text', text: t('consultations.invite.questions', { count, pages: pagesOf(c.questions).length }) },
    { type: 'context', text: `${anonymityText(t, c)} · ${t('consultations.closesAt', { at: when(c.closesAt, timeZone, locale) })}` },
    { type: 'actions', actions: [{ kind: 'submit', verb: 'consultation.answer', label: t('consultations.answerButton'), style: 'primary', data: { id: String(c.id) } }] },
  ];
  return { fallbackText: reminder ? t('consultations.reminderHeader', { title: c.title }) : t('consultations.invite.fallback', { title: c.title }), elements };
}

function inputsOf(t: Translate, q: Question, values: Map<string, string>): CardElement[] {
  const v = (key: string) => values.get(key);
  const label = q.required ? q.text : t('consultations.optional', { text: q.text });
  const help: CardElement[] = q.help ? [{ type: 'context', text: q.help }] : [];
  switch (q.type) {
    case 'single':
    case 'multiple':
    case 'scale': {
      const choices = q.type === 'scale' ? scaleValues(q).map((n) => ({ title: String(n), value: String(n) })) : (q.choices ?? []).map((title, i) => ({ title, value: String(i) }));
      const input: CardInput = { kind: 'choice', id: inputId(q.id), label, style: 'expanded', multiple: q.type === 'multiple', required: q.required, choices, value: v(q.id) };
      return [{ type: 'input', input }, ...help];
    }
    case 'short':
    case 'long':
      return [
        {
          type: 'input',
          input: { kind: 'text', id: inputId(q.id), label, multiline: q.type === 'long', maxLength: q.type === 'short' ? 150 : 3000, required: q.required, value: v(q.id) },
        },
        ...help,
      ];
    case 'grid': {
      const out: CardElement[] = [{ type: 'text', text: `**${q.text}**` }, ...help];
      (q.items ?? []).forEach((item, i) => {
        out.push({ type: 'text', text: `**${item}**` });
        (q.prompts ?? []).forEach((prompt, j) => {
          const key = gridKey(q.id, i, j);
          out.push({ type: 'input', input: { kind: 'text', id: inputId(key), label: prompt, multiline: true, maxLength: 3000, value: v(key) } });
        });
      });
      return out;
    }
  }
}

/**
 * One page of a questionnaire as a form (Slack modal, Teams card): « Précédent » from the second page,
 * « Suivant » then « Envoyer ». `preview`: the organiser's preview, exactly as respondents see it, saving nothing.
 */
export function pageForm(t: Translate, c: Consultation, page: number, values: Map<string, string>, options: { preview?: boolean } = {}): Form {
  const pages = pagesOf(c.questions);
  const last = page === pages.length - 1;
  const data: Record<string, string> = { id: String(c.id), page: String(page), ...(options.preview ? { preview: '1' } : {}) };
  const elements: CardElement[] = [];
  if (options.preview) elements.push({ type: 'context', text: t('consultations.preview.asRespondent') });
  elements.push({ type: 'header', text: c.title });
  if (page === 0 && c.intro) elements.push({ type: 'text', text: c.intro });
  elements.push({ type: 'context', text: `${t('consultations.page', { page: page + 1, pages: pages.length })} · ${anonymityText(t, c)}` });
  for (const q of pages[page]) elements.push(...inputsOf(t, q, values));
  if (page > 0) elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'consultation.back', label: t('consultations.back'), data }] });
  const submitLabel = last ? (options.preview ? t('consultations.preview.end') : t('consultations.send')) : t('consultations.next');
  return {
    verb: 'consultation.page',
    title: t('consultations.formTitle'),
    submitLabel,
    closeLabel: t('consultations.later'),
    card: { fallbackText: c.title, elements, submit: { verb: 'consultation.page', label: submitLabel, data }, requiredMessage: t('forms.required') },
    data,
  };
}

/** After the last page. */
export function thanksCard(t: Translate, c: Consultation, timeZone: string, locale: Locale, canSeeResults: boolean): Card {
  const text = c.anonymous ? t('consultations.thanks.anonymous') : t('consultations.thanks.named', { at: when(c.closesAt, timeZone, locale) });
  const actions: CardAction[] = [];
  if (!c.anonymous) actions.push({ kind: 'submit', verb: 'consultation.answer', label: t('consultations.change'), data: { id: String(c.id) } });
  if (canSeeResults) actions.push({ kind: 'submit', verb: 'consultation.results', label: t('consultations.resultsButton'), data: { id: String(c.id) } });
  return { fallbackText: text, elements: [{ type: 'header', text: c.title }, { type: 'text', text }, ...(actions.length ? [{ type: 'actions' as const, actions }] : [])] };
}

/** The organiser's preview: the message as people get it, what it is, and Confirm / Cancel (or Launch). */
export function previewCard(t: Translate, c: Consultation, sample: Card, facts: Array<{ label: string; value: string }>): Card {
  const id = String(c.id);
  const actions: CardAction[] =
    c.kind === 'poll'
      ? [
          { kind: 'submit', verb: 'consultation.confirm', label: t('consultations.confirm'), style: 'primary', data: { id } },
          { kind: 'submit', verb: 'consultation.cancel', label: t('consultations.cancel'), style: 'danger', data: { id } },
        ]
      : [
          { kind: 'submit', verb: 'consultation.preview.page', label: t('consultations.preview.open'), data: { id, page: '0' } },
          { kind: 'submit', verb: 'consultation.launch', label: t('consultations.launch.button'), style: 'primary', data: { id } },
          { kind: 'submit', verb: 'consultation.cancel', label: t('consultations.cancel'), style: 'danger', data: { id } },
        ];
  const outline: CardElement[] =
    c.kind === 'poll'
      ? []
      : pagesOf(c.questions).map((page, i) => ({
          type: 'text' as const,
          text: `**${t('consultations.page', { page: i + 1, pages: pagesOf(c.questions).length })}**\n${page.map((q) => `• ${q.text} _(${t(`consultations.types.${q.type}`)})_`).join('\n')}`,
        }));
  return {
    fallbackText: t('consultations.preview.title', { id: c.id }),
    elements: [
      { type: 'context', text: t('consultations.preview.title', { id: c.id }) },
      { type: 'divider' },
      ...sample.elements,
      { type: 'divider' },
      ...outline,
      { type: 'facts', facts },
      { type: 'actions', actions },
    ],
  };
}

/** The problems of a questionnaire file, each with its line and field. */
export function yamlProblemsCard(t: Translate, name: string, problems: YamlProblem[]): Card {
  const lines = problems.map((p) => `• ${p.line ? t('consultations.yaml.at', { line: p.line, field: p.field }) : p.field} : ${t(`consultations.yaml.${p.code}`, p.params)}`);
  const text = `${t('consultations.yaml.title', { name, count: problems.length })}\n${lines.join('\n')}`;
  return {
    fallbackText: t('consultations.yaml.title', { name, count: problems.length }),
    elements: [
      { type: 'text', text: `⚠️ ${text}` },
      { type: 'context', text: t('consultations.yaml.hint') },
    ],
  };
}

const bar = (percent: number) => '▇'.repeat(Math.round(percent / 10)) || '▏';

/** A chart of a results' numbers: its spec, its words (alt text) and its numbers (the fallback's fact set). */
export function chartOf(spec: ChartSpec, locale: Locale, facts?: ChartElement['facts']): ChartElement {
  return { type: 'chart', spec, alt: chartAlt(spec, locale), facts: facts ?? chartFacts(spec, locale) };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function questionElements(t: Translate, r: QuestionResult, locale: Locale): CardElement[] {
  const out: CardElement[] = [{ type: 'text', text: `**${r.question.text}** · ${t('consultations.results.respondents', { count: r.respondents })}` }];
  if (r.kind === 'choices' || r.kind === 'scale') {
    if (r.respondents > 0 && r.options.length > 0)
      out.push(
        chartOf(
          {
            kind: r.kind === 'scale' ? 'bar' : 'horizontalBar',
            title: clip(r.question.text, 120),
            categories: r.options.map((o) => clip(o.label, 80)),
            series: [{ label: t('consultations.results.answersLabel'), values: r.options.map((o) => o.count) }],
            unit: { one: t('consultations.results.answerUnitOne'), other: t('consultations.results.answerUnitOther') },
            decimals: 0,
          },
          locale,
          r.options.map((o) => ({ label: o.label, value: `${bar(o.percent)} ${o.count} (${o.percent} %)` })),
        ),
      );
    else out.push({ type: 'facts', facts: r.options.map((o) => ({ label: o.label, value: `${bar(o.percent)} ${o.count} (${o.percent} %)` })) });
    if (r.kind === 'scale') {
      const parts = [t('consultations.results.average', { value: r.average ?? '—' })];
      if (r.nps !== null) parts.push(t('consultations.results.nps', { value: r.nps }));
      out.push({ type: 'context', text: parts.join(' · ') });
    }
    return out;
  }
  for (const cell of r.cells) {
    const words = cell.words.map((w) => `${w.word} (${w.count})`).join(', ') || '—';
    const tags = cell.hashtags.length ? ` · ${cell.hashtags.map((h) => `#${h.word} (${h.count})`).join(', ')}` : '';
    out.push({ type: 'context', text: `${cell.label} — ${t('consultations.results.texts', { count: cell.count })} · ${words}${tags}` });
  }
  return out;
}

/** Results as numbers (fact sets): rate, per question, per day, per group. */
export function resultsCard(t: Translate, c: Consultation, r: ConsultationResults, figures: Figures, organiser: boolean, timeZone: string, locale: Locale): Card {
  const rate = figures.reached ? Math.round((100 * figures.done) / figures.reached) : 0;
  const elements: CardElement[] = [
    { type: 'header', text: t('consultations.results.title', { title: c.title }) },
    {
      type: 'facts',
      facts: [
        { label: t('consultations.results.state'), value: `${t(`consultations.states.${c.state}`)} · ${t('consultations.closesAt', { at: when(c.closesAt, timeZone, locale) })}` },
        { label: t('consultations.results.rate'), value: t('consultations.results.rateValue', { done: figures.done, reached: figures.reached, rate }) },
        ...(organiser && figures.started ? [{ label: t('consultations.results.started'), value: String(figures.started) }] : []),
      ],
    },
  ];
  for (const q of r.questions) elements.push({ type: 'divider' }, ...questionElements(t, q, locale));
  if (r.perDay.length)
    elements.push(
      { type: 'divider' },
      { type: 'text', text: `**${t('consultations.results.perDay')}**` },
      r.perDay.length > 1
        ? chartOf(
            {
              kind: 'line',
              title: t('consultations.results.perDay'),
              categories: r.perDay.map((d) => d.day),
              series: [{ label: t('consultations.results.answersLabel'), values: r.perDay.map((d) => d.count) }],
              decimals: 0,
            },
            locale,
          )
        : { type: 'facts', facts: r.perDay.map((d) => ({ label: d.day, value: String(d.count) })) },
    );
  if (organiser && (r.groups.length || r.hiddenGroups)) {
    elements.push({ type: 'divider' }, { type: 'text', text: `**${t('consultations.results.groups')}**` });
    if (r.groups.length)
      elements.push({
        type: 'facts',
        facts: r.groups.map((g) => {
          const avg = Object.values(g.averages).filter((a) => a !== null);
          return {
            label: `${t(`consultations.results.by.${g.by}`)} ${g.group}`,
            value: `${t('consultations.results.respondents', { count: g.respondents })}${avg.length ? ` · ${t('consultations.results.average', { value: avg.join(' / ') })}` : ''}`,
          };
        }),
      });
    if (r.hiddenGroups) elements.push({ type: 'context', text: t('consultations.results.hidden', { count: r.hiddenGroups }) });
  }
  if (organiser) {
    const actions: CardAction[] = [{ kind: 'submit', verb: 'consultation.export', label: t('consultations.results.export'), data: { id: String(c.id) } }];
    if (c.state === 'open') actions.push({ kind: 'submit', verb: 'consultation.close', label: t('consultations.closeNow'), style: 'danger', data: { id: String(c.id) } });
    elements.push({ type: 'actions', actions });
  }
  // Slack takes 50 blocks in a message: the block renderer cuts beyond, with an ellipsis
  return { fallbackText: t('consultations.results.title', { title: c.title }), elements };
}

export function listCard(t: Translate, items: Array<{ consultation: Consultation; figures: Figures }>, timeZone: string, locale: Locale): Card {
  const elements: CardElement[] = [{ type: 'header', text: t('consultations.list.title') }];
  if (!items.length) elements.push({ type: 'text', text: t('consultations.list.empty') });
  for (const { consultation: c, figures: f } of items) {
    elements.push({
      type: 'text',
      text: t('consultations.list.line', {
        id: c.id,
        title: c.title,
        kind: t(`consultations.kinds.${c.kind}`),
        state: t(`consultations.states.${c.state}`),
        done: f.done,
        reached: f.reached,
        at: when(c.closesAt, timeZone, locale),
      }),
    });
    elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'consultation.results', label: t('consultations.resultsButton'), data: { id: String(c.id) } }] });
  }
  elements.push({
    type: 'actions',
    actions: [
      { kind: 'submit', verb: 'consultation.poll.new', label: t('consultations.poll.new'), style: 'primary' },
      { kind: 'submit', verb: 'consultation.template', label: t('consultations.templateButton') },
    ],
  });
  return { fallbackText: t('consultations.list.title'), elements };
}
