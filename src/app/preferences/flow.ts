import type { CardElement } from '../../cards/model';
import type { Locale } from '../../domain/locale';
import type { Actor } from '../../domain/people-service';
import { DEFAULT_PREFERENCES, type Preferences, type PreferencesFormValues } from '../../domain/preferences';
import { readPreferencesForm } from '../../domain/preferences-form';
import { cardReply, type Form, type Reply } from '../reply';
import type { Services } from '../services';
import { formValuesOf, homeSection, type PreferencesContext, preferencesForm, savedCard } from './screens';

/** What each person receives, and when: the form, its confirmation, and the App Home's section. */
export class PreferencesFlow {
  constructor(private readonly s: Services) {}

  private ctx(actor: Actor, locale: Locale = actor.person.locale ?? this.s.defaultLocale): PreferencesContext {
    return { t: this.s.i18n.forLocale(locale), locale, platform: actor.person.platform, timeZone: this.s.timezone, now: this.s.clock.now() };
  }

  private async current(actor: Actor): Promise<Preferences> {
    return (await this.s.store.preferences.get(actor.person.id)) ?? DEFAULT_PREFERENCES;
  }

  /** Elements the form carries for the followed axes (the axes work fills this in). */
  private followedAxes(_actor: Actor): CardElement[] {
    return [];
  }

  async open(actor: Actor): Promise<Reply> {
    const c = this.ctx(actor);
    return { kind: 'form', form: preferencesForm(c, formValuesOf(await this.current(actor), c.timeZone, c.now), this.followedAxes(actor)) };
  }

  formAgain(actor: Actor, values: PreferencesFormValues): Form {
    return preferencesForm(this.ctx(actor), values, this.followedAxes(actor));
  }

  /** Saves the form (nothing when a field is refused) and answers in the language now chosen. */
  async submit(actor: Actor, values: PreferencesFormValues): Promise<Reply> {
    const now = this.s.clock.now();
    const prefs = readPreferencesForm(values, now, this.s.timezone);
    await this.s.store.preferences.save(actor.person.id, prefs, now);
    const locale = prefs.language ?? actor.person.platformLocale ?? this.s.defaultLocale;
    return cardReply(savedCard(this.ctx(actor, locale), prefs), { replace: true });
  }

  /** The App Home's section. */
  async home(actor: Actor): Promise<CardElement[]> {
    return homeSection(this.ctx(actor), await this.current(actor));
  }
}
