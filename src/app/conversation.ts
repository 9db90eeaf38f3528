import { ZodError } from 'zod';
import type { Card, CardElement } from '../cards/model';
import { DomainError, isDomainError, isFieldError, type FieldError } from '../domain/errors';
import type { Locale } from '../domain/locale';
import { peopleText, peopleValues } from '../domain/people-text';
import type { Actor } from '../domain/people-service';
import type { Translate } from '../i18n';
import { AxesService } from '../domain/axes-service';
import { AxesFlow } from './axes/flow';
import { AuditFlow } from './audit/flow';
import { auditFeature } from './audit/routes';
import { axesFeature } from './axes/routes';
import { BroadcastFlow } from './broadcasts/flow';
import { broadcastsFeature } from './broadcasts/routes';
import { type AttachedFile, ConsultationFlow } from './consultations/flow';
import { ConsultationJobs } from './consultations/jobs';
import { consultationsFeature } from './consultations/routes';
import { CommunitiesFlow } from './communities/flow';
import { communitiesFeature } from './communities/routes';
import { EngagementFlow } from './engagement/flow';
import { engagementFeature } from './engagement/routes';
import { PrivacyFlow } from './privacy/flow';
import { privacyFeature } from './privacy/routes';
import { errorCard, unknownCard, type Surface } from './common';
import { EventsFlow } from './events/flow';
import { eventsFeature } from './events/routes';
import { helpFeature } from './help/routes';
import { engagementEntry, menuCard, welcomeCard } from './help/screens';
import { IdeasFlow } from './ideas/flow';
import { IdeaNotifier } from './ideas/notifier';
import { ideasFeature } from './ideas/routes';
import { PreferencesFlow } from './preferences/flow';
import { preferencesFeature } from './preferences/routes';
import { promptsFeature } from './prompts/routes';
import type { Messenger } from './messenger';
import { cardReply, type Form, type Reply } from './reply';
import { Router } from './router';
import type { ActionInput } from './routes';
import type { Services } from './services';

/** The longest command text accepted (Slack's own limit for a slash command's text is 4,000). */
export const MAX_COMMAND_LENGTH = 4000;

/**
 * The platform-neutral conversation: a typed command or a clicked action becomes a domain call and a
 * reply. Each feature declares its routes (command words, verbs, handlers); this merges them and
 * dispatches. Platforms only translate their payloads into these calls and render the replies.
 */
export class Conversation {
  readonly ideas: IdeasFlow;
  readonly broadcasts: BroadcastFlow;
  readonly events: EventsFlow;
  readonly preferences: PreferencesFlow;
  readonly axes: AxesFlow;
  readonly consultations: ConsultationFlow;
  readonly engagement: EngagementFlow;
  readonly privacy: PrivacyFlow;
  readonly communities: CommunitiesFlow;
  readonly router: Router;

  /**
   * @param wake wakes the delivery engine when work was queued for now (a confirmed broadcast, an
   * announcement, a cancellation).
   */
  constructor(
    private readonly s: Services,
    messenger: Messenger,
    wake: () => void,
    engagement: EngagementFlow = new EngagementFlow(s),
    privacy: PrivacyFlow = new PrivacyFlow(s, engagement, s.log.child({ component: 'privacy' })),
  ) {
    this.ideas = new IdeasFlow(s, new IdeaNotifier(s, messenger));
    this.broadcasts = new BroadcastFlow(s, s.broadcasts, wake);
    this.events = new EventsFlow(s, s.events, wake);
    this.preferences = new PreferencesFlow(s);
    this.axes = new AxesFlow(s, new AxesService(s.store, s.programme, s.clock), s.notices, wake);
    this.consultations = new ConsultationFlow(s, s.consultations, new ConsultationJobs(s, s.consultations, s.log.child({ component: 'consultations' })), wake);
    this.engagement = engagement;
    this.privacy = privacy;
    this.communities = new CommunitiesFlow(s);
    // the ambassadors' community is joined on activation
    this.engagement.onActivated = (e) => this.communities.onActivated(e);
    this.router = new Router([
      helpFeature({ s, menu: (actor, surface) => this.menu(actor, surface) }),
      ideasFeature(this.ideas),
      broadcastsFeature(this.broadcasts),
      eventsFeature(this.events),
      preferencesFeature(this.preferences),
      axesFeature(this.axes),
      promptsFeature(s),
      consultationsFeature(this.consultations),
      engagementFeature(this.engagement),
      privacyFeature(this.privacy),
      communitiesFeature(this.communities),
      auditFeature(new AuditFlow(s)),
    ]);
  }

  locale(actor: Actor): Locale {
    return actor.person.locale ?? this.s.defaultLocale;
  }

  t(actor: Actor): Translate {
    return this.s.i18n.forLocale(this.locale(actor));
  }

