import type { Card, CardElement, CardInput } from '../../cards/model';
import { type Locale, pick } from '../../domain/locale';
import type { Platform } from '../../domain/people';
import type { Programme } from '../../domain/programme';
import { formatHhmm, PREFERENCE_KINDS, type Preferences, type PreferencesFormValues } from '../../domain/preferences';
import { wallClock } from '../../domain/time';
import type { Translate } from '../../i18n';
import type { Form } from '../reply';

/** Where the form and its summary are shown: the platform names the « platform's language » choice. */
export interface PreferencesContext {
  t: Translate;
  locale: Locale;
  platform: Platform;
  timeZone: string;
  now: Date;
}

/** The form's values for stored preferences (the pause as its last day, on the wall clock). */
export function formValuesOf(prefs: Preferences, timeZone: string, now: Date): PreferencesFormValues {
  const v: PreferencesFormValues = {
    language: prefs.language ?? 'platform',
    digest: prefs.digest,
    quietFrom: prefs.quiet ? formatHhmm(prefs.quiet.from) : '',
    quietTo: prefs.quiet ? formatHhmm(prefs.quiet.to) : '',
    quietWeekends: prefs.quiet?.weekends ? 'true' : 'false',
    pauseUntil: prefs.pauseUntil && prefs.pauseUntil.getTime() > now.getTime() ? lastPausedDay(prefs.pauseUntil, timeZone) : '',
  };
  for (const kind of PREFERENCE_KINDS) v[kind] = prefs.kinds[kind];
  return v;
}

/** The pause ends at midnight after its last day: that day, "2026-03-12". */
function lastPausedDay(until: Date, timeZone: string): string {
  return wallClock(new Date(until.getTime() - 1), timeZone).date;
}

function choice(id: string, label: string, choices: Array<{ title: string; value: string }>, value: string | undefined, error?: string): CardElement {
  const input: CardInput = { kind: 'choice', id, label, style: 'compact', required: true, choices, value: value ?? choices[0].value };
  if (error) input.error = error;
  return { type: 'input', input };
}

/**
 * The preferences form: language, each kind, the digest, quiet hours, the pause. `followedAxes`: the lead's
 * place for the axes a person follows (their inputs go between the kinds and the digest).
 */
export function preferencesForm(c: PreferencesContext, values: PreferencesFormValues, followedAxes: CardElement[] = []): Form {
  const { t } = c;
  const modes = (['now', 'digest', 'off'] as const).map((m) => ({ title: t(`preferences.modes.${m}`), value: m }));
  const elements: CardElement[] = [{ type: 'text', text: t('preferences.intro') }];
  elements.push(
    choice(
      'language',
      t('preferences.language.label'),
      [
        { title: t('preferences.language.fr'), value: 'fr' },
        { title: t('preferences.language.en'), value: 'en' },
        { title: t('preferences.language.platform', { platform: t(`preferences.platform.${c.platform}`) }), value: 'platform' },
      ],
      values.language ?? 'platform',
    ),
  );
  for (const kind of PREFERENCE_KINDS) elements.push(choice(kind, t(`preferences.kinds.${kind}`), modes, values[kind] ?? 'now'));
  // ── followed axes: added here by the axes work (one input per followed axis) ──
  elements.push(...followedAxes);
  elements.push(
    choice(
      'digest',
      t('preferences.digest.label'),
      (['weekly', 'daily', 'off'] as const).map((d) => ({ title: t(`preferences.digest.${d}`), value: d })),
      values.digest ?? 'weekly',
    ),
  );
  elements.push({ type: 'input', input: { kind: 'time', id: 'quietFrom', label: t('preferences.quiet.from'), value: values.quietFrom || undefined } });
  elements.push({ type: 'input', input: { kind: 'time', id: 'quietTo', label: t('preferences.quiet.to'), value: values.quietTo || undefined } });
  elements.push({ type: 'input', input: { kind: 'toggle', id: 'quietWeekends', label: t('preferences.quiet.weekends'), value: values.quietWeekends === 'true' } });
  elements.push({ type: 'input', input: { kind: 'date', id: 'pauseUntil', label: t('preferences.pause.label'), value: values.pauseUntil || undefined } });
  return {
    verb: 'preferences.submit',
    title: t('preferences.title'),
    submitLabel: t('preferences.save'),
    closeLabel: t('preferences.close'),
    card: { fallbackText: t('preferences.fallback'), elements, submit: { verb: 'preferences.submit', label: t('preferences.save') }, requiredMessage: t('forms.required') },
    // the form carries the followed axes: its submission says which (none ticked is none followed)
    data: followedAxes.length ? { withAxes: '1' } : {},
  };
}

