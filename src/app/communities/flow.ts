import { type Community, communityInputSchema, communitySlug, type NewCommunity, PROGRESS_STAGES, type ProgressStage, trainingSubjectSchema } from '../../domain/communities';
import { DomainError, FieldError, zodFieldError } from '../../domain/errors';
import type { Engagement } from '../../domain/engagement';
import type { Locale } from '../../domain/locale';
import { pick } from '../../domain/locale';
import type { Actor } from '../../domain/people-service';
import type { Programme } from '../../domain/programme';
import { isOrganiser } from '../../domain/roles';
import { textCard } from '../common';
import type { Notice } from '../notices';
import { cardReply, type Reply } from '../reply';
import type { Services } from '../services';
import { type CommunityFormValues, communityCard, communityName, createForm, listCard, offerNotice, publishForm, trainForm, type View } from './screens';

/** How many upcoming events the agenda of a community looks through. */
const AGENDA_LOOKAHEAD = 500;

/** The programme file's communities, as the store seeds them (French words; the cards show the viewer's language). */
export function programmeCommunities(programme: Programme): NewCommunity[] {
  return programme.communities.map((c) => ({
    id: c.id,
    name: c.name.fr,
    kind: c.kind,
    description: c.description.fr,
    ...(c.channel ? { channel: c.channel } : {}),
    ...(c.problem ? { problem: c.problem.fr } : {}),
    createdBy: 'programme',
  }));
}

/** The communities as choices of a form (an audience, an event's agenda), named in the viewer's language. */
export async function communityChoices(s: Pick<Services, 'store' | 'programme'>, locale: Locale): Promise<Array<{ id: string; name: string }>> {
  return (await s.store.communities.list()).map((c) => ({ id: c.id, name: communityName({ programme: s.programme, locale }, c) }));
}

/**
 * Communities (issue 12, seed 004): the list with « Rejoindre » / « Quitter », a community's card with its
 * agenda and, for a progress group, its problem and stage; organisers create communities in chat and move
 * a progress group's stage, and publish its proposal as an idea credited to the group; anyone offers to
 * train (« Je peux former sur… »), which reaches the organisers.
 */
/** « Je peux former sur… »: at most this many offers per person in a day (each reaches every organiser). */
const OFFERS_PER_DAY = 3;
const OFFER_WINDOW_MS = 86_400_000;

export class CommunitiesFlow {
  constructor(private readonly s: Services) {}

  private view(locale: Locale | undefined): View {
    const l = locale ?? this.s.defaultLocale;
    return { t: this.s.i18n.forLocale(l), programme: this.s.programme, locale: l, timeZone: this.s.timezone };
  }

  private v(actor: Actor): View {
    return this.view(actor.person.locale);
  }

  private organiserOnly(actor: Actor): void {
    if (!isOrganiser(actor.roles)) throw new DomainError('community.organiserOnly');
  }

  private async find(id: string | undefined): Promise<Community> {
    const key = (id ?? '').trim().toLowerCase();
    const c = /^[a-z0-9-]{1,60}$/.test(key) ? await this.s.store.communities.get(key) : null;
    if (!c) {
      const known = (await this.s.store.communities.list()).map((x) => x.id).join(', ');
      throw new DomainError('community.unknown', { id: (id ?? '').slice(0, 60), known: known || '—' });
    }
    return c;
  }

  // — seeing them —

  async list(actor: Actor, replace = false, note?: string): Promise<Reply> {
    const [communities, counts, mine] = await Promise.all([
      this.s.store.communities.list(),
      this.s.store.communities.counts(),
      this.s.store.communities.communitiesOf(actor.person.id),
    ]);
    const card = listCard(this.v(actor), communities, counts, new Set(mine), isOrganiser(actor.roles));
    return cardReply(note ? { ...card, elements: [{ type: 'text', text: note }, ...card.elements] } : card, { replace });
  }

  async show(actor: Actor, id: string | undefined, replace = false, intro?: string): Promise<Reply> {
    const c = await this.find(id);
    return cardReply(await this.card(actor, c, intro), { replace });
  }

