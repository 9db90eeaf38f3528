import { DomainError, FieldError, onField, zodFieldError } from './errors';
import { ANSWER_MAX, DESCRIPTION_MAX, HASHTAGS_MAX, ideaInputSchema, PAGE_SIZE, REASON_MAX, TITLE_MAX, type Idea, type IdeaInput, type IdeaSort, type IdeaStatus } from './ideas';
import type { Actor } from './people-service';
import type { Person } from './people';
import type { Clock, Store } from './ports';
import { findAxis, type Programme } from './programme';
import { isOrganiser, isPilotOf } from './roles';

export type IdeaFilter = { kind: 'top' } | { kind: 'recent' } | { kind: 'mine' } | { kind: 'axis'; axisId: string } | { kind: 'hashtag'; hashtag: string };

export interface IdeaPage {
  filter: IdeaFilter;
  items: Idea[];
  total: number;
  /** 1-based. */
  page: number;
  pages: number;
  /** Ideas of this page the viewer supports. */
  supported: Set<number>;
}

/** Everything about ideas and supports: the rules live here, once, for both platforms. */
export class IdeasService {
  constructor(
    private readonly store: Store,
    private readonly programme: Programme,
    private readonly clock: Clock,
  ) {}

  /** Proposes an idea. The axis is an axis id, number or one of its hashtags. */
  async propose(actor: Actor, input: IdeaInput, options: { creditedTo?: string } = {}): Promise<Idea> {
    const parsed = ideaInputSchema.safeParse(input);
    if (!parsed.success) {
      if (parsed.error.issues[0]?.message === 'axis.unknown') throw this.unknownAxis(String(input.axis));
      throw zodFieldError('idea', parsed.error, { params: limits });
    }
    const v = parsed.data;
    const axis = findAxis(this.programme, v.axis);
    if (!axis) throw this.unknownAxis(v.axis);
    const hashtags = [...new Set([...v.hashtags])];
    return this.store.ideas.create({
      title: v.title,
      description: v.description,
      axisId: axis.id,
      hashtags,
      anonymous: v.anonymous,
      authorId: actor.person.id,
      createdAt: this.clock.now(),
      ...(options.creditedTo ? { creditedTo: options.creditedTo } : {}),
    });
  }

  /** Checks a title and description before the axis is known (a quick idea waiting for its axis). */
  checkText(title: string, description: string): void {
    const parsed = ideaInputSchema.safeParse({ title, description, axis: this.programme.axes[0].id });
    if (!parsed.success) throw zodFieldError('idea', parsed.error, { params: limits });
  }

  /** An idea anyone may see; hidden and merged ones are refused with a reason. */
  async visible(id: number): Promise<Idea> {
    const idea = await this.find(id);
    if (idea.mergedInto !== undefined) throw new DomainError('idea.merged', { id, into: idea.mergedInto });
    if (idea.hidden) throw new DomainError('idea.hidden', { id });
    return idea;
  }

  async find(id: number): Promise<Idea> {
    if (!Number.isSafeInteger(id) || id <= 0) throw new DomainError('idea.notFound', { id: String(id).slice(0, 20) });
    const idea = await this.store.ideas.get(id);
    if (!idea) throw new DomainError('idea.notFound', { id });
    return idea;
  }

