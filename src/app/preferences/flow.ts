import type { CardElement } from '../../cards/model';
import type { Locale } from '../../domain/locale';
import type { Programme } from '../../domain/programme';
import type { Actor } from '../../domain/people-service';
import { DEFAULT_PREFERENCES, type Preferences, type PreferencesFormValues } from '../../domain/preferences';
import { readPreferencesForm } from '../../domain/preferences-form';
import { cardReply, type Form, type Reply } from '../reply';
import type { Services } from '../services';
import { followedAxesInput, followedFact, formValuesOf, homeSection, type PreferencesContext, preferencesForm, savedCard } from './screens';

/** The ticked axes (comma-separated ids; a Slack or Teams multi-select): only the programme's own ids count. */
export function axesOfForm(value: string | undefined, programme: Programme): Set<string> {
  const known = new Set(programme.axes.map((a) => a.id));
  return new Set(
    (value ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => known.has(v)),
  );
}

/** What each person receives, and when: the form, its confirmation, and the App Home's section. */
export class PreferencesFlow {
  constructor(private readonly s: Services) {}

  private ctx(actor: Actor, locale: Locale = actor.person.locale ?? this.s.defaultLocale): PreferencesContext {
    return { t: this.s.i18n.forLocale(locale), locale, platform: actor.person.platform, timeZone: this.s.timezone, now: this.s.clock.now() };
  }

  private async current(actor: Actor): Promise<Preferences> {
    return (await this.s.store.preferences.get(actor.person.id)) ?? DEFAULT_PREFERENCES;
  }

  async open(actor: Actor): Promise<Reply> {
    const c = this.ctx(actor);
    const followed = (await this.s.store.follows.axesOf(actor.person.id)).join(',');
    return { kind: 'form', form: preferencesForm(c, formValuesOf(await this.current(actor), c.timeZone, c.now), [followedAxesInput(c, this.s.programme, followed)]) };
  }

  formAgain(actor: Actor, values: PreferencesFormValues): Form {
    const c = this.ctx(actor);
    return preferencesForm(c, values, [followedAxesInput(c, this.s.programme, values.axes ?? '')]);
  }

  /**
   * Saves the form (nothing when a field is refused) and answers in the language now chosen. The followed
   * axes become those ticked, when the form carried them (`data.withAxes`): an older card without them
   * leaves them as they are.
   */
  async submit(actor: Actor, values: PreferencesFormValues, data: Record<string, string> = {}): Promise<Reply> {
    const now = this.s.clock.now();
    const prefs = readPreferencesForm(values, now, this.s.timezone);
    const wanted = data.withAxes ? axesOfForm(values.axes, this.s.programme) : undefined;
    await this.s.store.preferences.save(actor.person.id, prefs, now);
    const id = actor.person.id;
    if (wanted) {
      const before = new Set(await this.s.store.follows.axesOf(id));
      for (const axis of this.s.programme.axes) {
        if (wanted.has(axis.id) && !before.has(axis.id)) await this.s.store.follows.follow(id, axis.id, now);
        if (!wanted.has(axis.id) && before.has(axis.id)) await this.s.store.follows.unfollow(id, axis.id);
      }
    }
    const locale = prefs.language ?? actor.person.platformLocale ?? this.s.defaultLocale;
    const c = this.ctx(actor, locale);
    return cardReply(savedCard(c, prefs, followedFact(c, this.s.programme, await this.s.store.follows.axesOf(id))), { replace: true });
  }

  /** The App Home's section. */
  async home(actor: Actor): Promise<CardElement[]> {
    const c = this.ctx(actor);
    return homeSection(c, await this.current(actor), followedFact(c, this.s.programme, await this.s.store.follows.axesOf(actor.person.id)));
  }
}
