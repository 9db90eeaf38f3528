import type { Card } from '../../cards/model';
import { type Consultation, pagesOf } from '../../domain/consultations';
import { inputId, type ConsultationsService } from '../../domain/consultations-service';
import { tallyResult } from '../../domain/consultations-results';
import { MAX_YAML_BYTES, parseQuestionnaire } from '../../domain/consultations-yaml';
import { DomainError, isFieldError } from '../../domain/errors';
import type { Locale } from '../../domain/locale';
import { peopleText } from '../../domain/people-text';
import type { Actor } from '../../domain/people-service';
import { isOrganiser } from '../../domain/roles';
import { formatZoned } from '../../domain/time';
import { textCard } from '../common';
import { cardReply, type Form, type Reply } from '../reply';
import type { Services } from '../services';
import { numberToken } from '../words';
import { chartFiles } from '../chart-files';
import { withChartImages } from '../chart-links';
import { freeTextCsv, templateSource } from './files';
import type { ConsultationJobs } from './jobs';
import { inviteCard, launchForm, listCard, pageForm, pollCard, pollForm, previewCard, resultsCard, thanksCard, yamlProblemsCard } from './screens';

/** "12", "n°12" → 12. */
export function parseConsultationNumber(word: string | undefined): number {
  const n = numberToken(word);
  if (n === null) throw new DomainError('consultation.notFound', { id: (word ?? '').slice(0, 12) });
  return n;
}

/** A file a person attached in their chat with the bot, already downloaded by the platform. */
export interface AttachedFile {
  name: string;
  content: Buffer;
}

/** Consultations in chat: flash polls, questionnaires from YAML, answering page by page, results. */
export class ConsultationFlow {
  constructor(
    private readonly s: Services,
    private readonly consultations: ConsultationsService,
    private readonly jobs: ConsultationJobs,
    /** Wakes the job runner and the delivery engine: an opening is due now. */
    private readonly wake: () => void,
  ) {}

  private ctx(actor: Actor) {
    const locale: Locale = actor.person.locale ?? this.s.defaultLocale;
    return { locale, t: this.s.i18n.forLocale(locale) };
  }

  // Organisers ----------------------------------------------------------------------------------

  pollForm(actor: Actor, values: Record<string, string> = {}): Form {
    const { t, locale } = this.ctx(actor);
    return pollForm(t, this.s.programme, locale, this.s.timezone, values);
  }

  openPoll(actor: Actor): Reply {
    this.consultations.checkOrganiser(actor);
    return { kind: 'form', form: this.pollForm(actor) };
  }

  async submitPoll(actor: Actor, values: Record<string, string>): Promise<Reply> {
    const c = await this.consultations.draftPoll(actor, values);
    return cardReply(await this.preview(actor, c), { replace: true });
  }

  private async preview(actor: Actor, c: Consultation): Promise<Card> {
    const { t, locale } = this.ctx(actor);
    const sample = c.kind === 'poll' ? pollCard(t, c, this.s.timezone, locale) : inviteCard(t, c, this.s.timezone, locale);
    const count = (await this.consultations.audiencePeople(c)).length;
    const facts = [
      { label: t('consultations.facts.kind'), value: t(`consultations.kinds.${c.kind}`) },
      { label: t('consultations.facts.anonymity'), value: c.anonymous ? t('consultations.anonymous') : t('consultations.named') },
      { label: t('consultations.facts.results'), value: t(`consultations.results.visibility.${c.results}`) },
    ];
    if (c.kind === 'poll') {
      facts.push({ label: t('consultations.facts.audience'), value: count === 0 ? t('consultations.emptyAudience') : t('consultations.count', { count }) });
      facts.push({ label: t('consultations.facts.closes'), value: formatZoned(c.closesAt, this.s.timezone, locale) });
    } else facts.push({ label: t('consultations.facts.questions'), value: t('consultations.invite.questions', { count: c.questions.length, pages: pagesOf(c.questions).length }) });
    return previewCard(t, c, sample, facts);
  }

  /** A flash poll confirmed: opened, its opening job runs now (everyone in the audience told). */
  async confirm(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const c = await this.consultations.confirmPoll(actor, id);
    await this.jobs.schedule(c);
    this.wake();
    return cardReply(this.launched(t, c), { replace: true });
  }

