import { z } from 'zod';
import { AXIS_UPDATE_STATUSES, type AxisQuestion, type AxisUpdate, type AxisUpdatePatch, type AxisUpdateStatus } from './axes';
import { DomainError, FieldError, zodFieldError } from './errors';
import { looksLikeJson } from './ideas';
import type { Actor } from './people-service';
import type { Clock, Store } from './ports';
import { findAxis, type Axis, type Programme } from './programme';
import { isOrganiser, isPilotOf } from './roles';

export const AXIS_UPDATE_TEXT_MAX = 1500;
export const AXIS_QUESTION_MAX = 1000;
const DAY_MS = 86_400_000;

/** What a pilot typed in the form, as text. */
export interface AxisUpdateInput {
  status?: string;
  progress?: string;
  done?: string;
  next?: string;
  help?: string;
  link?: string;
}

/** A checked update, ready to be published. */
export interface AxisUpdateFields {
  status: AxisUpdateStatus;
  progress?: number;
  done: string;
  next: string;
  help?: string;
  link?: string;
}

const text = (max: number, code: string) =>
  z
    .string()
    .trim()
    .max(max, `${code}.tooLong`)
    .refine((t) => !looksLikeJson(t), `${code}.invalid`);

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const axisUpdateSchema = z.object({
  status: z.enum(AXIS_UPDATE_STATUSES, { error: 'status.invalid' }),
  progress: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d{1,3}$/, 'progress.invalid')
      .transform(Number)
      .pipe(z.number().int().min(0, 'progress.invalid').max(100, 'progress.invalid'))
      .optional(),
  ),
  done: z.preprocess((v) => v ?? '', text(AXIS_UPDATE_TEXT_MAX, 'done').pipe(z.string().min(1, 'done.empty'))),
  next: z.preprocess((v) => v ?? '', text(AXIS_UPDATE_TEXT_MAX, 'next')),
  help: z.preprocess(blankToUndefined, text(AXIS_UPDATE_TEXT_MAX, 'help').optional()),
  link: z.preprocess(blankToUndefined, z.string().trim().max(1000, 'link.invalid').optional()),
});

/** Reads and checks the form; a bad field is a FieldError on that field, nothing else happens. */
export function parseAxisUpdate(input: AxisUpdateInput): AxisUpdateFields {
  const parsed = axisUpdateSchema.safeParse(input);
  if (!parsed.success) throw zodFieldError('axisUpdate', parsed.error, { params: () => ({ max: AXIS_UPDATE_TEXT_MAX }) });
  const f = parsed.data;
  if (f.link !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(f.link);
    } catch {
      url = null;
    }
    if (!url || !['https:', 'http:'].includes(url.protocol)) throw new FieldError('axisUpdate.link.invalid', 'link');
  }
  const out: AxisUpdateFields = { status: f.status, done: f.done, next: f.next };
  if (f.progress !== undefined) out.progress = f.progress;
  if (f.help !== undefined) out.help = f.help;
  if (f.link !== undefined) out.link = f.link;
  return out;
}

/** Whether an update published at `at` reaches the axis's followers (at most one every `intervalDays`). */
export function reachesFollowers(lastReached: Date | null, at: Date, intervalDays: number): { reaches: boolean; nextAt?: Date } {
  if (!lastReached || intervalDays <= 0) return { reaches: true };
  const nextAt = new Date(lastReached.getTime() + intervalDays * DAY_MS);
  return at.getTime() >= nextAt.getTime() ? { reaches: true } : { reaches: false, nextAt };
}

/** Following axes, pilots' updates (points d'étape), 👏 and questions: the rules, in one place. */
export class AxesService {
  constructor(
    private readonly store: Store,
    private readonly programme: Programme,
    private readonly clock: Clock,
  ) {}

  axis(query: string): Axis {
    const axis = findAxis(this.programme, query);
    if (!axis) throw new DomainError('axis.unknown', { axis: query.slice(0, 60), axes: this.programme.axes.map((a) => a.id).join(', ') });
    return axis;
  }

  follow(actor: Actor, axisId: string): Promise<boolean> {
    return this.store.follows.follow(actor.person.id, this.axis(axisId).id, this.clock.now());
  }

  unfollow(actor: Actor, axisId: string): Promise<boolean> {
    return this.store.follows.unfollow(actor.person.id, this.axis(axisId).id);
  }

