import type { Card, CardAction, CardElement } from '../../cards/model';
import type { Engagement, EngagementRequest, EngagementState } from '../../domain/engagement';
import { ENGAGEMENT_STATES } from '../../domain/engagement';
import { pick, type Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';
import type { Form } from '../reply';

export interface View {
  t: Translate;
  programme: Programme;
  locale: Locale;
  timeZone: string;
}

export function dayText(v: View, at: Date | null): string {
  return at ? new Intl.DateTimeFormat(v.locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: v.timeZone, dateStyle: 'long' }).format(at) : '—';
}

export function roleName(v: View, id: string): string {
  const r = v.programme.ambassadorRoles.find((x) => x.id === id);
  return r ? pick(r.name, v.locale) : id;
}

export function domainNames(v: View, ids: string[]): string {
  return ids
    .map((id) => v.programme.missionDomains.find((d) => d.id === id))
    .map((d, i) => (d ? pick(d.name, v.locale) : ids[i]))
    .join(', ');
}

/** The commitment as the contract words it: "5 à 10 % de votre temps, des dates planifiées à l'avance, six mois puis bilan". */
export function commitmentText(v: View, percent?: number): string {
  const { minTimePercent: min, maxTimePercent: max, termMonths: months } = v.programme.engagement;
  return v.t('engagement.commitment', { min, max, months, percent: percent ?? min });
}

export interface SignUpValues {
  role?: string;
  domains?: string;
  timePercent?: string;
  motivation?: string;
  project?: string;
  start?: string;
  manager?: string;
  managerEmail?: string;
  listed?: string;
}

/** The sign-up form: role, domains, time share, motivation, project, start, the line manager (the platform's people picker, or an e-mail). */
export function signUpForm(v: View, values: SignUpValues = {}, data: Record<string, string> = {}): Form {
  const { t, programme, locale } = v;
  const { minTimePercent: min, maxTimePercent: max } = programme.engagement;
  const elements: CardElement[] = [
    { type: 'text', text: t('engagement.formIntro') },
    { type: 'context', text: commitmentText(v) },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'role',
        label: t('engagement.role'),
        required: true,
        style: 'expanded',
        choices: programme.ambassadorRoles.map((r) => ({ title: pick(r.name, locale), value: r.id })),
        value: values.role ?? programme.ambassadorRoles[0].id,
      },
    },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'domains',
        label: t('engagement.domains'),
        multiple: true,
        style: 'expanded',
        choices: programme.missionDomains.map((d) => ({ title: pick(d.name, locale), value: d.id })),
        value: values.domains,
      },
    },
    {
      type: 'input',
      input: { kind: 'number', id: 'timePercent', label: t('engagement.timePercent', { min, max }), min, max, required: true, value: Number(values.timePercent ?? min) },
    },
    { type: 'input', input: { kind: 'text', id: 'motivation', label: t('engagement.motivation'), multiline: true, maxLength: 1500, required: true, value: values.motivation } },
    { type: 'input', input: { kind: 'text', id: 'project', label: t('engagement.project'), maxLength: 300, value: values.project } },
    { type: 'input', input: { kind: 'date', id: 'start', label: t('engagement.start'), required: true, value: values.start } },
    { type: 'input', input: { kind: 'person', id: 'manager', label: t('engagement.manager'), placeholder: t('engagement.managerPlaceholder'), value: values.manager } },
    {
      type: 'input',
      input: { kind: 'text', id: 'managerEmail', label: t('engagement.managerEmail'), placeholder: 'prenom.nom@exemple.fr', maxLength: 200, value: values.managerEmail },
    },
    { type: 'input', input: { kind: 'toggle', id: 'listed', label: t('engagement.listed'), value: values.listed !== 'false' } },
  ];
  return {
    verb: 'engagement.preview',
    title: t('engagement.formTitle'),
    submitLabel: t('engagement.previewButton'),
    closeLabel: t('engagement.close'),
    data,
    card: { fallbackText: t('engagement.formTitle'), elements, requiredMessage: t('engagement.required') },
  };
}