  private launched(t: ReturnType<ConsultationFlow['ctx']>['t'], c: Consultation): Card {
    const text = c.state === 'scheduled' ? t('consultations.scheduled', { id: c.id, title: c.title }) : t('consultations.launched', { id: c.id, title: c.title });
    return {
      fallbackText: text,
      elements: [
        { type: 'text', text },
        { type: 'actions', actions: [{ kind: 'submit', verb: 'consultation.results', label: t('consultations.rateButton'), data: { id: String(c.id) } }] },
      ],
    };
  }

  async cancel(actor: Actor, id: number): Promise<Reply> {
    const c = await this.consultations.cancel(actor, id);
    return cardReply(textCard(this.ctx(actor).t('consultations.cancelled', { id: c.id })), { replace: true });
  }

  /** `consultation modele`: the default questionnaire (the 5 ambitions), previewed as a draft. */
  async template(actor: Actor): Promise<Reply> {
    this.consultations.checkOrganiser(actor);
    return this.fromSource(actor, 'cinq-ambitions.yaml', templateSource());
  }

  /** A questionnaire attached in the chat: checked (every problem with its line and field), then previewed. */
  async fromFile(actor: Actor, file: AttachedFile): Promise<Reply> {
    this.consultations.checkOrganiser(actor);
    if (!/\.ya?ml$/i.test(file.name)) throw new DomainError('consultation.file.notYaml');
    if (file.content.length > MAX_YAML_BYTES) throw new DomainError('consultation.file.tooLarge', { max: Math.round(MAX_YAML_BYTES / 1000) });
    return this.fromSource(actor, file.name, file.content.toString('utf8'));
  }

  private async fromSource(actor: Actor, name: string, source: string): Promise<Reply> {
    const { t } = this.ctx(actor);
    const parsed = parseQuestionnaire(peopleText(source));
    if (!parsed.ok) return cardReply(yamlProblemsCard(t, peopleText(name).slice(0, 100), parsed.problems));
    const c = await this.consultations.draftQuestionnaire(actor, parsed.value);
    return cardReply(await this.preview(actor, c));
  }

  launchForm(actor: Actor, id: number, values: Record<string, string> = {}): Promise<Form> {
    const { t, locale } = this.ctx(actor);
    return this.consultations.forOrganiser(actor, id).then((c) => launchForm(t, this.s.programme, locale, this.s.timezone, c, values));
  }

  async openLaunch(actor: Actor, id: number): Promise<Reply> {
    const c = await this.consultations.forOrganiser(actor, id);
    if (c.state !== 'draft') throw new DomainError('consultation.notDraft', { id });
    return { kind: 'form', form: await this.launchForm(actor, id) };
  }

  async launch(actor: Actor, id: number, values: Record<string, string>): Promise<Reply> {
    const { t } = this.ctx(actor);
    const c = await this.consultations.launch(actor, id, values);
    await this.s.audit.record(actor.person.id, 'consultation.launch', `consultation:${c.id}`, { anonymous: c.anonymous });
    await this.jobs.schedule(c);
    this.wake();
    return cardReply(this.launched(t, c), { replace: true });
  }