/** The axes a person follows, as checkboxes in the preferences form (`selected`: comma-separated ids). */
export function followedAxesInput(c: PreferencesContext, programme: Programme, selected: string): CardElement {
  const choices = programme.axes.map((a) => ({ title: `${a.number} · ${pick(a.name, c.locale)}`, value: a.id }));
  return { type: 'input', input: { kind: 'choice', id: 'axes', label: c.t('preferences.followedAxes'), choices, multiple: true, style: 'expanded', value: selected || undefined } };
}

/** The followed axes restated (numbers and names), or « aucun ». */
export function followedFact(c: PreferencesContext, programme: Programme, axisIds: string[]): { label: string; value: string } {
  const names = programme.axes.filter((a) => axisIds.includes(a.id)).map((a) => `${a.number} · ${pick(a.name, c.locale)}`);
  return { label: c.t('preferences.followedAxes'), value: names.length ? names.join(', ') : c.t('preferences.noAxis') };
}

/** The choices restated in words. */
export function preferencesFacts(c: PreferencesContext, prefs: Preferences): Array<{ label: string; value: string }> {
  const { t } = c;
  const facts = [
    {
      label: t('preferences.language.label'),
      value: prefs.language ? t(`preferences.language.${prefs.language}`) : t('preferences.language.platform', { platform: t(`preferences.platform.${c.platform}`) }),
    },
  ];
  for (const kind of PREFERENCE_KINDS) facts.push({ label: t(`preferences.kinds.${kind}`), value: t(`preferences.modes.${prefs.kinds[kind]}`) });
  facts.push({ label: t('preferences.digest.label'), value: t(`preferences.digest.${prefs.digest}`) });
  const q = prefs.quiet;
  facts.push({
    label: t('preferences.quiet.label'),
    value: q ? t(q.weekends ? 'preferences.quiet.rangeWeekends' : 'preferences.quiet.range', { from: formatHhmm(q.from), to: formatHhmm(q.to) }) : t('preferences.quiet.none'),
  });
  const paused = prefs.pauseUntil && prefs.pauseUntil.getTime() > c.now.getTime();
  facts.push({
    label: t('preferences.pause.fact'),
    value: paused && prefs.pauseUntil ? t('preferences.pause.until', { date: dayInWords(prefs.pauseUntil, c) }) : t('preferences.pause.none'),
  });
  return facts;
}

function dayInWords(until: Date, c: PreferencesContext): string {
  return new Intl.DateTimeFormat(c.locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: c.timeZone, dateStyle: 'full' }).format(new Date(until.getTime() - 1));
}

/** The confirmation of a save: the choices in words, and a way back to the form. */
export function savedCard(c: PreferencesContext, prefs: Preferences, followed?: { label: string; value: string }): Card {
  const text = c.t('preferences.saved');
  return {
    fallbackText: text,
    elements: [
      { type: 'text', text },
      { type: 'facts', facts: followed ? [...preferencesFacts(c, prefs), followed] : preferencesFacts(c, prefs) },
      { type: 'actions', actions: [{ kind: 'submit', verb: 'preferences.open', label: c.t('preferences.change') }] },
    ],
  };
}

/** The Slack App Home's section: the current preferences and a button to change them. */
export function homeSection(c: PreferencesContext, prefs: Preferences, followed?: { label: string; value: string }): CardElement[] {
  return [
    { type: 'header', text: c.t('preferences.homeTitle') },
    { type: 'facts', facts: followed ? [...preferencesFacts(c, prefs), followed] : preferencesFacts(c, prefs) },
    { type: 'actions', actions: [{ kind: 'submit', verb: 'preferences.open', label: c.t('preferences.change') }] },
  ];
}
