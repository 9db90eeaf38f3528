import type { Audience } from './broadcasts';
import type { BroadcastService } from './broadcast-service';
import {
  type Answer,
  CONSULTATION_LIMITS as L,
  type Consultation,
  dayOf,
  gridCells,
  gridKey,
  keysOf,
  pagesOf,
  type Question,
  type ResultsVisibility,
  scaleValues,
} from './consultations';
import { computeResults, type ConsultationResults } from './consultations-results';
import type { QuestionnaireSource } from './consultations-yaml';
import { DomainError, FieldError } from './errors';
import type { Person } from './people';
import type { Actor } from './people-service';
import type { Clock, Store } from './ports';
import type { Programme } from './programme';
import { isOrganiser } from './roles';
import { zonedDateTime } from './time';

/** The input id of an answer in a form: `ans:<question key>`. */
export function inputId(key: string): string {
  return `ans:${key}`;
}

/** What the flash poll form sends back. */
export interface PollInput {
  question?: string;
  /** One choice per line. */
  choices?: string;
  /** `choices`, `scale5`, `scale10`. */
  format?: string;
  multiple?: string;
  anonymous?: string;
  audience?: string;
  closesDate?: string;
  closesTime?: string;
  results?: string;
}

/** What the launch form of a questionnaire sends back. */
export interface LaunchInput {
  audience?: string;
  opensDate?: string;
  opensTime?: string;
  closesDate?: string;
  closesTime?: string;
  results?: string;
}

const RESULTS: readonly ResultsVisibility[] = ['live', 'closed', 'never'];

/**
 * Consultations: organisers draft a flash poll or a questionnaire, preview it, launch it to an audience
 * between two dates; people answer page by page until closing, once; results are computed from the
 * answers. The rules live here; the store keeps answers apart from who answered.
 */