function requestFacts(v: View, r: EngagementRequest, manager: string | null): CardElement {
  const { t } = v;
  return {
    type: 'facts',
    facts: [
      { label: t('engagement.role'), value: roleName(v, r.role) },
      { label: t('engagement.domains'), value: domainNames(v, r.domains) },
      { label: t('engagement.timeShort'), value: t('engagement.percent', { percent: r.timePercent }) },
      { label: t('engagement.startShort'), value: r.start },
      ...(r.project ? [{ label: t('engagement.projectShort'), value: r.project }] : []),
      ...(manager !== null ? [{ label: t('engagement.managerShort'), value: manager }] : []),
    ],
  };
}

/** The preview before sending: the request, and the commitment in the contract's words. */
export function previewCard(v: View, r: EngagementRequest, manager: Person, draft: string): Card {
  const { t } = v;
  return {
    fallbackText: t('engagement.previewTitle'),
    elements: [
      { type: 'header', text: t('engagement.previewTitle') },
      requestFacts(v, r, manager.displayName),
      { type: 'text', text: t('engagement.motivationOwn', { text: r.motivation }) },
      { type: 'text', text: commitmentText(v, r.timePercent) },
      { type: 'context', text: t('engagement.previewNext', { manager: manager.displayName }) },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'engagement.send', label: t('engagement.sendButton'), data: { draft }, style: 'primary' },
          { kind: 'submit', verb: 'engagement.edit', label: t('engagement.editButton'), data: { draft } },
        ],
      },
    ],
  };
}

export function stateLabel(t: Translate, state: EngagementState): string {
  return t(`engagement.state.${state}`);
}

/** A person's own engagement: state, term, domains, time share; withdrawal while it is open. */
export function ownCard(v: View, e: Engagement, manager: string | null, intro?: string): Card {
  const { t } = v;
  const actions: CardAction[] = [];
  if (e.state === 'pending_manager' || e.state === 'pending_lab' || e.state === 'active')
    actions.push({ kind: 'submit', verb: 'engagement.withdrawForm', label: t('engagement.withdrawButton'), data: { id: String(e.id) }, style: 'danger' });
  if (e.state !== 'pending_manager' && e.state !== 'pending_lab' && e.state !== 'active')
    actions.push({ kind: 'submit', verb: 'engagement.form', label: t('engagement.signUpAgain'), data: {} });
  return {
    fallbackText: t('engagement.ownTitle', { state: stateLabel(t, e.state) }),
    elements: [
      ...(intro ? [{ type: 'text' as const, text: intro }] : []),
      { type: 'header', text: t('engagement.ownTitle', { state: stateLabel(t, e.state) }) },
      requestFacts(v, e, manager),
      ...(e.termEnd ? [{ type: 'context' as const, text: t('engagement.termText', { from: dayText(v, e.activeFrom), to: dayText(v, e.termEnd) }) }] : []),
      ...(actions.length ? [{ type: 'actions' as const, actions }] : []),
    ],
  };
}

/** What the manager receives: the request, « J'accepte » (with the commitment to free the agent) / « Je refuse ». */
export function managerCard(v: View, e: Engagement, agent: Person, reminder: number): Card {
  const { t } = v;
  return {
    fallbackText: t('engagement.managerFallback', { name: agent.displayName }),
    elements: [
      { type: 'header', text: t(reminder ? 'engagement.managerReminderTitle' : 'engagement.managerTitle', { name: agent.displayName }) },
      { type: 'text', text: t('engagement.managerText', { name: agent.displayName }) },
      requestFacts(v, e, null),
      { type: 'text', text: t('engagement.motivationOf', { text: e.motivation }) },
      { type: 'context', text: t('engagement.managerCommitment', { name: agent.displayName, percent: e.timePercent }) },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'engagement.managerAccept', label: t('engagement.acceptButton'), data: { id: String(e.id) }, style: 'primary' },
          { kind: 'submit', verb: 'engagement.managerRefuseForm', label: t('engagement.refuseButton'), data: { id: String(e.id) }, style: 'danger' },
        ],
      },
    ],
  };
}

