import type { CardElement } from '../../cards/model';
import type { Locale } from '../../domain/locale';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';
import { audienceChoices } from '../common';
import type { Form } from '../reply';

/** The organisers' form: the message, an optional link button, the audience, and when. */
export function broadcastForm(
  t: Translate,
  programme: Programme,
  locale: Locale,
  timeZone: string,
  values: Record<string, string> = {},
  communities: ReadonlyArray<{ id: string; name: string }> = [],
): Form {
  const elements: CardElement[] = [];
  elements.push({ type: 'text', text: t('broadcasts.form.intro') });
  elements.push({
    type: 'input',
    input: { kind: 'text', id: 'message', label: t('broadcasts.form.messageLabel'), multiline: true, maxLength: 3000, required: true, value: values.message },
  });
  elements.push({ type: 'input', input: { kind: 'text', id: 'linkLabel', label: t('broadcasts.form.linkLabelLabel'), maxLength: 60, value: values.linkLabel } });
  elements.push({ type: 'input', input: { kind: 'text', id: 'linkUrl', label: t('broadcasts.form.linkUrlLabel'), maxLength: 1000, value: values.linkUrl } });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'audience',
      label: t('broadcasts.form.audienceLabel'),
      style: 'compact',
      choices: audienceChoices(t, programme, locale, communities),
      value: values.audience ?? 'everyone',
    },
  });
  elements.push({ type: 'input', input: { kind: 'text', id: 'channel', label: t('broadcasts.form.channelLabel'), maxLength: 200, value: values.channel } });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'when',
      label: t('broadcasts.form.whenLabel'),
      style: 'expanded',
      required: true,
      choices: (['now', 'at', 'cron'] as const).map((w) => ({ title: t(`broadcasts.when.${w}`), value: w })),
      value: values.when ?? 'now',
    },
  });
  elements.push({ type: 'input', input: { kind: 'date', id: 'date', label: t('broadcasts.form.dateLabel'), value: values.date } });
  elements.push({ type: 'input', input: { kind: 'time', id: 'time', label: t('broadcasts.form.timeLabel', { tz: timeZone }), value: values.time } });
  elements.push({ type: 'input', input: { kind: 'text', id: 'cron', label: t('broadcasts.form.cronLabel'), maxLength: 100, value: values.cron } });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'ack',
      label: t('broadcasts.reading.ackLabel'),
      style: 'expanded',
      choices: (['none', 'counted', 'named'] as const).map((a) => ({ title: t(`broadcasts.reading.ack.${a}`), value: a })),
      value: values.ack || 'none',
    },
  });
  elements.push({ type: 'input', input: { kind: 'toggle', id: 'important', label: t('broadcasts.reading.importantLabel'), value: values.important === 'true' } });
  return {
    verb: 'broadcast.submit',
    title: t('broadcasts.form.title'),
    submitLabel: t('broadcasts.form.submit'),
    closeLabel: t('broadcasts.cancel'),
    card: { fallbackText: t('broadcasts.form.title'), elements, submit: { verb: 'broadcast.submit', label: t('broadcasts.form.submit') }, requiredMessage: t('forms.required') },
    data: {},
  };
}