  private async card(actor: Actor, c: Community, intro?: string) {
    const now = this.s.clock.now();
    const [members, events, stages] = await Promise.all([
      this.s.store.communities.members(c.id),
      this.s.store.events.upcoming(now, AGENDA_LOOKAHEAD),
      c.kind === 'groupe_progres' ? this.s.store.communities.stages(c.id) : Promise.resolve([]),
    ]);
    return communityCard(
      this.v(actor),
      {
        community: c,
        members: members.length,
        member: members.includes(actor.person.id),
        organiser: isOrganiser(actor.roles),
        events: events.filter((e) => e.communityId === c.id),
        stages,
      },
      intro,
    );
  }

  /** `/ensemble communaute …`: nothing, the list; `nouvelle`, the form; an id, its card. */
  command(actor: Actor, args: string[]): Promise<Reply> | Reply {
    if (!args.length) return this.list(actor);
    return this.show(actor, args[0]);
  }

  // — join and leave, in one click (pressing twice is pressing once) —

  async join(actor: Actor, id: string | undefined, from: string | undefined): Promise<Reply> {
    const c = await this.find(id);
    const added = await this.s.store.communities.join(c.id, actor.person.id, this.s.clock.now());
    const t = this.v(actor).t;
    const note = t(added ? 'communities.joined' : 'communities.alreadyMember', { name: communityName(this.v(actor), c) });
    return from === 'list' ? this.list(actor, true, note) : this.show(actor, c.id, true, note);
  }

  async leave(actor: Actor, id: string | undefined, from: string | undefined): Promise<Reply> {
    const c = await this.find(id);
    const removed = await this.s.store.communities.leave(c.id, actor.person.id);
    const t = this.v(actor).t;
    const note = t(removed ? 'communities.left' : 'communities.notMember', { name: communityName(this.v(actor), c) });
    return from === 'list' ? this.list(actor, true, note) : this.show(actor, c.id, true, note);
  }

  /** An engagement became active: its holder joins the ambassadors' community (the first of that kind). */
  async onActivated(e: Engagement): Promise<void> {
    const ambassadors = (await this.s.store.communities.list()).find((c) => c.kind === 'ambassadeurs');
    if (ambassadors) await this.s.store.communities.join(ambassadors.id, e.personId, this.s.clock.now());
  }

  // — organisers: a new community, a progress group's stage, its proposal as an idea —

  open(actor: Actor): Reply {
    this.organiserOnly(actor);
    return { kind: 'form', form: createForm(this.v(actor)) };
  }

  createFormOf(actor: Actor, values: CommunityFormValues) {
    return createForm(this.v(actor), values);
  }

  async create(actor: Actor, values: Record<string, string>): Promise<Reply> {
    this.organiserOnly(actor);
    const parsed = communityInputSchema.safeParse({ name: values.name ?? '', kind: values.kind ?? '', description: values.description ?? '', problem: values.problem ?? '' });
    if (!parsed.success) throw zodFieldError('community', parsed.error, { params: (code) => ({ max: code.startsWith('name') ? 80 : 1000 }) });
    const v = parsed.data;
    const base = communitySlug(v.name);
    const at = this.s.clock.now();
    let created: Community | null = null;
    // a name already used by another community gets the next free id (groupe-accueil, groupe-accueil-2, …)
    for (let n = 1; n <= 20 && !created; n++) {
      created = await this.s.store.communities.create(
        {
          id: n === 1 ? base : `${base}-${n}`,
          name: v.name,
          kind: v.kind,
          description: v.description,
          ...(v.kind === 'groupe_progres' && v.problem ? { problem: v.problem } : {}),
          createdBy: actor.person.id,
        },
        at,
      );
    }
    if (!created) throw new FieldError('community.name.taken', 'name');
    return cardReply(await this.card(actor, created, this.v(actor).t('communities.created', { id: created.id })), { replace: true });
  }