/** What the organisers receive once the manager agreed: the second signature, in one click. */
export function labCard(v: View, e: Engagement, agent: Person, manager: string): Card {
  const { t } = v;
  return {
    fallbackText: t('engagement.labFallback', { name: agent.displayName }),
    elements: [
      { type: 'header', text: t('engagement.labTitle', { name: agent.displayName }) },
      requestFacts(v, e, manager),
      { type: 'text', text: t('engagement.motivationOf', { text: e.motivation }) },
      { type: 'context', text: t('engagement.labText', { manager }) },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'engagement.labAccept', label: t('engagement.validateButton'), data: { id: String(e.id) }, style: 'primary' },
          { kind: 'submit', verb: 'engagement.labRefuseForm', label: t('engagement.refuseButton'), data: { id: String(e.id) }, style: 'danger' },
        ],
      },
    ],
  };
}

/** A reason, required to refuse, optional to withdraw. */
export function reasonForm(v: View, verb: 'engagement.managerRefuse' | 'engagement.labRefuse' | 'engagement.withdraw', id: number, required: boolean): Form {
  const { t } = v;
  const title = t(verb === 'engagement.withdraw' ? 'engagement.withdrawTitle' : 'engagement.refuseTitle');
  return {
    verb,
    title,
    submitLabel: t(verb === 'engagement.withdraw' ? 'engagement.withdrawButton' : 'engagement.refuseButton'),
    closeLabel: t('engagement.close'),
    data: { id: String(id) },
    card: {
      fallbackText: title,
      elements: [
        ...(verb === 'engagement.withdraw' ? [{ type: 'text' as const, text: t('engagement.withdrawText') }] : []),
        {
          type: 'input',
          input: { kind: 'text', id: 'reason', label: t(required ? 'engagement.reasonRequired' : 'engagement.reasonOptional'), multiline: true, maxLength: 500, required },
        },
      ],
      requiredMessage: t('engagement.required'),
    },
  };
}

/** 30 and 7 days before the term: « Renouveler » / « Terminer ». */
export function termCard(v: View, e: Engagement, agent: Person, days: number, forAgent: boolean): Card {
  const { t } = v;
  const text = t(forAgent ? 'engagement.termSoonAgent' : 'engagement.termSoonManager', { name: agent.displayName, days, date: dayText(v, e.termEnd) });
  return {
    fallbackText: text,
    elements: [
      { type: 'header', text: t('engagement.termSoonTitle') },
      { type: 'text', text },
      ...(forAgent
        ? [
            {
              type: 'actions' as const,
              actions: [
                { kind: 'submit' as const, verb: 'engagement.renew' as const, label: t('engagement.renewButton'), data: { id: String(e.id) }, style: 'primary' as const },
                { kind: 'submit' as const, verb: 'engagement.finish' as const, label: t('engagement.finishButton'), data: { id: String(e.id) } },
              ],
            },
          ]
        : []),
    ],
  };
}

/** The short evaluation at the end of the term. */
export function evaluationForm(v: View, id: number): Form {
  const { t } = v;
  return {
    verb: 'engagement.evaluate',
    title: t('engagement.evaluationTitle'),
    submitLabel: t('engagement.evaluationSend'),
    closeLabel: t('engagement.close'),
    data: { id: String(id) },
    card: {
      fallbackText: t('engagement.evaluationTitle'),
      elements: [
        { type: 'text', text: t('engagement.evaluationIntro') },
        { type: 'input', input: { kind: 'text', id: 'brought', label: t('engagement.evaluation.brought'), multiline: true, maxLength: 1000, required: true } },
        { type: 'input', input: { kind: 'text', id: 'gained', label: t('engagement.evaluation.gained'), multiline: true, maxLength: 1000, required: true } },
        { type: 'input', input: { kind: 'number', id: 'hours', label: t('engagement.evaluation.hours'), min: 0, max: 2000, required: true } },
        {
          type: 'input',
          input: {
            kind: 'choice',
            id: 'continue',
            label: t('engagement.evaluation.continue'),
            style: 'expanded',
            required: true,
            choices: [
              { title: t('engagement.evaluation.yes'), value: 'yes' },
              { title: t('engagement.evaluation.maybe'), value: 'maybe' },
              { title: t('engagement.evaluation.no'), value: 'no' },
            ],
          },
        },
      ],
      requiredMessage: t('engagement.required'),
    },
  };
}

