import { outgoingPayload } from '../../cards/outgoing';
import {
  type Engagement,
  type EngagementRequest,
  engagementFormSchema,
  isOpen,
  MANAGER_REMINDER_DAYS,
  OPEN_STATES,
  REQUEST_EXPIRY_DAYS,
  TERM_REMINDER_DAYS,
  termEndOf,
} from '../../domain/engagement';
import { DomainError, FieldError, zodFieldError } from '../../domain/errors';
import type { NewJob, ScheduledJob } from '../../domain/events';
import type { Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import { personId } from '../../domain/people';
import type { Actor } from '../../domain/people-service';
import { isEmail } from '../../domain/people-service';
import { isOrganiser } from '../../domain/roles';
import { laterDays } from '../../domain/schedule';
import { zonedDateTime } from '../../domain/time';
import { textCard } from '../common';
import { csvFile, localTime } from '../csv';
import type { JobHandler } from '../job-runner';
import type { Notice } from '../notices';
import { cardReply, type Reply } from '../reply';
import type { Services } from '../services';
import { contractName, contractPdf } from './contract';
import {
  directoryCard,
  evaluationForm,
  labCard,
  managerCard,
  organiserCard,
  ownCard,
  previewCard,
  reasonForm,
  rolesCard,
  type SignUpValues,
  signUpForm,
  termCard,
  type View,
} from './screens';

export const engagementRef = (id: number) => `engagement:${id}`;
const source = (id: number) => `engagement:${id}`;

/**
 * Ambassadors and équipiers (issue 12): a request signed by the line manager, then by the Lab' (the
 * organisers), a term with reminders, an evaluation, a renewal through the same approvals, and withdrawal
 * at any time. Every message the bot sends on its own is a service notice; every change is a
 * compare-and-set on the state (a second click, or a stale button, changes nothing and says so).
 */
export class EngagementFlow implements JobHandler {
  /** Called once an engagement becomes active (the ambassadors' community joins it, when it exists). */
  onActivated?: (e: Engagement) => Promise<void>;

  constructor(private readonly s: Services) {}

  private view(locale: Locale | undefined): View {
    const l = locale ?? this.s.defaultLocale;
    return { t: this.s.i18n.forLocale(l), programme: this.s.programme, locale: l, timeZone: this.s.timezone };
  }

  private v(actor: Actor): View {
    return this.view(actor.person.locale);
  }

  private async name(id: string | null): Promise<string> {
    if (!id) return this.s.i18n.forLocale(this.s.defaultLocale)('engagement.anonymous');
    return (await this.s.store.people.get(id))?.displayName ?? this.s.i18n.forLocale(this.s.defaultLocale)('engagement.anonymous');
  }

  // — seeing it —

  /** `/ensemble ambassadeur`: one's own engagement, or what the roles mean and the sign-up. */
  async mine(actor: Actor): Promise<Reply> {
    const [latest] = await this.s.store.engagements.forPerson(actor.person.id);
    const own = latest ? ownCard(this.v(actor), latest, await this.name(latest.managerId)) : rolesCard(this.v(actor), true);
    // a manager finds here the requests waiting for their signature (the card they were sent, again)
    const waiting = (await this.s.store.engagements.managedBy(actor.person.id)).filter((e) => e.state === 'pending_manager').slice(0, 3);
    const cards = [];
    for (const e of waiting) {
      const agent = await this.s.store.people.get(e.personId);
      if (agent) cards.push(managerCard(this.v(actor), e, agent, 0));
    }
    if (!cards.length) return cardReply(own);
    return cardReply({ fallbackText: cards[0].fallbackText, elements: [...cards.flatMap((c) => [...c.elements, { type: 'divider' as const }]), ...own.elements] });
  }

  /** `/ensemble ambassadeurs`: active listed ambassadors; organisers also get the requests and figures. */
  async directory(actor: Actor): Promise<Reply> {
    const active = (await this.s.store.engagements.list(['active'])).filter((e) => e.listed);
    const listed = await Promise.all(active.map(async (e) => ({ engagement: e, name: await this.name(e.personId) })));
    listed.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    const card = directoryCard(this.v(actor), listed);
    if (!isOrganiser(actor.roles)) return cardReply(card);
    const figures = organiserCard(this.v(actor), await this.s.store.engagements.list());
    return cardReply({ ...card, elements: [...card.elements, { type: 'divider' }, ...figures.elements] });
  }

  async csv(actor: Actor): Promise<Reply> {
    this.organiserOnly(actor);
    const all = await this.s.store.engagements.list();
    const people = new Map<string, Person | null>();
    for (const id of new Set(all.flatMap((e) => [e.personId, e.managerId ?? '']).filter(Boolean))) people.set(id, await this.s.store.people.get(id));
    const v = this.v(actor);
    const rows = all.map((e) => [
      e.id,
      people.get(e.personId)?.displayName ?? '',
      people.get(e.personId)?.email ?? '',
      v.t(`engagement.state.${e.state}`),
      e.role,
      e.domains.join(' '),
      e.timePercent,
      e.start,
      (e.managerId && people.get(e.managerId)?.displayName) || '',
      localTime(e.activeFrom ?? undefined, this.s.timezone),
      localTime(e.termEnd ?? undefined, this.s.timezone),
      e.renewalOf ?? '',
    ]);
    await this.s.audit.record(actor.person.id, 'export.engagements', 'engagements', { count: all.length });
    const content = csvFile([['n', 'nom', 'email', 'etat', 'role', 'domaines', 'temps_pct', 'debut_souhaite', 'manager', 'actif_du', 'terme', 'renouvelle'], ...rows]);
    return { kind: 'file', file: { name: 'engagements.csv', mime: 'text/csv', content, comment: v.t('engagement.csvComment', { count: all.length }) } };
  }

  /** « Je veux en savoir plus »: the organisers are told; the person gets what the roles mean. */
  async interest(actor: Actor): Promise<Reply> {
    const organisers = await this.s.people.peopleWith('organisateur');
    const notices: Notice[] = organisers.map((o) => ({
      person: o,
      key: `engagement:interest:${actor.person.id}:${this.s.clock.now().toISOString().slice(0, 10)}:${o.id}`,
      card: textCard(this.view(o.locale).t('engagement.interestNotice', { name: actor.person.displayName })),
    }));
    if (notices.length) await this.s.notices.queue(notices, { source: `engagement:interest:${actor.person.id}`, kind: 'service' });
    return cardReply(rolesCard(this.v(actor), false), { replace: true, note: textCard(this.v(actor).t('engagement.interestThanks')) });
  }

  // — signing up —

  async form(actor: Actor, values: SignUpValues = {}): Promise<Reply> {
    await this.noOpenRequest(actor.person.id);
    return { kind: 'form', form: signUpForm(this.v(actor), values) };
  }

  signUpForm(actor: Actor, values: SignUpValues) {
    return signUpForm(this.v(actor), values);
  }

  /** The form, checked: a preview with the commitment in the contract's words, and « Envoyer ». */
  async preview(actor: Actor, values: Record<string, string>): Promise<Reply> {
    const request = this.readForm(values);
    await this.noOpenRequest(actor.person.id);
    const manager = await this.managerOf(actor, values);
    const draft = await this.s.store.drafts.save(actor.person.id, JSON.stringify({ request, managerId: manager.id, values }), this.s.clock.now());
    return cardReply(previewCard(this.v(actor), request, manager, draft), { replace: true });
  }

  async edit(actor: Actor, draft: string | undefined): Promise<Reply> {
    const saved = draft ? await this.s.store.drafts.take(draft, actor.person.id) : null;
    const values = saved ? (JSON.parse(saved) as { values: SignUpValues }).values : {};
    return this.form(actor, values);
  }

  /** « Envoyer »: the request is created and reaches the manager. */
  async send(actor: Actor, draft: string | undefined, renewalOf?: number): Promise<Reply> {
    const saved = draft ? await this.s.store.drafts.take(draft, actor.person.id) : null;
    if (!saved) throw new DomainError('engagement.stale');
    const { request, managerId } = JSON.parse(saved) as { request: EngagementRequest; managerId: string };
    return this.create(actor, request, managerId, renewalOf);
  }

  private async create(actor: Actor, request: EngagementRequest, managerId: string, renewalOf?: number): Promise<Reply> {
    const now = this.s.clock.now();
    const e = await this.s.store.engagements.create({ ...request, personId: actor.person.id, managerId, renewalOf: renewalOf ?? null }, now);
    if (!e) throw new DomainError(renewalOf ? 'engagement.renewalPending' : 'engagement.alreadyOpen');
    await this.s.store.jobs.add(this.pendingJobs(e, now));
    const manager = await this.s.store.people.get(managerId);
    const v = this.v(actor);
    let intro = v.t('engagement.sent', { manager: manager?.displayName ?? '' });
    if (manager) await this.toManager(e, manager, actor.person, 0);
    // on Teams, the bot can write to someone only once they have opened it
    if (!manager || (manager.platform === 'teams' && !manager.teams)) intro = v.t('engagement.managerUnreachable', { manager: manager?.displayName ?? '' });
    return cardReply(ownCard(v, e, manager?.displayName ?? null, intro), { replace: true });
  }

  private pendingJobs(e: Engagement, now: Date): NewJob[] {
    const ref = engagementRef(e.id);
    return [
      ...MANAGER_REMINDER_DAYS.map((d) => ({ key: `${ref}:manager:${d}`, kind: 'engagement.managerReminder' as const, ref, param: d, dueAt: laterDays(now, d, this.s.timezone) })),
      { key: `${ref}:expire`, kind: 'engagement.expire', ref, param: REQUEST_EXPIRY_DAYS, dueAt: laterDays(now, REQUEST_EXPIRY_DAYS, this.s.timezone) },
    ];
  }

  private async toManager(e: Engagement, manager: Person, agent: Person, reminder: number): Promise<void> {
    const card = managerCard(this.view(manager.locale), e, agent, reminder);
    await this.s.notices.queue([{ person: manager, key: `${source(e.id)}:manager:${reminder}`, card }], { source: source(e.id), kind: 'service' });
  }

  // — the manager's signature —

  async managerAccept(actor: Actor, id: number): Promise<Reply> {
    const e = await this.own(id, (x) => x.managerId === actor.person.id, 'engagement.notManager');
    const now = this.s.clock.now();
    const next = await this.s.store.engagements.transition(e.id, { from: ['pending_manager'], to: 'pending_lab', by: actor.person.id, at: now, set: { managerApprovedAt: now } });
    if (!next) return this.stale(actor, e);
    await this.s.store.jobs.cancelRef(engagementRef(e.id));
    const agent = await this.s.store.people.get(e.personId);
    const organisers = await this.s.people.peopleWith('organisateur');
    const notices: Notice[] = organisers.map((o) => ({
      person: o,
      key: `${source(e.id)}:lab:${o.id}`,
      card: labCard(this.view(o.locale), next, agent ?? actor.person, actor.person.displayName),
    }));
    if (agent)
      notices.push({
        person: agent,
        key: `${source(e.id)}:managerAccepted`,
        card: textCard(this.view(agent.locale).t('engagement.managerAccepted', { manager: actor.person.displayName })),
      });
    await this.s.notices.queue(notices, { source: source(e.id), kind: 'service' });
    return cardReply(textCard(this.v(actor).t('engagement.managerAcceptedSelf', { name: agent?.displayName ?? '' })), { replace: true });
  }

  async managerRefuseForm(actor: Actor, id: number): Promise<Reply> {
    const e = await this.own(id, (x) => x.managerId === actor.person.id, 'engagement.notManager');
    if (e.state !== 'pending_manager') return this.stale(actor, e);
    return { kind: 'form', form: reasonForm(this.v(actor), 'engagement.managerRefuse', id, true) };
  }

  async managerRefuse(actor: Actor, id: number, reason: string | undefined): Promise<Reply> {
    const e = await this.own(id, (x) => x.managerId === actor.person.id, 'engagement.notManager');
    return this.refuse(actor, e, ['pending_manager'], reason, 'engagement.refusedByManager');
  }

  // — the Lab's signature —

  async labAccept(actor: Actor, id: number): Promise<Reply> {
    this.organiserOnly(actor);
    const e = await this.own(id, () => true, 'engagement.notFound');
    const now = this.s.clock.now();
    const old = e.renewalOf ? await this.s.store.engagements.get(e.renewalOf) : null;
    // a renewal follows on from the term it renews; a first engagement starts on the day asked, or today
    const asked = zonedDateTime(e.start, '00:00', this.s.timezone) ?? now;
    let activeFrom = new Date(Math.max(asked.getTime(), now.getTime()));
    if (old?.termEnd && old.termEnd > now) activeFrom = old.termEnd;
    const termEnd = termEndOf(activeFrom, this.s.programme.engagement.termMonths);
    if (e.state !== 'pending_lab') return this.stale(actor, e);
    if (old && old.state === 'active') await this.s.store.engagements.transition(old.id, { from: ['active'], to: 'ended', by: actor.person.id, at: now, reason: 'renewed' });
    if (old) await this.s.store.jobs.cancelRef(engagementRef(old.id));
    const next = await this.s.store.engagements.transition(e.id, {
      from: ['pending_lab'],
      to: 'active',
      by: actor.person.id,
      at: now,
      set: { labApprovedBy: actor.person.id, labApprovedAt: now, activeFrom, termEnd },
    });
    if (!next) return this.stale(actor, e);
    await this.s.audit.record(actor.person.id, 'engagement.labAccept', `engagement:${e.id}`);
    await this.s.store.jobs.add(this.termJobs(next));
    await this.activated(next, actor.person);
    return cardReply(textCard(this.v(actor).t('engagement.labAcceptedSelf', { name: await this.name(e.personId) })), { replace: true });
  }

  private termJobs(e: Engagement): NewJob[] {
    const ref = engagementRef(e.id);
    const end = e.termEnd as Date;
    return [
      ...TERM_REMINDER_DAYS.map((d) => ({ key: `${ref}:term:${d}`, kind: 'engagement.termReminder' as const, ref, param: d, dueAt: laterDays(end, -d, this.s.timezone) })),
      { key: `${ref}:end`, kind: 'engagement.end', ref, param: 0, dueAt: end },
    ];
  }

  /** Active: the agent and the manager get the contract as a PDF, with the approvals in place of signatures. */
  private async activated(e: Engagement, lab: Person): Promise<void> {
    const agent = await this.s.store.people.get(e.personId);
    const manager = e.managerId ? await this.s.store.people.get(e.managerId) : null;
    const notices: Notice[] = [];
    for (const [who, person] of [
      ['agent', agent],
      ['manager', manager],
    ] as const) {
      if (!person || !agent) continue;
      const v = this.view(person.locale);
      const pdf = await contractPdf(v.t, this.s.programme, v.locale, e, { agent, manager, lab }, this.s.timezone);
      const text = v.t(who === 'agent' ? 'engagement.activeAgent' : 'engagement.activeManager', { name: agent.displayName, to: this.dayOf(e.termEnd, v) });
      notices.push({ person, key: `${source(e.id)}:active:${who}`, card: textCard(text) });
      notices.push({
        person,
        key: `${source(e.id)}:contract:${who}`,
        payload: outgoingPayload({
          kind: 'file',
          file: { name: contractName(e), mime: 'application/pdf', base64: pdf.toString('base64'), comment: v.t('engagement.contractComment') },
        }),
      });
    }
    if (notices.length) await this.s.notices.queue(notices, { source: source(e.id), kind: 'service' });
    await this.onActivated?.(e);
  }

  private dayOf(d: Date | null, v: View): string {
    return d ? new Intl.DateTimeFormat(v.locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: this.s.timezone, dateStyle: 'long' }).format(d) : '—';
  }

  async labRefuseForm(actor: Actor, id: number): Promise<Reply> {
    this.organiserOnly(actor);
    const e = await this.own(id, () => true, 'engagement.notFound');
    if (e.state !== 'pending_lab') return this.stale(actor, e);
    return { kind: 'form', form: reasonForm(this.v(actor), 'engagement.labRefuse', id, true) };
  }

  async labRefuse(actor: Actor, id: number, reason: string | undefined): Promise<Reply> {
    this.organiserOnly(actor);
    const e = await this.own(id, () => true, 'engagement.notFound');
    return this.refuse(actor, e, ['pending_lab'], reason, 'engagement.refusedByLab');
  }

  private async refuse(
    actor: Actor,
    e: Engagement,
    from: Engagement['state'][],
    reason: string | undefined,
    message: 'engagement.refusedByManager' | 'engagement.refusedByLab',
  ): Promise<Reply> {
    const why = (reason ?? '').trim();
    if (!why) throw new FieldError('engagement.reason.empty', 'reason');
    if (why.length > 500) throw new FieldError('engagement.reason.tooLong', 'reason');
    const now = this.s.clock.now();
    const next = await this.s.store.engagements.transition(e.id, { from, to: 'refused', by: actor.person.id, at: now, reason: why });
    if (!next) return this.stale(actor, e);
    if (message === 'engagement.refusedByLab') await this.s.audit.record(actor.person.id, 'engagement.labRefuse', `engagement:${e.id}`);
    await this.s.store.jobs.cancelRef(engagementRef(e.id));
    const agent = await this.s.store.people.get(e.personId);
    const notices: Notice[] = [];
    if (agent) notices.push({ person: agent, key: `${source(e.id)}:refused`, card: textCard(this.view(agent.locale).t(message, { name: actor.person.displayName, reason: why })) });
    const manager = e.managerId && e.managerId !== actor.person.id ? await this.s.store.people.get(e.managerId) : null;
    if (manager && message === 'engagement.refusedByLab')
      notices.push({
        person: manager,
        key: `${source(e.id)}:refused:manager`,
        card: textCard(this.view(manager.locale).t('engagement.refusedManagerTold', { name: agent?.displayName ?? '', reason: why })),
      });
    if (notices.length) await this.s.notices.queue(notices, { source: source(e.id), kind: 'service' });
    return cardReply(textCard(this.v(actor).t('engagement.refusedSelf')), { replace: true });
  }

  // — term, renewal, end, withdrawal —

  async renew(actor: Actor, id: number): Promise<Reply> {
    const e = await this.own(id, (x) => x.personId === actor.person.id, 'engagement.notYours');
    if (e.state !== 'active') return this.stale(actor, e);
    if (!e.managerId) throw new DomainError('engagement.noManager');
    const { role, domains, timePercent, motivation, project, start, listed } = e;
    return this.create(actor, { role, domains, timePercent, motivation, project, start, listed }, e.managerId, e.id);
  }

  async finish(actor: Actor, id: number): Promise<Reply> {
    const e = await this.own(id, (x) => x.personId === actor.person.id, 'engagement.notYours');
    const next = await this.s.store.engagements.transition(e.id, { from: ['active'], to: 'ended', by: actor.person.id, at: this.s.clock.now(), reason: 'finished' });
    if (!next) return this.stale(actor, e);
    await this.s.store.jobs.cancelRef(engagementRef(e.id));
    return { kind: 'form', form: evaluationForm(this.v(actor), e.id) };
  }

  async withdrawForm(actor: Actor, id?: number): Promise<Reply> {
    const e = id
      ? await this.own(id, (x) => x.personId === actor.person.id, 'engagement.notYours')
      : (await this.s.store.engagements.forPerson(actor.person.id)).find((x) => isOpen(x.state));
    if (!e) throw new DomainError('engagement.nothingToWithdraw');
    if (!isOpen(e.state)) return this.stale(actor, e);
    return { kind: 'form', form: reasonForm(this.v(actor), 'engagement.withdraw', e.id, false) };
  }

  /** Withdrawal at any time, by a simple declaration: the manager and the organisers are told; nothing more is sent. */
  async withdraw(actor: Actor, id: number, reason: string | undefined): Promise<Reply> {
    const e = await this.own(id, (x) => x.personId === actor.person.id, 'engagement.notYours');
    const why = (reason ?? '').trim().slice(0, 500);
    const next = await this.s.store.engagements.transition(e.id, {
      from: OPEN_STATES,
      to: 'withdrawn',
      by: actor.person.id,
      at: this.s.clock.now(),
      ...(why ? { reason: why } : {}),
    });
    if (!next) return this.stale(actor, e);
    await this.tellWithdrawn(next, actor.person.displayName, why);
    return cardReply(ownCard(this.v(actor), next, await this.name(next.managerId), this.v(actor).t('engagement.withdrawnSelf')), { replace: true });
  }

  /** Ends a person's open engagements (their data erased): the manager and the organisers are told. */
  async endFor(personId: string, reason: string): Promise<number> {
    let ended = 0;
    for (const e of await this.s.store.engagements.forPerson(personId)) {
      const next = await this.s.store.engagements.transition(e.id, { from: OPEN_STATES, to: 'withdrawn', by: 'system', at: this.s.clock.now(), reason });
      if (next) {
        ended++;
        await this.tellWithdrawn(next, this.s.i18n.forLocale(this.s.defaultLocale)('engagement.anonymous'), '');
      }
    }
    return ended;
  }

  private async tellWithdrawn(e: Engagement, name: string, reason: string): Promise<void> {
    await this.s.store.jobs.cancelRef(engagementRef(e.id));
    const manager = e.managerId ? await this.s.store.people.get(e.managerId) : null;
    const organisers = await this.s.people.peopleWith('organisateur');
    const told = [...(manager ? [manager] : []), ...organisers.filter((o) => o.id !== manager?.id)];
    const notices: Notice[] = told.map((p) => ({
      person: p,
      key: `${source(e.id)}:withdrawn:${p.id}`,
      card: textCard(this.view(p.locale).t(reason ? 'engagement.withdrawnNoticeReason' : 'engagement.withdrawnNotice', { name, reason })),
    }));
    if (notices.length) await this.s.notices.queue(notices, { source: source(e.id), kind: 'service' });
  }

  /** The evaluation's answers reach the organisers. */
  async evaluate(actor: Actor, id: number, values: Record<string, string>): Promise<Reply> {
    const e = await this.own(id, (x) => x.personId === actor.person.id, 'engagement.notYours');
    const brought = (values.brought ?? '').trim();
    const gained = (values.gained ?? '').trim();
    const hours = Number(values.hours);
    if (!brought) throw new FieldError('engagement.evaluation.empty', 'brought');
    if (!gained) throw new FieldError('engagement.evaluation.empty', 'gained');
    if (!Number.isInteger(hours) || hours < 0 || hours > 2000) throw new FieldError('engagement.evaluation.hours', 'hours');
    if (!['yes', 'maybe', 'no'].includes(values.continue ?? '')) throw new FieldError('engagement.evaluation.continue', 'continue');
    if (e.evaluation) throw new DomainError('engagement.evaluationDone');
    const evaluation = { brought: brought.slice(0, 1000), gained: gained.slice(0, 1000), hours: String(hours), continue: values.continue };
    const next = await this.s.store.engagements.transition(e.id, {
      from: ['ended'],
      to: 'ended',
      by: actor.person.id,
      at: this.s.clock.now(),
      reason: 'evaluation',
      set: { evaluation },
    });
    if (!next) return this.stale(actor, e);
    const organisers = await this.s.people.peopleWith('organisateur');
    const notices: Notice[] = organisers.map((o) => {
      const t = this.view(o.locale).t;
      return {
        person: o,
        key: `${source(e.id)}:evaluation:${o.id}`,
        card: {
          fallbackText: t('engagement.evaluationNotice', { name: actor.person.displayName }),
          elements: [
            { type: 'header', text: t('engagement.evaluationNotice', { name: actor.person.displayName }) },
            {
              type: 'facts',
              facts: [
                { label: t('engagement.evaluation.brought'), value: evaluation.brought },
                { label: t('engagement.evaluation.gained'), value: evaluation.gained },
                { label: t('engagement.evaluation.hours'), value: evaluation.hours },
                { label: t('engagement.evaluation.continue'), value: t(`engagement.evaluation.${evaluation.continue as 'yes'}`) },
              ],
            },
          ],
        },
      };
    });
    if (notices.length) await this.s.notices.queue(notices, { source: source(e.id), kind: 'service' });
    return cardReply(textCard(this.v(actor).t('engagement.evaluationThanks')), { replace: true });
  }

  // — jobs: reminders to the manager, expiry, term reminders, the end of the term —

  async run(job: ScheduledJob): Promise<number> {
    const id = Number(job.ref.split(':')[1]);
    const e = await this.s.store.engagements.get(id);
    if (!e) return 0;
    const agent = await this.s.store.people.get(e.personId);
    if (!agent) return 0;
    const now = this.s.clock.now();
    switch (job.kind) {
      case 'engagement.managerReminder': {
        if (e.state !== 'pending_manager' || !e.managerId) return 0;
        const manager = await this.s.store.people.get(e.managerId);
        if (!manager) return 0;
        await this.toManager(e, manager, agent, job.param);
        return 1;
      }
      case 'engagement.expire': {
        const next = await this.s.store.engagements.transition(e.id, { from: ['pending_manager', 'pending_lab'], to: 'expired', by: 'system', at: now });
        if (!next) return 0;
        await this.s.notices.queue(
          [{ person: agent, key: `${source(e.id)}:expired`, card: textCard(this.view(agent.locale).t('engagement.expiredNotice', { days: REQUEST_EXPIRY_DAYS })) }],
          {
            source: source(e.id),
            kind: 'service',
          },
        );
        return 1;
      }
      case 'engagement.termReminder': {
        if (e.state !== 'active') return 0;
        const manager = e.managerId ? await this.s.store.people.get(e.managerId) : null;
        const notices: Notice[] = [{ person: agent, key: `${source(e.id)}:term:${job.param}:agent`, card: termCard(this.view(agent.locale), e, agent, job.param, true) }];
        if (manager) notices.push({ person: manager, key: `${source(e.id)}:term:${job.param}:manager`, card: termCard(this.view(manager.locale), e, agent, job.param, false) });
        return this.s.notices.queue(notices, { source: source(e.id), kind: 'service' });
      }
      case 'engagement.end': {
        const next = await this.s.store.engagements.transition(e.id, { from: ['active'], to: 'ended', by: 'system', at: now, reason: 'term' });
        if (!next) return 0;
        const v = this.view(agent.locale);
        const form = evaluationForm(v, e.id);
        const card = {
          fallbackText: v.t('engagement.endedNotice'),
          elements: [
            { type: 'text' as const, text: v.t('engagement.endedNotice') },
            {
              type: 'actions' as const,
              actions: [{ kind: 'submit' as const, verb: 'engagement.evaluationForm' as const, label: form.title, data: { id: String(e.id) }, style: 'primary' as const }],
            },
          ],
        };
        return this.s.notices.queue([{ person: agent, key: `${source(e.id)}:ended`, card }], { source: source(e.id), kind: 'service' });
      }
      default:
        return 0;
    }
  }

  evaluationForm(actor: Actor, id: number): Reply {
    return { kind: 'form', form: evaluationForm(this.v(actor), id) };
  }

  evaluationFormOf(actor: Actor, id: number) {
    return evaluationForm(this.v(actor), id);
  }

  reasonFormFor(actor: Actor, verb: 'engagement.managerRefuse' | 'engagement.labRefuse' | 'engagement.withdraw', id: number) {
    return reasonForm(this.v(actor), verb, id, verb !== 'engagement.withdraw');
  }

  // — helpers —

  private readForm(values: Record<string, string>): EngagementRequest {
    const parsed = engagementFormSchema(this.s.programme).safeParse({
      role: values.role,
      domains: (values.domains ?? '').split(',').filter(Boolean),
      timePercent: values.timePercent,
      motivation: values.motivation ?? '',
      project: values.project ?? '',
      start: values.start ?? '',
      listed: values.listed !== 'false',
    });
    const { minTimePercent: min, maxTimePercent: max } = this.s.programme.engagement;
    if (!parsed.success) throw zodFieldError('engagement', parsed.error, { params: () => ({ min, max }) });
    return parsed.data;
  }

  /** The manager from the platform's people picker, or by e-mail among the people Ensemble knows. */
  private async managerOf(actor: Actor, values: Record<string, string>): Promise<Person> {
    const picked = (values.manager ?? '').trim();
    const email = (values.managerEmail ?? '').trim().toLowerCase();
    let manager: Person | null = null;
    if (picked) {
      const identity = { platform: actor.person.platform, tenant: actor.person.id.slice(actor.person.id.indexOf(':') + 1).split('/')[0], user: picked };
      if (!/^[A-Za-z0-9-]{3,64}$/.test(picked)) throw new FieldError('engagement.manager.invalid', 'manager');
      manager = (await this.s.store.people.get(personId(identity))) ?? (await this.s.store.people.record(identity, this.s.clock.now()));
    } else if (email) {
      if (!isEmail(email)) throw new FieldError('engagement.manager.email', 'managerEmail');
      const found = await this.s.store.people.findByEmail(email);
      manager = found.find((p) => p.platform === 'teams' && p.teams) ?? found[0] ?? null;
      if (!manager) throw new FieldError('engagement.manager.unknown', 'managerEmail', { email });
    } else throw new FieldError('engagement.manager.none', 'manager');
    if (manager.id === actor.person.id || (actor.person.email && manager.email?.toLowerCase() === actor.person.email.toLowerCase()))
      throw new FieldError('engagement.manager.self', picked ? 'manager' : 'managerEmail');
    return manager;
  }

  private async noOpenRequest(personId: string): Promise<void> {
    const open = (await this.s.store.engagements.forPerson(personId)).find((e) => isOpen(e.state));
    if (open) throw new DomainError(open.state === 'active' ? 'engagement.alreadyActive' : 'engagement.alreadyOpen');
  }

  private async own(id: number, allowed: (e: Engagement) => boolean, refusal: 'engagement.notManager' | 'engagement.notYours' | 'engagement.notFound'): Promise<Engagement> {
    const e = Number.isInteger(id) ? await this.s.store.engagements.get(id) : null;
    if (!e) throw new DomainError('engagement.notFound');
    if (!allowed(e)) throw new DomainError(refusal);
    return e;
  }

  private organiserOnly(actor: Actor): void {
    if (!isOrganiser(actor.roles)) throw new DomainError('engagement.organiserOnly');
  }

  /** A button on a request that has moved on: what it is now, and nothing changed. */
  private async stale(actor: Actor, e: Engagement): Promise<Reply> {
    const current = (await this.s.store.engagements.get(e.id)) ?? e;
    const t = this.v(actor).t;
    return cardReply(textCard(t('engagement.staleState', { state: t(`engagement.state.${current.state}`) })), { replace: true });
  }
}