  /** The axes a person may post updates for: the ones they pilot; every axis for an organiser. */
  postable(actor: Actor): Axis[] {
    if (isOrganiser(actor.roles)) return this.programme.axes;
    return this.programme.axes.filter((a) => isPilotOf(actor.roles, a.id));
  }

  canPost(actor: Actor, axisId: string): boolean {
    return isOrganiser(actor.roles) || isPilotOf(actor.roles, axisId);
  }

  checkCanPost(actor: Actor, axisId: string): void {
    if (!this.canPost(actor, axisId)) throw new DomainError('axisUpdate.notPilot');
  }

  /** Whether an update published now on this axis would reach its followers. */
  async reach(axisId: string): Promise<{ reaches: boolean; nextAt?: Date }> {
    return reachesFollowers(await this.store.axisUpdates.lastReached(axisId), this.clock.now(), this.programme.axisUpdateIntervalDays);
  }

  /**
   * Publishes an update. It reaches the followers unless the axis had one within the programme's interval;
   * an organiser may send it anyway (`override`).
   */
  async publish(actor: Actor, axisId: string, fields: AxisUpdateFields, override = false): Promise<AxisUpdate> {
    const axis = this.axis(axisId);
    this.checkCanPost(actor, axis.id);
    const { reaches } = await this.reach(axis.id);
    const reachedFollowers = reaches || (override && isOrganiser(actor.roles));
    return this.store.axisUpdates.create({ axisId: axis.id, authorId: actor.person.id, ...fields, createdAt: this.clock.now(), reachedFollowers });
  }

  async get(id: number): Promise<AxisUpdate> {
    const u = await this.store.axisUpdates.get(id);
    if (!u) throw new DomainError('axisUpdate.notFound', { id });
    return u;
  }

  /** A correction, by its author or an organiser. */
  async correct(actor: Actor, id: number, fields: AxisUpdateFields): Promise<AxisUpdate> {
    const u = await this.get(id);
    if (u.authorId !== actor.person.id && !isOrganiser(actor.roles)) throw new DomainError('axisUpdate.notAuthor');
    const patch: AxisUpdatePatch = { status: fields.status, progress: fields.progress, done: fields.done, next: fields.next, help: fields.help, link: fields.link };
    return (await this.store.axisUpdates.edit(id, patch, this.clock.now())) ?? u;
  }

  async react(actor: Actor, id: number): Promise<{ update: AxisUpdate; added: boolean; count: number }> {
    const update = await this.get(id);
    const r = await this.store.axisUpdates.react(id, actor.person.id, this.clock.now());
    if (!r) throw new DomainError('axisUpdate.notFound', { id });
    return { update, ...r };
  }

  async ask(actor: Actor, id: number, question: string | undefined): Promise<{ update: AxisUpdate; question: AxisQuestion }> {
    const update = await this.get(id);
    const t = (question ?? '').trim();
    if (!t) throw new FieldError('axisUpdate.question.empty', 'question');
    if (t.length > AXIS_QUESTION_MAX) throw new FieldError('axisUpdate.question.tooLong', 'question', { max: AXIS_QUESTION_MAX });
    return { update, question: await this.store.axisUpdates.ask(id, actor.person.id, t, this.clock.now()) };
  }

  async question(id: number): Promise<{ question: AxisQuestion; update: AxisUpdate }> {
    const question = await this.store.axisUpdates.question(id);
    if (!question) throw new DomainError('axisUpdate.questionNotFound');
    return { question, update: await this.get(question.updateId) };
  }

  /** The answer, by a pilot of the update's axis or an organiser. */
  async answer(actor: Actor, questionId: number, answer: string | undefined): Promise<{ question: AxisQuestion; update: AxisUpdate }> {
    const { update } = await this.question(questionId);
    this.checkCanPost(actor, update.axisId);
    const t = (answer ?? '').trim();
    if (!t) throw new FieldError('axisUpdate.answer.empty', 'answer');
    if (t.length > AXIS_QUESTION_MAX) throw new FieldError('axisUpdate.answer.tooLong', 'answer', { max: AXIS_QUESTION_MAX });
    const q = await this.store.axisUpdates.answer(questionId, t, actor.person.id, this.clock.now());
    if (!q) throw new DomainError('axisUpdate.questionNotFound');
    return { question: q, update };
  }
}