  async stage(actor: Actor, id: string | undefined, from: string | undefined, to: string | undefined): Promise<Reply> {
    this.organiserOnly(actor);
    const c = await this.find(id);
    if (c.kind !== 'groupe_progres') throw new DomainError('community.notProgressGroup');
    const stages = PROGRESS_STAGES as readonly string[];
    if (!stages.includes(from ?? '') || !stages.includes(to ?? '')) throw new DomainError('community.stageInvalid');
    const t = this.v(actor).t;
    const next = await this.s.store.communities.setStage(c.id, from as ProgressStage, to as ProgressStage, actor.person.id, this.s.clock.now());
    if (!next) {
      // a stale button: the stage moved meanwhile; what it is now, and nothing changed
      const now = (await this.s.store.communities.get(c.id)) ?? c;
      return cardReply(await this.card(actor, now, t('communities.stageStale', { stage: t(`communities.stage.${now.stage ?? 'analyse'}`) })), { replace: true });
    }
    return cardReply(await this.card(actor, next, t('communities.stageMoved', { stage: t(`communities.stage.${next.stage ?? 'analyse'}`) })), { replace: true });
  }

  async publishForm(actor: Actor, id: string | undefined): Promise<Reply> {
    this.organiserOnly(actor);
    const c = await this.proposing(id);
    return { kind: 'form', form: publishForm(this.v(actor), c) };
  }

  async publishFormOf(actor: Actor, id: string | undefined, values: Record<string, string>) {
    const c = await this.find(id);
    return publishForm(this.v(actor), c, values);
  }

  /** The proposal becomes an idea of an axis, through the ideas service, credited to the group. */
  async publish(actor: Actor, id: string | undefined, values: Record<string, string>): Promise<Reply> {
    this.organiserOnly(actor);
    const c = await this.proposing(id);
    const idea = await this.s.ideas.propose(
      actor,
      { title: values.title ?? '', description: values.description ?? '', axis: values.axis ?? '', hashtags: [], anonymous: false },
      { creditedTo: c.id },
    );
    const v = this.v(actor);
    return cardReply(textCard(v.t('communities.published', { id: idea.id, name: communityName(v, c) })), { replace: true });
  }

  private async proposing(id: string | undefined): Promise<Community> {
    const c = await this.find(id);
    if (c.kind !== 'groupe_progres') throw new DomainError('community.notProgressGroup');
    if (c.stage !== 'proposition') throw new DomainError('community.notProposing');
    return c;
  }

  // — « Je peux former sur… » —

  trainOpen(actor: Actor, rest = ''): Promise<Reply> | Reply {
    if (rest.trim()) return this.train(actor, { subject: rest });
    return { kind: 'form', form: trainForm(this.v(actor)) };
  }

  trainFormOf(actor: Actor, values: Record<string, string>) {
    return trainForm(this.v(actor), values);
  }

  async train(actor: Actor, values: Record<string, string>): Promise<Reply> {
    const parsed = trainingSubjectSchema.safeParse(values.subject ?? '');
    if (!parsed.success) throw zodFieldError('community.train', parsed.error, { fields: { input: 'subject' }, params: () => ({ max: 300 }) });
    const subject = parsed.data;
    // each offer reaches every organiser: a few a day per person at most
    const now = this.s.clock.now();
    const today = (await this.s.store.communities.offers(500)).filter((o) => o.personId === actor.person.id && now.getTime() - o.at.getTime() < OFFER_WINDOW_MS);
    if (today.length >= OFFERS_PER_DAY) throw new FieldError('community.train.tooMany', 'subject', { max: OFFERS_PER_DAY });
    const offer = await this.s.store.communities.addOffer(actor.person.id, subject, now);
    const organisers = await this.s.people.peopleWith('organisateur');
    const notices: Notice[] = organisers.map((o) => ({ person: o, key: `community:offer:${offer.id}:${o.id}`, card: offerNotice(this.view(o.locale), actor.person, subject) }));
    if (notices.length) await this.s.notices.queue(notices, { source: `community:offer:${offer.id}`, kind: 'service' });
    return cardReply(textCard(this.v(actor).t('communities.train.thanks')), { replace: true });
  }

  /** The name of a community for a card that credits it (an idea's), in the viewer's language. */
  async nameOf(id: string, locale: Locale): Promise<string> {
    const p = this.s.programme.communities.find((x) => x.id === id);
    if (p) return pick(p.name, locale);
    return (await this.s.store.communities.get(id))?.name ?? id;
  }
}