  /** A typed command: `/ensemble <text>` on Slack, a message in the Teams chat. */
  async onText(actor: Actor, text: string, surface: Surface): Promise<Reply> {
    return this.guard(actor, async () => {
      if (text.length > MAX_COMMAND_LENGTH) throw new DomainError('command.tooLong', { max: MAX_COMMAND_LENGTH });
      const parsed = this.router.parse(peopleText(text));
      switch (parsed.kind) {
        case 'empty':
          return this.menu(actor, surface);
        case 'unknown':
          return cardReply(unknownCard(this.t(actor), parsed.word, parsed.suggestion));
        case 'command':
          return this.router.run(parsed, { actor, surface });
      }
    });
  }

  /**
   * A clicked button or a submitted form. `verb` has been checked against the verb pattern by the
   * platform; `values` are the form's inputs when there are some. A verb no route handles gets the
   * "unknown" answer.
   */
  async onAction(actor: Actor, verb: string, data: Record<string, string>, surface: Surface, values: Record<string, string> = {}): Promise<Reply> {
    return this.guard(actor, async () => {
      const route = this.router.action(verb);
      if (!route) return cardReply(unknownCard(this.t(actor), verb.slice(0, 60)));
      const input: ActionInput = { actor, surface, data: peopleValues(data), values: peopleValues(values) };
      try {
        return await route.run(input);
      } catch (e) {
        if (isFieldError(e) && route.form) return this.formErrors(actor, e, await route.form(input));
        throw e;
      }
    });
  }

  /** A file attached in the person's chat with the bot (a questionnaire in YAML, for organisers). */
  async onFile(actor: Actor, file: AttachedFile): Promise<Reply> {
    return this.guard(actor, () => this.consultations.fromFile(actor, file));
  }

  /** Whether what this verb changes shows on the App Home (Slack publishes it again). */
  changesHome(verb: string): boolean {
    return this.router.action(verb)?.changesHome === true;
  }

  /** Whether the answer to this verb replaces the card it was clicked on (Teams). */
  replaces(verb: string): boolean {
    return this.router.action(verb)?.replaces === true;
  }

  /** The form again, with the refusal next to its field (the first input when no input has that name). */
  private formErrors(actor: Actor, e: FieldError, form: Form): Reply {
    const message = this.t(actor)(`errors.${e.code}`, e.params);
    const inputs = form.card.elements.flatMap((el) => (el.type === 'input' ? [el.input.id] : []));
    const wanted = form.fields?.[e.field] ?? e.field;
    const field = inputs.includes(wanted) ? wanted : (inputs[0] ?? wanted);
    const elements: CardElement[] = form.card.elements.map((el) => (el.type === 'input' && el.input.id === field ? { ...el, input: { ...el.input, error: message } } : el));
    return { kind: 'formErrors', errors: { [field]: message }, form: { ...form, card: { ...form.card, elements } } };
  }

  welcome(locale: Locale): Reply {
    return cardReply(welcomeCard(this.s.i18n.forLocale(locale), this.s.programme, locale));
  }

  /** The Slack App Home: the menu, the next events, then the most supported ideas. */
  async home(actor: Actor, surface: Surface): Promise<Card> {
    const menu = this.menuOf(actor, surface);
    const elements = [...menu.elements];
    const next = await this.events.next(actor);
    if (next.kind === 'card') elements.push({ type: 'divider' }, ...next.card.elements);
    const top = await this.ideas.list(actor, { kind: 'top' }, 1);
    if (top.kind === 'card') elements.push({ type: 'divider' }, ...top.card.elements);
    elements.push({ type: 'divider' }, ...engagementEntry(this.t(actor)));
    elements.push({ type: 'divider' }, ...(await this.preferences.home(actor)));
    // Slack's Home tab takes 100 blocks; the menu, three events and one page of ideas stay well below.
    return { fallbackText: menu.fallbackText, elements };
  }

  menu(actor: Actor, surface: Surface): Reply {
    return cardReply(this.menuOf(actor, surface));
  }

  private menuOf(actor: Actor, surface: Surface): Card {
    return menuCard(this.t(actor), this.s.programme, actor, this.locale(actor), surface, this.router.commands);
  }

  /** Turns any failure into a friendly, localised reply; unexpected ones are logged. */
  async guard(actor: Actor, work: () => Promise<Reply>): Promise<Reply> {
    try {
      return await work();
    } catch (e) {
      return this.errorReply(actor, e);
    }
  }

  errorCard(actor: Actor): Card {
    return errorCard(this.t(actor)('errors.generic'));
  }

  errorReply(actor: Actor | undefined, e: unknown): Reply {
    const locale = actor ? this.locale(actor) : this.s.defaultLocale;
    const t = this.s.i18n.forLocale(locale);
    if (isDomainError(e)) return cardReply(errorCard(t(`errors.${e.code}`, e.params)));
    if (e instanceof ZodError) {
      const detail = e.issues.map((i) => i.message).join('; ');
      return cardReply(errorCard(t('errors.invalidInput', { detail })));
    }
    this.s.log.error({ err: e }, 'unexpected error while answering');
    return cardReply(errorCard(t('errors.generic')));
  }
}
