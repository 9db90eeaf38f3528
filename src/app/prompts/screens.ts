import type { Card } from '../../cards/model';
import type { Locale } from '../../domain/locale';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';
import { axisLabel } from '../ideas/screens';
import type { Form } from '../reply';

function dateText(at: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, dateStyle: 'long' }).format(at);
}

/** The prompt to a pilot whose axis had no update lately: the form's button, and « Je suis absent ». */
export function promptCard(t: Translate, programme: Programme, locale: Locale, axisId: string, lastUpdate: Date | undefined, reminder: boolean, timeZone: string): Card {
  const axis = axisLabel(programme, axisId, locale);
  const since = lastUpdate ? t('prompts.lastUpdate', { date: dateText(lastUpdate, locale, timeZone) }) : t('prompts.noUpdateYet');
  const text = `${t(reminder ? 'prompts.reminder' : 'prompts.text', { axis })} ${since}`;
  return {
    fallbackText: t(reminder ? 'prompts.reminderFallback' : 'prompts.fallback', { axis }),
    elements: [
      { type: 'header', text: t('prompts.title', { axis }) },
      { type: 'text', text },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'axis.updateOpen', label: t('axes.newUpdateButton'), data: { axis: axisId }, style: 'primary' },
          { kind: 'submit', verb: 'prompt.away', label: t('prompts.away'), data: { axis: axisId } },
        ],
      },
    ],
  };
}

/** « Je suis absent jusqu'au … »: one date. */
export function awayForm(t: Translate, values: { until?: string } = {}): Form {
  return {
    verb: 'prompt.away.save',
    title: t('prompts.awayTitle'),
    submitLabel: t('prompts.awaySave'),
    closeLabel: t('prompts.close'),
    data: {},
    card: {
      fallbackText: t('prompts.awayTitle'),
      elements: [
        { type: 'text', text: t('prompts.awayIntro') },
        { type: 'input', input: { kind: 'date', id: 'until', label: t('prompts.awayUntil'), required: true, value: values.until } },
      ],
      submit: { verb: 'prompt.away.save', label: t('prompts.awaySave') },
      requiredMessage: t('forms.required'),
    },
  };
}