export class ConsultationsService {
  constructor(
    private readonly store: Store,
    private readonly programme: Programme,
    private readonly broadcasts: BroadcastService,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  checkOrganiser(actor: Actor): void {
    if (!isOrganiser(actor.roles)) throw new DomainError('consultation.organiserOnly');
  }

  async get(id: number): Promise<Consultation> {
    const c = Number.isSafeInteger(id) && id > 0 ? await this.store.consultations.get(id) : null;
    if (!c) throw new DomainError('consultation.notFound', { id: String(id).slice(0, 12) });
    return c;
  }

  /** An organiser's own view of a consultation (drafts, figures, results whatever the visibility). */
  async forOrganiser(actor: Actor, id: number): Promise<Consultation> {
    this.checkOrganiser(actor);
    return this.get(id);
  }

  private audience(raw: string | undefined): Audience {
    const a = this.broadcasts.parseAudience(raw || 'everyone');
    // a consultation is answered by people, one by one: a channel is not an audience here
    if (a.kind === 'channel') throw new FieldError('consultation.audienceChannel', 'audience');
    return a;
  }

  private visibility(raw: string | undefined): ResultsVisibility {
    const r = (raw || 'closed') as ResultsVisibility;
    if (!RESULTS.includes(r)) throw new FieldError('consultation.resultsInvalid', 'results');
    return r;
  }

  private closing(date: string | undefined, time: string | undefined, field: string, after: Date): Date {
    const at = zonedDateTime((date ?? '').trim(), (time ?? '').trim() || '18:00', this.timeZone);
    if (!at) throw new FieldError('consultation.closesInvalid', field);
    if (at.getTime() <= this.clock.now().getTime()) throw new FieldError('consultation.closesPast', field);
    if (at.getTime() <= after.getTime()) throw new FieldError('consultation.closesBeforeOpening', field);
    return at;
  }

  /** A flash poll from its form: one question, 2–10 choices or a scale. A draft, to preview. */
  async draftPoll(actor: Actor, input: PollInput): Promise<Consultation> {
    this.checkOrganiser(actor);
    const text = (input.question ?? '').trim();
    if (!text) throw new FieldError('consultation.poll.questionEmpty', 'question');
    if (text.length > L.questionLength) throw new FieldError('consultation.poll.questionTooLong', 'question', { max: L.questionLength });
    const format = input.format || 'choices';
    let question: Question;
    if (format === 'scale5' || format === 'scale10') {
      question = { id: 'q1', type: 'scale', text, required: true, scale: format === 'scale10' ? { min: 0, max: 10 } : { min: 1, max: 5 } };
    } else if (format === 'choices') {
      const choices = (input.choices ?? '')
        .split('\n')
        .map((c) => c.trim())
        .filter(Boolean);
      if (choices.length < L.minChoices) throw new FieldError('consultation.poll.choicesTooFew', 'choices', { min: L.minChoices });
      if (choices.length > L.maxChoices) throw new FieldError('consultation.poll.choicesTooMany', 'choices', { max: L.maxChoices });
      const long = choices.find((c) => c.length > L.choiceLength);
      if (long) throw new FieldError('consultation.poll.choiceTooLong', 'choices', { max: L.choiceLength, choice: long.slice(0, 40) });
      if (new Set(choices.map((c) => c.toLowerCase())).size !== choices.length) throw new FieldError('consultation.poll.choicesDuplicate', 'choices');
      question = { id: 'q1', type: input.multiple === 'true' ? 'multiple' : 'single', text, required: true, choices };
    } else throw new FieldError('consultation.poll.formatInvalid', 'format');
    const now = this.clock.now();
    const audience = this.audience(input.audience);
    await this.broadcasts.checkAudience(audience);
    const closesAt = this.closing(input.closesDate, input.closesTime, 'closesDate', now);
    return this.store.consultations.create({
      kind: 'poll',
      title: text,
      questions: [question],
      anonymous: input.anonymous === 'true',
      audience,
      opensAt: now,
      closesAt,
      results: this.visibility(input.results),
      createdBy: actor.person.id,
      createdAt: now,
    });
  }

  /** A questionnaire read from YAML: a draft, to preview then launch. Its dates, when the file has them, are the launch form's defaults. */
  async draftQuestionnaire(actor: Actor, q: QuestionnaireSource): Promise<Consultation> {
    this.checkOrganiser(actor);
    const now = this.clock.now();
    const opensAt = q.opens ? (this.local(q.opens) ?? now) : now;
    const closesAt = q.closes ? (this.local(q.closes) ?? new Date(now.getTime() + 14 * 86_400_000)) : new Date(now.getTime() + 14 * 86_400_000);
    return this.store.consultations.create({
      kind: 'questionnaire',
      title: q.title,
      intro: q.intro,
      questions: q.questions,
      anonymous: q.anonymous,
      audience: { kind: 'everyone' },
      opensAt,
      closesAt,
      results: q.results,
      createdBy: actor.person.id,
      createdAt: now,
    });
  }

  private local(text: string): Date | null {
    const [date, time] = text.split(' ');
    return zonedDateTime(date, time ?? '00:00', this.timeZone);
  }

  /** A flash poll confirmed after its preview: open now. */
  async confirmPoll(actor: Actor, id: number): Promise<Consultation> {
    const c = await this.forOrganiser(actor, id);
    if (c.closesAt.getTime() <= this.clock.now().getTime()) throw new DomainError('consultation.closesPastNow', { id });
    const opened = await this.store.consultations.setState(id, ['draft'], 'open', { opensAt: this.clock.now() });
    if (!opened) throw new DomainError('consultation.notDraft', { id });
    return opened;
  }

  /** A questionnaire launched: its audience, dates and results visibility; open now or scheduled. */
  async launch(actor: Actor, id: number, input: LaunchInput): Promise<Consultation> {
    const c = await this.forOrganiser(actor, id);
    if (c.state !== 'draft') throw new DomainError('consultation.notDraft', { id });
    const now = this.clock.now();
    const audience = this.audience(input.audience);
    await this.broadcasts.checkAudience(audience);
    let opensAt = now;
    if ((input.opensDate ?? '').trim()) {
      const at = zonedDateTime((input.opensDate ?? '').trim(), (input.opensTime ?? '').trim() || '09:00', this.timeZone);
      if (!at) throw new FieldError('consultation.opensInvalid', 'opensDate');
      if (at.getTime() > now.getTime()) opensAt = at;
    }
    const closesAt = this.closing(input.closesDate, input.closesTime, 'closesDate', opensAt);
    const state = opensAt.getTime() > now.getTime() ? 'scheduled' : 'open';
    const launched = await this.store.consultations.setState(id, ['draft'], state, { audience, opensAt, closesAt, results: this.visibility(input.results) });
    if (!launched) throw new DomainError('consultation.notDraft', { id });
    return launched;
  }

  async cancel(actor: Actor, id: number): Promise<Consultation> {
    await this.forOrganiser(actor, id);
    const c = await this.store.consultations.setState(id, ['draft', 'scheduled'], 'cancelled');
    if (!c) throw new DomainError('consultation.notDraft', { id });
    return c;
  }

  /** Closes early (an organiser) or at its time (the job). */
  async close(id: number): Promise<Consultation | null> {
    return this.store.consultations.setState(id, ['open'], 'closed', { closesAt: this.clock.now() });
  }

  /** The people a consultation reaches (its audience, people only). */
  async audiencePeople(c: Consultation): Promise<Person[]> {
    const out = new Map<string, Person>();
    for (const r of await this.broadcasts.recipients(c.audience)) if (r.kind === 'person') out.set(r.person.id, r.person);
    return [...out.values()];
  }

  /** A consultation one can answer now: open, before its closing. */
  async answerable(id: number): Promise<Consultation> {
    const c = await this.get(id);
    const now = this.clock.now().getTime();
    if (c.state === 'closed' || (c.state === 'open' && c.closesAt.getTime() <= now)) throw new DomainError('consultation.closed', { title: c.title.slice(0, 80) });
    if (c.state !== 'open') throw new DomainError('consultation.notOpen', { title: c.title.slice(0, 80) });
    return c;
  }

  /** Where the person stands: the page to show (0-based), and their answers so far (while linked). */
  async progress(actor: Actor, c: Consultation): Promise<{ page: number; answers: Map<string, string>; done: boolean }> {
    const row = await this.store.consultations.registerOf(c.id, actor.person.id);
    if (!row) throw new DomainError('consultation.notInvited', { title: c.title.slice(0, 80) });
    if (row.state === 'done' && c.anonymous) throw new DomainError('consultation.alreadyAnswered', { title: c.title.slice(0, 80) });
    const answers = new Map((await this.store.consultations.answersOf(c.id, actor.person.id)).map((a) => [a.question, a.value]));
    const pages = pagesOf(c.questions).length;
    return { page: row.state === 'done' ? 0 : Math.min(row.page, pages - 1), answers, done: row.state === 'done' };
  }

  /** A page's answers read from a form's values, checked against its questions. */
  readPage(questions: Question[], values: Record<string, string>): Answer[] {
    const out: Answer[] = [];
    for (const q of questions) {
      if (q.type === 'grid') {
        for (const { key } of gridCells(q)) {
          const v = (values[inputId(key)] ?? '').trim();
          if (v.length > L.longLength) throw new FieldError('consultation.answerTooLong', inputId(key), { max: L.longLength });
          out.push({ question: key, value: v });
        }
        if (q.required && keysOf(q).every((k) => !(values[inputId(k)] ?? '').trim())) throw new FieldError('consultation.answerRequired', inputId(gridKey(q.id, 0, 0)));
        continue;
      }
      const id = inputId(q.id);
      const v = (values[id] ?? '').trim();
      if (!v) {
        if (q.required) throw new FieldError('consultation.answerRequired', id);
        out.push({ question: q.id, value: '' });
        continue;
      }
      if (q.type === 'single' || q.type === 'multiple') {
        const picked = v.split(',').map((x) => Number(x.trim()));
        if (picked.some((n) => !Number.isInteger(n) || n < 0 || n >= (q.choices?.length ?? 0)) || (q.type === 'single' && picked.length !== 1))
          throw new FieldError('consultation.answerInvalid', id);
        out.push({ question: q.id, value: [...new Set(picked)].sort((a, b) => a - b).join(',') });
      } else if (q.type === 'scale') {
        const n = Number(v);
        if (!scaleValues(q).includes(n)) throw new FieldError('consultation.answerInvalid', id);
        out.push({ question: q.id, value: String(n) });
      } else {
        const max = q.type === 'short' ? L.shortLength : L.longLength;
        if (v.length > max) throw new FieldError('consultation.answerTooLong', id, { max });
        out.push({ question: q.id, value: v });
      }
    }
    return out;
  }

  /**
   * Saves one page of answers (the last one submits). Refused after closing, to someone not asked, and a
   * second answer to an anonymous consultation; a named one may be changed until closing.
   */
  async answer(actor: Actor, id: number, page: number, values: Record<string, string>, submit: boolean): Promise<{ consultation: Consultation; submitted: boolean }> {
    const c = await this.answerable(id);
    const pages = pagesOf(c.questions);
    if (!Number.isInteger(page) || page < 0 || page >= pages.length) throw new DomainError('consultation.stale', { title: c.title.slice(0, 80) });
    const answers = this.readPage(pages[page], values);
    const groups = submit ? await this.groupsOf(actor.person) : undefined;
    const outcome = await this.store.consultations.saveAnswers(c.id, actor.person.id, answers, {
      anonymous: c.anonymous,
      page: submit ? page : page + 1,
      day: dayOf(this.clock.now()),
      submit: groups ? { groups } : undefined,
    });
    if (outcome === 'notInvited') throw new DomainError('consultation.notInvited', { title: c.title.slice(0, 80) });
    if (outcome === 'already') throw new DomainError('consultation.alreadyAnswered', { title: c.title.slice(0, 80) });
    return { consultation: c, submitted: outcome === 'submitted' };
  }

  /** The coarse groups a response is counted in: platform, axes followed. */
  private async groupsOf(person: Person): Promise<{ platform: string; axes: string[] }> {
    return { platform: person.platform, axes: await this.store.follows.axesOf(person.id) };
  }

  /** Results, for an organiser; for a respondent, as the visibility says (live, after closing, never). */
  async results(actor: Actor, id: number): Promise<{ consultation: Consultation; results: ConsultationResults; figures: { reached: number; started: number; done: number } }> {
    const c = await this.get(id);
    if (!isOrganiser(actor.roles)) {
      const closed = c.state === 'closed' || c.closesAt.getTime() <= this.clock.now().getTime();
      if (c.results === 'never' || (c.results === 'closed' && !closed)) throw new DomainError('consultation.resultsHidden', { title: c.title.slice(0, 80) });
      const row = await this.store.consultations.registerOf(c.id, actor.person.id);
      if (!row) throw new DomainError('consultation.notInvited', { title: c.title.slice(0, 80) });
    }
    const [responses, answers, figures] = await Promise.all([
      this.store.consultations.responses(c.id),
      this.store.consultations.answers(c.id),
      this.store.consultations.figures(c.id),
    ]);
    return { consultation: c, results: computeResults(c, responses, answers, this.programme.consultations.minGroupSize), figures };
  }

  async list(actor: Actor, limit = 10): Promise<Array<{ consultation: Consultation; figures: { reached: number; started: number; done: number } }>> {
    this.checkOrganiser(actor);
    const items = await this.store.consultations.list(limit);
    return Promise.all(items.map(async (consultation) => ({ consultation, figures: await this.store.consultations.figures(consultation.id) })));
  }
}