/** The card that opens the sign-up: what the roles mean, « S'engager » and « Je veux en savoir plus ». */
export function rolesCard(v: View, withInterest: boolean): Card {
  const { t, programme, locale } = v;
  return {
    fallbackText: t('engagement.rolesTitle'),
    elements: [
      { type: 'header', text: t('engagement.rolesTitle') },
      { type: 'text', text: t('engagement.rolesIntro') },
      { type: 'facts', facts: programme.ambassadorRoles.map((r) => ({ label: pick(r.name, locale), value: pick(r.description, locale) })) },
      { type: 'context', text: commitmentText(v) },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'engagement.form', label: t('engagement.signUpButton'), data: {}, style: 'primary' },
          ...(withInterest ? [{ kind: 'submit' as const, verb: 'engagement.interest' as const, label: t('engagement.interestButton'), data: {} }] : []),
        ],
      },
    ],
  };
}

export interface Listed {
  engagement: Engagement;
  name: string;
}

/** `/ensemble ambassadeurs`: the active, listed ambassadors by role, with their domains. */
export function directoryCard(v: View, listed: Listed[]): Card {
  const { t, programme, locale } = v;
  const elements: CardElement[] = [{ type: 'header', text: t('engagement.directoryTitle') }];
  if (!listed.length) elements.push({ type: 'text', text: t('engagement.directoryEmpty') });
  for (const role of programme.ambassadorRoles) {
    const of = listed.filter((l) => l.engagement.role === role.id);
    if (!of.length) continue;
    elements.push({ type: 'text', text: `**${pick(role.name, locale)}**` });
    elements.push({ type: 'facts', facts: of.map((l) => ({ label: l.name, value: domainNames(v, l.engagement.domains) })) });
  }
  return { fallbackText: t('engagement.directoryTitle'), elements };
}

/** For organisers: requests by state, figures by role and domain, total committed time, the CSV. */
export function organiserCard(v: View, all: Engagement[]): Card {
  const { t, programme, locale } = v;
  const active = all.filter((e) => e.state === 'active');
  const byState = ENGAGEMENT_STATES.map((s) => ({ label: stateLabel(t, s), value: String(all.filter((e) => e.state === s).length) }));
  const byRole = programme.ambassadorRoles.map((r) => ({ label: pick(r.name, locale), value: String(active.filter((e) => e.role === r.id).length) }));
  const byDomain = programme.missionDomains.map((d) => ({ label: pick(d.name, locale), value: String(active.filter((e) => e.domains.includes(d.id)).length) }));
  const total = active.reduce((sum, e) => sum + e.timePercent, 0);
  return {
    fallbackText: t('engagement.figuresTitle'),
    elements: [
      { type: 'header', text: t('engagement.figuresTitle') },
      { type: 'text', text: `**${t('engagement.byState')}**` },
      { type: 'facts', facts: byState },
      { type: 'text', text: `**${t('engagement.byRole')}**` },
      { type: 'facts', facts: byRole },
      { type: 'text', text: `**${t('engagement.byDomain')}**` },
      { type: 'facts', facts: byDomain },
      {
        type: 'context',
        text: t('engagement.totalTime', { fte: (total / 100).toLocaleString(locale === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 2 }), count: active.length }),
      },
      { type: 'actions', actions: [{ kind: 'submit', verb: 'engagement.csv', label: t('engagement.csvButton'), data: {} }] },
    ],
  };
}