  async list(actor: Actor, filter: IdeaFilter, page: number, pageSize = PAGE_SIZE): Promise<IdeaPage> {
    const sort: IdeaSort = filter.kind === 'recent' || filter.kind === 'mine' ? 'recent' : 'top';
    // a page number comes from people: bounded before it reaches a query
    const p = Math.min(MAX_PAGE, Math.max(1, Math.floor(page) || 1));
    const { items, total } = await this.store.ideas.list({
      sort,
      axisId: filter.kind === 'axis' ? filter.axisId : undefined,
      hashtag: filter.kind === 'hashtag' ? filter.hashtag.trim().replace(/^#/, '').toLowerCase() : undefined,
      authorId: filter.kind === 'mine' ? actor.person.id : undefined,
      offset: (p - 1) * pageSize,
      limit: pageSize,
    });
    const supported = await this.store.ideas.supportedBy(
      actor.person.id,
      items.map((i) => i.id),
    );
    return { filter, items, total, page: p, pages: Math.max(1, Math.ceil(total / pageSize)), supported };
  }

  async supports(actor: Actor, id: number): Promise<boolean> {
    return (await this.store.ideas.supportedBy(actor.person.id, [id])).has(id);
  }

  /** Supports an idea. Pressing twice is pressing once: `added` is false when the person already supported it. */
  async support(actor: Actor, id: number): Promise<{ idea: Idea; added: boolean }> {
    await this.visible(id);
    const added = await this.store.ideas.addSupport(id, actor.person.id, this.clock.now());
    return { idea: await this.find(id), added };
  }

  /** Withdraws a support. Pressing twice is pressing once: `removed` is false when there was none. */
  async withdraw(actor: Actor, id: number): Promise<{ idea: Idea; removed: boolean }> {
    await this.visible(id);
    const removed = await this.store.ideas.removeSupport(id, actor.person.id);
    return { idea: await this.find(id), removed };
  }

  canModerate(actor: Actor, idea: Pick<Idea, 'axisId'>): boolean {
    return isOrganiser(actor.roles) || isPilotOf(actor.roles, idea.axisId);
  }

  /** An idea the actor may answer, hide or merge (a pilot of its axis, or an organiser). */
  async moderatable(actor: Actor, id: number): Promise<Idea> {
    const idea = await this.visible(id);
    if (!this.canModerate(actor, idea)) throw new DomainError('idea.notPilot');
    return idea;
  }

  /** Pilots of the idea's axis and organisers move it through its statuses; "non retenue" needs an answer. */
  async answer(actor: Actor, id: number, status: IdeaStatus, answer?: string): Promise<{ idea: Idea; previous: IdeaStatus }> {
    const idea = await this.visible(id);
    if (!this.canModerate(actor, idea)) throw new DomainError('idea.notPilot');
    const text = answer?.trim() || undefined;
    if (text && text.length > ANSWER_MAX) throw new FieldError('idea.answer.tooLong', 'answer', { max: ANSWER_MAX });
    if (status === 'non_retenue' && !text) throw new FieldError('idea.answer.required', 'answer');
    if (status === idea.status && (text ?? '') === (idea.answer ?? '')) throw new FieldError('idea.sameStatus', 'answer');
    const updated = await this.store.ideas.setStatus(id, status, text, actor.person.id, this.clock.now());
    return { idea: updated, previous: idea.status };
  }

  /** Hides an idea from every list; the author is told why. */
  async hide(actor: Actor, id: number, reason: string): Promise<Idea> {
    const idea = await this.visible(id);
    if (!this.canModerate(actor, idea)) throw new DomainError('idea.notPilot');
    const why = reason.trim();
    if (!why) throw new FieldError('idea.reason.required', 'reason');
    if (why.length > REASON_MAX) throw new FieldError('idea.reason.tooLong', 'reason', { max: REASON_MAX });
    return this.store.ideas.hide(id, why, actor.person.id, this.clock.now());
  }

  /** Merges a duplicate into another idea: its supports move over, a person who supported both counts once. */
  async merge(actor: Actor, fromId: number, intoId: number): Promise<{ from: Idea; into: Idea }> {
    if (fromId === intoId) throw new FieldError('idea.mergeSelf', 'into');
    const from = await this.visible(fromId);
    // the idea to keep is the form's field: a wrong number is shown there
    const into = await this.visible(intoId).catch((e: unknown) => onField(e, 'into'));
    if (!this.canModerate(actor, from) || !this.canModerate(actor, into)) throw new DomainError('idea.notPilot');
    return this.store.ideas.merge(fromId, intoId, this.clock.now());
  }

  /** Organisers export every idea. */
  canExport(actor: Actor): boolean {
    return isOrganiser(actor.roles);
  }

  /** All ideas for the organisers' export. */
  async exportAll(actor: Actor): Promise<Idea[]> {
    if (!this.canExport(actor)) throw new DomainError('idea.organiserOnly');
    return this.store.ideas.all();
  }

  /** The most supported visible ideas of each axis. */
  async topByAxis(limit: number): Promise<Array<{ axisId: string; ideas: Idea[] }>> {
    const out: Array<{ axisId: string; ideas: Idea[] }> = [];
    for (const axis of this.programme.axes) {
      const { items } = await this.store.ideas.list({ sort: 'top', axisId: axis.id, offset: 0, limit });
      out.push({ axisId: axis.id, ideas: items });
    }
    return out;
  }

  /** The author (when still known) and every supporter: who hears of an idea's news. */
  async followers(idea: Idea): Promise<Person[]> {
    const ids = new Set<string>([idea.authorId, ...(await this.store.ideas.supporters(idea.id))]);
    const people: Person[] = [];
    for (const id of ids) {
      const p = await this.store.people.get(id);
      if (p) people.push(p);
    }
    return people;
  }

  private unknownAxis(axis: string): FieldError {
    return new FieldError('axis.unknown', 'axis', { axis: axis.slice(0, 60), axes: this.programme.axes.map((a) => a.id).join(', ') });
  }
}

/** The last page anyone can ask for (a million ideas at ten a page). */
const MAX_PAGE = 100_000;

/** The limits the messages of the idea form's refusals quote. */
function limits(code: string): { max: number } {
  return { max: code.startsWith('title') ? TITLE_MAX : code.startsWith('hashtags') ? HASHTAGS_MAX : DESCRIPTION_MAX };
}