  async list(actor: Actor): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    return cardReply(listCard(t, await this.consultations.list(actor), this.s.timezone, locale));
  }

  async close(actor: Actor, id: number): Promise<Reply> {
    await this.consultations.forOrganiser(actor, id);
    const closed = await this.consultations.close(id);
    if (closed) await this.s.audit.record(actor.person.id, 'consultation.close', `consultation:${id}`);
    // the closing job sends the results to the organiser who launched it
    const closing = (await this.s.store.jobs.forRef(`consultation:${id}`)).find((j) => j.kind === 'consultation.close');
    if (closing) await this.s.store.jobs.reschedule(closing.id, this.s.clock.now());
    this.wake();
    return this.results(actor, id);
  }

  /** Free-text answers as CSV (organisers). */
  async export(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const c = await this.consultations.forOrganiser(actor, id);
    const [answers, responses] = await Promise.all([this.s.store.consultations.answers(id), this.s.store.consultations.responses(id)]);
    const content = freeTextCsv(t, c, answers, new Set(responses.map((r) => r.responseId)));
    await this.s.audit.record(actor.person.id, 'export.consultation', `consultation:${id}`, { responses: responses.length });
    return { kind: 'file', file: { name: `consultation-${id}-reponses-libres.csv`, mime: 'text/csv', content, comment: t('consultations.csv.comment', { title: c.title }) } };
  }

  async results(actor: Actor, id: number): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const { consultation, results, figures } = await this.consultations.results(actor, id);
    const card = resultsCard(t, consultation, results, figures, isOrganiser(actor.roles), this.s.timezone, locale);
    // Teams draws the charts in the card; Slack gets the first one as a PNG with the message
    if (actor.person.platform !== 'slack') return cardReply(await withChartImages(this.s, card));
    const [file] = await chartFiles(card, locale, t('consultations.results.chartsComment'), 1);
    return file ? { kind: 'card', card, file } : cardReply(card);
  }

  // Respondents ---------------------------------------------------------------------------------

  /** A button of a flash poll: the answer in one click; the card shows it in place (and live results when they are). */
  async vote(actor: Actor, id: number, value: string | undefined): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const { consultation: c } = await this.consultations.answer(actor, id, 0, { [inputId('q1')]: value ?? '' }, true);
    const q = c.questions[0];
    const answered = q.type === 'scale' ? String(value) : (q.choices?.[Number(value)] ?? '');
    const live = c.results === 'live' ? tallyResult(q, await this.s.store.consultations.tally(id, q.id)) : undefined;
    return cardReply(this.s.notices.withFooter(pollCard(t, c, this.s.timezone, locale, { answered, results: live }), locale), { replace: true });
  }

  /** « Répondre »: the page where the person stopped, with what they saved (or everything, to change a named answer). */
  async answer(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const c = await this.consultations.answerable(id);
    const { page, answers } = await this.consultations.progress(actor, c);
    return { kind: 'form', form: pageForm(t, c, page, answers) };
  }

  /** The form of a page again, as it was filled in (a refusal shown next to its field). */
  async pageAgain(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Form> {
    const { t } = this.ctx(actor);
    const c = await this.consultations.get(Number(data.id));
    const page = Math.max(0, Math.min(Number(data.page) || 0, pagesOf(c.questions).length - 1));
    const filled = new Map<string, string>();
    for (const [k, v] of Object.entries(values)) if (k.startsWith('ans:')) filled.set(k.slice(4), v);
    return pageForm(t, c, page, filled, { preview: data.preview === '1' });
  }

  /** « Suivant » / « Envoyer »: the page saved, then the next one, or the thanks after the last. */
  async page(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const id = parseConsultationNumber(data.id);
    const page = Number(data.page);
    if (data.preview === '1') return this.previewPage(actor, id, page + 1);
    const c0 = await this.consultations.get(id);
    const pages = pagesOf(c0.questions).length;
    const last = page === pages - 1;
    const { consultation: c } = await this.consultations.answer(actor, id, page, values, last);
    if (!last) {
      const { answers } = await this.consultations.progress(actor, c).catch(() => ({ answers: new Map<string, string>() }));
      return { kind: 'form', form: pageForm(t, c, page + 1, answers) };
    }
    const canSee = c.results === 'live';
    return cardReply(thanksCard(t, c, this.s.timezone, locale, canSee), { replace: true });
  }

  /** « Précédent »: what was typed on this page is kept when it can be, then the page before. */
  async back(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Reply> {
    const { t } = this.ctx(actor);
    const id = parseConsultationNumber(data.id);
    const page = Number(data.page);
    if (data.preview === '1') return this.previewPage(actor, id, page - 1);
    const c = await this.consultations.answerable(id);
    if (Object.keys(values).some((k) => k.startsWith('ans:'))) {
      try {
        await this.consultations.answer(actor, id, page, values, false);
      } catch (e) {
        // an incomplete page is not saved on the way back; anything else is said
        if (!isFieldError(e)) throw e;
      }
    }
    const { answers } = await this.consultations.progress(actor, c);
    return { kind: 'form', form: pageForm(t, c, Math.max(0, page - 1), answers) };
  }

  /** The organiser's preview of a page, exactly as respondents see it; nothing is saved. */
  async previewPage(actor: Actor, id: number, page: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const c = await this.consultations.forOrganiser(actor, id);
    const pages = pagesOf(c.questions).length;
    if (page >= pages) return cardReply(textCard(t('consultations.preview.done', { id })), { replace: true });
    return { kind: 'form', form: pageForm(t, c, Math.max(0, page), new Map(), { preview: true }) };
  }
}
